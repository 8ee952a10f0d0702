import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  type AppendResult as EsdbAppendResult,
  type ReadRevision,
  type ReadStreamOptions as EsdbReadStreamOptions,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  ConcurrencyConflictError,
  comparePositions,
  pollingSubscription,
  validateNewEvents,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '@crm/event-store';
import {
  findIdempotentResult,
  isMissingStream,
  isWrongExpectedVersion,
  storedAppendId,
  toConcurrencyConflict,
  toEsdbExpectedRevision,
  toEventData,
  toGlobalPosition,
  toRecordedEvent,
  type EsdbResolvedEventLike,
} from './esdb-mapping';
import { scanAll, type ReadAllPage } from './esdb-read-all';

/** The client calls the adapter uses (an `EventStoreDBClient`, or a test double of these four). */
export type EsdbClient = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'dispose'>;

export interface EsdbEventStoreOptions {
  /** How often a caught-up subscription reads `$all` for events written by other processes. Default 100 ms. */
  pollIntervalMs?: number;
  /**
   * How many of a stream's last events an append reads first to recognise a retried batch (the
   * port's idempotency by event id). Default 100. With an exact expected revision the place where
   * a retry would have landed is read as well, however old. 0 skips this read and leaves duplicates
   * to ESDB's own, weaker, dedupe (see the README).
   */
  idempotencyWindow?: number;
  /** Largest page read from `$all` in one request. Default 500. */
  readAllPageSize?: number;
}

const DEFAULT_MAX_COUNT = 1000;
const DEFAULT_IDEMPOTENCY_WINDOW = 100;

/**
 * Event store on EventStoreDB / KurrentDB through `@eventstore/db-client` v6 (gRPC).
 *
 * Appends map onto ESDB appends with the same event ids and expected revisions; the port's stricter
 * idempotency (same batch again → no-op even with a stale expected revision; partial overlap →
 * error) is checked against the stream before appending and again after a conflict. The global
 * order is ESDB's `$all` log position; subscriptions page `$all` with the same reader as `readAll`
 * (see the README for why not the native catch-up subscription).
 */
export class EsdbEventStore implements EventStore {
  private readonly pollIntervalMs: number;
  private readonly idempotencyWindow: number;
  private readonly readAllPageSize: number;
  private readonly localAppends = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();

  private readonly client: EsdbClient;

  /**
   * @param client a connection string (e.g. `esdb://localhost:2113?tls=false`; the client connects
   * lazily, on the first call) or a client built by the caller.
   */
  constructor(client: EsdbClient | string, options: EsdbEventStoreOptions = {}) {
    this.client = typeof client === 'string' ? EventStoreDBClient.connectionString(client) : client;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.idempotencyWindow = Math.max(0, Math.floor(options.idempotencyWindow ?? DEFAULT_IDEMPOTENCY_WINDOW));
    this.readAllPageSize = Math.max(1, options.readAllPageSize ?? 500);
  }

  /** Same as `new EsdbEventStore(connectionString, options)`. */
  static connect(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    return new EsdbEventStore(connectionString, options);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    validateNewEvents(streamId, events);
    const expected = options.expectedRevision ?? 'any';

    // A retry of a batch that is already stored: the earlier result, whatever the expected revision.
    // (ESDB's own dedupe is keyed on the batch's first id and, with `any`, on a bounded cache.)
    if (this.idempotencyWindow > 0) {
      const existing = await this.findExisting(streamId, events, expected, this.idempotencyWindow);
      if (existing) return existing;
    }
    if (typeof expected === 'bigint' && expected < 0n) {
      throw new ConcurrencyConflictError(streamId, expected, await this.currentRevision(streamId));
    }

    const appendId = randomUUID();
    let result: EsdbAppendResult;
    try {
      result = await this.client.appendToStream(
        streamId,
        events.map((e) => toEventData(e, appendId)),
        { expectedRevision: toEsdbExpectedRevision(expected) },
      );
    } catch (error) {
      if (!isWrongExpectedVersion(error)) throw error;
      // Either someone else wrote first, or the same batch won a race with this call (a concurrent
      // retry), or ESDB saw part of the batch already stored (it answers that with a conflict too).
      const raced = await this.findExisting(streamId, events, expected, this.recheckWindow(events));
      if (raced) return raced;
      throw toConcurrencyConflict(streamId, expected, error);
    }
    if (!result.success) {
      // Only with `throwOnAppendFailure=false` in the connection string; its revision is unreliable.
      const raced = await this.findExisting(streamId, events, expected, this.recheckWindow(events));
      if (raced) return raced;
      throw new ConcurrencyConflictError(streamId, expected, await this.currentRevision(streamId));
    }

    // Read the batch's last event back. (1) Its position: the server answers an append with its
    // commit position in both halves, which in a multi-event batch is not the last event's own
    // position — the one readStream/readAll/subscribers show. (2) Who wrote it: ESDB also answers
    // "success" when it deduplicated the batch natively (an identical retry won the race since
    // the check above, or an old batch with `any`); then the stored events carry another call's id.
    const [last] = await this.readStreamRaw(streamId, { fromRevision: result.nextExpectedRevision, maxCount: 1 });
    // (A server too old to return event positions gets the append's own answer; the write stands.)
    const lastEvent = last?.event?.position ? toRecordedEvent(last) : undefined;
    const position = lastEvent?.revision === result.nextExpectedRevision ? lastEvent.position : result.position && toGlobalPosition(result.position);
    if (!position) throw new Error(`Stream "${streamId}": append succeeded but its position could not be read`);
    const writtenBy = storedAppendId(last?.event?.metadata);
    const appended = writtenBy === undefined || writtenBy === appendId;
    if (appended) for (const wake of this.localAppends) wake();
    return { nextExpectedRevision: result.nextExpectedRevision, position, appended };
  }

  /**
   * Events of the batch already in the stream → the port's idempotent answer (or its violation).
   * Reads the stream's tail; with an exact expected revision also the revisions right after it,
   * which is where an earlier attempt of this batch would be however much the stream grew since.
   */
  private async findExisting(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, window: number): Promise<AppendResult | undefined> {
    const tail = await this.readStream(streamId, { direction: 'backwards', maxCount: window });
    let candidates = tail;
    if (typeof expected === 'bigint' && expected >= 0n && tail.length === window) {
      const oldest = tail[tail.length - 1].revision;
      if (oldest > expected + 1n) {
        const slot = await this.readStream(streamId, { fromRevision: expected + 1n, maxCount: events.length });
        candidates = [...tail, ...slot];
      }
    }
    return findIdempotentResult(streamId, events, candidates);
  }

  /**
   * After a conflict (the rare path) the batch may have just been written by a concurrent retry, or
   * ESDB may have refused it for a partial overlap: look at least the default window back.
   */
  private recheckWindow(events: readonly NewEvent[]): number {
    return Math.max(this.idempotencyWindow, DEFAULT_IDEMPOTENCY_WINDOW, events.length);
  }

  private async currentRevision(streamId: string): Promise<bigint | undefined> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.revision;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = options.maxCount ?? DEFAULT_MAX_COUNT;
    if (maxCount <= 0) return [];
    let fromRevision: ReadRevision = backwards ? END : START;
    if (options.fromRevision !== undefined) {
      if (options.fromRevision >= 0n) fromRevision = options.fromRevision;
      else if (backwards) return []; // nothing at or before a negative revision
    }
    return mapEvents(await this.readStreamRaw(streamId, { direction: backwards ? BACKWARDS : FORWARDS, fromRevision, maxCount }));
  }

  /** A stream read as the client returns it; a missing or deleted stream reads as empty. */
  private async readStreamRaw(streamId: string, options: EsdbReadStreamOptions): Promise<EsdbResolvedEventLike[]> {
    try {
      return await collect<EsdbResolvedEventLike>(this.client.readStream(streamId, options));
    } catch (error) {
      if (isMissingStream(error)) return [];
      throw error;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { events } = await scanAll(this.readAllPage, options.after, options.maxCount ?? DEFAULT_MAX_COUNT, this.readAllPageSize);
    return events;
  }

  private readonly readAllPage: ReadAllPage = async (from, count) =>
    collect<EsdbResolvedEventLike>(this.client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: count }));

  /**
   * Catch-up then live by paging `$all` through the same reader as `readAll` (so order, system-event
   * filtering and exclusive checkpoints are identical), waking at once for appends made through
   * this instance and polling for the rest.
   */
  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    // Where the previous page's scan ended: a run of system events after the last delivered event
    // need not be re-read on every poll. Valid only while the checkpoint is that last event.
    let resume: { after: GlobalPosition | undefined; from: GlobalPosition } | undefined;
    const readAll = async (after: GlobalPosition | undefined, maxCount: number): Promise<RecordedEvent[]> => {
      const start = resume && samePosition(resume.after, after) ? resume.from : after;
      const { events, scannedTo } = await scanAll(this.readAllPage, start, maxCount, this.readAllPageSize);
      const checkpoint = events.length > 0 ? events[events.length - 1].position : after;
      if (scannedTo) resume = { after: checkpoint, from: scannedTo };
      else if (resume && !samePosition(resume.after, after)) resume = undefined;
      return events;
    };
    const subscription = pollingSubscription({
      ...options,
      readAll,
      pollIntervalMs: this.pollIntervalMs,
      onLocalAppend: (wake) => {
        this.localAppends.add(wake);
        return () => this.localAppends.delete(wake);
      },
    });
    // Tracked so close() can stop it; `done` is handed out untouched (no handler attached here, so
    // a failure without onError surfaces exactly as with the other adapters).
    const tracked: Subscription = {
      done: subscription.done,
      stop: async () => {
        this.subscriptions.delete(tracked);
        await subscription.stop();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  /** Reads the last record of `$all`: the server answers and this connection may read `$all`. */
  async ping(): Promise<void> {
    await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }
}

async function collect<E>(read: StreamingRead<E>): Promise<E[]> {
  const out: E[] = [];
  for await (const item of read) out.push(item);
  return out;
}

function mapEvents(resolved: readonly EsdbResolvedEventLike[]): RecordedEvent[] {
  const out: RecordedEvent[] = [];
  for (const r of resolved) {
    const event = toRecordedEvent(r);
    if (event) out.push(event);
  }
  return out;
}

function samePosition(a: GlobalPosition | undefined, b: GlobalPosition | undefined): boolean {
  if (!a || !b) return a === b;
  return comparePositions(a, b) === 0;
}
