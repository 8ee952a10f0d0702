import { createServer } from 'node:net';
import {
  ConcurrencyConflictError,
  IdempotencyViolationError,
  comparePositions,
  type GlobalPosition,
  type NewEvent,
  type RecordedEvent,
} from '@crm/event-store';
import { describeEventStoreConformance, testEvent, uniqueStream, waitFor } from '@crm/event-store/testing';
import { UnavailableError, type ReadAllOptions } from '@eventstore/db-client';
import { EsdbEventStore } from './esdb-event-store';
import { encodeMetadata } from './esdb-mapping';
import { FakeEsdbClient } from './testing/fake-esdb-client';

// The adapter's own logic under the shared conformance suite, against an in-memory model of the
// server (see testing/fake-esdb-client.ts). The real server runs in esdb-event-store.infra.spec.ts.
describeEventStoreConformance('EventStoreDB adapter on an in-memory client model', {
  async create() {
    return new EsdbEventStore(new FakeEsdbClient(), { pollIntervalMs: 10 });
  },
});

describe('EsdbEventStore specifics (in-memory client model)', () => {
  let client: FakeEsdbClient;
  let store: EsdbEventStore;
  beforeEach(() => {
    client = new FakeEsdbClient();
    store = new EsdbEventStore(client, { pollIntervalMs: 10, idempotencyWindow: 5 });
  });
  afterEach(async () => {
    await store.close();
  });

  it('reports the last event’s own position for a multi-event batch, not the commit position the server answers with', async () => {
    const stream = uniqueStream();
    const result = await store.appendToStream(stream, [testEvent(), testEvent(), testEvent()]);
    const read = await store.readStream(stream);
    expect(comparePositions(result.position, read[2].position)).toBe(0);
    expect(comparePositions(result.position, read[0].position)).toBeGreaterThan(0);
  });

  const stored = (batch: NewEvent[], appendId?: string) => batch.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: encodeMetadata(e, appendId) }));

  it('recognises an identical concurrent append that won the race and that ESDB deduplicated natively (success → no-op)', async () => {
    const stream = uniqueStream();
    const batch = [testEvent(), testEvent()];
    client.beforeAppend = (name) => {
      client.beforeAppend = undefined;
      client.write(name, stored(batch, 'the-other-call'));
    };
    const result = await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    expect(client.calls.append).toBe(1); // the server was asked, and said "success"
    expect(result).toMatchObject({ appended: false, nextExpectedRevision: 1n });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('recognises an identical concurrent append that won the race when ESDB answers with a conflict (conflict → re-check → no-op)', async () => {
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent()]);
    const batch = [testEvent(), testEvent()];
    client.beforeAppend = (name) => {
      client.beforeAppend = undefined;
      client.write(name, stored([testEvent()], 'someone'));
      client.write(name, stored(batch, 'the-other-call'));
    };
    const result = await store.appendToStream(stream, batch, { expectedRevision: 0n });
    expect(result).toMatchObject({ appended: false, nextExpectedRevision: 3n });
    expect(await store.readStream(stream)).toHaveLength(4);
  });

  it('cannot attribute events stored without an append id (written by other tools) and then reports appended: true', async () => {
    const stream = uniqueStream();
    const batch = [testEvent()];
    client.beforeAppend = (name) => {
      client.beforeAppend = undefined;
      client.write(name, stored(batch));
    };
    expect((await store.appendToStream(stream, batch, { expectedRevision: 'no_stream' })).appended).toBe(true);
  });

  it('recognises a retry whose events are older than the tail window when the expected revision is exact', async () => {
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent()]);
    const batch = [testEvent(), testEvent()];
    const first = await store.appendToStream(stream, batch, { expectedRevision: 0n });
    for (let i = 0; i < 12; i++) await store.appendToStream(stream, [testEvent()]);
    const again = await store.appendToStream(stream, batch, { expectedRevision: 0n });
    expect(again).toEqual({ ...first, appended: false });
    expect(await store.readStream(stream)).toHaveLength(15);
  });

  it('with idempotencyWindow 0 skips the read before appending and still gets retries right where ESDB dedupes or conflicts', async () => {
    const lean = new EsdbEventStore(client, { idempotencyWindow: 0 });
    const stream = uniqueStream();
    const batch = [testEvent(), testEvent()];
    const first = await lean.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    const reads = client.calls.readStream;
    await lean.appendToStream(stream, [testEvent()], { expectedRevision: 1n });
    expect(client.calls.readStream - reads).toBe(1); // only the read-back of the appended event
    expect(await lean.appendToStream(stream, batch, { expectedRevision: 'no_stream' })).toEqual({ ...first, appended: false });
    expect(await lean.appendToStream(stream, batch)).toEqual({ ...first, appended: false });
    await expect(lean.appendToStream(stream, [batch[0], testEvent()])).rejects.toBeInstanceOf(IdempotencyViolationError);
    expect(await lean.readStream(stream)).toHaveLength(3);
  });

  it('refuses a partial overlap even when ESDB would accept the batch (first id new, second already stored)', async () => {
    const stream = uniqueStream();
    const a = testEvent();
    await store.appendToStream(stream, [a]);
    await expect(store.appendToStream(stream, [testEvent(), a])).rejects.toBeInstanceOf(IdempotencyViolationError);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('maps a conflict reported as `success: false` (throwOnAppendFailure=false) to the typed conflict', async () => {
    const lenient = new EsdbEventStore(new FakeEsdbClient({ throwOnAppendFailure: false }));
    const stream = uniqueStream();
    await lenient.appendToStream(stream, [testEvent(), testEvent()]);
    const error = await lenient.appendToStream(stream, [testEvent()], { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    expect(error).toMatchObject({ expected: 0n, actual: 1n });
    await lenient.close();
  });

  it('treats a negative expected revision as a conflict, like the PostgreSQL adapter', async () => {
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent()]);
    await expect(store.appendToStream(stream, [testEvent()], { expectedRevision: -1n })).rejects.toMatchObject({
      name: 'ConcurrencyConflictError',
      actual: 0n,
    });
    expect(client.calls.append).toBe(1);
  });

  it('reads streams like the PostgreSQL adapter at the edges (negative start, zero count)', async () => {
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent(), testEvent()]);
    expect(await store.readStream(stream, { fromRevision: -3n })).toHaveLength(2);
    expect(await store.readStream(stream, { direction: 'backwards', fromRevision: -1n })).toEqual([]);
    expect(await store.readStream(stream, { maxCount: 0 })).toEqual([]);
    expect((await store.readStream(stream, { direction: 'backwards', fromRevision: 99n })).map((e) => e.revision)).toEqual([1n, 0n]);
  });

  it('hides system events from readAll and subscriptions, and counts maxCount without them', async () => {
    const stream = uniqueStream();
    for (let i = 0; i < 5; i++) await store.appendToStream(stream, [testEvent('E', { i })]); // each followed by a `$>` link
    expect(client.log.filter((r) => r.type === '$>')).toHaveLength(5);
    const page = await store.readAll({ maxCount: 3 });
    expect(page.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2]);
    const rest = await store.readAll({ after: page[2].position, maxCount: 3 });
    expect(rest.map((e) => (e.data as { i: number }).i)).toEqual([3, 4]);
  });

  it('a caught-up subscription does not re-read a run of system events on every poll', async () => {
    const stream = uniqueStream();
    await store.appendToStream(stream, [testEvent()]);
    for (let i = 0; i < 300; i++) client.write('$stats-node', [{ id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`, type: '$statsCollected' }]);
    const starts: (GlobalPosition | 'start' | 'end')[] = [];
    const readAll = client.readAll.bind(client);
    client.readAll = (options?: ReadAllOptions) => {
      starts.push(options?.fromPosition ?? 'start');
      return readAll(options);
    };
    let caughtUp = false;
    const seen: RecordedEvent[] = [];
    const sub = store.subscribeToAll({ onEvent: async (e) => void seen.push(e), onCaughtUp: () => (caughtUp = true), batchSize: 10 });
    await waitFor(() => caughtUp, 5000, 'catch-up');
    const lastSystem = client.log[client.log.length - 1].position;
    const before = starts.length;
    await waitFor(() => starts.length >= before + 3, 5000, 'polls');
    for (const from of starts.slice(before)) expect(from).toEqual(lastSystem);
    expect(seen).toHaveLength(1);

    await store.appendToStream(stream, [testEvent()]);
    await waitFor(() => seen.length === 2, 5000, 'live event');
    await sub.stop();
  });

  it('close stops running subscriptions and disposes the client', async () => {
    const sub = store.subscribeToAll({ onEvent: async () => undefined });
    await store.close();
    await expect(sub.done).resolves.toBeUndefined();
    expect(client.disposed).toBe(true);
  });
});

describe('EsdbEventStore with the real client, no server', () => {
  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it('constructs from a connection string without connecting, and closes', async () => {
    const store = new EsdbEventStore('esdb://127.0.0.1:2113?tls=false');
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('ping rejects (UnavailableError) when nothing listens', async () => {
    const store = EsdbEventStore.connect(`esdb://127.0.0.1:${await freePort()}?tls=false`);
    try {
      await expect(store.ping()).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await store.close();
    }
  });
});
