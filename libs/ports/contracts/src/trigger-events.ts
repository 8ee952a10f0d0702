import { CASE_PRIORITIES, CUSTOMER_VALUE_TIERS, SLUG_ID, TRIGGER_ORDER_SOURCES } from '@crm/kernel';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from './instant';
import { IsCurrencyCode } from './money';
import { NestedObject, NestedObjects } from './nested';

/**
 * Event-based marketing (issue 13 §4). A trigger rule on `triggerrule-<ruleId>` (subject: the rule
 * id); a customer's firings of every rule on `triggerfirings-<customerId>` (subject: the customer
 * id) — one stream per customer, because the frequency cap counts the customer's firings across
 * all rules and must be judged and appended as one. Schema version 1; docs/events.md lists them;
 * libs/domain/marketing-triggers has the rules.
 */

const TRIGGER_ON = ['order-placed', 'complaint-opened', 'case-closed', 'segment-entered', 'lapse', 'anniversary'];
const SKIP_REASONS = ['disabled', 'inactive', 'condition-false', 'cooldown', 'frequency-cap'];
const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

export class TriggerDurationV1 {
  @IsInt() @Min(1) @Max(5_256_000) amount!: number;
  @IsIn(['minutes', 'hours', 'days']) unit!: string;
}

export class OrderTotalConditionV1 {
  @IsOptional() @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) min?: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) max?: number;
  @IsCurrencyCode() currency!: string;
}

export class TriggerConditionsV1 {
  @IsOptional() @NestedObject(() => OrderTotalConditionV1) orderTotal?: OrderTotalConditionV1;
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(200, { each: true })
  products?: string[];
  /** Optional addition to v1: an order's sources (imports are history and never start a rule). */
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsIn(TRIGGER_ORDER_SOURCES, { each: true }) orderSources?: string[];
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsIn(CUSTOMER_VALUE_TIERS, { each: true }) valueTiers?: string[];
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @Matches(SLUG_ID, { each: true }) caseCategories?: string[];
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsIn(CASE_PRIORITIES, { each: true }) casePriorities?: string[];
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) segmentId?: string;
}

export class FrequencyCapV1 {
  @IsInt() @Min(1) @Max(1000) firings!: number;
  @IsInt() @Min(1) @Max(3650) days!: number;
}

export class TriggerActionV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) campaignId!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) stepId?: string;
}

/** The definition a rule carries (the whole of it, on definition and on every revision). */
export class TriggerRuleDefinitionV1 {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsIn(TRIGGER_ON) on!: string;
  @NestedObject(() => TriggerConditionsV1) conditions!: TriggerConditionsV1;
  @IsOptional() @NestedObject(() => TriggerDurationV1) delay?: TriggerDurationV1;
  @IsOptional() @NestedObject(() => TriggerDurationV1) cooldown?: TriggerDurationV1;
  @IsOptional() @NestedObject(() => FrequencyCapV1) frequencyCap?: FrequencyCapV1;
  @IsOptional() @IsInstant() activeFrom?: string;
  @IsOptional() @IsInstant() activeUntil?: string;
  @IsOptional() @IsInt() @Min(1) @Max(3650) lapseDays?: number;
  @IsOptional() @IsIn(['registration', 'first-order']) anniversaryOf?: string;
  @NestedObject(() => TriggerActionV1) action!: TriggerActionV1;
}

export class TriggerRuleDefinedV1 extends TriggerRuleDefinitionV1 {
  @IsString() @IsNotEmpty() ruleId!: string;
  @IsInstant() definedAt!: string;
  @IsString() @IsNotEmpty() definedBy!: string;
}

export class TriggerRuleRevisedV1 extends TriggerRuleDefinitionV1 {
  @IsString() @IsNotEmpty() ruleId!: string;
  @IsInstant() revisedAt!: string;
  @IsString() @IsNotEmpty() revisedBy!: string;
}

export class TriggerRuleDisabledV1 {
  @IsString() @IsNotEmpty() ruleId!: string;
  @IsInstant() disabledAt!: string;
  @IsString() @IsNotEmpty() disabledBy!: string;
}

export class TriggerRuleEnabledV1 {
  @IsString() @IsNotEmpty() ruleId!: string;
  @IsInstant() enabledAt!: string;
  @IsString() @IsNotEmpty() enabledBy!: string;
}

/** The event a firing answers (a timer's: the event its date comes from). */
export class TriggerCauseV1 {
  @IsString() @IsNotEmpty() eventId!: string;
  @IsString() @IsNotEmpty() @MaxLength(100) type!: string;
  /** `<commit>/<prepare>` in the store's one order. */
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) position?: string;
  @IsInstant() at!: string;
}

/** The facts the conditions were judged on. */
export class TriggerFactsV1 {
  @IsOptional() @IsInt() @Min(0) @Max(MAX_MINOR_UNITS) orderTotal?: number;
  @IsOptional() @IsCurrencyCode() currency?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) productIds?: string[];
  /** Optional addition to v1: the order's `source` (the `orderSources` condition judges it). */
  @IsOptional() @IsIn(TRIGGER_ORDER_SOURCES) orderSource?: string;
  @IsOptional() @IsString() valueTier?: string;
  @IsOptional() @IsString() caseCategory?: string;
  @IsOptional() @IsString() casePriority?: string;
  @IsOptional() @IsString() segmentId?: string;
}

class ConditionCheckV1 {
  @IsString() @IsNotEmpty() condition!: string;
  @IsString() expected!: string;
  @IsString() actual!: string;
  @IsBoolean() held!: boolean;
}

class CooldownStateV1 {
  @IsInt() @Min(1) minutes!: number;
  @IsOptional() @IsInstant() lastFiredAt?: string;
  @IsOptional() @IsInstant() until?: string;
}

class CapStateV1 {
  @IsInt() @Min(1) firings!: number;
  @IsInt() @Min(1) days!: number;
  @IsInt() @Min(0) firedInWindow!: number;
}

/** Why: each condition as judged, the delay, and the cooldown and cap as they stood. */
export class TriggerWhyV1 {
  @NestedObjects(() => ConditionCheckV1) @ArrayMaxSize(20) conditions!: ConditionCheckV1[];
  @IsInt() @Min(0) delayMinutes!: number;
  @IsOptional() @NestedObject(() => CooldownStateV1) cooldown?: CooldownStateV1;
  @IsOptional() @NestedObject(() => CapStateV1) cap?: CapStateV1;
}

class TriggerFiringBaseV1 {
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() ruleId!: string;
  /** The rule's stream revision the decision was taken on. */
  @IsInt() @Min(0) ruleRevision!: number;
  @IsIn(TRIGGER_ON) on!: string;
  @IsString() @IsNotEmpty() timerId!: string;
  @NestedObject(() => TriggerCauseV1) cause!: TriggerCauseV1;
}

/** A firing due later (the rule's delay): recorded when the cause is seen. */
export class MarketingTriggerScheduledV1 extends TriggerFiringBaseV1 {
  @IsInstant() dueAt!: string;
  @IsInstant() scheduledAt!: string;
}

/** A rule fired for the customer: which, on what, and why; the action names the offer asked for. */
export class MarketingTriggerFiredV1 extends TriggerFiringBaseV1 {
  @NestedObject(() => TriggerFactsV1) facts!: TriggerFactsV1;
  @NestedObject(() => TriggerWhyV1) why!: TriggerWhyV1;
  @NestedObject(() => TriggerActionV1) action!: TriggerActionV1;
  @IsInstant() dueAt!: string;
  @IsInstant() firedAt!: string;
}

/** A rule that would have fired and did not, with the reason (cooldown, frequency cap, …). */
export class MarketingTriggerSkippedV1 extends TriggerFiringBaseV1 {
  @IsIn(SKIP_REASONS) reason!: string;
  @NestedObject(() => TriggerFactsV1) facts!: TriggerFactsV1;
  @NestedObject(() => TriggerWhyV1) why!: TriggerWhyV1;
  @IsInstant() dueAt!: string;
  @IsInstant() skippedAt!: string;
}

export const TRIGGER_EVENTS = {
  TriggerRuleDefined: TriggerRuleDefinedV1,
  TriggerRuleRevised: TriggerRuleRevisedV1,
  TriggerRuleDisabled: TriggerRuleDisabledV1,
  TriggerRuleEnabled: TriggerRuleEnabledV1,
  MarketingTriggerScheduled: MarketingTriggerScheduledV1,
  MarketingTriggerFired: MarketingTriggerFiredV1,
  MarketingTriggerSkipped: MarketingTriggerSkippedV1,
} as const;
