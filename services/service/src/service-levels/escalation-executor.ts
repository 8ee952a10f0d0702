import { createHash } from 'node:crypto';
import type { ProcessLease } from '@crm/platform';
import type { Clock } from '@crm/kernel';
import { describeError, TickLoop } from '@crm/relationship-api';
import type { EscalationOutcome } from '@crm/service-levels';
import type { EmailSender } from '../channels/email/email-sender';

/** One `CaseEscalated` whose act is not recorded yet (from the executor's inbox). */
export interface PendingEscalation {
  key: string;
  episodeId: string;
  customerId: string;
  ruleId: string;
  metric: string;
  cycle: number;
  action: 'reassign' | 'notify';
  team?: string;
  notify?: string;
  escalatedAt: string;
  /** The breached clock's due time (from the SLA read model), when known. */
  dueAt?: string;
  attempts: number;
}

/** What the executor did with an escalation: `CaseEscalationActed`'s outcome and detail. */
export interface EscalationAct {
  outcome: EscalationOutcome;
  /** Why (a skip's case status, a failure's error); never an address. */
  detail?: string;
}

/**
 * Where the pending escalations are (a projection of `CaseEscalated` and `CaseEscalationActed`) and
 * where the executor records what it did (`CaseEscalationActed` on the store, which settles the row).
 */
export interface EscalationInbox {
  pending(limit: number): Promise<PendingEscalation[]>;
  /** Whether its act is on the store already (the inbox behind, or rebuilt): then it is not acted on again. */
  acted(e: PendingEscalation): Promise<boolean>;
  /** Records the act (`CaseEscalationActed`), once however often called. */
  record(e: PendingEscalation, act: EscalationAct): Promise<void>;
  /** Counts a failed attempt (the executor gives up after `maxAttempts`). */
  failed(key: string, error: string): Promise<void>;
}

/** What the executor needs of the case: its status, and moving it to a team (through `CaseCommands`). */
export interface EscalationCases {
  /** The case's status; undefined: no such case (of the company). */
  status(episodeId: string): Promise<string | undefined>;
  /** Records the team change; a case already in the team records nothing. */
  moveToTeam(episodeId: string, team: string, reason: string): Promise<void>;
}

export interface EscalationExecutorOptions {
  /**
   * Held by one executor of all the service's instances at a time (`Platform.processLease`): two
   * would each act on the same pending escalation and mail it twice. Absent: this one is the only one.
   */
  lease?: ProcessLease;
  /** Real-time interval; 0: only on `tick()`. */
  intervalMs?: number;
  batchSize?: number;
  /** `CRM_MAIL_FROM`. */
  from: string;
  /** `CRM_ESCALATION_NOTIFY_DOMAIN`: a user id `u` is mailed at `u@<domain>`; absent: user ids are not deliverable. */
  notifyDomain?: string;
  /** Failed sends/moves before it is given up (recorded `failed`); default 8. */
  maxAttempts?: number;
  logger?: { log(message: string): void; warn(message: string): void };
}

export interface EscalationTick {
  at: string;
  /** The acts this tick recorded (given up ones as `failed`). */
  settled: ({ key: string } & EscalationAct)[];
  failed: { key: string; error: string }[];
}

const CLOSED = ['resolved', 'closed'];

/**
 * Carries out each `CaseEscalated` once, on the injected clock (issue 12 §4).
 *
 * - `reassign`: the case goes to the rule's team's queue (`UnassignCase` with the team, actor
 *   `system` `sla-escalation`, the reason naming rule, metric and cycle): the team changes and, if
 *   an agent holds the case, the agent lets go of it (`CaseUnassigned`, status back to `new`), so it
 *   waits in the new team's queue and the router offers it to that team's agents. A case in the
 *   rule's team already: nothing. A resolved or closed case: nothing (recorded
 *   `skipped`, detail `case <status>`, logged).
 * - `notify`: an e-mail to the address (a value with `@`) or to `<user id>@CRM_ESCALATION_NOTIFY_DOMAIN`;
 *   without the setting a user id is recorded `undeliverable` (logged once, never retried).
 *
 * Exactly once in effect, and as history: after acting, the executor records `CaseEscalationActed`
 * on the store (`ServiceLevelCommands.recordEscalationActed`, once per escalation), and that event
 * settles the inbox row — so a rebuild of the inbox, which replays both events, ends with every
 * acted escalation settled. Before acting it asks the store whether the act is recorded (the inbox
 * may be behind it or being rebuilt). A failure counts an attempt; given up after `maxAttempts`, it
 * is recorded `failed`. When the act succeeded but recording it failed (the store down), the
 * executor keeps the outcome in memory and records it on the next tick without acting again. A
 * crash between acting and recording acts again on restart (nothing on the store says it acted):
 * the team change then records nothing (same team), and the mail goes out again with the same,
 * deterministic Message-ID (so a mail server or client that de-duplicates on it shows it once).
 */
export class EscalationExecutor {
  private readonly loop: TickLoop<EscalationTick>;
  /** Acts done whose recording failed: recorded on the next tick instead of acting again. */
  private readonly unrecorded = new Map<string, EscalationAct>();

  constructor(
    private readonly inbox: EscalationInbox,
    private readonly cases: EscalationCases,
    private readonly sender: EmailSender,
    private readonly clock: Clock,
    private readonly options: EscalationExecutorOptions,
  ) {
    this.loop = new TickLoop('SLA escalation executor', () => this.tickNow(), options);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  tick(): Promise<EscalationTick> {
    return this.loop.tick();
  }

  /** Lets another instance take the executor over (on shutdown). */
  async releaseLease(): Promise<void> {
    await this.options.lease?.release();
  }

  private async tickNow(): Promise<EscalationTick> {
    const now = this.clock.now();
    const tick: EscalationTick = { at: now.toISOString(), settled: [], failed: [] };
    if (this.options.lease && !(await this.options.lease.hold())) return tick; // another instance acts
    for (const e of await this.inbox.pending(this.options.batchSize ?? 100)) {
      let act = this.unrecorded.get(e.key);
      try {
        if (!act) {
          if (await this.inbox.acted(e)) continue; // recorded; the inbox has not applied it yet
          act = await this.act(e, now);
          this.unrecorded.set(e.key, act);
        }
        await this.inbox.record(e, act);
        this.unrecorded.delete(e.key);
        tick.settled.push({ key: e.key, ...act });
      } catch (error) {
        const message = describeError(error);
        tick.failed.push({ key: e.key, error: message });
        if (act) {
          // Acted, not recorded: recorded on the next tick, never acted on again by this executor.
          this.options.logger?.warn(`SLA escalation ${e.key}: acted (${act.outcome}) but recording it failed (${message}); recording it on the next tick`);
        } else if (e.attempts + 1 >= (this.options.maxAttempts ?? 8)) {
          if (await this.giveUp(e, message)) tick.settled.push({ key: e.key, outcome: 'failed', detail: message });
        } else {
          await this.inbox.failed(e.key, message);
          this.options.logger?.warn(`SLA escalation ${e.key}: failed (${message}); trying again on the next tick`);
        }
      }
    }
    return tick;
  }

  /** Recorded `failed` (true); when even that fails, counted and logged (given up again on the next tick). */
  private async giveUp(e: PendingEscalation, message: string): Promise<boolean> {
    this.options.logger?.warn(`SLA escalation ${e.key}: given up after ${e.attempts + 1} attempts (${message})`);
    try {
      await this.inbox.record(e, { outcome: 'failed', detail: message });
      return true;
    } catch (error) {
      await this.inbox.failed(e.key, message);
      this.options.logger?.warn(`SLA escalation ${e.key}: recording it given up failed (${describeError(error)})`);
      return false;
    }
  }

  private async act(e: PendingEscalation, now: Date): Promise<EscalationAct> {
    const status = await this.cases.status(e.episodeId);
    if (status === undefined || CLOSED.includes(status)) {
      const detail = `case ${status ?? 'not found'}`;
      this.options.logger?.log(`SLA escalation ${e.key}: skipped (${detail}), nothing to do`);
      return { outcome: 'skipped', detail };
    }
    if (e.action === 'reassign') {
      if (!e.team) return { outcome: 'skipped', detail: 'no team' };
      await this.cases.moveToTeam(e.episodeId, e.team, `SLA escalation rule ${e.ruleId}: ${e.metric} (cycle ${e.cycle}) breached`);
      return { outcome: 'reassigned' };
    }
    const to = recipient(e.notify ?? '', this.options.notifyDomain);
    if (!to) {
      this.options.logger?.warn(`SLA escalation ${e.key}: ${e.notify} is a user id and CRM_ESCALATION_NOTIFY_DOMAIN is not set; not deliverable`);
      return { outcome: 'undeliverable', detail: 'a user id, and CRM_ESCALATION_NOTIFY_DOMAIN is not set' };
    }
    await this.sender.send(escalationMail(e, to, this.options.from, now));
    return { outcome: 'notified' };
  }
}

/** The address to notify: an e-mail address as it is, a user id at the domain, or nothing. */
export function recipient(notify: string, domain: string | undefined): string | undefined {
  if (notify.includes('@')) return notify;
  return domain && /^[a-z0-9][a-z0-9._-]*$/i.test(notify) ? `${notify}@${domain}` : undefined;
}

/** The notification: its Message-ID derived from the escalation, so a repeat is the same message. */
export function escalationMail(e: PendingEscalation, to: string, from: string, now: Date) {
  const domain = from.split('@')[1];
  const id = createHash('sha256').update(`sla-escalation\u0000${e.key}`).digest('hex').slice(0, 32);
  const late = e.dueAt ? Math.max(0, Math.round((now.getTime() - Date.parse(e.dueAt)) / 60_000)) : undefined;
  const lateness = late === undefined ? 'past its target' : `${late} minute${late === 1 ? '' : 's'} past its target (due ${e.dueAt})`;
  return {
    from,
    to,
    subject: `SLA breached: case ${e.episodeId} (${e.metric})`,
    text: [
      `Case ${e.episodeId} of customer ${e.customerId} breached its ${e.metric} target (cycle ${e.cycle}): ${lateness}.`,
      `Escalation rule: ${e.ruleId}, escalated at ${e.escalatedAt}.`,
      `Open the case: /cases/${e.episodeId}`,
    ].join('\n'),
    messageId: `<sla-escalation-${id}@${domain}>`,
    references: [],
  };
}
