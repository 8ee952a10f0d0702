import { randomUUID } from 'node:crypto';
import { ConcurrencyConflictError } from './errors';
import type { EventMetadata, EventStore, ExpectedRevision } from './types';

export interface Decider<State, Command, Event extends { type: string; data: unknown }> {
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
  initialState: State;
}

export interface HandleResult<State, Event> {
  events: Event[];
  state: State;
  /** Stream revision after the command (unchanged when it produced no events). */
  revision: bigint | undefined;
}

/**
 * Load the stream, fold it, decide, append expecting the revision that was read — the Emmett
 * command handler. A concurrent writer turns the append into a ConcurrencyConflictError; the caller
 * may pass the client's own expectation (If-Match) instead of the loaded revision.
 */
export async function handleCommand<State, Command, Event extends { type: string; data: unknown }>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  metadata: Omit<EventMetadata, 'causationId'> & { causationId?: string },
  options: {
    expectedRevision?: ExpectedRevision;
    schemaVersion?: number;
    /** Runs on the loaded state before deciding (e.g. may this caller touch it?), so the stream is read once. */
    check?: (state: State) => void | Promise<void>;
  } = {},
): Promise<HandleResult<State, Event>> {
  const { state, revision } = await loadState(store, streamId, decider);
  // Access first: one who may not see the stream must not learn it exists (not even by a 412).
  await options.check?.(state);
  // Then the precondition (RFC 9110): a client that states the revision it saw gets "changed since"
  // before any rule of the domain is judged on a state it has not seen.
  const expected = options.expectedRevision;
  if (expected !== undefined && !revisionHolds(expected, revision)) throw new ConcurrencyConflictError(streamId, expected, revision);
  const events = decider.decide(command, state);
  if (events.length === 0) return { events, state, revision };
  const result = await store.appendToStream(
    streamId,
    events.map((e) => ({
      id: randomUUID(),
      type: e.type,
      data: e.data,
      schemaVersion: options.schemaVersion ?? 1,
      metadata: { ...metadata, causationId: metadata.causationId ?? metadata.correlationId },
    })),
    // The revision that was read: a writer in between turns this into a ConcurrencyConflictError.
    { expectedRevision: expected ?? (revision === undefined ? 'no_stream' : revision) },
  );
  return { events, state: events.reduce(decider.evolve, state), revision: result.nextExpectedRevision };
}

function revisionHolds(expected: ExpectedRevision, actual: bigint | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === undefined;
  if (expected === 'stream_exists') return actual !== undefined;
  return actual === expected;
}

/** Reads a stream to its current state (for queries and cross-aggregate checks). */
export async function loadState<State, Event extends { type: string; data: unknown }>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<State, unknown, Event>, 'evolve' | 'initialState'>,
): Promise<{ state: State; revision: bigint | undefined }> {
  let state = decider.initialState;
  let revision: bigint | undefined;
  for (let from = 0n; ; ) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: 1000 });
    for (const e of page) state = decider.evolve(state, { type: e.type, data: e.data } as Event);
    if (page.length > 0) revision = page[page.length - 1].revision;
    if (page.length < 1000) return { state, revision };
    from = page[page.length - 1].revision + 1n;
  }
}
