import { DomainRuleViolation, NotFoundError, type Decider } from '@crm/kernel';

/**
 * Event-based marketing (issue 13 §4): a trigger rule, on the stream `triggerrule-<ruleId>`. A rule
 * says on which customer event (or timer) it reacts, under which conditions, how long after, how
 * often at most, and which offer it asks for. The decision for one customer and one cause is
 * `decideTrigger` (trigger-decision.ts); the rule itself is only defined, revised, disabled, enabled.
 */

/** What a rule reacts to: four customer events and two timers. */
export const TRIGGER_ON = ['order-placed', 'complaint-opened', 'case-closed', 'segment-entered', 'lapse', 'anniversary'] as const;
export type TriggerOn = (typeof TRIGGER_ON)[number];

export const DURATION_UNITS = ['minutes', 'hours', 'days'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];
export interface TriggerDuration {
  amount: number;
  unit: DurationUnit;
}

/** The longest delay or cooldown: ten years. */
export const MAX_DURATION_MINUTES = 3650 * 24 * 60;

export const ANNIVERSARY_OF = ['registration', 'first-order'] as const;
export type AnniversaryOf = (typeof ANNIVERSARY_OF)[number];

/**
 * The conditions of a rule: all that are given must hold (an absent one holds). Documented in
 * docs/marketing.md "Triggers".
 */
export interface TriggerConditions {
  /** Order rules: the order's total in integer minor units of `currency` (an order in another currency does not match). */
  orderTotal?: { min?: number; max?: number; currency: string };
  /** Order rules: at least one line of one of these products. */
  products?: string[];
  /**
   * Order rules: where the order came from (`api`, `quote`, `sell-through`). Absent: every source —
   * a sale a distributor reported is the customer's purchase too; a company whose channel
   * agreements forbid marketing to partners' buyers names only its own sources.
   */
  orderSources?: string[];
  /** The customer's value tier (analytics' `CustomerValueTierChanged`) when the event happened. */
  valueTiers?: string[];
  /** Case rules: the case's category. */
  caseCategories?: string[];
  /** Case rules: the case's priority. */
  casePriorities?: string[];
  /** Segment rules: the segment entered. */
  segmentId?: string;
}

/** Which conditions make sense for which trigger: another is refused (`trigger-condition-not-applicable`). */
const CONDITIONS_OF: Record<TriggerOn, readonly (keyof TriggerConditions)[]> = {
  'order-placed': ['orderTotal', 'products', 'orderSources', 'valueTiers'],
  'complaint-opened': ['caseCategories', 'casePriorities', 'valueTiers'],
  'case-closed': ['caseCategories', 'casePriorities', 'valueTiers'],
  'segment-entered': ['segmentId', 'valueTiers'],
  lapse: ['valueTiers'],
  anniversary: ['valueTiers'],
};

export interface TriggerAction {
  /** The campaign whose offer the firing asks for. */
  campaignId: string;
  stepId?: string;
}

export interface TriggerRuleDefinition {
  name: string;
  on: TriggerOn;
  conditions: TriggerConditions;
  /** Fire this long after the event (or the timer's date); absent: at once. */
  delay?: TriggerDuration;
  /** Per customer, this rule fires at most once in this span. */
  cooldown?: TriggerDuration;
  /** Per customer, across every rule: not when `firings` or more fired in the last `days`. */
  frequencyCap?: { firings: number; days: number };
  /** Events before `activeFrom` or from `activeUntil` on do not count. */
  activeFrom?: string;
  activeUntil?: string;
  /** Lapse rules: days without an order after the last one. */
  lapseDays?: number;
  /** Anniversary rules: of what, yearly. */
  anniversaryOf?: AnniversaryOf;
  action: TriggerAction;
}

export interface TriggerRuleDefinedData extends TriggerRuleDefinition {
  ruleId: string;
  definedAt: string;
  definedBy: string;
}
export interface TriggerRuleRevisedData extends TriggerRuleDefinition {
  ruleId: string;
  revisedAt: string;
  revisedBy: string;
}
export interface TriggerRuleDisabledData {
  ruleId: string;
  disabledAt: string;
  disabledBy: string;
}
export interface TriggerRuleEnabledData {
  ruleId: string;
  enabledAt: string;
  enabledBy: string;
}

export type TriggerRuleEvent =
  | { type: 'TriggerRuleDefined'; data: TriggerRuleDefinedData }
  | { type: 'TriggerRuleRevised'; data: TriggerRuleRevisedData }
  | { type: 'TriggerRuleDisabled'; data: TriggerRuleDisabledData }
  | { type: 'TriggerRuleEnabled'; data: TriggerRuleEnabledData };

export type TriggerRuleCommand =
  | { type: 'DefineTriggerRule'; data: TriggerRuleDefinedData }
  | { type: 'ReviseTriggerRule'; data: TriggerRuleRevisedData }
  | { type: 'DisableTriggerRule'; data: TriggerRuleDisabledData }
  | { type: 'EnableTriggerRule'; data: TriggerRuleEnabledData };

export interface TriggerRuleState {
  ruleId?: string;
  definition?: TriggerRuleDefinition;
  enabled: boolean;
  definedAt?: string;
  updatedAt?: string;
  /** Events folded so far: the next event's revision (the rule's revision is `version - 1`). */
  version: number;
}

export const triggerRuleStream = (ruleId: string) => `triggerrule-${ruleId}`;
export const noTriggerRule: TriggerRuleState = { enabled: false, version: 0 };

export function durationMinutes(d: TriggerDuration | undefined): number {
  if (!d) return 0;
  return d.amount * (d.unit === 'days' ? 1440 : d.unit === 'hours' ? 60 : 1);
}

function definitionOf(d: TriggerRuleDefinition): TriggerRuleDefinition {
  return {
    name: d.name,
    on: d.on,
    conditions: d.conditions,
    ...(d.delay && { delay: d.delay }),
    ...(d.cooldown && { cooldown: d.cooldown }),
    ...(d.frequencyCap && { frequencyCap: d.frequencyCap }),
    ...(d.activeFrom !== undefined && { activeFrom: d.activeFrom }),
    ...(d.activeUntil !== undefined && { activeUntil: d.activeUntil }),
    ...(d.lapseDays !== undefined && { lapseDays: d.lapseDays }),
    ...(d.anniversaryOf !== undefined && { anniversaryOf: d.anniversaryOf }),
    action: d.action,
  };
}

/** The same definition (key order aside): defining or revising it again records nothing. */
function sameDefinition(a: TriggerRuleDefinition, b: TriggerRuleDefinition): boolean {
  return canonical(definitionOf(a)) === canonical(definitionOf(b));
}
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The rules of a definition (each a DomainRuleViolation naming it). */
export function assertValidDefinition(d: TriggerRuleDefinition): void {
  const allowed = CONDITIONS_OF[d.on];
  for (const key of Object.keys(d.conditions) as (keyof TriggerConditions)[])
    if (d.conditions[key] !== undefined && !allowed.includes(key))
      throw new DomainRuleViolation('trigger-condition-not-applicable', `a ${d.on} rule cannot have the condition ${key} (only ${allowed.join(', ')})`);
  const total = d.conditions.orderTotal;
  if (total && total.min === undefined && total.max === undefined)
    throw new DomainRuleViolation('trigger-condition-empty', 'orderTotal needs min, max or both');
  if (total && total.min !== undefined && total.max !== undefined && total.min > total.max)
    throw new DomainRuleViolation('trigger-condition-empty', 'orderTotal.min is above orderTotal.max: no order could match');
  if ((d.on === 'lapse') !== (d.lapseDays !== undefined))
    throw new DomainRuleViolation('trigger-timer-settings', d.on === 'lapse' ? 'a lapse rule needs lapseDays' : 'lapseDays is for lapse rules only');
  if ((d.on === 'anniversary') !== (d.anniversaryOf !== undefined))
    throw new DomainRuleViolation(
      'trigger-timer-settings',
      d.on === 'anniversary' ? 'an anniversary rule needs anniversaryOf' : 'anniversaryOf is for anniversary rules only',
    );
  for (const [name, duration] of [
    ['delay', d.delay],
    ['cooldown', d.cooldown],
  ] as const)
    if (duration && durationMinutes(duration) > MAX_DURATION_MINUTES) throw new DomainRuleViolation('trigger-duration', `${name} is longer than ten years`);
  if (d.activeFrom !== undefined && d.activeUntil !== undefined && Date.parse(d.activeFrom) >= Date.parse(d.activeUntil))
    throw new DomainRuleViolation('trigger-active-window', 'activeFrom must be before activeUntil');
}

export function evolveTriggerRule(state: TriggerRuleState, event: TriggerRuleEvent): TriggerRuleState {
  const next = { ...state, ruleId: event.data.ruleId, version: state.version + 1 };
  switch (event.type) {
    case 'TriggerRuleDefined':
      return { ...next, definition: definitionOf(event.data), enabled: true, definedAt: event.data.definedAt, updatedAt: event.data.definedAt };
    case 'TriggerRuleRevised':
      return { ...next, definition: definitionOf(event.data), updatedAt: event.data.revisedAt };
    case 'TriggerRuleDisabled':
      return { ...next, enabled: false, updatedAt: event.data.disabledAt };
    case 'TriggerRuleEnabled':
      return { ...next, enabled: true, updatedAt: event.data.enabledAt };
  }
}

/**
 * - Defining a rule validates it (`assertValidDefinition`); the same definition under the same id
 *   again records nothing (a retry), another one is `trigger-rule-exists`.
 * - A rule is enabled when defined. Revising, disabling or enabling needs it to exist; doing what
 *   holds already (the same definition, disabling a disabled rule) records nothing.
 * - The trigger (`on`) of a rule does not change: its timers and firings would no longer mean the
 *   same (`trigger-on-fixed`); define another rule.
 */
export function decideTriggerRule(command: TriggerRuleCommand, state: TriggerRuleState): TriggerRuleEvent[] {
  switch (command.type) {
    case 'DefineTriggerRule': {
      assertValidDefinition(command.data);
      if (state.definition) {
        if (sameDefinition(state.definition, command.data)) return [];
        throw new DomainRuleViolation('trigger-rule-exists', `trigger rule ${command.data.ruleId} exists with another definition`);
      }
      return [
        {
          type: 'TriggerRuleDefined',
          data: { ...definitionOf(command.data), ruleId: command.data.ruleId, definedAt: command.data.definedAt, definedBy: command.data.definedBy },
        },
      ];
    }
    case 'ReviseTriggerRule': {
      const current = existing(state, command.data.ruleId);
      assertValidDefinition(command.data);
      if (current.on !== command.data.on)
        throw new DomainRuleViolation('trigger-on-fixed', `the rule reacts to ${current.on}; define another rule for ${command.data.on}`);
      if (sameDefinition(current, command.data)) return [];
      return [
        {
          type: 'TriggerRuleRevised',
          data: { ...definitionOf(command.data), ruleId: command.data.ruleId, revisedAt: command.data.revisedAt, revisedBy: command.data.revisedBy },
        },
      ];
    }
    case 'DisableTriggerRule':
      existing(state, command.data.ruleId);
      return state.enabled ? [{ type: 'TriggerRuleDisabled', data: command.data }] : [];
    case 'EnableTriggerRule':
      existing(state, command.data.ruleId);
      return state.enabled ? [] : [{ type: 'TriggerRuleEnabled', data: command.data }];
  }
}

function existing(state: TriggerRuleState, ruleId: string): TriggerRuleDefinition {
  if (!state.definition) throw new NotFoundError(`trigger rule ${ruleId} not found`);
  return state.definition;
}

export const triggerRuleDecider: Decider<TriggerRuleState, TriggerRuleCommand, TriggerRuleEvent> = {
  decide: decideTriggerRule,
  evolve: evolveTriggerRule,
  initialState: noTriggerRule,
};
