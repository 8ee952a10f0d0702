/**
 * Pure translations between the event store port (`@crm/event-store`) and the EventStoreDB/KurrentDB
 * client (`@eventstore/db-client` v6). Nothing here talks to a server, so all of it is unit-tested
 * (`esdb-mapping.unit.spec.ts`); the adapter class only sequences these around client calls.
 */
import {
  ANY,
  ErrorType,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AppendExpectedRevision,
  type CurrentRevision,
  type EventData,
  type JSONType,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import {
  ConcurrencyConflictError,
  IdempotencyViolationError,
  type AppendResult,
  type EventMetadata,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type RecordedEvent,
} from '@crm/event-store';
import type { CrmEventMetadata } from '@crm/kernel';

// ---------------------------------------------------------------------------------------------
// Expected revision
// ---------------------------------------------------------------------------------------------

/**
 * Port → client. A negative bigint can never hold (revisions start at 0) and the client cannot send
 * it (the wire field is unsigned), so it is refused here; the adapter reports it as a conflict.
 */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (expected < 0n) throw new RangeError(`expected revision ${expected} is negative`);
      return expected;
  }
}

/** Client "current revision" → the port's `actual` (undefined when the stream does not exist). */
export function toActualRevision(current: CurrentRevision | undefined): bigint | undefined {
  if (current === undefined || current === NO_STREAM) return undefined;
  // The server reports a missing stream as -1 on some paths (legacy gRPC metadata).
  return current < 0n ? undefined : current;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function hasErrorType(error: unknown, type: ErrorType): boolean {
  return error instanceof Error && (error as Error & { type?: unknown }).type === type;
}

/** True for the client's optimistic-concurrency failure (also its answer to a partial id overlap). */
export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError || hasErrorType(error, ErrorType.WRONG_EXPECTED_VERSION);
}

/** True when a read hit a stream that does not exist, or one that was deleted. */
export function isMissingStream(error: unknown): boolean {
  return (
    error instanceof StreamNotFoundError ||
    error instanceof StreamDeletedError ||
    hasErrorType(error, ErrorType.STREAM_NOT_FOUND) ||
    hasErrorType(error, ErrorType.STREAM_DELETED)
  );
}

/**
 * `WrongExpectedVersionError` → the port's typed conflict. `expected` is what the caller asked for
 * (the error's own `expectedVersion` is in the client's vocabulary); `actual` is the stream's
 * revision when the server refused, undefined when the stream did not exist.
 */
export function toConcurrencyConflict(streamId: string, expected: ExpectedRevision, error: WrongExpectedVersionError): ConcurrencyConflictError {
  return new ConcurrencyConflictError(streamId, expected, toActualRevision(error.actualVersion));
}

// ---------------------------------------------------------------------------------------------
// Events and metadata
// ---------------------------------------------------------------------------------------------

/**
 * What the adapter stores as ESDB event metadata: the event's metadata fields as written, flat, plus
 * `schemaVersion`, ESDB's conventional `$correlationId`/`$causationId` (read by the server's
 * `$by_correlation_id` projection) and `crmAppendId`, the id of the `appendToStream` call that
 * wrote the event (how the adapter tells its own write from one ESDB deduplicated natively).
 * Those keys are the adapter's own and are removed on read.
 */
export type EsdbStoredMetadata = EventMetadata & {
  readonly schemaVersion: number;
  readonly $correlationId: string;
  readonly $causationId: string;
  readonly crmAppendId?: string;
};

const ADAPTER_KEYS = ['schemaVersion', '$correlationId', '$causationId', 'crmAppendId'] as const;

export function encodeMetadata(event: NewEvent, appendId?: string): EsdbStoredMetadata {
  return {
    ...event.metadata,
    schemaVersion: event.schemaVersion ?? 1,
    $correlationId: event.metadata.correlationId,
    $causationId: event.metadata.causationId,
    ...(appendId === undefined ? {} : { crmAppendId: appendId }),
  };
}

/** The `crmAppendId` of stored metadata, if it has one. */
export function storedAppendId(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const id = (raw as Record<string, unknown>).crmAppendId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Stored metadata → port metadata and schema version. Events not written by this adapter (no JSON
 * object metadata) get the store's fields (occurred-at: when recorded) and, because the CRM is the
 * application on this database and publishes every event with an actor, CRM fields that nobody but
 * internal staff tooling would select on: a `system`/`unknown` actor and visibility to no
 * department and no partner.
 */
export function decodeMetadata(raw: unknown, recordedAt: string): { metadata: EventMetadata; schemaVersion: number } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    const foreign: CrmEventMetadata = {
      correlationId: '',
      causationId: '',
      actor: { type: 'system', id: 'unknown' },
      occurredAt: recordedAt,
      visibility: { departments: [], partners: [] },
    };
    return { schemaVersion: 1, metadata: foreign };
  }
  const fields: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const version = fields.schemaVersion;
  for (const key of ADAPTER_KEYS) delete fields[key];
  return {
    schemaVersion: typeof version === 'number' && Number.isInteger(version) ? version : 1,
    metadata: fields as unknown as EventMetadata,
  };
}

/** A port event → the client's JSON event (same id, so the server can dedupe retries). */
export function toEventData(event: NewEvent, appendId?: string): EventData {
  return jsonEvent({
    id: event.id,
    type: event.type,
    // JSON.stringify(undefined) is not JSON; the PostgreSQL adapter stores null for it too.
    data: (event.data ?? null) as JSONType,
    metadata: encodeMetadata(event, appendId),
  });
}

/** The parts of a client recorded event the adapter reads (structurally: stream and $all reads). */
export interface EsdbRecordedEventLike {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly created: Date;
  readonly position?: Position;
}

/** The parts of a client resolved event the adapter reads. */
export interface EsdbResolvedEventLike {
  readonly event?: EsdbRecordedEventLike;
  readonly commitPosition?: bigint;
}

/** Thrown when the server returns events without their log position (EventStoreDB before 22.6). */
export class MissingPositionError extends Error {
  override readonly name = 'MissingPositionError';
  constructor(streamId: string, revision: bigint) {
    super(`Event ${streamId}@${revision} came back without its log position; this adapter needs EventStoreDB/KurrentDB 22.10 or later`);
  }
}

/** A resolved client event → a port event; undefined for an unresolvable link (no event). */
export function toRecordedEvent(resolved: EsdbResolvedEventLike): RecordedEvent | undefined {
  const e = resolved.event;
  if (!e) return undefined;
  if (!e.position) throw new MissingPositionError(e.streamId, e.revision);
  const created = e.created instanceof Date && !Number.isNaN(e.created.getTime()) ? e.created : new Date(0);
  const recordedAt = created.toISOString();
  const { metadata, schemaVersion } = decodeMetadata(e.metadata, recordedAt);
  return {
    id: e.id,
    streamId: e.streamId,
    revision: e.revision,
    position: toGlobalPosition(e.position),
    type: e.type,
    schemaVersion,
    data: e.data,
    metadata,
    recordedAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Positions and $all
// ---------------------------------------------------------------------------------------------

export function toGlobalPosition(position: Position): GlobalPosition {
  return { commit: position.commit, prepare: position.prepare };
}

/**
 * Port checkpoint → where a forwards `readAll` starts. ESDB positions are never negative, so an
 * absent checkpoint and the port's `START` ({-1, -1}) both mean the beginning. ESDB's read is
 * inclusive of an event exactly at the position; callers drop that event (the port is exclusive).
 */
export function toReadPosition(after: GlobalPosition | undefined): ReadPosition {
  if (!after || after.commit < 0n || after.prepare < 0n) return START;
  return { commit: after.commit, prepare: after.prepare };
}

/**
 * Events the port never shows: server/system events (`$`-prefixed types: `$metadata`, `$>` links,
 * `$statsCollected`, ...) and anything in a `$`-prefixed system stream (the port forbids such
 * stream ids, so nothing there was written through it).
 */
export function isSystemEvent(event: { readonly type: string; readonly streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

// ---------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------

/**
 * The port's idempotency rule, applied to events already in the stream: none of the batch's ids
 * there → undefined (go ahead and append); all of them → the earlier append's result with
 * `appended: false`; some → `IdempotencyViolationError` (a retry that changed its batch).
 */
export function findIdempotentResult(streamId: string, batch: readonly NewEvent[], existing: readonly RecordedEvent[]): AppendResult | undefined {
  const byId = new Map(existing.map((e) => [e.id.toLowerCase(), e]));
  const found = batch.map((e) => byId.get(e.id.toLowerCase())).filter((e): e is RecordedEvent => e !== undefined);
  if (found.length === 0) return undefined;
  if (found.length !== batch.length)
    throw new IdempotencyViolationError(
      streamId,
      found.map((e) => e.id),
    );
  const last = found.reduce((a, b) => (b.revision > a.revision ? b : a));
  return { nextExpectedRevision: last.revision, position: last.position, appended: false };
}
