import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SLUG_ID } from '@crm/kernel';

/** The call statuses a Twilio-style provider reports (`CallStatus`). */
export const CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'answered', 'completed', 'busy', 'no-answer', 'canceled', 'failed'] as const;
export type ProviderCallStatus = (typeof CALL_STATUSES)[number];
export const ENDED_STATUSES: readonly ProviderCallStatus[] = ['completed', 'busy', 'no-answer', 'canceled', 'failed'];

/** The fields of a provider's call webhook the CRM reads (it posts many more; they are ignored). */
export class ProviderCallForm {
  @ApiProperty({ description: "The provider's call id", example: 'CA5f2d6c8b1e3a4f7092b8c1d2e3f4a5b6' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'CallSid must be 1 to 64 letters, digits, _ or -' })
  CallSid!: string;

  @ApiProperty({ description: "The caller's number (E.164), or `anonymous`", example: '+6281234567890' })
  @IsString()
  @MaxLength(64)
  From!: string;

  @ApiProperty({ description: 'The number called', example: '+622150001234' })
  @IsString()
  @MaxLength(64)
  To!: string;

  @ApiProperty({ enum: CALL_STATUSES })
  @IsIn(CALL_STATUSES)
  CallStatus!: ProviderCallStatus;

  @ApiPropertyOptional({ description: 'Keys the caller pressed (on the IVR action)', example: '1' })
  @IsOptional()
  @Matches(/^[0-9*#]{0,20}$/, { message: 'Digits must be keys of a phone: 0-9, * and #' })
  Digits?: string;

  @ApiPropertyOptional({
    description:
      'The agent who took the call, on an `in-progress` status callback (a parameter your call flow adds, e.g. `<Parameter name="AgentId">` or the dialled client name). Without it, `in-progress` is the IVR picking up, not an agent',
    example: 'dewi',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._@-]{1,200}$/, { message: 'AgentId must be a user id' })
  AgentId?: string;
}

export class VoiceQueryDto {
  @ApiPropertyOptional({ description: 'The IVR menu the call starts in (default `main`)', example: 'main' })
  @IsOptional()
  @Matches(SLUG_ID, { message: 'menu must be a menu id (lower-case letters, digits, -)' })
  menu?: string;
}

export class IvrQueryDto {
  @ApiProperty({ description: 'The menu the caller is in', example: 'main' })
  @Matches(SLUG_ID, { message: 'menu must be a menu id (lower-case letters, digits, -)' })
  menu!: string;

  @ApiPropertyOptional({ description: 'The keys pressed from the top of the menu to where the caller is', example: '3' })
  @IsOptional()
  @Matches(/^[0-9*#]{0,5}$/, { message: 'path must be up to 5 keys' })
  path?: string;

  @ApiPropertyOptional({ description: 'How many steps the caller has taken (names each step’s interaction)', example: '2' })
  @IsOptional()
  @Matches(/^\d{1,4}$/, { message: 'step must be a whole number below 10000' })
  step?: string;

  @ApiPropertyOptional({ description: 'Menus in a row without a key pressed', example: '0' })
  @IsOptional()
  @Matches(/^\d$/, { message: 'silences must be one digit' })
  silences?: string;
}
