import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** A staff user id as a path segment: 1–200 characters, no slash, backslash or control character. */
export const USER_ID = /^[^/\\\u0000-\u001f\u007f]{1,200}$/;

export class CalendarUserParam {
  @ApiProperty({ description: "The staff user whose feed it is (the token's owner)", example: 'sari' })
  @Matches(USER_ID, { message: 'userId must be a user id (1–200 characters, no slash or control character)' })
  userId!: string;
}

export class CalendarFeedQueryDto {
  @ApiPropertyOptional({ description: 'The feed token (from POST /calendar/feed-token)', example: 'cal_3q2…' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  token?: string;
}

export class CalendarFeedTokenDto {
  @ApiProperty({ example: 'sari' }) userId!: string;
  @ApiProperty({ description: 'Shown this once: only its hash is kept', example: 'cal_Jx1f…' }) token!: string;
  @ApiProperty({ description: 'The address to subscribe to, relative to this service', example: '/calendar/sari.ics?token=cal_Jx1f…' }) feedUrl!: string;
}
