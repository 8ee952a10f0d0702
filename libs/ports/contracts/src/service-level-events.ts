import { CASE_PRIORITIES, CHANNELS, CUSTOMER_VALUE_TIERS, SLUG_ID } from '@crm/kernel';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsInstant } from './instant';
import { NestedObject, NestedObjects } from './nested';

/**
 * Service levels (issue 12 §4). Configuration: the policies and escalation rules (one stream,
 * `service-level-policies`, published with subject `policySetId`) and business calendars (stream
 * `businesscalendar-<id>`, subject the calendar) — published so that a service's read model fed by
 * Kafka computes the same due times as the one following the store. The durable timer's notices are
 * on the case's stream `caseservicelevel-<episodeId>`, published with the customer as subject.
 * Schema version 1; docs/events.md lists them.
 */

const SLA_METRICS = ['first-response', 'next-response', 'resolution'] as const;
const LOCAL_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Targets up to a year of business minutes. */
const MAX_MINUTES = 525_600;

class ServiceLevelPolicyV1 {
  @Matches(SLUG_ID) policyId!: string;
  @IsOptional() @IsIn(CUSTOMER_VALUE_TIERS) tier?: string;
  @IsOptional() @IsIn(CASE_PRIORITIES) priority?: string;
  @IsOptional() @IsIn(CHANNELS) channel?: string;
  @Matches(/^(?:24x7|[a-z0-9][a-z0-9-]{0,62})$/) calendarId!: string;
  @IsInt() @Min(1) @Max(MAX_MINUTES) firstResponseMinutes!: number;
  @IsInt() @Min(1) @Max(MAX_MINUTES) nextResponseMinutes!: number;
  @IsInt() @Min(1) @Max(MAX_MINUTES) resolutionMinutes!: number;
  @IsInt() @Min(1) @Max(99) warningPercent!: number;
}

class EscalationRuleV1 {
  @Matches(SLUG_ID) ruleId!: string;
  @IsIn(SLA_METRICS) metric!: string;
  @IsOptional() @IsIn(CUSTOMER_VALUE_TIERS) tier?: string;
  @IsIn(['reassign', 'notify']) action!: string;
  @ValidateIf((o: { action?: string }) => o.action === 'reassign') @Matches(SLUG_ID) team?: string;
  @ValidateIf((o: { action?: string }) => o.action === 'notify') @IsString() @IsNotEmpty() @MaxLength(200) notify?: string;
}

/** The whole set of service-level policies and escalation rules as it is from now on. */
export class ServiceLevelPoliciesSetV1 {
  @IsIn(['default']) policySetId!: string;
  @NestedObjects(() => ServiceLevelPolicyV1) @ArrayMaxSize(200) policies!: ServiceLevelPolicyV1[];
  @NestedObjects(() => EscalationRuleV1) @ArrayMaxSize(100) escalations!: EscalationRuleV1[];
  @IsInstant() setAt!: string;
  @IsString() @IsNotEmpty() setBy!: string;
}

class OpeningHoursV1 {
  @Matches(LOCAL_TIME) from!: string;
  @Matches(LOCAL_TIME) to!: string;
}

class WeeklyHoursV1 {
  @IsOptional() @NestedObjects(() => OpeningHoursV1) @ArrayMaxSize(8) sun?: OpeningHoursV1[];
  @IsOptional() @NestedObjects(() => OpeningHoursV1) @ArrayMaxSize(8) mon?: OpeningHoursV1[];
  @IsOptional() @NestedObjects(() => OpeningHoursV1) @ArrayMaxSize(8) tue?: OpeningHoursV1[];
  @IsOptional() @NestedObjects(() => OpeningHoursV1) @ArrayMaxSize(8) wed?: OpeningHoursV1[];
  @IsOptional() @NestedObjects(() => OpeningHoursV1) @ArrayMaxSize(8) thu?: OpeningHoursV1[];
  @IsOptional() @NestedObjects(() => OpeningHoursV1) @ArrayMaxSize(8) fri?: OpeningHoursV1[];
  @IsOptional() @NestedObjects(() => OpeningHoursV1) @ArrayMaxSize(8) sat?: OpeningHoursV1[];
}

/** A business-hours calendar as it is from now on: weekly hours in an IANA zone, holidays (local dates). */
export class BusinessCalendarSetV1 {
  @Matches(SLUG_ID) calendarId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsString() @IsNotEmpty() @MaxLength(64) timeZone!: string;
  @NestedObject(() => WeeklyHoursV1) hours!: WeeklyHoursV1;
  @IsArray() @Matches(LOCAL_DATE, { each: true }) @ArrayMaxSize(400) holidays!: string[];
  @IsInstant() setAt!: string;
  @IsString() @IsNotEmpty() setBy!: string;
}

class SlaNoticeV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(SLA_METRICS) metric!: string;
  /** 0 for the first clock of the metric; next response: the n-th awaited answer; resolution: one more per reopen. */
  @IsInt() @Min(0) cycle!: number;
  @IsString() @IsNotEmpty() @MaxLength(63) policyId!: string;
  @IsIn(CUSTOMER_VALUE_TIERS) tier!: string;
  @IsOptional() @Matches(SLUG_ID) team?: string;
  @IsInt() @Min(1) targetMinutes!: number;
  /** When the warning threshold or the target was reached (the timer records it at or after this). */
  @IsInstant() dueAt!: string;
  /** When the timer recorded it. */
  @IsInstant() at!: string;
}

/** A clock of a case passed its warning threshold without being met. */
export class CaseSlaWarningV1 extends SlaNoticeV1 {
  @IsInt() @Min(1) @Max(99) warningPercent!: number;
}

/** A clock of a case passed its target without being met. */
export class CaseSlaBreachedV1 extends SlaNoticeV1 {}

/** An escalation rule set off by a breach: the case goes to another team, or someone is told. */
export class CaseEscalatedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @Matches(SLUG_ID) ruleId!: string;
  @IsIn(SLA_METRICS) metric!: string;
  @IsInt() @Min(0) cycle!: number;
  @IsIn(['reassign', 'notify']) action!: string;
  @ValidateIf((o: { action?: string }) => o.action === 'reassign') @Matches(SLUG_ID) team?: string;
  @ValidateIf((o: { action?: string }) => o.action === 'notify') @IsString() @IsNotEmpty() @MaxLength(200) notify?: string;
  @IsInstant() at!: string;
}

/** What the SLA escalation executor did with an escalation: one per escalation, whatever it was. */
export const ESCALATION_OUTCOMES = ['reassigned', 'notified', 'skipped', 'undeliverable', 'failed'] as const;

/**
 * The SLA escalation executor carried out a `CaseEscalated` (or gave it up): recorded once per
 * escalation (case, rule, metric, cycle) on the same stream, so that the executor's inbox is a
 * function of the events and a rebuild of it acts on nothing twice. The escalation's own fields as
 * in `CaseEscalated`; `outcome` what became of it, `detail` why (a skip's case status, a failure's
 * error), never an address.
 */
export class CaseEscalationActedV1 extends CaseEscalatedV1 {
  @IsIn(ESCALATION_OUTCOMES) outcome!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(500) detail?: string;
}

export const SERVICE_LEVEL_EVENTS = {
  ServiceLevelPoliciesSet: ServiceLevelPoliciesSetV1,
  BusinessCalendarSet: BusinessCalendarSetV1,
  CaseSlaWarning: CaseSlaWarningV1,
  CaseSlaBreached: CaseSlaBreachedV1,
  CaseEscalated: CaseEscalatedV1,
  CaseEscalationActed: CaseEscalationActedV1,
} as const;
