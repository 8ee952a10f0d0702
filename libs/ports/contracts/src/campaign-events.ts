import { CONSENT_CHANNELS, DEPARTMENTS, SLUG_ID } from '@crm/kernel';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { IsInstant } from './instant';
import { IsCurrencyCode, IsMinorUnits } from './money';
import { NestedObject, NestedObjects } from './nested';

/**
 * Campaigns that really send (issue 13 §3). A campaign's own events are on `campaign-<campaignId>`
 * (no customer: private to marketing, the relay does not publish them); each recipient's messages
 * are on `campaignmessage-<campaignId>-<customerId>` and carry the customer, so they are published
 * keyed by it. Every `CampaignMessageSent` names the consent event (id and store position) that
 * allowed it. Schema version 1; docs/events.md lists them; libs/domain/campaigns has the rules.
 * Templates are the company's text, not personal data; merge fields are filled only in the message
 * that leaves, never stored.
 */

const CHANNELS = CONSENT_CHANNELS;
const MAX_TEXT = 100_000;

export class CampaignTemplateV1 {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(998) subject?: string;
  @IsString() @IsNotEmpty() @MaxLength(MAX_TEXT) text!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(MAX_TEXT) html?: string;
}

export class CampaignVariantV1 {
  @Matches(SLUG_ID) variantId!: string;
  @IsInt() @Min(1) @Max(100) weight!: number;
  @NestedObject(() => CampaignTemplateV1) template!: CampaignTemplateV1;
}

export class CampaignStepV1 {
  @Matches(SLUG_ID) stepId!: string;
  @IsIn(CHANNELS) channel!: string;
  @IsInt() @Min(0) @Max(525_600) delayMinutes!: number;
  @NestedObjects(() => CampaignVariantV1) @ArrayMinSize(1) @ArrayMaxSize(4) variants!: CampaignVariantV1[];
}

export class CampaignAudienceV1 {
  /** `triggered` (issue 13 §4): always-on, no audience at the start; trigger firings admit recipients while it runs. */
  @IsIn(['segment', 'list', 'triggered']) kind!: string;
  @ValidateIf((o: { kind?: unknown }) => o.kind === 'segment') @IsString() @IsNotEmpty() @MaxLength(200) segmentId?: string;
  @ValidateIf((o: { kind?: unknown }) => o.kind === 'list')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  customerIds?: string[];
}

export class CampaignCostV1 {
  @IsMinorUnits() amountMinor!: number;
  @IsCurrencyCode() currency!: string;
}

class CampaignDefinitionV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @Matches(SLUG_ID) purpose!: string;
  @NestedObject(() => CampaignAudienceV1) audience!: CampaignAudienceV1;
  @NestedObjects(() => CampaignStepV1) @ArrayMinSize(1) @ArrayMaxSize(10) steps!: CampaignStepV1[];
  @IsInt() @Min(0) @Max(5_000) controlBasisPoints!: number;
  @IsInt() @Min(1) @Max(1_000) throttlePerSecond!: number;
  @IsInt() @Min(1) @Max(365) attributionWindowDays!: number;
  @NestedObject(() => CampaignCostV1) costPerMessage!: CampaignCostV1;
}

export class CampaignDefinedV1 extends CampaignDefinitionV1 {
  @IsString() @IsNotEmpty() definedBy!: string;
  @IsInstant() definedAt!: string;
}

export class CampaignRevisedV1 extends CampaignDefinitionV1 {
  @IsString() @IsNotEmpty() revisedBy!: string;
  @IsInstant() revisedAt!: string;
}

export class CampaignActorV1 {
  @IsString() @IsNotEmpty() subject!: string;
  @IsIn(DEPARTMENTS) department!: string;
}

export class CampaignScheduledV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsInstant() startAt!: string;
  @NestedObject(() => CampaignActorV1) scheduledBy!: CampaignActorV1;
  @IsInstant() scheduledAt!: string;
}

export class CampaignStartedV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsInstant() startedAt!: string;
  @NestedObject(() => CampaignActorV1) startedBy!: CampaignActorV1;
  /** 0 (and `chunks` 0) for a triggered campaign: its recipients come later (`CampaignRecipientTriggered`). A relaxation of version 1. */
  @IsInt() @Min(0) audienceSize!: number;
  @IsInt() @Min(0) controlSize!: number;
  @IsInt() @Min(0) chunks!: number;
}

export class CampaignMemberV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @Equals(true) control?: true;
  @IsOptional() @IsArray() @ArrayMaxSize(10) @Matches(SLUG_ID, { each: true }) variants?: string[];
}

/** A slice (≤ 1,000) of the audience frozen when the campaign started: who, and in which group. */
export class CampaignAudienceFrozenV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsInt() @Min(0) chunk!: number;
  @IsInt() @Min(1) chunks!: number;
  @NestedObjects(() => CampaignMemberV1) @ArrayMinSize(1) @ArrayMaxSize(1_000) members!: CampaignMemberV1[];
}

export class CampaignPausedV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsString() @IsNotEmpty() pausedBy!: string;
  @IsInstant() pausedAt!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) reason?: string;
}

export class CampaignResumedV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsString() @IsNotEmpty() resumedBy!: string;
  @IsInstant() resumedAt!: string;
}

export class CampaignClosedV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsString() @IsNotEmpty() closedBy!: string;
  @IsInstant() closedAt!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) reason?: string;
}

/** The consent event a send rests on: its id, its position in the store's one order, its revision in `consent-<customerId>`. */
export class ConsentBasisV1 {
  @IsUUID() eventId!: string;
  @Matches(/^\d+\/\d+$/) position!: string;
  @Matches(/^\d+$/) revision!: string;
}

class CampaignMessageV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsUUID() messageId!: string;
  @Matches(SLUG_ID) stepId!: string;
  @IsIn(CHANNELS) channel!: string;
}

/** Handed to the channel (recorded just before), with the permission that allowed it. */
export class CampaignMessageSentV1 extends CampaignMessageV1 {
  @Matches(SLUG_ID) variantId!: string;
  @IsInt() @Min(1) attempt!: number;
  @IsInstant() sentAt!: string;
  @NestedObject(() => ConsentBasisV1) consentBasis!: ConsentBasisV1;
  /** An e-mail's address as the suppression list keys it (HMAC-SHA256, hex; an optional addition to version 1, issue 13 §3). */
  @IsOptional() @Matches(/^[0-9a-f]{64}$/) addressKey?: string;
}

export class ConsentSeenV1 {
  @IsIn(['granted', 'withdrawn', 'channel-opted-out', 'no-consent', 'awaiting-confirmation', 'not-checked']) status!: string;
  @IsOptional() @NestedObject(() => ConsentBasisV1) basis?: ConsentBasisV1;
}

/** Not sent, and why: no consent (with the withdrawal it rests on), a frequency cap, no address, the control group. */
export class CampaignMessageSuppressedV1 extends CampaignMessageV1 {
  @IsOptional() @Matches(SLUG_ID) variantId?: string;
  @IsIn(['no-consent', 'frequency-cap', 'no-address', 'control-group']) reason!: string;
  @IsInstant() suppressedAt!: string;
  @NestedObject(() => ConsentSeenV1) consent!: ConsentSeenV1;
}

/**
 * Version 2 of `CampaignMessageSuppressed`: `reason` may also be `address-suppressed` — the e-mail
 * address is on the suppression list (a hard bounce, a complaint, or staff). A new version for the
 * same reason as `CampaignMessageBouncedV2`: a version-1 consumer checks `reason` against its four
 * values and would refuse the fifth. Only the `address-suppressed` suppressions are written as version 2.
 */
export class CampaignMessageSuppressedV2 extends CampaignMessageV1 {
  @IsOptional() @Matches(SLUG_ID) variantId?: string;
  @IsIn(['no-consent', 'frequency-cap', 'no-address', 'control-group', 'address-suppressed']) reason!: string;
  @IsInstant() suppressedAt!: string;
  @NestedObject(() => ConsentSeenV1) consent!: ConsentSeenV1;
}

/**
 * The e-mail suppression list (issue 13 §3), on `emailsuppression-<addressKey>`: the address is never
 * in clear — `addressKey` is HMAC-SHA256 (hex) of the trimmed, lower-cased address under
 * `CRM_EMAIL_SUPPRESSION_SECRET`. Published keyed by the address key (a customer's e-mail may change;
 * the list is about the address).
 */
export class EmailAddressSuppressedV1 {
  @Matches(/^[0-9a-f]{64}$/) addressKey!: string;
  @IsIn(['hard-bounce', 'async-hard-bounce', 'complaint', 'manual']) reason!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) campaignId?: string;
  /** The campaign message that bounced or was complained about. */
  @IsOptional() @IsUUID() messageRef?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) customerId?: string;
  @IsString() @IsNotEmpty() @MaxLength(200) by!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(2000) note?: string;
  @IsInstant() at!: string;
}

/** Staff took the address off the suppression list, and why: campaigns may mail it again. */
export class EmailAddressUnsuppressedV1 {
  @Matches(/^[0-9a-f]{64}$/) addressKey!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) by!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  @IsInstant() at!: string;
}

export class CampaignMessageBouncedV1 extends CampaignMessageV1 {
  @IsIn(['hard', 'retries-exhausted']) kind!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  @IsInt() @Min(1) attempt!: number;
  @IsInstant() bouncedAt!: string;
}

/**
 * Version 2 of `CampaignMessageBounced`: `kind` may also be `async-hard` — the e-mail provider
 * accepted the message and reported later that it could not be delivered (POST /channels/email/events).
 * A new version rather than an addition to version 1, because a version-1 consumer validates `kind`
 * against its two values and would refuse the third; it skips a version it does not know. Only the
 * late bounces are written as version 2; the bounces at the hand-over stay version 1.
 */
export class CampaignMessageBouncedV2 extends CampaignMessageV1 {
  @IsIn(['hard', 'retries-exhausted', 'async-hard']) kind!: string;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  @IsInt() @Min(1) attempt!: number;
  @IsInstant() bouncedAt!: string;
}

export class CampaignMessageDeferredV1 extends CampaignMessageV1 {
  @IsInt() @Min(1) retryCount!: number;
  @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
  @IsInstant() deferredAt!: string;
  @IsInstant() retryAt!: string;
}

class TriggeredStepV1 {
  @Matches(SLUG_ID) stepId!: string;
  @IsInstant() dueAt!: string;
}

class CampaignTriggerBaseV1 {
  @IsString() @IsNotEmpty() campaignId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  /** The id of the `MarketingTriggerFired` event: also the stream (`campaigntrigger-<firingId>`) and the key of the recipient's messages. */
  @IsUUID() firingId!: string;
  @IsString() @IsNotEmpty() ruleId!: string;
  @IsInt() @Min(0) ruleRevision!: number;
}

/**
 * A trigger firing (issue 13 §4) admitted the customer as a recipient of a triggered campaign: the
 * steps it gets and when each is due, and its group (control, or a variant per step), on
 * `campaigntrigger-<firingId>` (published keyed by the customer).
 */
export class CampaignRecipientTriggeredV1 extends CampaignTriggerBaseV1 {
  @NestedObjects(() => TriggeredStepV1) @ArrayMinSize(1) @ArrayMaxSize(10) steps!: TriggeredStepV1[];
  @IsOptional() @Equals(true) control?: true;
  @IsOptional() @IsArray() @ArrayMaxSize(10) @Matches(SLUG_ID, { each: true }) variants?: string[];
  @IsInstant() triggeredAt!: string;
}

/** A trigger firing that named a campaign and sent nothing, and why. */
export class CampaignTriggerSkippedV1 extends CampaignTriggerBaseV1 {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) stepId?: string;
  @IsIn(['campaign-unknown', 'campaign-not-triggered', 'campaign-not-running', 'step-unknown']) reason!: string;
  @IsOptional() @IsIn(['draft', 'scheduled', 'running', 'paused', 'closed']) campaignStatus?: string;
  @IsInstant() skippedAt!: string;
}

export const CAMPAIGN_EVENTS = {
  CampaignDefined: CampaignDefinedV1,
  CampaignRevised: CampaignRevisedV1,
  CampaignScheduled: CampaignScheduledV1,
  CampaignStarted: CampaignStartedV1,
  CampaignAudienceFrozen: CampaignAudienceFrozenV1,
  CampaignPaused: CampaignPausedV1,
  CampaignResumed: CampaignResumedV1,
  CampaignClosed: CampaignClosedV1,
  CampaignMessageSent: CampaignMessageSentV1,
  CampaignMessageSuppressed: CampaignMessageSuppressedV1,
  CampaignMessageBounced: CampaignMessageBouncedV1,
  CampaignMessageDeferred: CampaignMessageDeferredV1,
  CampaignRecipientTriggered: CampaignRecipientTriggeredV1,
  CampaignTriggerSkipped: CampaignTriggerSkippedV1,
  EmailAddressSuppressed: EmailAddressSuppressedV1,
  EmailAddressUnsuppressed: EmailAddressUnsuppressedV1,
} as const;

/** The campaign events that have a version 2, registered beside their version 1. */
export const CAMPAIGN_EVENTS_V2 = {
  CampaignMessageBounced: CampaignMessageBouncedV2,
  CampaignMessageSuppressed: CampaignMessageSuppressedV2,
} as const;
