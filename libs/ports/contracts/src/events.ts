import { IntegrationEventRegistry, type IntegrationEvent } from '@crm/bus';
import {
  CHANGE_SOURCES,
  CONTACT_ROLES,
  CHANNELS,
  DEPARTMENTS,
  DIRECTIONS,
  EPISODE_OUTCOMES,
  EPISODE_TYPES,
  JOURNEY_STAGES,
  LEAD_SOURCES,
  RELATIONSHIP_PHASES,
  SALES_STAGES,
  ACTOR_KINDS,
  ACTIVITY_KINDS,
  MAX_MEETING_MINUTES,
  MAX_REMINDER_MINUTES,
  STAGE_ID,
  EXCHANGE_RATE_PATTERN,
  CHURN_RISK_BANDS,
} from '@crm/kernel';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsInstant } from './instant';
import { IsCalendarDate, IsCurrencyCode, IsMinorUnits } from './money';
import { NestedObject, NestedObjects } from './nested';
import { Personal } from './personal-data';
import { CASE_EVENTS } from './case-events';
import { CONTACT_CENTRE_EVENTS } from './contact-centre-events';
import { SERVICE_LEVEL_EVENTS } from './service-level-events';
import { RETURN_REPAIR_EVENTS } from './return-repair-events';
import { DEAL_REGISTRATION_EVENTS } from './deal-registration-events';
import { LEAD_OFFER_EVENTS } from './lead-offer-events';
import { PARTNER_USER_EVENTS } from './partner-user-events';
import { PARTNER_WEBHOOK_EVENTS } from './partner-webhook-events';
import { CONSENT_EVENTS } from './consent-events';
import { TRIGGER_EVENTS } from './trigger-events';
import { CAMPAIGN_EVENTS, CAMPAIGN_EVENTS_V2 } from './campaign-events';
import { SEGMENT_EVENTS } from './segment-events';

/**
 * The published contract of every integration event (schema version 1), validated with
 * class-validator on publish and on consume. docs/events.md lists them with producers and consumers.
 */

/**
 * A postal address (optional addition to version 1, for the mail channel's print list): a contact's,
 * or the customer's own (a person's home, an organisation's office). Every part is personal (sealed,
 * erased with the customer); `country` is ISO 3166-1 alpha-2.
 */
class PostalAddressV1 {
  // Each line is sealed on its own, so no length limit here (a sealed line is longer); the write side checks ≤ 100.
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(4) @IsString({ each: true }) @IsNotEmpty({ each: true }) lines!: string[];
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(20) postalCode?: string;
  @Personal() @IsString() @IsNotEmpty() @MaxLength(100) locality!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(100) region?: string;
  @Personal() @IsString() @Matches(/^[A-Z]{2}$/) country!: string;
}

class ContactV1 {
  @IsString() @IsNotEmpty() contactId!: string;
  @Personal() @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @IsString() role?: string;
  @IsOptional() @IsArray() @IsIn(CONTACT_ROLES, { each: true }) roles?: string[];
  @IsOptional() @Personal() @IsEmail() email?: string;
  @IsOptional() @Personal() @IsString() phone?: string;
  @IsOptional() @NestedObject(() => PostalAddressV1) address?: PostalAddressV1;
}

class IdentityV1 {
  @IsIn(['email', 'phone', 'external-id']) kind!: string;
  @Personal() @IsString() @IsNotEmpty() value!: string;
  @IsOptional() @IsString() system?: string;
}

export class CustomerRegisteredV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(['person', 'organisation']) kind!: string;
  @Personal() @IsString() @IsNotEmpty() name!: string;
  @NestedObjects(() => ContactV1) contacts!: ContactV1[];
  @NestedObjects(() => IdentityV1) identities!: IdentityV1[];
  @IsIn(JOURNEY_STAGES) journeyStage!: string;
  @IsIn(RELATIONSHIP_PHASES) relationshipPhase!: string;
  @IsIn([...DEPARTMENTS, 'partner']) registeredBy!: string;
  @IsOptional() @IsString() @IsNotEmpty() owner?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(50, { each: true }) tags?: string[];
  @IsOptional() @IsString() @IsNotEmpty() parentId?: string;
  /** The customer's own postal address (optional addition to version 1): where a person's letters go. */
  @IsOptional() @NestedObject(() => PostalAddressV1) address?: PostalAddressV1;
}

/** Only the fields that changed; `null` clears owner, parent or address. */
export class CustomerDetailsChangedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() name?: string;
  @ValidateIf((_o, v) => v !== undefined && v !== null) @IsString() @IsNotEmpty() owner?: string | null;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(50, { each: true }) tags?: string[];
  @ValidateIf((_o, v) => v !== undefined && v !== null) @IsString() @IsNotEmpty() parentId?: string | null;
  /** The customer's own postal address, as a whole (optional addition to version 1); `null` removes it. */
  @ValidateIf((_o, v) => v !== undefined && v !== null) @NestedObject(() => PostalAddressV1) address?: PostalAddressV1 | null;
}

export class CustomerContactAddedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @NestedObject(() => ContactV1) contact!: ContactV1;
}

export class CustomerContactChangedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @NestedObject(() => ContactV1) contact!: ContactV1;
}

export class CustomerContactRemovedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() contactId!: string;
}

export class CustomerIdentityAddedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @NestedObject(() => IdentityV1) identity!: IdentityV1;
}

export class CustomerIdentityRemovedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @NestedObject(() => IdentityV1) identity!: IdentityV1;
}

/** Registered or edited with an identity another customer holds (`force`): a candidate for a merge. */
export class CustomerDuplicateSuspectedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() otherCustomerId!: string;
  @IsString() @IsNotEmpty() reason!: string;
}

/** On the duplicate's stream: it is merged into `survivorId` (reads and writes go to the survivor). */
export class CustomerMergedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() survivorId!: string;
  @IsString() @IsNotEmpty() mergeId!: string;
}

/** On the duplicate's stream: merge `mergeId` is undone. */
export class CustomerUnmergedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() survivorId!: string;
  @IsString() @IsNotEmpty() mergeId!: string;
}

/**
 * The customer's personal data is erased: its keys are destroyed, so every personal field of its
 * events reads as erased from now on (docs/customer-data.md). Read models drop what they kept.
 */
export class CustomerPersonalDataErasedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInstant() erasedAt!: string;
  /** On a survivor: the customers merged into it, erased with it (each also has its own event). */
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) mergedCustomerIds?: string[];
}

export class CustomerJourneyStageChangedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(JOURNEY_STAGES) from!: string;
  @IsIn(JOURNEY_STAGES) to!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() reason?: string;
  @IsOptional() @IsIn(CHANGE_SOURCES) source?: string;
  /** Derived changes (issue 11 §4): the rule that fired, e.g. `repeat-order` (docs/analytics.md). An optional addition to version 1. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) rule?: string;
  /** When it was changed (recorded since issue 11; a manual change holds off the automation for a while). An optional addition to version 1. */
  @IsOptional() @IsInstant() changedAt?: string;
}

export class CustomerRelationshipPhaseChangedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(RELATIONSHIP_PHASES) from!: string;
  @IsIn(RELATIONSHIP_PHASES) to!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() reason?: string;
  @IsOptional() @IsIn(CHANGE_SOURCES) source?: string;
  /** Derived changes (issue 11 §4): the rule that fired, e.g. `repeat-order` (docs/analytics.md). An optional addition to version 1. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) rule?: string;
  /** When it was changed (recorded since issue 11; a manual change holds off the automation for a while). An optional addition to version 1. */
  @IsOptional() @IsInstant() changedAt?: string;
}

class OwnerV1 {
  @IsIn(['department', 'partner']) kind!: string;
  @IsOptional() @IsIn(DEPARTMENTS) department?: string;
  @IsOptional() @IsString() partnerId?: string;
}

export class EpisodeOpenedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsIn(EPISODE_TYPES) episodeType!: string;
  @NestedObject(() => OwnerV1) owner!: OwnerV1;
  @IsInstant() openedAt!: string;
  /**
   * Opportunities: a stage of the opportunity's pipeline — one of Buttle's eight (`SALES_STAGES`)
   * on the default pipeline, the only stages before pipelines existed.
   */
  @IsOptional() @Matches(STAGE_ID) stage?: string;
  /** Opportunities: the pipeline (absent: the default one) and the stage's default win probability then. */
  @IsOptional() @IsString() @IsNotEmpty() pipelineId?: string;
  @IsOptional() @IsInt() @Min(0) @Max(100) stageProbability?: number;
  @IsOptional() @IsNumber() @Min(0) expectedValue?: number;
  @IsOptional() @IsString() currency?: string;
  @IsOptional() @IsIn(CHANNELS) channel?: string;
  @IsOptional() @IsString() campaignId?: string;
  /** Partner deals (optional addition to v1): the company's opportunity the deal is part of. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) opportunityId?: string;
}

class InteractionActorV1 {
  @IsIn(ACTOR_KINDS) kind!: string;
  @IsString() @IsNotEmpty() id!: string;
}

class InteractionV1 {
  @IsString() @IsNotEmpty() interactionId!: string;
  @IsIn(CHANNELS) channel!: string;
  @IsIn(DIRECTIONS) direction!: string;
  @NestedObject(() => InteractionActorV1) actor!: InteractionActorV1;
  @IsString() @IsNotEmpty() action!: string;
  @IsOptional() @Personal() @IsString() response?: string;
  @IsInstant() occurredAt!: string;
}

export class InteractionRecordedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @NestedObject(() => InteractionV1) interaction!: InteractionV1;
}

export class OpportunityStageAdvancedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(SALES_STAGES) from!: string;
  @IsIn(SALES_STAGES) to!: string;
  @IsInstant() advancedAt!: string;
}

/** What changed of an opportunity (only that); `null` clears. */
export class OpportunityUpdatedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  /** Integer minor units of `currency`; null: no amount any more. Recorded with its currency. */
  @ValidateIf((_o, v) => v !== undefined && v !== null) @IsMinorUnits() amount?: number | null;
  @ValidateIf((o: { amount?: unknown }, v) => v !== undefined || typeof o.amount === 'number') @IsCurrencyCode() currency?: string;
  @ValidateIf((_o, v) => v !== undefined && v !== null) @IsCalendarDate() expectedCloseDate?: string | null;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
  @ValidateIf((_o, v) => v !== undefined && v !== null) @Matches(STAGE_ID) team?: string | null;
  @ValidateIf((_o, v) => v !== undefined && v !== null) @Personal() @IsString() @IsNotEmpty() @MaxLength(500) nextStep?: string | null;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(200, { each: true }) competitors?: string[];
  /** 0–100 overriding the stage's default; null: the stage's default again. */
  @ValidateIf((_o, v) => v !== undefined && v !== null) @IsInt() @Min(0) @Max(100) probability?: number | null;
  @IsInstant() updatedAt!: string;
}

/** A move of an opportunity to another stage of its pipeline (forward, or back with a reason). */
export class OpportunityStageChangedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() pipelineId!: string;
  @Matches(STAGE_ID) from!: string;
  @Matches(STAGE_ID) to!: string;
  @IsBoolean() backward!: boolean;
  @ValidateIf((o: { backward?: unknown }, v) => v !== undefined || o.backward === true) @Personal() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
  /** The default win probability of stage `to` when the move was made. */
  @IsInt() @Min(0) @Max(100) stageProbability!: number;
  @IsInstant() changedAt!: string;
}

export class EpisodeClosedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(EPISODE_OUTCOMES) outcome!: string;
  @IsInstant() closedAt!: string;
  @IsOptional() @IsNumber() @Min(0) value?: number;
  @IsOptional() @IsString() currency?: string;
  @IsOptional() @IsString() reason?: string;
}

/** A share's scope (issue 14 §2): optional additions to version 1 — absent, a share means every episode type, read-write, no expiry. */
const SHARE_ACCESS = ['read', 'read-write'] as const;

export class CustomerSharedWithPartnerV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInstant() sharedAt!: string;
  @IsString() @IsNotEmpty() sharedBy!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(EPISODE_TYPES.length) @IsIn(EPISODE_TYPES, { each: true }) episodeTypes?: string[];
  @IsOptional() @IsIn(SHARE_ACCESS) access?: string;
  @IsOptional() @IsInstant() expiresAt?: string;
}

/** A partner asks for a customer (by the id the company gave it); recorded whether or not the customer exists. */
export class PartnerShareRequestedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() requestId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @MaxLength(2000) reason!: string;
  @IsInstant() requestedAt!: string;
  @IsString() @IsNotEmpty() requestedBy!: string;
}

/** Staff approved a share request; the same append records the `CustomerSharedWithPartner` with this scope. */
export class PartnerShareRequestApprovedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() requestId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInstant() approvedAt!: string;
  @IsString() @IsNotEmpty() approvedBy!: string;
  @IsOptional() @IsArray() @ArrayMaxSize(EPISODE_TYPES.length) @IsIn(EPISODE_TYPES, { each: true }) episodeTypes?: string[];
  @IsOptional() @IsIn(SHARE_ACCESS) access?: string;
  @IsOptional() @IsInstant() expiresAt?: string;
}

export class PartnerShareRequestRefusedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() requestId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @MaxLength(2000) reason!: string;
  @IsInstant() refusedAt!: string;
  @IsString() @IsNotEmpty() refusedBy!: string;
}

export class CustomerShareRevokedV1 {
  @IsString() @IsNotEmpty() partnerId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInstant() revokedAt!: string;
  @IsString() @IsNotEmpty() revokedBy!: string;
}

class LeadQualificationV1 {
  @IsOptional() @IsNumber() @Min(0) budget?: number;
  @IsOptional() @IsString() currency?: string;
  @IsOptional() @IsBoolean() authority?: boolean;
  @IsOptional() @Personal() @IsString() need?: string;
  @IsOptional() @IsInstant() timeline?: string;
}

/**
 * Lead events. They carry no customer id (a lead is not a customer yet): the relay publishes them
 * with the lead as the subject (docs/events.md).
 */
export class LeadCapturedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsIn(LEAD_SOURCES) source!: string;
  @Personal() @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @Personal() @IsString() company?: string;
  @IsOptional() @Personal() @IsEmail() email?: string;
  @IsOptional() @Personal() @IsString() phone?: string;
  @IsOptional() @IsString() externalId?: string;
  @NestedObject(() => LeadQualificationV1) qualification!: LeadQualificationV1;
  @IsInstant() capturedAt!: string;
  @IsOptional() @IsString() matchingCustomerId?: string;
  @IsOptional() @IsString() @IsNotEmpty() country?: string;
  @IsOptional() @IsString() @IsNotEmpty() region?: string;
}

export class LeadQualifiedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @NestedObject(() => LeadQualificationV1) qualification!: LeadQualificationV1;
}

export class LeadAssignedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString() @IsNotEmpty() owner!: string;
  /** The assignment rule that chose the owner; absent when assigned by hand. */
  @IsOptional() @IsString() @IsNotEmpty() rule?: string;
}

export class LeadDisqualifiedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @Personal() @IsString() @IsNotEmpty() reason!: string;
  @IsInstant() disqualifiedAt!: string;
}

/** The lead's keys are destroyed: its name, company, e-mail, phone and free text read as erased. */
export class LeadPersonalDataErasedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsInstant() erasedAt!: string;
}

export class LeadConvertedV1 {
  @IsString() @IsNotEmpty() leadId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @IsString() contactId?: string;
  @IsString() @IsNotEmpty() opportunityId!: string;
  @IsInstant() convertedAt!: string;
}

// ---- Product catalogue and quotes (issue 10 §3–4) -------------------------------------------
// Catalogue events carry no customer: the relay publishes a product's with the product as subject,
// a price book's with the price book (docs/events.md). Quote events are keyed by their customer.

const PRODUCT_KIND_VALUES = ['product', 'bundle', 'option'] as const;

class BundleComponentV1 {
  @IsString() @IsNotEmpty() productId!: string;
  @IsInt() @Min(1) quantity!: number;
}

class ProductRulesV1 {
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @IsNotEmpty({ each: true }) requires?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @IsNotEmpty({ each: true }) excludes?: string[];
  @IsOptional() @IsInt() @Min(1) minQuantity?: number;
  @IsOptional() @IsInt() @Min(1) maxQuantity?: number;
}

export class ProductDefinedV1 {
  @IsString() @IsNotEmpty() productId!: string;
  @IsString() @IsNotEmpty() @MaxLength(64) sku!: string;
  @IsIn(PRODUCT_KIND_VALUES) kind!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @IsString() description?: string;
  @IsBoolean() active!: boolean;
  @IsOptional() @NestedObjects(() => BundleComponentV1) @ArrayMaxSize(100) components?: BundleComponentV1[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @IsNotEmpty({ each: true }) options?: string[];
  @IsOptional() @NestedObject(() => ProductRulesV1) rules?: ProductRulesV1;
  @IsString() @IsNotEmpty() definedBy!: string;
  @IsInstant() definedAt!: string;
}

/** The product's whole new definition (SKU and kind never change). */
export class ProductRevisedV1 {
  @IsString() @IsNotEmpty() productId!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @IsString() description?: string;
  @IsBoolean() active!: boolean;
  @IsOptional() @NestedObjects(() => BundleComponentV1) @ArrayMaxSize(100) components?: BundleComponentV1[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @IsNotEmpty({ each: true }) options?: string[];
  @IsOptional() @NestedObject(() => ProductRulesV1) rules?: ProductRulesV1;
  @IsString() @IsNotEmpty() revisedBy!: string;
  @IsInstant() revisedAt!: string;
}

class PriceEntryV1 {
  @IsString() @IsNotEmpty() productId!: string;
  /** Integer minor units of the book's currency. */
  @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) unitPrice!: number;
}

export class PriceBookCreatedV1 {
  @IsString() @IsNotEmpty() priceBookId!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsCurrencyCode() currency!: string;
  @IsCalendarDate() validFrom!: string;
  @IsOptional() @IsCalendarDate() validTo?: string;
  @NestedObjects(() => PriceEntryV1) @ArrayMaxSize(10_000) prices!: PriceEntryV1[];
  @IsString() @IsNotEmpty() createdBy!: string;
  @IsInstant() createdAt!: string;
}

export class PriceBookPricesSetV1 {
  @IsString() @IsNotEmpty() priceBookId!: string;
  @NestedObjects(() => PriceEntryV1) @ArrayMaxSize(10_000) prices!: PriceEntryV1[];
  @IsString() @IsNotEmpty() setBy!: string;
  @IsInstant() setAt!: string;
}

class QuoteLineComponentV1 {
  @IsString() @IsNotEmpty() productId!: string;
  @IsString() @IsNotEmpty() sku!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsInt() @Min(1) quantity!: number;
}

/** A priced line: every amount an integer in minor units of the quote's currency; rates in basis points. */
class QuoteLineV1 {
  @IsInt() @Min(1) lineNo!: number;
  @IsString() @IsNotEmpty() productId!: string;
  @IsString() @IsNotEmpty() sku!: string;
  @IsString() @IsNotEmpty() name!: string;
  @IsIn(PRODUCT_KIND_VALUES) kind!: string;
  @IsInt() @Min(1) quantity!: number;
  @IsInt() @Min(0) unitPrice!: number;
  @IsInt() @Min(0) listAmount!: number;
  @IsInt() @Min(0) @Max(10_000) discountBasisPoints!: number;
  @IsInt() @Min(0) discountAmount!: number;
  @IsInt() @Min(0) netAmount!: number;
  @IsInt() @Min(0) @Max(10_000) taxRateBasisPoints!: number;
  @IsInt() @Min(0) taxAmount!: number;
  @IsInt() @Min(0) totalAmount!: number;
  @IsOptional() @NestedObjects(() => QuoteLineComponentV1) components?: QuoteLineComponentV1[];
}

class QuoteTotalsV1 {
  @IsInt() @Min(0) listTotal!: number;
  @IsInt() @Min(0) discountTotal!: number;
  @IsInt() @Min(0) netTotal!: number;
  @IsInt() @Min(0) taxTotal!: number;
  @IsInt() @Min(0) grandTotal!: number;
}

/** A version of a quote as prepared: `QuoteDrafted` is version 1, `QuoteRevised` every later one. */
export class QuoteVersionPreparedV1 {
  @IsString() @IsNotEmpty() quoteId!: string;
  @IsString() @IsNotEmpty() opportunityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) version!: number;
  @IsCurrencyCode() currency!: string;
  @IsString() @IsNotEmpty() priceBookId!: string;
  @IsCalendarDate() quoteDate!: string;
  @IsOptional() @IsCalendarDate() validUntil?: string;
  @NestedObjects(() => QuoteLineV1) @ArrayMaxSize(500) lines!: QuoteLineV1[];
  @NestedObject(() => QuoteTotalsV1) totals!: QuoteTotalsV1;
  @IsString() @IsNotEmpty() preparedBy!: string;
  @IsInstant() preparedAt!: string;
}

export class QuoteDraftedV1 extends QuoteVersionPreparedV1 {}
export class QuoteRevisedV1 extends QuoteVersionPreparedV1 {}

export class QuoteDiscountApprovalRequestedV1 {
  @IsString() @IsNotEmpty() quoteId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) version!: number;
  @IsInt() @Min(0) @Max(10_000) maxDiscountBasisPoints!: number;
  @IsInt() @Min(0) @Max(10_000) thresholdBasisPoints!: number;
  @IsString() @IsNotEmpty() requestedBy!: string;
  @IsInstant() requestedAt!: string;
}

export class QuoteDiscountApprovedV1 {
  @IsString() @IsNotEmpty() quoteId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) version!: number;
  @IsString() @IsNotEmpty() approvedBy!: string;
  @IsInstant() approvedAt!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() note?: string;
}

export class QuoteDiscountRejectedV1 {
  @IsString() @IsNotEmpty() quoteId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) version!: number;
  @IsString() @IsNotEmpty() rejectedBy!: string;
  @IsInstant() rejectedAt!: string;
  @Personal() @IsString() @IsNotEmpty() reason!: string;
}

export class QuoteSentV1 {
  @IsString() @IsNotEmpty() quoteId!: string;
  @IsString() @IsNotEmpty() opportunityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) version!: number;
  @IsIn(CHANNELS) channel!: string;
  /** The interaction recorded on the opportunity for it. */
  @IsString() @IsNotEmpty() interactionId!: string;
  @IsString() @IsNotEmpty() sentBy!: string;
  @IsInstant() sentAt!: string;
}

/** The customer declined this (sent) version, and why; a revised version can still be sent and accepted. */
export class QuoteDeclinedV1 {
  @IsString() @IsNotEmpty() quoteId!: string;
  @IsString() @IsNotEmpty() opportunityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) version!: number;
  @Personal() @IsString() @IsNotEmpty() reason!: string;
  @IsString() @IsNotEmpty() declinedBy!: string;
  @IsInstant() declinedAt!: string;
}

/** The customer accepted this version: its lines, totals and currency are what a sales order is made from. */
export class QuoteAcceptedV1 {
  @IsString() @IsNotEmpty() quoteId!: string;
  @IsString() @IsNotEmpty() opportunityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInt() @Min(1) version!: number;
  @IsCurrencyCode() currency!: string;
  @IsString() @IsNotEmpty() priceBookId!: string;
  @IsCalendarDate() quoteDate!: string;
  @NestedObjects(() => QuoteLineV1) @ArrayMaxSize(500) lines!: QuoteLineV1[];
  @NestedObject(() => QuoteTotalsV1) totals!: QuoteTotalsV1;
  @IsString() @IsNotEmpty() acceptedBy!: string;
  @IsInstant() acceptedAt!: string;
}

/**
 * Activity events (issue 10 §2: scheduling contact with customers), on the activity's stream
 * `activity-<id>`, published with the customer as the subject. `subject`, `notes`, a cancellation's
 * `reason` and the interaction's `response` are personal (sealed under the customer's key).
 */
export class ActivityPlannedV1 {
  @IsString() @IsNotEmpty() activityId!: string;
  @IsIn(ACTIVITY_KINDS) kind!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() episodeId?: string;
  @Personal() @IsString() @IsNotEmpty() subject!: string;
  @IsOptional() @Personal() @IsString() notes?: string;
  @IsInstant() dueAt!: string;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_MEETING_MINUTES) durationMinutes?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_REMINDER_MINUTES) reminderMinutesBefore?: number;
  @IsString() @IsNotEmpty() owner!: string;
  @IsString() @IsNotEmpty() plannedBy!: string;
  @IsInstant() plannedAt!: string;
}

/** A new timing as a whole (a reminder left out is dropped) and the schedule it starts (the plan is schedule 1). */
export class ActivityRescheduledV1 {
  @IsString() @IsNotEmpty() activityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInstant() dueAt!: string;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_MEETING_MINUTES) durationMinutes?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_REMINDER_MINUTES) reminderMinutesBefore?: number;
  @IsString() @IsNotEmpty() rescheduledBy!: string;
  @IsInstant() rescheduledAt!: string;
  @IsInt() @Min(2) schedule!: number;
}

export class ActivityReassignedV1 {
  @IsString() @IsNotEmpty() activityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() owner!: string;
  @IsString() @IsNotEmpty() previousOwner!: string;
  @IsString() @IsNotEmpty() reassignedBy!: string;
  @IsInstant() reassignedAt!: string;
}

export class ActivityCancelledV1 {
  @IsString() @IsNotEmpty() activityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @Personal() @IsString() reason?: string;
  @IsString() @IsNotEmpty() cancelledBy!: string;
  @IsInstant() cancelledAt!: string;
}

/** `interaction`: the contact it was (the same interaction, same id, is recorded on the episode when there is one); absent for a task that was none. */
export class ActivityCompletedV1 {
  @IsString() @IsNotEmpty() activityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() episodeId?: string;
  @IsString() @IsNotEmpty() completedBy!: string;
  @IsInstant() completedAt!: string;
  @IsOptional() @NestedObject(() => InteractionV1) interaction?: InteractionV1;
}

/** The scheduler's notices: once per schedule, with the owner at that moment. */
export class ActivityDueV1 {
  @IsString() @IsNotEmpty() activityId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @IsString() @IsNotEmpty() episodeId?: string;
  @IsIn(ACTIVITY_KINDS) kind!: string;
  @IsString() @IsNotEmpty() owner!: string;
  @IsInstant() dueAt!: string;
  @IsInt() @Min(1) schedule!: number;
}

export class ActivityReminderDueV1 extends ActivityDueV1 {
  @IsInstant() remindAt!: string;
}

// --- Sales orders (issue 10 §5): the purchase history analytics (RFM, lifetime value) and marketing triggers read. ---
// Money is integers of the currency's minor unit; rates are basis points (1 = 0.01 %). Subject: the customer.

/** The largest amount of minor units (2^53 − 1): every amount is a safe integer. */
const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

class OrderLineV1 {
  @IsString() @IsNotEmpty() @MaxLength(20) lineId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) productId!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) productName?: string;
  @IsInt() @Min(1) @Max(MAX_MINOR_UNITS) quantity!: number;
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) unitPrice!: number;
  /** quantity × unitPrice. */
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) gross!: number;
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) discount!: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) discountRate?: number;
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) tax!: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) taxRate?: number;
  /** gross − discount + tax. */
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) total!: number;
}

/** What every version of OrderPlaced has (each version adds its own `source`). */
class OrderPlacedFields {
  @IsString() @IsNotEmpty() orderId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  /** When the customer ordered (RFM's recency reads it). */
  @IsInstant() orderDate!: string;
  @IsInstant() placedAt!: string;
  @IsCurrencyCode() currency!: string;
  @NestedObjects(() => OrderLineV1) @ArrayMaxSize(1000) lines!: OrderLineV1[];
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) subtotal!: number;
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) discountTotal!: number;
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) taxTotal!: number;
  /** Imports: the recorded total minus the lines' (may be negative). */
  @IsOptional() @IsInt() @Min(-MAX_MINOR_UNITS) @Max(MAX_MINOR_UNITS) adjustment?: number;
  /** What the customer pays (the monetary value). */
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) total!: number;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) externalId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) quoteId?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) opportunityId?: string;
}

export class OrderPlacedV1 extends OrderPlacedFields {
  @IsIn(['api', 'quote', 'import']) source!: string;
}

/**
 * Version 2 (issue 14 §6): `source` may also be `sell-through` — a sale a distributor or reseller
 * reported — and such an order names the partner (`partnerId`). A version-1 consumer checks `source`
 * against its three values and would refuse the fourth, so only sell-through orders are written as
 * version 2 (the same rule as CampaignMessageBounced v2); every other order stays version 1.
 */
export class OrderPlacedV2 extends OrderPlacedFields {
  @IsIn(['api', 'quote', 'import', 'sell-through']) source!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) partnerId?: string;
}

export class OrderCancelledV1 {
  @IsString() @IsNotEmpty() orderId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsInstant() cancelledAt!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
  /** What the cancellation takes back (the order's total). */
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) amount!: number;
  @IsCurrencyCode() currency!: string;
}

class ReturnedLineV1 {
  @IsString() @IsNotEmpty() @MaxLength(20) lineId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) productId!: string;
  @IsInt() @Min(1) @Max(MAX_MINOR_UNITS) quantity!: number;
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) amount!: number;
}

export class OrderReturnedV1 {
  @IsString() @IsNotEmpty() orderId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) returnId!: string;
  @IsInstant() returnedAt!: string;
  @NestedObjects(() => ReturnedLineV1) @ArrayMaxSize(1000) lines!: ReturnedLineV1[];
  /** What this return refunds; an order's returns together refund exactly its total. */
  @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) amount!: number;
  @IsCurrencyCode() currency!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
  @IsBoolean() fullyReturned!: boolean;
}

// --- Reporting exchange rates (issue 10 §6, published for analytics in issue 11 §1). Subject: the reporting currency. ---

class ExchangeRateV1 {
  @IsCurrencyCode() currency!: string;
  /** Units of the reporting currency per unit of `currency`: an exact decimal as text, never a float. */
  @IsString() @Matches(EXCHANGE_RATE_PATTERN) rate!: string;
}

/** Rates of currencies to a reporting currency, in force from `effectiveDate` until the pair's next; only what changed that day. */
export class ExchangeRatesSetV1 {
  @IsCurrencyCode() reportingCurrency!: string;
  @IsCalendarDate() effectiveDate!: string;
  @NestedObjects(() => ExchangeRateV1) @ArrayMaxSize(200) rates!: ExchangeRateV1[];
  @IsString() @IsNotEmpty() setBy!: string;
  @IsInstant() setAt!: string;
}

/** Value tiers by CLV rank (issue 11 §4): recorded by analytics when a customer's tier changes; service and marketing consume it. */
export class CustomerValueTierChangedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(['platinum', 'gold', 'silver', 'bronze']) tier!: string;
  @IsOptional() @IsIn(['platinum', 'gold', 'silver', 'bronze']) previousTier?: string;
  /** CLV over the configured horizon, integer minor units of `reportingCurrency`. */
  @IsMinorUnits() clv!: number;
  @IsInt() @Min(1) rank!: number;
  @IsInt() @Min(1) customers!: number;
  @IsCurrencyCode() reportingCurrency!: string;
  @IsInstant() modelFittedAt!: string;
  @IsInstant() assignedAt!: string;
}

/**
 * Churn risk by band (issue 13 §2): recorded by analytics when the latest churn model puts a customer
 * who bought in another band than before (stream `churnrisk-<customerId>`); marketing's segments use it.
 */
export class CustomerChurnRiskChangedV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn([...CHURN_RISK_BANDS]) band!: string;
  @IsOptional() @IsIn([...CHURN_RISK_BANDS]) previousBand?: string;
  /** The model's probability of no order in the next `horizonDays`, as of `assessedAt`. */
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) probability!: number;
  @IsInt() @Min(1) modelVersion!: number;
  @IsInt() @Min(1) horizonDays!: number;
  @IsInstant() assessedAt!: string;
}

/** Every integration event of the CRM, by type and schema version. */
export const INTEGRATION_EVENTS = {
  CustomerRegistered: CustomerRegisteredV1,
  CustomerDetailsChanged: CustomerDetailsChangedV1,
  CustomerContactAdded: CustomerContactAddedV1,
  CustomerContactChanged: CustomerContactChangedV1,
  CustomerContactRemoved: CustomerContactRemovedV1,
  CustomerIdentityAdded: CustomerIdentityAddedV1,
  CustomerIdentityRemoved: CustomerIdentityRemovedV1,
  CustomerDuplicateSuspected: CustomerDuplicateSuspectedV1,
  CustomerMerged: CustomerMergedV1,
  CustomerUnmerged: CustomerUnmergedV1,
  CustomerJourneyStageChanged: CustomerJourneyStageChangedV1,
  CustomerRelationshipPhaseChanged: CustomerRelationshipPhaseChangedV1,
  CustomerPersonalDataErased: CustomerPersonalDataErasedV1,
  EpisodeOpened: EpisodeOpenedV1,
  InteractionRecorded: InteractionRecordedV1,
  OpportunityStageAdvanced: OpportunityStageAdvancedV1,
  EpisodeClosed: EpisodeClosedV1,
  OpportunityUpdated: OpportunityUpdatedV1,
  OpportunityStageChanged: OpportunityStageChangedV1,
  CustomerSharedWithPartner: CustomerSharedWithPartnerV1,
  CustomerShareRevoked: CustomerShareRevokedV1,
  PartnerShareRequested: PartnerShareRequestedV1,
  PartnerShareRequestApproved: PartnerShareRequestApprovedV1,
  PartnerShareRequestRefused: PartnerShareRequestRefusedV1,
  LeadCaptured: LeadCapturedV1,
  LeadQualified: LeadQualifiedV1,
  LeadAssigned: LeadAssignedV1,
  LeadDisqualified: LeadDisqualifiedV1,
  LeadConverted: LeadConvertedV1,
  LeadPersonalDataErased: LeadPersonalDataErasedV1,
  // product catalogue and quotes (issue 10 §3–4)
  ProductDefined: ProductDefinedV1,
  ProductRevised: ProductRevisedV1,
  PriceBookCreated: PriceBookCreatedV1,
  PriceBookPricesSet: PriceBookPricesSetV1,
  QuoteDrafted: QuoteDraftedV1,
  QuoteRevised: QuoteRevisedV1,
  QuoteDiscountApprovalRequested: QuoteDiscountApprovalRequestedV1,
  QuoteDiscountApproved: QuoteDiscountApprovedV1,
  QuoteDiscountRejected: QuoteDiscountRejectedV1,
  QuoteSent: QuoteSentV1,
  QuoteAccepted: QuoteAcceptedV1,
  QuoteDeclined: QuoteDeclinedV1,
  ActivityPlanned: ActivityPlannedV1,
  ActivityRescheduled: ActivityRescheduledV1,
  ActivityReassigned: ActivityReassignedV1,
  ActivityCancelled: ActivityCancelledV1,
  ActivityCompleted: ActivityCompletedV1,
  ActivityReminderDue: ActivityReminderDueV1,
  ActivityDue: ActivityDueV1,
  OrderPlaced: OrderPlacedV1,
  OrderCancelled: OrderCancelledV1,
  OrderReturned: OrderReturnedV1,
  ExchangeRatesSet: ExchangeRatesSetV1,
  // analytical CRM (issue 11 §4)
  CustomerValueTierChanged: CustomerValueTierChangedV1,
  CustomerChurnRiskChanged: CustomerChurnRiskChangedV1,
  // cases people work (issue 12 §1)
  ...CASE_EVENTS,
  // the contact centre: agents, routing offers, calls, satisfaction (issue 12 §2, §3, §6)
  ...CONTACT_CENTRE_EVENTS,
  // service levels: policies, calendars, the SLA timer's warnings, breaches and escalations (issue 12 §4)
  ...SERVICE_LEVEL_EVENTS,
  // return authorisation and the repair cycle with a service provider (issue 12 §5)
  ...RETURN_REPAIR_EVENTS,
  // marketing permissions: consent per channel and purpose, with its evidence (issue 13 §1)
  ...CONSENT_EVENTS,
  // event-based marketing: trigger rules and each customer's firings, with why (issue 13 §4)
  ...TRIGGER_EVENTS,
  // campaigns that really send: definition, frozen audience, every message with the consent that allowed it (issue 13 §3)
  ...CAMPAIGN_EVENTS,
  // segments down to the individual: definitions, and each customer entering and leaving (issue 13 §2)
  ...SEGMENT_EVENTS,
  // deal registration: a partner's claim on a deal, its review and expiry (issue 14 §3)
  ...DEAL_REGISTRATION_EVENTS,
  // lead distribution to partners: routing profiles, offers, answers, expiry, outcomes (issue 14 §4)
  ...LEAD_OFFER_EVENTS,
  // a partner's registration, its people and the end of the partnership (issue 14 §1; people private, never published)
  ...PARTNER_USER_EVENTS,
  // a partner's webhook subscriptions: URL, event types, secret version (never the secret) (issue 14 §5)
  ...PARTNER_WEBHOOK_EVENTS,
} as const;

/** The integration events that have a schema version 2, by type (each also keeps its version 1 above). */
export const INTEGRATION_EVENTS_V2 = {
  // a bounce the e-mail provider reports after accepting the message: kind `async-hard`; a message
  // suppressed because its address is on the suppression list: reason `address-suppressed` (issue 13 §3)
  ...CAMPAIGN_EVENTS_V2,
  // a sale a distributor or reseller reported to an end customer: source `sell-through`, with `partnerId` (issue 14 §6)
  OrderPlaced: OrderPlacedV2,
} as const;

export function crmRegistry(): IntegrationEventRegistry {
  const registry = new IntegrationEventRegistry();
  for (const [type, dto] of Object.entries(INTEGRATION_EVENTS)) registry.register(type, 1, dto);
  // Incompatible changes as new versions beside version 1 (docs/events.md): consumers take the versions they know.
  for (const [type, dto] of Object.entries(INTEGRATION_EVENTS_V2)) registry.register(type, 2, dto);
  return registry;
}

/** The type of every CRM integration event (`CustomerRegistered`, `EpisodeOpened`, …). */
export type CrmEventType = keyof typeof INTEGRATION_EVENTS;

/** The payload of a CRM integration event of type `T`: its contract class (schema version 1). */
export type CrmEventData<T extends CrmEventType> = InstanceType<(typeof INTEGRATION_EVENTS)[T]>;

/**
 * The CRM's integration events as a union discriminated by `type`:
 * `IntegrationEvent<'CustomerRegistered', CustomerRegisteredV1> | IntegrationEvent<'EpisodeOpened', EpisodeOpenedV1> | …`,
 * or only some of them (`CrmIntegrationEvent<'EpisodeOpened' | 'EpisodeClosed'>`), so a consumer that
 * checks `event.type` reads `event.data` with its contract's type and no cast. Derived from
 * `INTEGRATION_EVENTS` — the registry's own table — so the type and what the registry validates
 * cannot drift apart. It describes an event only once the registry has validated it (the runner and
 * the bus consumers hand nothing else on).
 */
export type CrmIntegrationEvent<T extends CrmEventType = CrmEventType> = { [K in T]: IntegrationEvent<K, CrmEventData<K>> }[T];
