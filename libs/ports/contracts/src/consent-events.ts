import { CONSENT_CHANNELS, CONSENT_GRANT_SOURCES, CONSENT_WITHDRAWAL_SOURCES, SLUG_ID } from '@crm/kernel';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsInstant } from './instant';
import { NestedObject } from './nested';
import { Personal } from './personal-data';

/**
 * A customer's marketing permissions (issue 13 §1) on `consent-<customerId>`: per channel × purpose,
 * granted or withdrawn, each statement with its source and evidence (libs/domain/consent has the
 * rules). Schema version 1; docs/events.md lists them. The network details and free text of the
 * evidence are personal data, sealed with the customer's key: after an erasure the proof keeps what
 * was agreed, when and how, not who the person was.
 */
export class ConsentEvidenceV1 {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) textVersion?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) formId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) requestId?: string;
  @IsOptional() @IsInstant() requestedAt?: string;
  @IsOptional() @IsInstant() confirmedAt?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) campaignId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(998) messageId?: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(100) ipAddress?: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(500) userAgent?: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(2000) note?: string;
  @IsString() @IsNotEmpty() @MaxLength(200) recordedBy!: string;
}

/** Double opt-in: a confirmation link was sent; the permission holds once it is followed in time. */
export class ConsentRequestedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(100) requestId!: string;
  @IsIn(CONSENT_CHANNELS) channel!: string;
  @Matches(SLUG_ID) purpose!: string;
  @IsIn(CONSENT_GRANT_SOURCES) source!: string;
  @NestedObject(() => ConsentEvidenceV1) evidence!: ConsentEvidenceV1;
  @IsInstant() requestedAt!: string;
  @IsInstant() expiresAt!: string;
}

/** A permission given, with the proof of it. */
export class ConsentGrantedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(CONSENT_CHANNELS) channel!: string;
  @Matches(SLUG_ID) purpose!: string;
  @IsIn(CONSENT_GRANT_SOURCES) source!: string;
  @NestedObject(() => ConsentEvidenceV1) evidence!: ConsentEvidenceV1;
  @IsInstant() grantedAt!: string;
}

/** A permission taken back: one purpose, or (no purpose) the whole channel. */
export class ConsentWithdrawnV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(CONSENT_CHANNELS) channel!: string;
  @IsOptional() @Matches(SLUG_ID) purpose?: string;
  @IsIn(CONSENT_WITHDRAWAL_SOURCES) source!: string;
  @NestedObject(() => ConsentEvidenceV1) evidence!: ConsentEvidenceV1;
  @IsInstant() withdrawnAt!: string;
}

export const CONSENT_EVENTS = {
  ConsentRequested: ConsentRequestedV1,
  ConsentGranted: ConsentGrantedV1,
  ConsentWithdrawn: ConsentWithdrawnV1,
} as const;
