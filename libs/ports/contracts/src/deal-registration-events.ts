import { ArrayMaxSize, ArrayMinSize, IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsInstant } from './instant';
import { IsCalendarDate, IsCurrencyCode, IsMinorUnits } from './money';
import { NestedObject, NestedObjects } from './nested';
import { Personal } from './personal-data';

/**
 * Deal registration (issue 14 §3), on the registration's own stream (`dealregistration-<id>`),
 * published keyed by the registration (so its events keep their order whether or not it names a
 * customer). A prospect's contact is personal data, sealed with the key of the lead the prospect is
 * recorded as (`leadId`). Conflicts and possible existing customers are for the company's staff
 * only: the events carry visibility `partners: []`, and the portal shows the partner its own view.
 * Schema version 1; docs/events.md lists them.
 */

class DealProspectV1 {
  @Personal() @IsString() @IsNotEmpty() @MaxLength(200) company!: string;
  @Personal() @IsString() @IsNotEmpty() @MaxLength(200) contactName!: string;
  @IsOptional() @Personal() @IsEmail() @MaxLength(320) contactEmail?: string;
}

class DealConflictV1 {
  @IsIn(['opportunity', 'deal-registration']) kind!: string;
  @IsString() @IsNotEmpty() id!: string;
  @IsOptional() @IsString() @IsNotEmpty() partnerId?: string;
}

export class DealRegisteredV1 {
  @IsString() @IsNotEmpty() registrationId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) partnerId!: string;
  @IsString() @IsNotEmpty() registeredBy!: string;
  @IsOptional() @IsString() @IsNotEmpty() customerId?: string;
  @IsOptional() @IsString() @IsNotEmpty() leadId?: string;
  @IsOptional() @NestedObject(() => DealProspectV1) prospect?: DealProspectV1;
  @IsString({ each: true }) @ArrayMinSize(1) @ArrayMaxSize(50) products!: string[];
  @IsMinorUnits() estimatedValue!: number;
  @IsCurrencyCode() currency!: string;
  @IsCalendarDate() expectedCloseDate!: string;
  @IsInstant() registeredAt!: string;
  @IsInstant() approvalDueAt!: string;
  @NestedObjects(() => DealConflictV1) conflicts!: DealConflictV1[];
  @IsString({ each: true }) possibleExistingCustomerIds!: string[];
}

export class DealRegistrationApprovedV1 {
  @IsString() @IsNotEmpty() registrationId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() customerId?: string;
  @IsString() @IsNotEmpty() approvedBy!: string;
  @IsInstant() approvedAt!: string;
  @IsInstant() protectionEndsAt!: string;
  @IsOptional() @IsString() @IsNotEmpty() episodeId?: string;
  /** Optional addition to v1: the company's open opportunity the deal is part of (its episode opens linked to it). */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) opportunityId?: string;
}

export class DealRegistrationRejectedV1 {
  @IsString() @IsNotEmpty() registrationId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() customerId?: string;
  @IsString() @IsNotEmpty() rejectedBy!: string;
  @IsInstant() rejectedAt!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

export class DealRegistrationExpiredV1 {
  @IsString() @IsNotEmpty() registrationId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() customerId?: string;
  @IsInstant() expiredAt!: string;
  @IsIn(['not-reviewed', 'protection-ended']) reason!: string;
}

export const DEAL_REGISTRATION_EVENTS = {
  DealRegistered: DealRegisteredV1,
  DealRegistrationApproved: DealRegistrationApprovedV1,
  DealRegistrationRejected: DealRegistrationRejectedV1,
  DealRegistrationExpired: DealRegistrationExpiredV1,
} as const;
