import type { Clock } from '@crm/kernel';
import type { ActivityEvent } from '@crm/relationship';
import { describeError as describe, TickLoop } from '../application/tick-loop';
import type { ActivityCommands } from './activity-commands';

export interface ActivitySchedulerOptions {
  /** How often it looks for due notices, in real time; default 1,000 ms. 0: only when `tick()` is called. */
  intervalMs?: number;
  /** Activities looked at per tick; default 100 (the rest on the next tick, longest waiting first). */
  batchSize?: number;
  logger?: { warn(message: string): void };
}

/** What one tick recorded: the notices this scheduler appended (not those another one had appended first). */
export interface ActivitySchedulerTick {
  /** When it looked (the clock's now). */
  at: string;
  /** Activities it found with a notice due. */
  looked: number;
  recorded: { activityId: string; type: ActivityEvent['type'] }[];
  failed: { activityId: string; error: string }[];
}

/**
 * The durable activity scheduler: records `ActivityReminderDue` and `ActivityDue` when their time
 * comes, by the injected clock.
 *
 * It keeps no state of its own. Which activities have a notice due it reads from the activities
 * read model (`next_notice_at`), which the projection runner writes in the same transaction as its
 * checkpoint (or dedupe records), from the events themselves — so it survives any restart: what was
 * due while it was down is found on the first tick. Whether a notice is recorded is decided by the
 * activity aggregate on the activity's own history (`ActivityCommands.notifyDue`): nothing for an
 * activity completed, cancelled or rescheduled later, nothing already recorded for its schedule. The
 * append expects the revision it read and uses an event id derived from activity, notice and
 * schedule, so two schedulers (two instances of the service), a tick that met a stale read model,
 * or a repeat after a crash between deciding and appending store each notice exactly once.
 */
export class ActivityScheduler {
  constructor(
    private readonly activities: ActivityCommands,
    /** Activity ids with a notice due at `now`, longest waiting first (`activitiesWithNoticeDue`). */
    private readonly noticesDue: (now: Date, limit: number) => Promise<string[]>,
    private readonly clock: Clock,
    private readonly options: ActivitySchedulerOptions = {},
  ) {
    this.loop = new TickLoop('activity scheduler', () => this.tickNow(), options);
  }

  private readonly loop: TickLoop<ActivitySchedulerTick>;

  /** How often it looks once started (ms; 0: only when `tick` is called). */
  get intervalMs(): number {
    return this.loop.intervalMs;
  }

  /** Starts looking every `intervalMs` (first at once). */
  start(): void {
    this.loop.start();
  }

  /** Stops looking, after the tick under way (if any). */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Records what is due now. One tick at a time per scheduler: a call during a tick runs after it. */
  tick(): Promise<ActivitySchedulerTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<ActivitySchedulerTick> {
    const at = this.clock.now();
    const ids = await this.noticesDue(at, this.options.batchSize ?? 100);
    const result: ActivitySchedulerTick = { at: at.toISOString(), looked: ids.length, recorded: [], failed: [] };
    for (const activityId of ids) {
      try {
        const { events, appended } = await this.activities.notifyDue(activityId);
        if (appended) for (const e of events) result.recorded.push({ activityId, type: e.type });
      } catch (error) {
        // One activity's trouble does not hold up the others; it is looked at again on the next tick.
        result.failed.push({ activityId, error: describe(error) });
        this.options.logger?.warn(`activity scheduler: activity ${activityId} failed (${describe(error)}); trying again on the next tick`);
      }
    }
    return result;
  }
}
