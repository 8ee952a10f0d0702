import type { EventStore } from '@crm/event-store';
import { customerDecider, customerStream, NotFoundError, type Customer, type CustomerEvent } from '@crm/relationship';

export interface CustomerChange {
  /** The customer's revision after this change (what an ETag of that moment said). */
  revision: string;
  type: string;
  /** When the store recorded it (what `asOf` reads by), and when it happened in the world. */
  recordedAt: string;
  occurredAt?: string;
  /** Who made it. */
  actor: unknown;
  data: unknown;
}

export interface CustomerChangesPage {
  changes: CustomerChange[];
  /** Pass as `after` for the next page; absent on the last page. */
  nextAfter?: string;
}

/**
 * The customer's own history, read from its stream in the event store (the source of truth, and
 * the one place that has every version): the record as it stood at an instant, and the changes one
 * by one with who made them. Episodes are not here; they are the timeline.
 */
export class CustomerHistory {
  constructor(private readonly store: EventStore) {}

  /** The record as it stood at `asOf` (by recording time); 404 if it was not registered yet. */
  async asOf(customerId: string, asOf: Date): Promise<Customer & { revision: string; asOf: string }> {
    let state = customerDecider.initialState;
    let revision: bigint | undefined;
    for (let from = 0n; ;) {
      const page = await this.store.readStream(customerStream(customerId), { fromRevision: from, maxCount: 500 });
      for (const e of page) {
        if (Date.parse(e.recordedAt) > asOf.getTime()) return this.found(customerId, state, revision, asOf);
        state = customerDecider.evolve(state, { type: e.type, data: e.data } as CustomerEvent);
        revision = e.revision;
      }
      if (page.length < 500) return this.found(customerId, state, revision, asOf);
      from = page[page.length - 1].revision + 1n;
    }
  }

  /** The changes after revision `after` (exclusive), oldest first. */
  async changes(customerId: string, options: { after?: bigint; limit: number }): Promise<CustomerChangesPage> {
    const from = options.after === undefined ? 0n : options.after + 1n;
    const page = await this.store.readStream(customerStream(customerId), { fromRevision: from, maxCount: options.limit + 1 });
    if (page.length === 0 && from === 0n) throw new NotFoundError(`customer ${customerId} not found`);
    const shown = page.slice(0, options.limit);
    return {
      changes: shown.map((e) => ({
        revision: e.revision.toString(),
        type: e.type,
        recordedAt: e.recordedAt,
        occurredAt: typeof e.metadata.occurredAt === 'string' ? e.metadata.occurredAt : undefined,
        actor: e.metadata.actor,
        data: e.data,
      })),
      ...(page.length > options.limit && { nextAfter: shown[shown.length - 1].revision.toString() }),
    };
  }

  private found(customerId: string, state: Customer | undefined, revision: bigint | undefined, asOf: Date) {
    if (!state || revision === undefined) throw new NotFoundError(`customer ${customerId} was not registered at ${asOf.toISOString()}`);
    return { ...state, revision: revision.toString(), asOf: asOf.toISOString() };
  }
}
