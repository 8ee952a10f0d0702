import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * The token request: JSON or `application/x-www-form-urlencoded`, with the portal's names
 * (`clientId`, `clientSecret`) or the OAuth 2.0 ones (`client_id`, `client_secret`) — or none of
 * them, with the credentials in an HTTP Basic `Authorization` header (`client_secret_basic`).
 */
export class TokenRequestDto {
  @ApiPropertyOptional({ enum: ['client_credentials'], description: 'OAuth 2.0 grant type; only client_credentials (another is 400 `unsupported_grant_type`)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  grant_type?: string;

  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) clientId?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) clientSecret?: string;
  @ApiPropertyOptional({ maxLength: 200, description: 'OAuth 2.0 spelling of clientId' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  client_id?: string;
  @ApiPropertyOptional({ maxLength: 200, description: 'OAuth 2.0 spelling of clientSecret' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  client_secret?: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <access_token>`', example: 'eyJhbGciOiJIUzI1NiJ9…' }) access_token!: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type!: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Lifetime in seconds', example: 3600 }) expires_in!: number;
}
