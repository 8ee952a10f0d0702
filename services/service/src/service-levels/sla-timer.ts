import type { Clock } from '@crm/kernel';
import { describeError, TickLoop, type ServiceLevelCommands } from '@crm/relationship-api';
import type { CaseServiceLevelEvent } from '@crm/service-levels';

export interface SlaTimerOptions {
  /** How often it looks for due notices, in real time; default 1,000 ms. 0: only when `tick()` is called. */
  intervalMs?: number;
  /** Cases looked at per tick; default 100 (the rest on the next tick, longest waiting first). */
  batchSize?: number;
  logger?: { warn(message: string): void };
}

/** What one tick recorded: the notices this timer appended (not those another one had appended first). */
export interface SlaTimerTick {
  at: string;
  looked: number;
  recorded: { episodeId: string; type: CaseServiceLevelEvent['type']; metric: string; cycle: number }[];
  failed: { episodeId: string; error: string }[];
}

/**
 * The durable SLA timer: records `CaseSlaWarning`, `CaseSlaBreached` and the escalations a breach
 * sets off, when their time comes by the injected clock.
 *
 * It keeps no state of its own. Which cases have a notice due it reads from the SLA read model
 * (`next_notice_at`, written in the same transaction as the projection's checkpoint), so a restart
 * finds what fell due while it was down on its first tick. What is recorded is decided on the store
 * (`ServiceLevelCommands.recordDue`: the case's episode stream, the customer's tier, the policies,
 * the notices already on `caseservicelevel-<id>`) and appended expecting the revision read, under ids
 * derived from case, metric, cycle and kind — two timers (two instances of the service), a stale read
 * model or a repeat after a crash store each notice once.
 */
export class SlaTimer {
  private readonly loop: TickLoop<SlaTimerTick>;

  constructor(
    private readonly serviceLevels: ServiceLevelCommands,
    /** Case ids with a notice due at `now`, longest waiting first. */
    private readonly noticesDue: (now: Date, limit: number) => Promise<string[]>,
    private readonly clock: Clock,
    private readonly options: SlaTimerOptions = {},
  ) {
    this.loop = new TickLoop('SLA timer', () => this.tickNow(), options);
  }

  get intervalMs(): number {
    return this.loop.intervalMs;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Records what is due now. One tick at a time per timer: a call during a tick runs after it. */
  tick(): Promise<SlaTimerTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<SlaTimerTick> {
    const at = this.clock.now();
    const ids = await this.noticesDue(at, this.options.batchSize ?? 100);
    const tick: SlaTimerTick = { at: at.toISOString(), looked: ids.length, recorded: [], failed: [] };
    for (const episodeId of ids) {
      try {
        const { events, appended } = await this.serviceLevels.recordDue(episodeId);
        if (appended)
          for (const e of events) {
            const d = e.data as { metric: string; cycle: number };
            tick.recorded.push({ episodeId, type: e.type, metric: d.metric, cycle: d.cycle });
          }
      } catch (error) {
        // One case's trouble does not hold up the others; it is looked at again on the next tick.
        tick.failed.push({ episodeId, error: describeError(error) });
        this.options.logger?.warn(`SLA timer: case ${episodeId} failed (${describeError(error)}); trying again on the next tick`);
      }
    }
    return tick;
  }
}
