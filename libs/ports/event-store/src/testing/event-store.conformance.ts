import { ConcurrencyConflictError, IdempotencyViolationError, InvalidAppendError } from '../errors';
import { comparePositions, formatPosition } from '../position';
import type { EventStore, RecordedEvent } from '../types';
import { testEvent, testMetadata, uniqueStream, waitFor } from './fixtures';

export interface EventStoreConformanceOptions {
  /** A fresh store for the suite (it may share data with earlier suites: tests use unique streams). */
  create(): Promise<EventStore>;
  /** Writers in the concurrency case; smaller for single-session stores. */
  concurrentWriters?: number;
}

/**
 * One set of behaviours every event store adapter must show. Adapters run it from their own spec
 * file (`postgres.infra.spec.ts`, `pglite.int.spec.ts`, `esdb.infra.spec.ts`).
 */
export function describeEventStoreConformance(name: string, options: EventStoreConformanceOptions): void {
  describe(`EventStore conformance: ${name}`, () => {
    let store: EventStore;

    beforeAll(async () => {
      store = await options.create();
    });
    afterAll(async () => {
      await store?.close();
    });

    describe('append and read one stream', () => {
      it('appends to a new stream and reads the events back with revisions and metadata', async () => {
        const stream = uniqueStream();
        const meta = testMetadata({
          actor: { type: 'partner-user', id: 'p-user-7', partnerId: 'partner-a' },
          visibility: { departments: ['service'], partners: ['partner-a'] },
        });
        const events = [testEvent('CustomerRegistered', { name: 'Ana' }, meta), testEvent('ContactAdded', { email: 'a@x.io' }, meta)];
        const result = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(result.nextExpectedRevision).toBe(1n);
        expect(result.appended).toBe(true);

        const read = await store.readStream(stream);
        expect(read.map((e) => [e.id, e.type, e.revision, e.streamId])).toEqual([
          [events[0].id, 'CustomerRegistered', 0n, stream],
          [events[1].id, 'ContactAdded', 1n, stream],
        ]);
        expect(read[0].data).toEqual({ name: 'Ana' });
        expect(read[0].metadata).toEqual(meta);
        expect(read[0].schemaVersion).toBe(1);
        expect(Date.parse(read[0].recordedAt)).not.toBeNaN();
        expect(comparePositions(read[0].position, read[1].position)).toBeLessThan(0);
        expect(comparePositions(read[1].position, result.position)).toBe(0);
      });

      it('returns an empty list for a stream that does not exist', async () => {
        expect(await store.readStream(uniqueStream())).toEqual([]);
      });

      it('reads forwards and backwards in pages', async () => {
        const stream = uniqueStream();
        const events = Array.from({ length: 25 }, (_, i) => testEvent('Counted', { i }));
        await store.appendToStream(stream, events.slice(0, 10));
        await store.appendToStream(stream, events.slice(10), { expectedRevision: 9n });

        const pages: number[][] = [];
        for (let from = 0n; ;) {
          const page = await store.readStream(stream, { fromRevision: from, maxCount: 10 });
          if (page.length === 0) break;
          pages.push(page.map((e) => (e.data as { i: number }).i));
          from = page[page.length - 1].revision + 1n;
        }
        expect(pages).toEqual([
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
          [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
          [20, 21, 22, 23, 24],
        ]);

        const back = await store.readStream(stream, { direction: 'backwards', maxCount: 10 });
        expect(back.map((e) => e.revision)).toEqual([24n, 23n, 22n, 21n, 20n, 19n, 18n, 17n, 16n, 15n]);
        const back2 = await store.readStream(stream, { direction: 'backwards', fromRevision: 14n, maxCount: 10 });
        expect(back2.map((e) => e.revision)).toEqual([14n, 13n, 12n, 11n, 10n, 9n, 8n, 7n, 6n, 5n]);
      });

      it('rejects a batch with an invalid event id or missing metadata', async () => {
        const bad = { ...testEvent(), id: 'not-a-uuid' };
        await expect(store.appendToStream(uniqueStream(), [bad])).rejects.toBeInstanceOf(InvalidAppendError);
        const noCorrelation = { ...testEvent(), metadata: { ...testMetadata(), correlationId: undefined as never } };
        await expect(store.appendToStream(uniqueStream(), [noCorrelation])).rejects.toBeInstanceOf(InvalidAppendError);
        const noMetadata = { ...testEvent(), metadata: undefined as never };
        await expect(store.appendToStream(uniqueStream(), [noMetadata])).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.appendToStream(uniqueStream(), [])).rejects.toBeInstanceOf(InvalidAppendError);
      });

      it('keeps the application-defined metadata it does not read, and asks for none of it', async () => {
        const stream = uniqueStream();
        // Only the store's own fields: an application that records no actor or visibility may append.
        const bare = { correlationId: 'corr-1', causationId: 'cause-1', occurredAt: '2024-02-29T12:00:00.000Z' };
        const rich = { ...bare, tenant: 't-9', tags: ['a', 'b'], nested: { depth: { n: 2 } } };
        const events = [testEvent('Bare', {}, bare), testEvent('Rich', {}, rich)];
        await store.appendToStream(stream, events);
        const read = await store.readStream(stream);
        expect(read.map((e) => e.metadata)).toEqual([bare, rich]);
      });
    });

    describe('expected revision', () => {
      it('no_stream fails with the typed conflict when the stream exists', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent()], { expectedRevision: 'no_stream' });
        const error = await store.appendToStream(stream, [testEvent()], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect((error as ConcurrencyConflictError).actual).toBe(0n);
        expect((error as ConcurrencyConflictError).streamId).toBe(stream);
      });

      it('stream_exists fails when the stream does not exist, and holds when it does', async () => {
        const stream = uniqueStream();
        const error = await store.appendToStream(stream, [testEvent()], { expectedRevision: 'stream_exists' }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect((error as ConcurrencyConflictError).actual).toBeUndefined();
        await store.appendToStream(stream, [testEvent()]);
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 'stream_exists' })).resolves.toMatchObject({ nextExpectedRevision: 1n });
      });

      it('an exact revision holds only when it is the current one', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent(), testEvent()]);
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 0n })).rejects.toBeInstanceOf(ConcurrencyConflictError);
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 2n })).rejects.toBeInstanceOf(ConcurrencyConflictError);
        await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: 1n })).resolves.toMatchObject({ nextExpectedRevision: 2n });
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('any appends whatever the state', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent()], { expectedRevision: 'any' });
        await store.appendToStream(stream, [testEvent()], { expectedRevision: 'any' });
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('idempotency by event id', () => {
      it('appending the same events again is a no-op, even with a now-stale expected revision', async () => {
        const stream = uniqueStream();
        const batch = [testEvent(), testEvent()];
        const first = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
        expect(again.appended).toBe(false);
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(await store.readStream(stream)).toHaveLength(2);

        const all = await readEverything(store);
        expect(all.filter((e) => e.id === batch[0].id)).toHaveLength(1);
      });

      it('a batch that overlaps an earlier one only in part is refused', async () => {
        const stream = uniqueStream();
        const a = testEvent();
        await store.appendToStream(stream, [a]);
        await expect(store.appendToStream(stream, [a, testEvent()])).rejects.toBeInstanceOf(IdempotencyViolationError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('global order', () => {
      it('reads all events from a position, strictly after it, in increasing positions', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent(), testEvent(), testEvent()]);
        const mine = (await readEverything(store)).filter((e) => e.streamId === stream);
        expect(mine).toHaveLength(3);
        const rest = await store.readAll({ after: mine[0].position, maxCount: 100000 });
        expect(rest.filter((e) => e.streamId === stream).map((e) => e.revision)).toEqual([1n, 2n]);
        for (let i = 1; i < rest.length; i++) expect(comparePositions(rest[i - 1].position, rest[i].position)).toBeLessThan(0);
      });

      it('a subscription catches up from a checkpoint and then goes live, in order', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [testEvent('E', { n: 0 }), testEvent('E', { n: 1 })]);
        const before = (await readEverything(store)).filter((e) => e.streamId === stream);
        const seen: number[] = [];
        let caughtUp = false;
        const sub = store.subscribeToAll({
          after: before[0].position,
          onEvent: async (e) => {
            if (e.streamId === stream) seen.push((e.data as { n: number }).n);
          },
          onCaughtUp: () => (caughtUp = true),
        });
        try {
          await waitFor(() => caughtUp, 20000, 'catch-up');
          expect(seen).toEqual([1]);
          await store.appendToStream(stream, [testEvent('E', { n: 2 })]);
          await store.appendToStream(stream, [testEvent('E', { n: 3 }), testEvent('E', { n: 4 })]);
          await waitFor(() => seen.length === 4, 20000, 'live events');
          expect(seen).toEqual([1, 2, 3, 4]);
        } finally {
          await sub.stop();
        }
      });
    });

    describe('concurrency', () => {
      it('of many simultaneous appends expecting the same revision, exactly one wins; the rest get the typed conflict', async () => {
        const stream = uniqueStream();
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(stream, [testEvent()], { expectedRevision: 'no_stream' })),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(failures).toHaveLength(9);
        for (const f of failures) expect(f.reason).toBeInstanceOf(ConcurrencyConflictError);
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('many writers and live subscribers: every subscriber sees every committed event once, in one order; conflicts are typed', async () => {
        const writers = options.concurrentWriters ?? 8;
        const appendsPerWriter = 12;
        const shared = uniqueStream('shared');
        const tag = uniqueStream('run');
        const start = (await readEverything(store)).at(-1)?.position;

        const subscribers = Array.from({ length: 3 }, () => ({ seen: [] as RecordedEvent[] }));
        const subs = subscribers.map((s) =>
          store.subscribeToAll({
            after: start,
            batchSize: 7, // small pages so catch-up and live interleave with the writers
            onEvent: async (e) => {
              if ((e.data as { tag?: string }).tag === tag) s.seen.push(e);
            },
          }),
        );

        const conflicts: unknown[] = [];
        let sharedSuccesses = 0;
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            const own = `${tag}-writer-${w}`;
            for (let i = 0; i < appendsPerWriter; i++) {
              // Own stream: never conflicts.
              await store.appendToStream(own, [testEvent('W', { tag, w, i })], { expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1) });
              // Shared stream: read the revision, then append expecting it — racing the other writers.
              const last = await store.readStream(shared, { direction: 'backwards', maxCount: 1 });
              const expected = last.length ? last[0].revision : ('no_stream' as const);
              try {
                await store.appendToStream(shared, [testEvent('S', { tag, w, i })], { expectedRevision: expected });
                sharedSuccesses++;
              } catch (e) {
                conflicts.push(e);
              }
            }
          }),
        );

        const committed = (await readEverything(store, start)).filter((e) => (e.data as { tag?: string }).tag === tag);
        expect(committed.length).toBe(writers * appendsPerWriter + sharedSuccesses);
        expect(await store.readStream(shared, { maxCount: 100000 })).toHaveLength(sharedSuccesses);
        for (const c of conflicts) expect(c).toBeInstanceOf(ConcurrencyConflictError);

        try {
          await waitFor(() => subscribers.every((s) => s.seen.length >= committed.length), 60000, 'subscribers to see every event');
        } finally {
          await Promise.all(subs.map((s) => s.stop()));
        }
        const expectedOrder = committed.map((e) => e.id);
        for (const s of subscribers) {
          expect(s.seen.map((e) => e.id)).toEqual(expectedOrder);
          expect(new Set(s.seen.map((e) => formatPosition(e.position))).size).toBe(s.seen.length);
        }
        // Per stream, the global order agrees with the stream order.
        const perStream = new Map<string, bigint>();
        for (const e of committed) {
          const prev = perStream.get(e.streamId);
          if (prev !== undefined) expect(e.revision).toBe(prev + 1n);
          perStream.set(e.streamId, e.revision);
        }
      });
    });
  });
}

async function readEverything(store: EventStore, after?: RecordedEvent['position']): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await store.readAll({ after: cursor, maxCount: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    cursor = page[page.length - 1].position;
  }
}
