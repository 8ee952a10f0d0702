import type { Clock } from '@crm/kernel';
import { describeError, TickLoop, type CustomerCommands } from '@crm/relationship-api';
import { resolveCustomerId } from '@crm/relationship-read-models';
import type { CustomerEvent } from '@crm/relationship';
import type { DataSource } from 'typeorm';
import { OrderPurchase } from '../purchases/purchase-history.entities';
import { JourneyPending, JourneySweep } from './journey-inbox.entities';
import { loadJourneyFacts } from './journey-facts.query';
import { deriveJourney } from './journey-rules';

export interface JourneyProcessOptions {
  /** How often it looks for marked customers, in real time; default 1,000 ms. 0: only when `tick()` is called. */
  intervalMs?: number;
  /** Customers per tick; default 100 (the rest on the next tick, longest waiting first). */
  batchSize?: number;
  /**
   * How often (by the clock) every customer who bought is marked, so rules that time alone makes
   * true (dissolution after a quiet year, a year of tenure) fire without a new event; default a day.
   * 0: never.
   */
  sweepEveryMs?: number;
  logger?: { warn(message: string): void };
}

export interface JourneyTick {
  /** Customers marked by a sweep in this tick (0: no sweep was due). */
  swept: number;
  looked: number;
  recorded: { customerId: string; type: CustomerEvent['type']; to: string; rule?: string }[];
  failed: { customerId: string; error: string }[];
}

/**
 * The journey process manager (issue 11 §4): analytics reacts to the events that mark a customer in
 * the journey inbox (journey-inbox.projection.ts) by deriving its journey stage and relationship
 * phase with the pure rules (journey-rules.ts) on the read models, and records them through the one
 * customer command for it, `CustomerCommands.applyDerivedJourney` — which loads the customer, lets
 * the decider drop what the automation may not do, and appends expecting the revision it read. So it
 * is idempotent: a re-delivered event marks the customer again, the derivation finds the stage
 * already reached and appends nothing; two managers (two instances) race on the revision and the
 * loser re-decides on the winner's state. A row is cleared only if no event marked it meanwhile.
 */
export class JourneyProcess {
  constructor(
    private readonly customers: CustomerCommands,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly options: JourneyProcessOptions = {},
  ) {
    this.loop = new TickLoop('journey process', () => this.tickNow(), options);
  }

  private readonly loop: TickLoop<JourneyTick>;

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Derives every marked customer (up to `batchSize`). One tick at a time: a call during a tick runs after it. */
  tick(): Promise<JourneyTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<JourneyTick> {
    const m = this.dataSource.manager;
    const swept = await this.sweepIfDue();
    const pending = m.getRepository(JourneyPending);
    const rows = await pending.find({ order: { markedAt: 'ASC', customerId: 'ASC' }, take: this.options.batchSize ?? 100 });
    const tick: JourneyTick = { swept, looked: rows.length, recorded: [], failed: [] };
    for (const row of rows) {
      try {
        const survivor = await resolveCustomerId(m, row.customerId);
        for (const e of await this.derive(survivor)) {
          const d = e.data as { to: string; rule?: string };
          tick.recorded.push({ customerId: survivor, type: e.type, to: d.to, rule: d.rule });
        }
        await pending.delete({ customerId: row.customerId, version: row.version });
      } catch (error) {
        // A customer the store does not know (a stray event) is dropped; anything else is tried again next tick.
        if ((error as Error)?.name === 'NotFoundError') await pending.delete({ customerId: row.customerId, version: row.version });
        else {
          tick.failed.push({ customerId: row.customerId, error: describeError(error) });
          // To the back of the queue: a customer that keeps failing must not take a batch's places for good.
          await pending.update({ customerId: row.customerId, version: row.version }, { markedAt: this.clock.now() }).catch(() => undefined);
        }
      }
    }
    return tick;
  }

  /**
   * Marks every customer who ever bought, once per `sweepEveryMs` by the clock (the time of the last
   * sweep is kept in `journey_sweeps`, so a restart does not sweep again). Two instances sweeping at
   * once only mark twice: each derivation is still recorded once.
   */
  private async sweepIfDue(): Promise<number> {
    const every = this.options.sweepEveryMs ?? 86_400_000;
    if (every <= 0) return 0;
    const now = this.clock.now();
    const m = this.dataSource.manager;
    const last = await m.getRepository(JourneySweep).findOneBy({ name: 'daily' });
    if (last && now.getTime() - last.sweptAt.getTime() < every) return 0;
    const pending = m.getRepository(JourneyPending).metadata.tablePath;
    const orders = m.getRepository(OrderPurchase).metadata.tablePath;
    const marked = (await m.query(
      `WITH marked AS (
         INSERT INTO ${pending} AS p (customer_id, marked_at, version) SELECT DISTINCT customer_id, $1::timestamptz, 1 FROM ${orders}
         ON CONFLICT (customer_id) DO UPDATE SET version = p.version + 1 RETURNING 1
       ) SELECT count(*)::int AS n FROM marked`,
      [now.toISOString()],
    )) as { n: number }[];
    await m.getRepository(JourneySweep).save({ name: 'daily', sweptAt: now });
    return marked[0]?.n ?? 0;
  }

  /** Derives and records; out of dissolution the first step is awareness, so a second pass may move it on. */
  private async derive(customerId: string): Promise<CustomerEvent[]> {
    const recorded: CustomerEvent[] = [];
    for (let pass = 0; pass < 2; pass++) {
      const facts = await loadJourneyFacts(this.dataSource.manager, customerId, this.clock.now());
      const { events } = await this.customers.applyDerivedJourney(customerId, (current) => deriveJourney(facts, current));
      recorded.push(...events);
      const restarted = events.some((e) => e.type === 'CustomerRelationshipPhaseChanged' && e.data.from === 'dissolution');
      if (!restarted) break;
    }
    return recorded;
  }
}
