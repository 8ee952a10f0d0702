import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from './instant';
import { NestedObjects } from './nested';
import { Personal } from './personal-data';

/**
 * Lead distribution to partners (issue 14 §4). The offers live on the LEAD's stream (`lead-<id>`),
 * beside its capture and conversion, so one lead keeps one history; the routing profile lives on the
 * partner's stream (`partner-<id>`). Nothing here is personal: the lead's contact stays in its
 * sealed `LeadCaptured`. A decline reason and an outcome note are the partner's words about the
 * lead, bounded in length. Schema version 1; docs/events.md lists them.
 */

const PARTNER_KINDS = ['supplier', 'distributor', 'reseller', 'service-provider'];

class PartnerTerritoryV1 {
  @Matches(/^[A-Z]{2}$/) country!: string;
  @IsOptional() @IsString({ each: true }) @ArrayMaxSize(100) regions?: string[];
}

export class PartnerRoutingProfileSetV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsIn(PARTNER_KINDS) partnerKind!: string;
  @NestedObjects(() => PartnerTerritoryV1) @ArrayMaxSize(300) territories!: PartnerTerritoryV1[];
  @IsString({ each: true }) @ArrayMaxSize(500) products!: string[];
  @IsIn(['gold', 'silver', 'bronze']) tier!: string;
  @IsInt() @Min(0) @Max(100_000) capacity!: number;
  @IsBoolean() active!: boolean;
  @IsInstant() setAt!: string;
  @IsString() @IsNotEmpty() setBy!: string;
}

export class LeadDistributionStartedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString({ each: true }) @ArrayMaxSize(100) products!: string[];
  @IsString() @IsNotEmpty() startedBy!: string;
  @IsInstant() startedAt!: string;
}

export class LeadOfferedToPartnerV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() offerId!: string;
  @IsInt() @Min(1) attempt!: number;
  @IsInstant() offeredAt!: string;
  @IsInstant() expiresAt!: string;
  @IsNumber() score!: number;
  @IsString({ each: true }) @ArrayMaxSize(50) reasons!: string[];
}

export class LeadOfferAcceptedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() offerId!: string;
  @IsString() @IsNotEmpty() acceptedBy!: string;
  @IsInstant() acceptedAt!: string;
}

export class LeadOfferDeclinedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() offerId!: string;
  /** A partner's free text about the lead: personal data, sealed with the lead's key. */
  @Personal() @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  @IsString() @IsNotEmpty() declinedBy!: string;
  @IsInstant() declinedAt!: string;
}

export class LeadOfferExpiredV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() offerId!: string;
  @IsInstant() expiredAt!: string;
}

export class LeadDistributionExhaustedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsInt() @Min(0) attempts!: number;
  @IsInstant() exhaustedAt!: string;
}

export class LeadOfferOutcomeReportedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() offerId!: string;
  @IsIn(['won', 'lost']) outcome!: string;
  @IsOptional() @Personal() @IsString() @MaxLength(2000) note?: string;
  @IsString() @IsNotEmpty() reportedBy!: string;
  @IsInstant() reportedAt!: string;
}

export const LEAD_OFFER_EVENTS = {
  PartnerRoutingProfileSet: PartnerRoutingProfileSetV1,
  LeadDistributionStarted: LeadDistributionStartedV1,
  LeadOfferedToPartner: LeadOfferedToPartnerV1,
  LeadOfferAccepted: LeadOfferAcceptedV1,
  LeadOfferDeclined: LeadOfferDeclinedV1,
  LeadOfferExpired: LeadOfferExpiredV1,
  LeadDistributionExhausted: LeadDistributionExhaustedV1,
  LeadOfferOutcomeReported: LeadOfferOutcomeReportedV1,
} as const;
