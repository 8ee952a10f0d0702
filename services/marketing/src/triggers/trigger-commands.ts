import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import {
  triggerDecisionEventId,
  triggerFiringsDecider,
  triggerFiringsStream,
  triggerRuleDecider,
  triggerRuleStream,
  type DecideTriggerCommand,
  type TriggerCause,
  type TriggerFacts,
  type TriggerFiringEvent,
  type TriggerFiringState,
  type TriggerRuleCommand,
  type TriggerRuleDefinition,
  type TriggerRuleEvent,
  type TriggerRuleState,
} from '@crm/marketing-triggers';
import { metadataFor, NotFoundError, WRITE_STORE, type CommandOptions } from '@crm/relationship-api';
import { CLOCK, HttpProblem, ProblemTypes, type Principal } from '@crm/service-kit';

/** Who defines and changes trigger rules, and reads their firings. */
export const TRIGGER_DEPARTMENTS = ['marketing', 'management'] as const;

/** Trigger rules and firings are the company's: no partner sees them, whatever is shared. */
const COMPANY_ONLY = { departments: '*' as const, partners: [] as string[] };
/** The system actor the timer records its decisions as. */
export const TRIGGER_TIMER_ACTOR = { type: 'system' as const, id: 'trigger-timer' };

export interface TriggerRuleView extends TriggerRuleDefinition {
  ruleId: string;
  enabled: boolean;
  /** The rule stream's revision (the ETag). */
  revision: string;
  definedAt: string;
  updatedAt: string;
}

/** One timer to decide, as the due-timers table holds it. */
export interface DueTimer {
  timerId: string;
  customerId: string;
  ruleId: string;
  cause: TriggerCause;
  facts: TriggerFacts;
  dueAt: string;
}

/**
 * Trigger rules and their firings (issue 13 §4), the one way to command them: a rule command loads
 * `triggerrule-<id>` once, checks the caller, judges If-Match (412 before any rule), decides,
 * appends. A due timer is decided on the store — the rule as it stands, the customer's firings on
 * `triggerfirings-<customerId>` — and its event appended expecting the revision read, under an id
 * derived from the timer: two ticks, two instances or a restart record each decision once.
 */
@Injectable()
export class TriggerCommands {
  private readonly rules: CommandHandler<TriggerRuleState, TriggerRuleCommand, TriggerRuleEvent>;
  private readonly firings: CommandHandler<TriggerFiringState, DecideTriggerCommand, TriggerFiringEvent>;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.rules = new CommandHandler(store, triggerRuleDecider, { retries: 2 });
    this.firings = new CommandHandler(store, triggerFiringsDecider, { retries: 2 });
  }

  async define(
    principal: Principal,
    input: TriggerRuleDefinition & { ruleId?: string },
    options: CommandOptions = {},
  ): Promise<{ ruleId: string; created: boolean }> {
    const by = assertManager(principal);
    const { ruleId = randomUUID(), ...definition } = input;
    const r = await this.rules.handle(
      triggerRuleStream(ruleId),
      { type: 'DefineTriggerRule', data: { ...definition, ruleId, definedAt: this.now(), definedBy: by } },
      metadataFor(principal, this.clock, COMPANY_ONLY, options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { ruleId, created: r.appended };
  }

  async revise(principal: Principal, ruleId: string, definition: TriggerRuleDefinition, options: CommandOptions = {}): Promise<void> {
    const by = assertManager(principal);
    await this.rules.handle(
      triggerRuleStream(ruleId),
      { type: 'ReviseTriggerRule', data: { ...definition, ruleId, revisedAt: this.now(), revisedBy: by } },
      metadataFor(principal, this.clock, COMPANY_ONLY, options.correlationId),
      { expectedRevision: options.expectedRevision, check: exists(ruleId) },
    );
  }

  async setEnabled(principal: Principal, ruleId: string, enabled: boolean, options: CommandOptions = {}): Promise<void> {
    const by = assertManager(principal);
    const at = this.now();
    await this.rules.handle(
      triggerRuleStream(ruleId),
      enabled
        ? { type: 'EnableTriggerRule', data: { ruleId, enabledAt: at, enabledBy: by } }
        : { type: 'DisableTriggerRule', data: { ruleId, disabledAt: at, disabledBy: by } },
      metadataFor(principal, this.clock, COMPANY_ONLY, options.correlationId),
      { expectedRevision: options.expectedRevision, check: exists(ruleId) },
    );
  }

  async rule(principal: Principal, ruleId: string): Promise<TriggerRuleView> {
    assertReader(principal);
    const { state, revision } = await this.rules.load(triggerRuleStream(ruleId));
    if (!state.definition || revision === undefined) throw new NotFoundError(`trigger rule ${ruleId} not found`);
    return { ruleId, ...state.definition, enabled: state.enabled, revision: String(revision), definedAt: state.definedAt!, updatedAt: state.updatedAt! };
  }

  /**
   * The timer's command: decides one due timer now and records what it decided (scheduled, fired,
   * skipped), once. `appended` is false when nothing new was recorded (decided or scheduled before,
   * or by another instance first). The rule is read from its stream, not from the read model, so a
   * rule disabled or revised a moment ago is judged as it stands.
   */
  async decide(timer: DueTimer): Promise<{ events: TriggerFiringEvent[]; appended: boolean }> {
    const { state: rule, revision } = await this.rules.load(triggerRuleStream(timer.ruleId));
    if (!rule.definition || revision === undefined) return { events: [], appended: false };
    const now = this.clock.now().toISOString();
    const r = await this.firings.handle(
      triggerFiringsStream(timer.customerId),
      {
        type: 'DecideTrigger',
        data: {
          customerId: timer.customerId,
          rule: { ruleId: timer.ruleId, revision: Number(revision), enabled: rule.enabled, definition: rule.definition },
          timerId: timer.timerId,
          cause: timer.cause,
          facts: timer.facts,
          dueAt: timer.dueAt,
          now,
        },
      },
      { correlationId: randomUUID(), actor: TRIGGER_TIMER_ACTOR, occurredAt: now, visibility: COMPANY_ONLY },
      { eventId: (e) => triggerDecisionEventId(timer.timerId, e.type === 'MarketingTriggerScheduled' ? 'scheduled' : 'decided') },
    );
    return { events: r.events, appended: r.appended };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

const exists = (ruleId: string) => (state: TriggerRuleState) => {
  if (!state.definition) throw new NotFoundError(`trigger rule ${ruleId} not found`);
};

/** Staff of marketing or management (the routes say so too; a command called from elsewhere is held to it). */
function assertReader(principal: Principal): string {
  if (principal.kind !== 'staff' || !(TRIGGER_DEPARTMENTS as readonly string[]).includes(principal.department))
    throw new HttpProblem(403, `trigger rules are for staff of ${TRIGGER_DEPARTMENTS.join(' and ')}`, { type: ProblemTypes.forbidden });
  return principal.subject;
}
const assertManager = assertReader;
