import { randomUUID } from 'node:crypto';
import { CommandHandler, loadState, type EventStore } from '@crm/event-store';
import { COMPANY_WIDE_VISIBILITY, CUSTOMER_VALUE_TIERS, uuidV5, type CustomerValueTier } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import {
  businessCalendarDecider,
  businessCalendarStream,
  caseServiceLevelDecider,
  caseServiceLevelStream,
  DEFAULT_VALUE_TIER,
  dueNotices,
  escalationOf,
  evolveCaseFacts,
  matchPolicy,
  noticeKey,
  SERVICE_LEVEL_POLICIES_STREAM,
  serviceLevelPoliciesDecider,
  slaClock,
  TWENTY_FOUR_SEVEN,
  type BusinessCalendar,
  type CaseFacts,
  type CaseServiceLevelEvent,
  type EscalationOutcome,
  type EscalationRule,
  type MetricClock,
  type ServiceLevelPolicy,
  type SlaMetric,
} from '@crm/service-levels';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandSettings } from '../application/command-options';

const SLA_NAMESPACE = '7d2b6c1a-0f4e-4c39-9b8e-5a1d3e7f2c64';

/** The id of a timer's notice: one per case, metric, cycle and kind (and escalation rule), whoever appends it and however often. */
export const slaNoticeId = (episodeId: string, e: CaseServiceLevelEvent): string => {
  const d = e.data as { metric: string; cycle: number; ruleId?: string };
  // The act of an escalation has its own id: sharing the escalation's would make its append look
  // like a repeat of the escalation, and the store would silently keep nothing.
  const kind =
    e.type === 'CaseSlaWarning'
      ? 'warning'
      : e.type === 'CaseSlaBreached'
        ? 'breach'
        : e.type === 'CaseEscalationActed'
          ? `escalation-acted/${d.ruleId}`
          : `escalation/${d.ruleId}`;
  return uuidV5(`caseservicelevel/${episodeId}/${d.metric}/${d.cycle}/${kind}`, SLA_NAMESPACE);
};

/** What the SLA timer is recorded as. */
export const SLA_TIMER_ACTOR = { type: 'system' as const, id: 'sla-timer' };
/** What the SLA escalation executor is recorded as. */
export const SLA_ESCALATION_ACTOR = { type: 'system' as const, id: 'sla-escalation' };

/** One escalation of a case: which rule, metric and cycle (what `CaseEscalated` names it by). */
export interface EscalationRef {
  episodeId: string;
  ruleId: string;
  metric: string;
  cycle: number;
}

export interface PoliciesView {
  policies: ServiceLevelPolicy[];
  escalations: EscalationRule[];
  /** The stream revision (ETag); undefined before the first set. */
  revision: bigint | undefined;
}

export interface CalendarView {
  calendar: BusinessCalendar & { name: string };
  builtIn: boolean;
  revision: bigint | undefined;
}

/** A case's clocks as the store says now. */
export interface CaseServiceLevels {
  episodeId: string;
  customerId: string;
  tier: CustomerValueTier;
  /** True when the tier is the default (analytics has not scored the customer). */
  defaultTier: boolean;
  priority: string;
  channel: string;
  team?: string;
  status: string;
  policyId: string;
  calendarId: string;
  clocks: (MetricClock & { warned: boolean; breachRecorded: boolean })[];
}

/**
 * Service levels (issue 12 §4): the policies and escalation rules, the business calendars, and the
 * durable timer's command. Everything is decided on the store: a case's clock from its episode
 * stream, the customer's tier from `customervalue-<id>`, the notices already recorded from
 * `caseservicelevel-<id>` — the read model only tells the timer which cases to look at.
 */
export class ServiceLevelCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly policiesHandler = new CommandHandler(this.store, serviceLevelPoliciesDecider, { retries: this.settings.retries });
  private readonly calendarHandler = new CommandHandler(this.store, businessCalendarDecider, { retries: this.settings.retries });
  private readonly noticeHandler = new CommandHandler(this.store, caseServiceLevelDecider, { retries: this.settings.retries });

  async policies(): Promise<PoliciesView> {
    const { state, revision } = await this.policiesHandler.load(SERVICE_LEVEL_POLICIES_STREAM);
    return { ...state, revision };
  }

  /** Replaces the policies and escalation rules; `expectedRevision` (If-Match) is the stream revision. Each policy's calendar must exist. */
  async setPolicies(
    principal: StaffPrincipal,
    input: { policies: ServiceLevelPolicy[]; escalations: EscalationRule[] },
    options: CommandOptions = {},
  ): Promise<PoliciesView> {
    const calendars = new Set<string>([TWENTY_FOUR_SEVEN.calendarId]);
    for (const id of new Set(input.policies.map((p) => p.calendarId)))
      if ((await this.calendarHandler.load(businessCalendarStream(id))).state) calendars.add(id);
    const r = await this.policiesHandler.handle(
      SERVICE_LEVEL_POLICIES_STREAM,
      { type: 'SetServiceLevelPolicies', data: { ...input, setAt: this.now(), setBy: principal.subject, calendarExists: (id) => calendars.has(id) } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { ...r.state, revision: r.revision };
  }

  /** A calendar; `24x7` is built in; 404 for one never set. */
  async calendar(calendarId: string): Promise<CalendarView> {
    if (calendarId === TWENTY_FOUR_SEVEN.calendarId) return { calendar: { ...TWENTY_FOUR_SEVEN, name: 'Round the clock' }, builtIn: true, revision: undefined };
    const { state, revision } = await this.calendarHandler.load(businessCalendarStream(calendarId));
    if (!state) throw new NotFoundError(`calendar ${calendarId} not found`);
    return { calendar: state, builtIn: false, revision };
  }

  /** Creates or replaces a calendar; `expectedRevision` (If-Match) is its stream revision. */
  async setCalendar(principal: StaffPrincipal, calendar: BusinessCalendar & { name: string }, options: CommandOptions = {}): Promise<CalendarView> {
    const r = await this.calendarHandler.handle(
      businessCalendarStream(calendar.calendarId),
      { type: 'SetBusinessCalendar', data: { ...calendar, setAt: this.now(), setBy: principal.subject } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { calendar: r.state!, builtIn: false, revision: r.revision };
  }

  /** The clocks of a case at the clock's now; 404 for an episode that is not a company's case. */
  async caseServiceLevels(episodeId: string): Promise<CaseServiceLevels> {
    const facts = await this.caseFacts(episodeId);
    if (!facts) throw new NotFoundError(`case ${episodeId} not found`);
    const { recorded } = (await loadState(this.store, caseServiceLevelStream(episodeId), caseServiceLevelDecider)).state;
    const { tier, defaultTier, policy, calendar, clocks } = await this.clocksOf(facts);
    return {
      episodeId,
      customerId: facts.customerId,
      tier,
      defaultTier,
      priority: facts.priority,
      channel: facts.channel,
      ...(facts.team && { team: facts.team }),
      status: facts.status,
      policyId: policy.policyId,
      calendarId: calendar.calendarId,
      clocks: clocks.map((c) => ({
        ...c,
        warned: recorded.has(noticeKey({ ...c, kind: 'warning' })),
        breachRecorded: recorded.has(noticeKey({ ...c, kind: 'breach' })),
      })),
    };
  }

  /**
   * The timer's command: records the warnings and breaches of the case due at the clock's now and not
   * recorded yet, with the escalations a breach sets off — decided on the case's own streams and
   * appended expecting the revision read, under ids derived from case, metric, cycle and kind: two
   * timers at once, a tick after a stale read model, or a repeat after a crash store each once.
   * `appended` is false when there was nothing to record or someone else had recorded it.
   */
  async recordDue(episodeId: string): Promise<{ events: CaseServiceLevelEvent[]; appended: boolean }> {
    const facts = await this.caseFacts(episodeId);
    if (!facts) return { events: [], appended: false };
    const now = this.settings.clock.now();
    const { tier, policy, clocks, escalations } = await this.clocksOf(facts, now);
    const targets = new Map(clocks.map((c) => [`${c.metric}/${c.cycle}`, c.targetMinutes]));
    const r = await this.noticeHandler.handle(
      caseServiceLevelStream(episodeId),
      (state) => ({
        type: 'RecordDueNotices',
        data: {
          episodeId,
          customerId: facts.customerId,
          tier,
          ...(facts.team && { team: facts.team }),
          policyId: policy.policyId,
          warningPercent: policy.warningPercent,
          notices: dueNotices(clocks, state.recorded, now).map((n) => ({ ...n, targetMinutes: targets.get(`${n.metric}/${n.cycle}`)! })),
          escalations,
          at: now.toISOString(),
        },
      }),
      { correlationId: randomUUID(), actor: SLA_TIMER_ACTOR, occurredAt: now.toISOString(), visibility: COMPANY_WIDE_VISIBILITY },
      { eventId: (e) => slaNoticeId(episodeId, e) },
    );
    return { events: r.events, appended: r.appended };
  }

  /**
   * Whether the act of the escalation is recorded on the store (`CaseEscalationActed` on
   * `caseservicelevel-<id>`): the executor asks before acting, so neither an inbox rebuilt from the
   * events nor a projection that has not yet applied the act makes it act twice.
   */
  async escalationActed(ref: EscalationRef): Promise<boolean> {
    const { state } = await this.noticeHandler.load(caseServiceLevelStream(ref.episodeId));
    return state.acted.has(escalationOf(ref));
  }

  /**
   * The executor's command: records `CaseEscalationActed` for an escalation on the case's stream,
   * once (decided on the stream: an act already recorded records nothing; appended expecting the
   * revision read, under an id derived from case, rule, metric and cycle — two executors or a retry
   * store it once). `appended` is false when it was recorded before. An escalation the case never
   * had is a DomainRuleViolation.
   */
  async recordEscalationActed(
    ref: EscalationRef,
    act: { outcome: EscalationOutcome; detail?: string },
  ): Promise<{ events: CaseServiceLevelEvent[]; appended: boolean }> {
    const now = this.settings.clock.now();
    const r = await this.noticeHandler.handle(
      caseServiceLevelStream(ref.episodeId),
      {
        type: 'RecordEscalationActed',
        data: {
          ruleId: ref.ruleId,
          metric: ref.metric as SlaMetric,
          cycle: ref.cycle,
          outcome: act.outcome,
          ...(act.detail !== undefined && { detail: act.detail }),
          at: now.toISOString(),
        },
      },
      { correlationId: randomUUID(), actor: SLA_ESCALATION_ACTOR, occurredAt: now.toISOString(), visibility: COMPANY_WIDE_VISIBILITY },
      { eventId: (e) => slaNoticeId(ref.episodeId, e) },
    );
    return { events: r.events, appended: r.appended };
  }

  /** The case's facts from its episode stream; undefined for an episode that is not a case of the company. */
  private async caseFacts(episodeId: string): Promise<CaseFacts | undefined> {
    let facts: CaseFacts | undefined;
    let companyOwned = false;
    for (let from = 0n; ;) {
      const page = await this.store.readStream(`episode-${episodeId}`, { fromRevision: from, maxCount: 1000 });
      for (const e of page) {
        if (e.type === 'EpisodeOpened') companyOwned = (e.data as { owner?: { kind?: string } }).owner?.kind !== 'partner';
        facts = evolveCaseFacts(facts, e);
      }
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    return companyOwned ? facts : undefined;
  }

  private async clocksOf(facts: CaseFacts, now = this.settings.clock.now()) {
    const { tier, defaultTier } = await this.tierOf(facts.customerId);
    const { policies, escalations } = (await this.policiesHandler.load(SERVICE_LEVEL_POLICIES_STREAM)).state;
    const policy = matchPolicy(policies, { tier, priority: facts.priority, channel: facts.channel });
    // A calendar that disappeared cannot happen (calendars are never deleted); 24x7 is the safe reading.
    const calendar =
      policy.calendarId === TWENTY_FOUR_SEVEN.calendarId
        ? TWENTY_FOUR_SEVEN
        : ((await this.calendarHandler.load(businessCalendarStream(policy.calendarId))).state ?? TWENTY_FOUR_SEVEN);
    return { tier, defaultTier, policy, calendar, escalations, clocks: slaClock(facts, policy, calendar, now) };
  }

  /** The customer's value tier as analytics last recorded it (`customervalue-<id>`), else the default tier. */
  private async tierOf(customerId: string): Promise<{ tier: CustomerValueTier; defaultTier: boolean }> {
    const events = await this.store.readStream(`customervalue-${customerId}`, { direction: 'backwards', maxCount: 1 });
    const tier = (events[0]?.data as { tier?: string } | undefined)?.tier;
    return tier && (CUSTOMER_VALUE_TIERS as readonly string[]).includes(tier)
      ? { tier: tier as CustomerValueTier, defaultTier: false }
      : { tier: DEFAULT_VALUE_TIER, defaultTier: true };
  }

  private metadata(principal: StaffPrincipal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
