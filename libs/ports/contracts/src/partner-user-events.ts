import { PARTNER_KINDS } from '@crm/kernel';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsInstant } from './instant';
import { Personal } from './personal-data';

/**
 * A partner company's registration, its people (issue 14 §1) and the end of the partnership, on the
 * partner's stream (`partner-<partnerId>`). The people's events are private: they carry no customer,
 * so the relay never publishes them. The registration and the deactivation are published keyed by
 * the partner (issue 16: the staff partner directory, `GET /partners`, is a read model that must
 * follow them in distributed mode too); they carry no personal data and no secret. A user's name and e-mail are the
 * partner employee's personal data, sealed with the key of the user (`userId`). `role`, `addedAt`
 * and `addedBy` are optional additions to version 1 of `PartnerUserAdded` (no user was recorded
 * before them: a user without a role has no rights). Schema version 1; docs/events.md lists them.
 */
const PARTNER_USER_ROLES = ['admin', 'sales', 'service'] as const;

/** A channel manager registered a partner company (its name is the company's, not a person's). */
export class PartnerRegisteredV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsIn(PARTNER_KINDS) partnerKind!: string;
}

export class PartnerUserAddedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() userId!: string;
  @Personal() @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @Personal() @IsEmail() @MaxLength(320) email!: string;
  @IsOptional() @IsIn(PARTNER_USER_ROLES) role?: string;
  @IsOptional() @IsInstant() addedAt?: string;
  /** A channel manager's subject (the first admin) or the partner admin's user id (or client id). */
  @IsOptional() @IsString() @IsNotEmpty() addedBy?: string;
}

export class PartnerUserRoleChangedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() userId!: string;
  @IsOptional() @IsIn(PARTNER_USER_ROLES) from?: string;
  @IsIn(PARTNER_USER_ROLES) to!: string;
  @IsInstant() changedAt!: string;
  @IsString() @IsNotEmpty() changedBy!: string;
}

/** The user's credentials end with it (no separate revoke is recorded). */
export class PartnerUserRemovedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() userId!: string;
  @IsInstant() removedAt!: string;
  @IsString() @IsNotEmpty() removedBy!: string;
}

/** A channel manager ended the partnership: every credential ends; each share's `CustomerShareRevoked` follows in the same append. */
export class PartnerDeactivatedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsInstant() deactivatedAt!: string;
  @IsString() @IsNotEmpty() deactivatedBy!: string;
}

export const PARTNER_USER_EVENTS = {
  PartnerRegistered: PartnerRegisteredV1,
  PartnerUserAdded: PartnerUserAddedV1,
  PartnerUserRoleChanged: PartnerUserRoleChangedV1,
  PartnerUserRemoved: PartnerUserRemovedV1,
  PartnerDeactivated: PartnerDeactivatedV1,
} as const;
