import type { Decider } from '@crm/kernel';
import {
  decideTrigger,
  type FiringHistory,
  type SkipReason,
  type TriggerCause,
  type TriggerFacts,
  type TriggerSituation,
  type TriggerWhy,
} from './trigger-decision';
import type { TriggerAction, TriggerOn } from './trigger-rule';

/**
 * A customer's trigger firings (issue 13 §4), every rule's, on ONE stream per customer,
 * `triggerfirings-<customerId>`: the frequency cap counts the customer's firings across all rules,
 * so the count and the firing it allows must be judged on one stream and appended expecting the
 * revision read — two rules (or two instances) deciding at once cannot both pass the cap. A stream
 * per customer × rule could keep a cooldown but never a cap; one stream for all customers would make
 * every firing wait on every other.
 */

export interface MarketingTriggerScheduledData {
  customerId: string;
  ruleId: string;
  ruleRevision: number;
  on: TriggerOn;
  timerId: string;
  dueAt: string;
  cause: TriggerCause;
  scheduledAt: string;
}

export interface MarketingTriggerFiredData {
  customerId: string;
  ruleId: string;
  ruleRevision: number;
  on: TriggerOn;
  timerId: string;
  cause: TriggerCause;
  facts: TriggerFacts;
  why: TriggerWhy;
  action: TriggerAction;
  dueAt: string;
  firedAt: string;
}

export interface MarketingTriggerSkippedData {
  customerId: string;
  ruleId: string;
  ruleRevision: number;
  on: TriggerOn;
  timerId: string;
  reason: SkipReason;
  cause: TriggerCause;
  facts: TriggerFacts;
  why: TriggerWhy;
  dueAt: string;
  skippedAt: string;
}

export type TriggerFiringEvent =
  | { type: 'MarketingTriggerScheduled'; data: MarketingTriggerScheduledData }
  | { type: 'MarketingTriggerFired'; data: MarketingTriggerFiredData }
  | { type: 'MarketingTriggerSkipped'; data: MarketingTriggerSkippedData };

/** Decide one timer of one customer now (the situation names rule, cause, facts and due time). */
export interface DecideTriggerCommand {
  type: 'DecideTrigger';
  data: TriggerSituation & { customerId: string };
}

export interface TriggerFiringState extends FiringHistory {
  version: number;
}

export const triggerFiringsStream = (customerId: string) => `triggerfirings-${customerId}`;
export const noTriggerFirings: TriggerFiringState = { firings: [], decided: new Set(), scheduled: new Map(), version: 0 };

export function evolveTriggerFirings(state: TriggerFiringState, event: TriggerFiringEvent): TriggerFiringState {
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'MarketingTriggerScheduled':
      return { ...next, scheduled: new Map([...state.scheduled, [event.data.timerId, event.data.dueAt]]) };
    case 'MarketingTriggerFired':
      return {
        ...next,
        firings: [...state.firings, { ruleId: event.data.ruleId, firedAt: event.data.firedAt }],
        decided: new Set([...state.decided, event.data.timerId]),
      };
    case 'MarketingTriggerSkipped':
      return { ...next, decided: new Set([...state.decided, event.data.timerId]) };
  }
}

/** `decideTrigger` on the customer's firings, as the event that records it (none when there is nothing to record). */
export function decideTriggerFirings(command: DecideTriggerCommand, state: TriggerFiringState): TriggerFiringEvent[] {
  const s = command.data;
  const decision = decideTrigger(s, state);
  const base = { customerId: s.customerId, ruleId: s.rule.ruleId, ruleRevision: s.rule.revision, on: s.rule.definition.on, timerId: s.timerId, cause: s.cause };
  switch (decision.kind) {
    case 'nothing':
      return [];
    case 'schedule':
      return [{ type: 'MarketingTriggerScheduled', data: { ...base, dueAt: decision.dueAt, scheduledAt: s.now } }];
    case 'fire':
      return [
        {
          type: 'MarketingTriggerFired',
          data: { ...base, facts: s.facts, why: decision.why, action: s.rule.definition.action, dueAt: s.dueAt, firedAt: s.now },
        },
      ];
    case 'skip':
      return [
        { type: 'MarketingTriggerSkipped', data: { ...base, reason: decision.reason, facts: s.facts, why: decision.why, dueAt: s.dueAt, skippedAt: s.now } },
      ];
  }
}

export const triggerFiringsDecider: Decider<TriggerFiringState, DecideTriggerCommand, TriggerFiringEvent> = {
  decide: decideTriggerFirings,
  evolve: evolveTriggerFirings,
  initialState: noTriggerFirings,
};
