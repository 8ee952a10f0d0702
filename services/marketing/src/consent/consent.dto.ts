import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsInstant, NestedObject } from '@crm/contracts';
import { CONSENT_CHANNELS, CONSENT_GRANT_SOURCES, CONSENT_WITHDRAWAL_SOURCES, SLUG_ID, type ConsentChannel, type ConsentWithdrawalSource } from '@crm/kernel';

/** Sources staff may record a grant from: double opt-in is granted only by following its link. */
export const STAFF_GRANT_SOURCES = CONSENT_GRANT_SOURCES.filter((s) => s !== 'double-opt-in');
type StaffGrantSource = (typeof STAFF_GRANT_SOURCES)[number];

export class ConsentEvidenceDto {
  @ApiPropertyOptional({
    description: 'The version of the consent text the customer saw (required for form and preference-centre)',
    example: 'newsletter-2026-03',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  textVersion?: string;
  @ApiPropertyOptional({ description: 'The form or page it was given on', example: 'footer-signup' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  formId?: string;
  @ApiPropertyOptional({ description: 'The campaign an unsubscribe came from' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) campaignId?: string;
  @ApiPropertyOptional({ description: 'The message (Message-ID) an unsubscribe came from' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(998)
  messageId?: string;
  @ApiPropertyOptional({ description: 'The address the customer acted from (personal data, sealed)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  ipAddress?: string;
  @ApiPropertyOptional({ description: 'The browser or mail client (personal data, sealed)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  userAgent?: string;
  @ApiPropertyOptional({
    description: 'What the customer said (required for staff), or where an import came from (required for import); personal data, sealed',
    example: 'asked on the phone for offers by SMS',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note?: string;
}

export class GrantConsentDto {
  @ApiProperty({ enum: CONSENT_CHANNELS }) @IsIn(CONSENT_CHANNELS) channel!: ConsentChannel;
  @ApiProperty({ description: 'What the customer agreed to be contacted for (a slug)', example: 'newsletter' }) @Matches(SLUG_ID) purpose!: string;
  @ApiProperty({ enum: STAFF_GRANT_SOURCES, description: 'How it was given (double opt-in is granted by following its confirmation link)' })
  @IsIn(STAFF_GRANT_SOURCES)
  source!: StaffGrantSource;
  @ApiProperty({ type: ConsentEvidenceDto }) @NestedObject(() => ConsentEvidenceDto) evidence!: ConsentEvidenceDto;
  @ApiPropertyOptional({ description: 'Imports only: when it was given (not in the future). Otherwise the time of the request' })
  @IsOptional()
  @IsInstant()
  grantedAt?: string;
}

export class WithdrawConsentDto {
  @ApiProperty({ enum: CONSENT_CHANNELS }) @IsIn(CONSENT_CHANNELS) channel!: ConsentChannel;
  @ApiPropertyOptional({ description: 'The purpose withdrawn; absent: the whole channel (every purpose)', example: 'newsletter' })
  @IsOptional()
  @Matches(SLUG_ID)
  purpose?: string;
  @ApiProperty({ enum: CONSENT_WITHDRAWAL_SOURCES }) @IsIn(CONSENT_WITHDRAWAL_SOURCES) source!: ConsentWithdrawalSource;
  @ApiProperty({ type: ConsentEvidenceDto }) @NestedObject(() => ConsentEvidenceDto) evidence!: ConsentEvidenceDto;
  @ApiPropertyOptional({ description: 'Imports only: when it was withdrawn (not in the future)' }) @IsOptional() @IsInstant() withdrawnAt?: string;
}

export class ConsentAsOfQueryDto {
  @ApiPropertyOptional({ description: 'What held at this instant', example: '2026-05-01T10:00:00Z' }) @IsOptional() @IsInstant() asOf?: string;
}

class ConsentBasisDto {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ description: 'Position in the store’s one order', example: '1042/9137' }) position!: string;
  @ApiProperty({ description: 'Revision in the consent stream', example: '0' }) revision!: string;
}

class ConsentPermissionDto {
  @ApiProperty({ enum: CONSENT_CHANNELS }) channel!: string;
  @ApiProperty() purpose!: string;
  @ApiProperty({ enum: ['granted', 'withdrawn'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) since!: string;
  @ApiProperty({ enum: [...new Set([...CONSENT_GRANT_SOURCES, ...CONSENT_WITHDRAWAL_SOURCES])] }) source!: string;
  @ApiPropertyOptional({ description: 'Withdrawn by an opt-out of the whole channel' }) channelWide?: boolean;
  @ApiProperty({ type: ConsentBasisDto, description: 'The event the statement rests on' }) basis!: ConsentBasisDto;
}

class ChannelOptOutDto {
  @ApiProperty({ enum: CONSENT_CHANNELS }) channel!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: CONSENT_WITHDRAWAL_SOURCES }) source!: string;
  @ApiProperty({ type: ConsentBasisDto }) basis!: ConsentBasisDto;
}

class AwaitingConfirmationDto {
  @ApiProperty() requestId!: string;
  @ApiProperty({ enum: CONSENT_CHANNELS }) channel!: string;
  @ApiProperty() purpose!: string;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

export class ConsentDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'The instant asked for' }) asOf?: string;
  @ApiProperty({ type: [ConsentPermissionDto] }) permissions!: ConsentPermissionDto[];
  @ApiProperty({ type: [ChannelOptOutDto] }) channelOptOuts!: ChannelOptOutDto[];
  @ApiProperty({ type: [AwaitingConfirmationDto] }) awaitingConfirmation!: AwaitingConfirmationDto[];
  @ApiPropertyOptional({ description: 'The consent stream’s revision (also the ETag)', example: '2' }) revision?: string;
}

class ConsentHistoryEntryDto {
  @ApiProperty({ enum: ['requested', 'granted', 'withdrawn'], description: 'A double opt-in link sent, a consent given, or one withdrawn' }) kind!: string;
  @ApiProperty({ enum: CONSENT_CHANNELS }) channel!: string;
  @ApiPropertyOptional({ description: 'Absent on a withdrawal of the whole channel' }) purpose?: string;
  @ApiProperty({ enum: [...new Set([...CONSENT_GRANT_SOURCES, ...CONSENT_WITHDRAWAL_SOURCES])] }) source!: string;
  @ApiProperty({ format: 'date-time', description: 'When the customer gave, withdrew or was asked' }) at!: string;
  @ApiProperty({ description: 'Who recorded it (staff, or the system that did)' }) recordedBy!: string;
  @ApiPropertyOptional({ description: 'The version of the consent text the customer saw' }) textVersion?: string;
  @ApiPropertyOptional({ description: 'The form or page it was given on' }) formId?: string;
  @ApiPropertyOptional({ description: 'The campaign an unsubscribe came from' }) campaignId?: string;
  @ApiProperty({ type: ConsentBasisDto, description: 'The event itself' }) basis!: ConsentBasisDto;
}

export class ConsentHistoryDto {
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({
    type: [ConsentHistoryEntryDto],
    description: 'Newest first (by when it happened, then by the order recorded); personal evidence (notes, addresses) stays sealed and is not shown',
  })
  entries!: ConsentHistoryEntryDto[];
  @ApiPropertyOptional({ description: 'The consent stream’s revision (also the ETag of GET /customers/{id}/consent)', example: '2' }) revision?: string;
}

export class UnsubscribeLinkQueryDto {
  @ApiProperty({ enum: CONSENT_CHANNELS }) @IsIn(CONSENT_CHANNELS) channel!: ConsentChannel;
  @ApiPropertyOptional({ description: 'The purpose the message is sent for; absent: the link opts out of the whole channel' })
  @IsOptional()
  @Matches(SLUG_ID)
  purpose?: string;
  @ApiPropertyOptional({ description: 'The campaign the message belongs to (recorded with the withdrawal)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  campaignId?: string;
  @ApiPropertyOptional({ description: 'The Message-ID of the message (recorded with the withdrawal)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(998)
  messageId?: string;
}

export class UnsubscribeLinkDto {
  @ApiProperty({ description: 'Path and query on the marketing service’s public address' }) path!: string;
  @ApiProperty({
    description: '`List-Unsubscribe` (the path: prefix it with the public address) and `List-Unsubscribe-Post` for the message',
    example: { 'List-Unsubscribe': '</unsubscribe?t=…>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  })
  headers!: Record<string, string>;
}
