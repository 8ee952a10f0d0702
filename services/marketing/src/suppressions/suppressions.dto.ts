import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ADDRESS_SUPPRESSION_REASONS } from '@crm/campaigns';

const EMAIL = { description: 'The e-mail address (compared trimmed and lower-cased; only its keyed hash is stored)', example: 'sari@example.com' };

export class SuppressionQueryDto {
  @ApiProperty(EMAIL) @IsEmail() @MaxLength(254) email!: string;
}

export class SuppressAddressDto {
  @ApiProperty(EMAIL) @IsEmail() @MaxLength(254) email!: string;
  @ApiPropertyOptional({ description: 'Why staff suppress it (kept with the suppression)', example: 'the customer asked by phone never to be e-mailed' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason?: string;
}

export class ReleaseAddressDto {
  @ApiProperty(EMAIL) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ description: 'Why it may be mailed again', example: 'the customer fixed the mailbox' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

export class SuppressionReleaseDto {
  @ApiProperty() by!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class SuppressionStatusDto {
  @ApiProperty({ description: 'HMAC-SHA256 (hex) of the trimmed, lower-cased address: what the events carry', example: 'ab'.repeat(32) })
  addressKey!: string;
  @ApiProperty({ description: 'Whether campaigns skip this address (`address-suppressed`)' }) suppressed!: boolean;
  @ApiPropertyOptional({ enum: ADDRESS_SUPPRESSION_REASONS, description: 'While suppressed: why' }) reason?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'While suppressed: since when' }) since?: string;
  @ApiPropertyOptional({ description: 'Who recorded it: staff, `campaign-dispatcher` (a bounce at the hand-over) or `email-provider` (a late report)' })
  by?: string;
  @ApiPropertyOptional({ description: 'The server’s answer to a bounce, the provider’s words, or staff’s reason' }) note?: string;
  @ApiPropertyOptional({ description: 'The campaign whose message bounced or was complained about' }) campaignId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'That message' }) messageRef?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The customer it was sent to' }) customerId?: string;
  @ApiPropertyOptional({ type: SuppressionReleaseDto, description: 'The last release, if any' }) released?: SuppressionReleaseDto;
  @ApiPropertyOptional({ description: 'Changes only: whether this call recorded anything (false: it held already)' }) recorded?: boolean;
}
