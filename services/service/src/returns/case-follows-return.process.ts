import { CommandHandler, type EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { DomainRuleViolation, episodeDecider, episodeStream, OPEN_CASE_STATUSES, returnRepairDecider } from '@crm/relationship';
import { TickLoop, type CaseCommands, type EpisodeCommands, type SystemActor } from '@crm/relationship-api';
import type { FollowUp } from './return-list.projection';

/** Who the case's moves are recorded as. */
export const RETURNS_ACTOR: SystemActor = { kind: 'system', id: 'returns' };

/** The process's view of its to-do list (the returns read model's work table) and of the case's returns. */
export interface FollowUpSource {
  /** To-dos that fell due by `now`, oldest first. */
  due(now: Date, limit: number): Promise<FollowUp[]>;
  /** Removes a to-do done (or found to need nothing). */
  done(key: string): Promise<void>;
  /** How many returns of the case are still open (the read model). */
  openReturnsOfCase(caseId: string): Promise<number>;
}

export interface FollowReport {
  /** To-dos looked at. */
  looked: number;
  /** Cases moved to waiting-on-partner. */
  waiting: number;
  /** Cases resolved. */
  resolved: number;
}

/**
 * The case follows its return (issue 12 §5): when a repair is given to a provider, the open case it
 * came from waits on that partner (the reason names the RMA and the provider); when a return closes
 * resolved (the item delivered back) and none of the case's returns is open any more, the case is
 * resolved (the reason names the RMA). Driven by the to-dos the returns projection writes in the same
 * transaction as the return's row, so nothing is lost across restarts; each to-do is judged on the
 * case and the return as their streams have them now, so doing one again (after a crash, or after
 * the read model was rebuilt) changes nothing: a case already waiting on the repair, or already
 * resolved, is left alone, and a case someone moved on since is not moved back.
 */
export class CaseFollowsReturn {
  private readonly cases = new CommandHandler(this.store, episodeDecider);
  private readonly returns = new CommandHandler(this.store, returnRepairDecider);
  readonly loop: TickLoop<FollowReport>;

  constructor(
    private readonly store: EventStore,
    private readonly caseCommands: CaseCommands,
    private readonly episodes: EpisodeCommands,
    private readonly followUps: FollowUpSource,
    private readonly clock: Clock,
    options: { intervalMs?: number; logger?: { warn(message: string): void } } = {},
  ) {
    this.loop = new TickLoop('case-follows-return', () => this.tickNow(), options);
    this.logger = options.logger;
  }

  private readonly logger?: { warn(message: string): void };

  start(): void {
    this.loop.start();
  }
  stop(): Promise<void> {
    return this.loop.stop();
  }
  /** One pass over the to-dos due now (tests call it on their clock). */
  tick(): Promise<FollowReport> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<FollowReport> {
    const report: FollowReport = { looked: 0, waiting: 0, resolved: 0 };
    for (const f of await this.followUps.due(this.clock.now(), 100)) {
      report.looked++;
      try {
        const did = f.kind === 'repair-assigned' ? await this.waitOnPartner(f) : await this.resolveCase(f);
        if (did) report[f.kind === 'repair-assigned' ? 'waiting' : 'resolved']++;
      } catch (error) {
        // A rule the case breaks now (closed meanwhile…) leaves nothing to do; anything else (a
        // concurrent change, the database) is tried again at the next tick.
        if (!(error instanceof DomainRuleViolation)) throw error;
        this.logger?.warn(`case-follows-return: ${f.key} needs nothing (${error.rule})`);
      }
      await this.followUps.done(f.key);
    }
    return report;
  }

  private async waitOnPartner(f: FollowUp): Promise<boolean> {
    const { state: r } = await this.returns.load(episodeStream(f.returnId));
    // The repair must still be with that provider, and the return open.
    if (!r || r.closed || r.repair?.partnerId !== f.partnerId) return false;
    const { state: c, revision } = await this.cases.load(episodeStream(f.caseId));
    if (!c?.case || c.closed || !OPEN_CASE_STATUSES.includes(c.case.status)) return false;
    const reason = `repair of ${r.authorisation?.rmaNumber ?? f.returnId} with service provider ${f.partnerId}`;
    // Moved there for this repair once already (and someone moved it on since): not again.
    if (c.case.status === 'waiting-on-partner' || c.case.statusHistory.some((v) => v.status === 'waiting-on-partner' && v.reason === reason)) return false;
    await this.caseCommands.changeStatus(RETURNS_ACTOR, f.caseId, { status: 'waiting-on-partner', reason }, { expectedRevision: revision });
    return true;
  }

  private async resolveCase(f: FollowUp): Promise<boolean> {
    if (f.outcome !== 'resolved') return false;
    const { state: c, revision } = await this.cases.load(episodeStream(f.caseId));
    if (!c?.case || c.closed) return false;
    if ((await this.followUps.openReturnsOfCase(f.caseId)) > 0) return false; // the last one to close resolves it
    const { state: r } = await this.returns.load(episodeStream(f.returnId));
    const rma = r?.authorisation?.rmaNumber ?? f.returnId;
    await this.episodes.closeAsSystem(
      RETURNS_ACTOR,
      f.caseId,
      { outcome: 'resolved', reason: `the item of return ${rma} was delivered back to the customer` },
      { expectedRevision: revision },
    );
    return true;
  }
}
