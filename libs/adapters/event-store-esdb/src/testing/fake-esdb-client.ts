/**
 * An in-memory stand-in for the four `EventStoreDBClient` calls the adapter makes, so the adapter's
 * own logic (idempotency checks, conflict handling, `$all` paging, subscriptions) runs under the
 * conformance suite without a server. It models what this adapter relies on from EventStoreDB —
 * see the README for which of those assumptions only a real server can confirm:
 *
 * - appends are atomic per stream, checked against the expected revision, and answer a mismatch
 *   with the client's real `WrongExpectedVersionError`; a batch whose first id is already in the
 *   stream is deduplicated natively when it matches exactly, refused as a conflict when it does not;
 * - `$all` is one log in position order; events of one append share the commit position and differ
 *   in prepare position, and the append answers with the commit position only (the pessimistic
 *   reading of the server's `WriteEventsCompleted`), so the adapter cannot use it as the last
 *   event's position;
 * - every append is followed by a system event (a `$>` link into `$ce-<category>`, as the
 *   `$by_category` projection writes), so `$all` is interleaved with events the port must hide;
 * - reads are inclusive of the start position/revision, a missing stream fails the read with
 *   `StreamNotFoundError`, data and metadata go through JSON like on the wire.
 */
import { Readable } from 'node:stream';
import {
  BACKWARDS,
  END,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendResult,
  type AppendToStreamOptions,
  type EventData,
  type EventType,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import type { EsdbClient } from '../esdb-event-store';
import type { EsdbResolvedEventLike } from '../esdb-mapping';

interface StoredRecord {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly created: Date;
  readonly position: Position;
}

export interface FakeEsdbClientOptions {
  /** Like the client option: false → a conflict resolves with `success: false` instead of throwing. */
  throwOnAppendFailure?: boolean;
  /** Write a `$>` link event into `$ce-<category>` after every user append (default true). */
  linkEvents?: boolean;
}

export class FakeEsdbClient implements EsdbClient {
  readonly log: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private nextLogPosition = 1000n;
  disposed = false;
  /** Runs inside an append after its arguments arrived and before the server decides: inject races here. */
  beforeAppend?: (streamName: string) => void;
  readonly calls = { append: 0, readStream: 0, readAll: 0 };

  constructor(private readonly options: FakeEsdbClientOptions = {}) {}

  /** Writes events the way another writer (or a server process) would, bypassing the adapter. */
  write(streamName: string, events: readonly { id: string; type: string; data?: unknown; metadata?: unknown }[]): { commit: bigint; last: bigint } {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const commit = this.nextLogPosition;
    for (const e of events) {
      const record: StoredRecord = {
        streamId: streamName,
        id: e.id.toLowerCase(),
        revision: BigInt(stream.length),
        type: e.type,
        data: roundTrip(e.data),
        metadata: e.metadata === undefined ? undefined : roundTrip(e.metadata),
        created: new Date(),
        position: { commit, prepare: this.nextLogPosition },
      };
      this.nextLogPosition += 137n;
      stream.push(record);
      this.log.push(record);
    }
    return { commit, last: BigInt(stream.length - 1) };
  }

  async appendToStream<KnownEventType extends EventType = EventType>(
    streamName: string,
    event: EventData<KnownEventType> | EventData<KnownEventType>[],
    options: AppendToStreamOptions = {},
  ): Promise<AppendResult> {
    this.calls.append++;
    this.assertOpen();
    const events = (Array.isArray(event) ? event : [event]) as EventData[];
    const expected = options.expectedRevision ?? 'any';
    await tick(); // the request travels
    this.beforeAppend?.(streamName);

    const stream = this.streams.get(streamName) ?? [];
    const current = stream.length > 0 ? BigInt(stream.length - 1) : undefined;

    // Native idempotency, keyed on the batch's first event id.
    const first = stream.find((r) => r.id === events[0].id.toLowerCase());
    if (first) {
      const start = Number(first.revision);
      const exact = events.every((e, i) => stream[start + i]?.id === e.id.toLowerCase());
      const expectedBefore = first.revision === 0n ? NO_STREAM : first.revision - 1n;
      if (exact && (expected === 'any' || expected === expectedBefore)) {
        await tick();
        return {
          success: true,
          nextExpectedRevision: first.revision + BigInt(events.length - 1),
          position: { commit: first.position.commit, prepare: first.position.commit },
        };
      }
      if (!exact) return this.conflict(streamName, expected, current);
    }

    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'bigint' && current === expected);
    if (!holds) return this.conflict(streamName, expected, current);

    const { commit, last } = this.write(
      streamName,
      events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
    );
    if (this.options.linkEvents !== false) {
      const category = streamName.split('-')[0];
      this.write(`$ce-${category}`, [{ id: randomId(), type: '$>', data: `${last}@${streamName}` }]);
    }
    await tick(); // the answer travels
    return { success: true, nextExpectedRevision: last, position: { commit, prepare: commit } };
  }

  private conflict(streamName: string, expected: NonNullable<AppendToStreamOptions['expectedRevision']>, current: bigint | undefined): AppendResult {
    if (this.options.throwOnAppendFailure === false) {
      return { success: false, nextExpectedRevision: current ?? -1n, position: undefined };
    }
    throw new WrongExpectedVersionError(undefined, { streamName, expected, current: current ?? NO_STREAM });
  }

  readStream<KnownEventType extends EventType = EventType>(streamName: string, options: ReadStreamOptions = {}): StreamingRead<ResolvedEvent<KnownEventType>> {
    this.calls.readStream++;
    this.assertOpen();
    const stream = this.streams.get(streamName);
    const snapshot = stream ? [...stream] : undefined;
    const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const backwards = options.direction === BACKWARDS;
    const from = options.fromRevision ?? (backwards ? END : START);
    if (typeof from === 'bigint' && from < 0n) throw new Error('fromRevision value must be a non-negative integer');
    return streamOf(async function* () {
      await tick();
      if (!snapshot) throw new StreamNotFoundError(undefined, streamName);
      let records: StoredRecord[];
      if (backwards) {
        const top = from === END ? snapshot.length - 1 : from === START ? 0 : Math.min(Number(from), snapshot.length - 1);
        records = snapshot.slice(0, top + 1).reverse();
      } else {
        const bottom = from === START ? 0 : from === END ? snapshot.length : Number(from);
        records = snapshot.slice(bottom);
      }
      for (const r of records.slice(0, maxCount)) yield toResolved(r);
    }) as unknown as StreamingRead<ResolvedEvent<KnownEventType>>;
  }

  readAll(options: ReadAllOptions = {}): StreamingRead<AllStreamResolvedEvent> {
    this.calls.readAll++;
    this.assertOpen();
    const snapshot = [...this.log];
    const maxCount = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = options.fromPosition ?? START;
    const backwards = options.direction === BACKWARDS;
    return streamOf(async function* () {
      await tick();
      let records: StoredRecord[];
      if (backwards) {
        records = (from === END ? snapshot : from === START ? [] : snapshot.filter((r) => compare(r.position, from) <= 0)).reverse();
      } else {
        records = from === START ? snapshot : from === END ? [] : snapshot.filter((r) => compare(r.position, from) >= 0);
      }
      for (const r of records.slice(0, maxCount)) yield toResolved(r);
    }) as unknown as StreamingRead<AllStreamResolvedEvent>;
  }

  dispose = async (): Promise<void> => {
    this.disposed = true;
  };

  private assertOpen(): void {
    if (this.disposed) throw new Error('client disposed');
  }
}

function toResolved(r: StoredRecord): EsdbResolvedEventLike & { readonly event: { readonly isJson: boolean } } {
  return {
    event: { ...r, isJson: !(r.data instanceof Uint8Array), position: { ...r.position } },
    commitPosition: r.position.commit,
  };
}

function streamOf<E>(generate: () => AsyncGenerator<E>): Readable & { cancel(): Promise<void> } {
  const readable = Readable.from(generate(), { objectMode: true });
  return Object.assign(readable, {
    async cancel() {
      readable.destroy();
    },
  });
}

function compare(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let counter = 0;
function randomId(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
}
