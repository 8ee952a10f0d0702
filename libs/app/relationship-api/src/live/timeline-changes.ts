import type { IntegrationEvent } from '@crm/bus';

/** One change of a customer's relationship, as a read model has just applied it. */
export type TimelineChange =
  /** A step of the timeline: an episode opened or closed, an interaction, a stage move, a return's step. */
  | { customerId: string; change: 'timeline'; eventId: string; episodeId: string; kind: string }
  /** The customer was shared with a partner, or its share changed or was revoked. */
  | { customerId: string; change: 'share'; partnerId: string };

/**
 * Changes of customers' relationships as this service's read models apply them (in-process: each
 * service's own projections tell their own readers, embedded from the store, distributed from the
 * bus). Told after the commit, so a reader that refetches on a change sees it. Live streams
 * subscribe per customer.
 */
export class TimelineChanges {
  private readonly listeners = new Map<string, Set<(change: TimelineChange) => void>>();

  /** The projection runner's `onApplied`: what the timeline and partner-access projections applied. */
  applied(projection: string, events: readonly IntegrationEvent[]): void {
    if (projection.endsWith('.timeline')) {
      for (const e of events) {
        const d = e.data as { customerId?: unknown; episodeId?: unknown };
        if (typeof d.customerId === 'string' && typeof d.episodeId === 'string')
          this.emit({ customerId: d.customerId, change: 'timeline', eventId: e.id, episodeId: d.episodeId, kind: e.type });
      }
    } else if (projection.endsWith('.partner-access')) {
      for (const e of events) {
        const d = e.data as { customerId?: unknown; partnerId?: unknown };
        if (typeof d.customerId === 'string' && typeof d.partnerId === 'string')
          this.emit({ customerId: d.customerId, change: 'share', partnerId: d.partnerId });
      }
    }
  }

  /** Calls `listener` with every change of these customers until the returned function is called. */
  subscribe(customerIds: readonly string[], listener: (change: TimelineChange) => void): () => void {
    for (const id of customerIds) {
      let set = this.listeners.get(id);
      if (!set) this.listeners.set(id, (set = new Set()));
      set.add(listener);
    }
    return () => {
      for (const id of customerIds) {
        const set = this.listeners.get(id);
        set?.delete(listener);
        if (set?.size === 0) this.listeners.delete(id);
      }
    };
  }

  /** Customers someone listens to (for tests). */
  get watched(): number {
    return this.listeners.size;
  }

  private emit(change: TimelineChange): void {
    for (const listener of [...(this.listeners.get(change.customerId) ?? [])]) listener(change);
  }
}
