import type { Clock } from '@crm/kernel';
import { triggerDecisionEventId, type MarketingTriggerFiredData } from '@crm/marketing-triggers';
import { describeError, TickLoop } from '@crm/relationship-api';
import type { TriggerCommands, DueTimer } from './trigger-commands';
import type { TriggerActions } from './trigger-actions';

export interface TriggerTimerOptions {
  /** How often it looks for due timers, in real time; default 1,000 ms. 0: only when `tick()` is called. */
  intervalMs?: number;
  /** Timers looked at per tick; default 100 (the rest on the next tick, earliest first). */
  batchSize?: number;
  logger?: { warn(message: string): void };
}

/** What one tick recorded: the decisions this timer appended (not those another one had appended first). */
export interface TriggerTimerTick {
  at: string;
  looked: number;
  recorded: { timerId: string; customerId: string; ruleId: string; type: string; reason?: string }[];
  failed: { timerId: string; error: string }[];
}

/**
 * The durable trigger timer (issue 13 §4). It keeps no state of its own: which timers are due it
 * reads from the due-timers table (`marketing.trigger-timers`, written in the same transaction as
 * the projection's checkpoint), so a restart finds on its first tick what fell due while it was
 * down. Each timer is decided on the store (`TriggerCommands.decide`) and appended expecting the
 * revision read under an id derived from the timer: two timers (two instances), a stale read model
 * or a repeat after a crash record each decision once, and only the timer whose append recorded a
 * firing asks for its offer.
 */
export class TriggerTimer {
  private readonly loop: TickLoop<TriggerTimerTick>;

  constructor(
    private readonly triggers: TriggerCommands,
    private readonly actions: TriggerActions,
    /** Timers due at `now` (next look at or before it), earliest first. */
    private readonly due: (now: Date, limit: number) => Promise<DueTimer[]>,
    private readonly clock: Clock,
    private readonly options: TriggerTimerOptions = {},
  ) {
    this.loop = new TickLoop('trigger timer', () => this.tickNow(), options);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Decides what is due now. One tick at a time per timer: a call during a tick runs after it. */
  tick(): Promise<TriggerTimerTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<TriggerTimerTick> {
    const at = this.clock.now();
    const timers = await this.due(at, this.options.batchSize ?? 100);
    const tick: TriggerTimerTick = { at: at.toISOString(), looked: timers.length, recorded: [], failed: [] };
    for (const timer of timers) {
      try {
        const { events, appended } = await this.triggers.decide(timer);
        if (!appended) continue;
        for (const e of events) {
          tick.recorded.push({
            timerId: timer.timerId,
            customerId: timer.customerId,
            ruleId: timer.ruleId,
            type: e.type,
            ...(e.type === 'MarketingTriggerSkipped' && { reason: e.data.reason }),
          });
          if (e.type === 'MarketingTriggerFired') await this.offer(timer, e.data);
        }
      } catch (error) {
        // One timer's trouble does not hold up the others; it is looked at again on the next tick.
        tick.failed.push({ timerId: timer.timerId, error: describeError(error) });
        this.options.logger?.warn(`trigger timer: timer ${timer.timerId} failed (${describeError(error)}); trying again on the next tick`);
      }
    }
    return tick;
  }

  private async offer(timer: DueTimer, fired: MarketingTriggerFiredData): Promise<void> {
    try {
      await this.actions.offer({ ...fired, eventId: triggerDecisionEventId(timer.timerId, 'decided') });
    } catch (error) {
      // The firing is recorded; the offer is the campaign's to make good (it may follow MarketingTriggerFired).
      this.options.logger?.warn(`trigger timer: the offer of firing ${timer.timerId} failed (${describeError(error)})`);
    }
  }
}
