/**
 * The event store port. Every adapter (PostgreSQL, PGlite, EventStoreDB) implements exactly this,
 * and the conformance suite in `../testing` holds each of them to the same behaviour.
 */

/**
 * What the store and its followers read from an event's metadata: correlation and causation (the
 * EventStoreDB adapter also writes them as `$correlationId`/`$causationId`) and when it happened
 * (followers publish it, e.g. as the CloudEvents `time`). Every other field is the application's:
 * the store keeps it as written and returns it on read, without reading it — the CRM's own fields
 * (actor, visibility) are `CrmEventMetadata` in `@crm/kernel`.
 */
export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId: string;
  /** When it happened in the world (ISO-8601); distinct from when the store recorded it. */
  readonly occurredAt: string;
  /** Application-defined fields: JSON values, stored and returned unchanged. */
  readonly [field: string]: unknown;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  /** UUID chosen by the writer: appending the same id again is a no-op (idempotent retries). */
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
  /** Version of the event's schema; evolve/upcasters switch on it. */
  readonly schemaVersion?: number;
}

/**
 * A position in the store's single global order. PostgreSQL: (transaction id, sequence) — ordered
 * by commit visibility, see the adapter; EventStoreDB: its native (commit, prepare) pair.
 * Compare with `comparePositions`, never by one field alone.
 */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  readonly streamId: string;
  /** 0-based revision of the event inside its stream. */
  readonly revision: bigint;
  readonly position: GlobalPosition;
  /** When the store recorded it (ISO-8601). */
  readonly recordedAt: string;
  readonly schemaVersion: number;
}

export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | bigint;

export interface AppendResult {
  /** Revision of the last event of the batch (the stream's revision afterwards). */
  readonly nextExpectedRevision: bigint;
  readonly position: GlobalPosition;
  /** False when every event id was already in the stream and nothing was written. */
  readonly appended: boolean;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Inclusive start revision; defaults to the first (forwards) or last (backwards) event. */
  readonly fromRevision?: bigint;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omit to read from the very beginning. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
}

export interface SubscribeToAllOptions {
  /** Exclusive checkpoint: delivery starts with the first event after it. */
  readonly after?: GlobalPosition;
  /** Called once per event, strictly in global order; the next event waits for the promise. */
  readonly onEvent?: (event: RecordedEvent) => Promise<void>;
  /**
   * Instead of `onEvent`: called with each page of events (in global order, at most `batchSize`),
   * for followers that apply a page in one transaction. The next page waits for the promise.
   */
  readonly onBatch?: (events: RecordedEvent[]) => Promise<void>;
  /** Called when the subscription dies (handler error or store failure). */
  readonly onError?: (error: unknown) => void;
  /** Called once, when the subscription has caught up with everything committed at that moment. */
  readonly onCaughtUp?: () => void;
  readonly batchSize?: number;
}

export interface Subscription {
  /** Stops delivery; resolves once no handler call is in flight. */
  stop(): Promise<void>;
  /** Resolves when the subscription stops (after `stop()` or an error). */
  readonly done: Promise<void>;
}

export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeToAllOptions): Subscription;
  /** Reports whether the store answers; used by readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
