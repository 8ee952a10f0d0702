import type { Clock } from '@crm/kernel';
import type { CustomerCommands } from '@crm/relationship-api';
import { resolveCustomerId } from '@crm/relationship-read-models';
import type { CustomerEvent } from '@crm/relationship';
import type { DataSource } from 'typeorm';
import { JourneyPending } from './journey-inbox.entities';
import { loadJourneyFacts } from './journey-facts.query';
import { deriveJourney } from './journey-rules';

export interface JourneyProcessOptions {
  /** How often it looks for marked customers, in real time; default 1,000 ms. 0: only when `tick()` is called. */
  intervalMs?: number;
  /** Customers per tick; default 100 (the rest on the next tick, longest waiting first). */
  batchSize?: number;
  logger?: { warn(message: string): void };
}

export interface JourneyTick {
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
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly customers: CustomerCommands,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly options: JourneyProcessOptions = {},
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const interval = this.options.intervalMs ?? 1000;
    if (interval <= 0) return;
    const loop = () => {
      this.tick()
        .catch((error: unknown) => this.options.logger?.warn(`journey process: a tick failed (${describe(error)}); trying again`))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, interval);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }

  /** Derives every marked customer (up to `batchSize`). One tick at a time: a call during a tick runs after it. */
  tick(): Promise<JourneyTick> {
    const next = this.running.catch(() => undefined).then(() => this.tickNow());
    this.running = next;
    return next;
  }

  private async tickNow(): Promise<JourneyTick> {
    const m = this.dataSource.manager;
    const pending = m.getRepository(JourneyPending);
    const rows = await pending.find({ order: { markedAt: 'ASC', customerId: 'ASC' }, take: this.options.batchSize ?? 100 });
    const tick: JourneyTick = { looked: rows.length, recorded: [], failed: [] };
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
        else tick.failed.push({ customerId: row.customerId, error: describe(error) });
      }
    }
    return tick;
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
