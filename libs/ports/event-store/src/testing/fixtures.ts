import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewEvent } from '../types';

/**
 * Metadata for test events: the store's own fields plus application-defined ones shaped like the
 * CRM's (actor, visibility) — the store must keep fields it does not read, and CRM suites that
 * append through a bare store reuse this.
 */
export function testMetadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { type: 'staff', id: 'user-1', department: 'sales' },
    occurredAt: new Date().toISOString(),
    visibility: { departments: '*', partners: [] },
    ...overrides,
  };
}

export function testEvent(type = 'TestHappened', data: Record<string, unknown> = {}, metadata?: EventMetadata): NewEvent {
  return { id: randomUUID(), type, data, metadata: metadata ?? testMetadata(), schemaVersion: 1 };
}

export function uniqueStream(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

/** Polls `check` until it returns true or `timeoutMs` passes — a bounded wait, not a fixed sleep. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
