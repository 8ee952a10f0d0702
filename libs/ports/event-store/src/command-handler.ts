import { randomUUID } from 'node:crypto';
import type { Decider } from '@crm/kernel';
import { ConcurrencyConflictError } from './errors';
import type { EventMetadata, EventStore, ExpectedRevision, RecordedEvent } from './types';

export type { Decider } from '@crm/kernel';

type AnyEvent = { type: string; data: unknown };

/**
 * Maps a stored event to the shape `evolve` knows. Events keep the `schemaVersion` they were written
 * with; when a contract changes, the upcaster turns an older version into the current one as the
 * stream is loaded, so deciders only ever see current events. The default passes type and data on.
 */
export type Upcaster<Event extends AnyEvent> = (event: RecordedEvent) => Event;

export const passThrough = <Event extends AnyEvent>(event: RecordedEvent): Event => ({ type: event.type, data: event.data }) as Event;

export interface HandleResult<State, Event> {
  events: Event[];
  state: State;
  /** Stream revision after the command (unchanged when it produced no events). */
  revision: bigint | undefined;
  /** False when nothing was written: no events, or every event id already stored (an idempotent repeat). */
  appended: boolean;
}

export interface CommandHandlerOptions<Event extends AnyEvent> {
  upcast?: Upcaster<Event>;
  /**
   * How many times to run the command again (load, check, decide, append) when another writer
   * appended to the stream in between. Only when the caller stated no revision: a client's
   * If-Match is a precondition, and a stale one is answered (412), never retried. Default 0.
   */
  retries?: number;
  /** Written on every event this handler appends (the version of its contract). Default 1. */
  schemaVersion?: number;
}

export interface HandleOptions<State, Event extends AnyEvent = AnyEvent> {
  /** The revision the client saw (If-Match): judged before any rule of the domain. */
  expectedRevision?: ExpectedRevision;
  /** Runs on the loaded state before deciding (may this caller touch it?), so the stream is read once. */
  check?: (state: State) => void | Promise<void>;
  /**
   * The id of each new event; default a random UUID. An id derived from what the event is (e.g. "the
   * due notice of schedule 2 of activity X") makes the append idempotent on top of the expected
   * revision: the same decision appended twice — by a retry after a lost answer, or by two
   * processes at once — is stored once (the store's idempotency by event id).
   */
  eventId?: (event: Event, index: number) => string;
}

/**
 * The one way a command reaches the event store (Emmett's command handler): load the stream once,
 * check access on that state, judge the client's precondition, decide, append expecting the
 * revision that was read. A concurrent writer turns the append into a ConcurrencyConflictError,
 * which `retries` may absorb.
 */
export class CommandHandler<State, Command, Event extends AnyEvent> {
  private readonly upcast: Upcaster<Event>;
  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<State, Command, Event>,
    private readonly options: CommandHandlerOptions<Event> = {},
  ) {
    this.upcast = options.upcast ?? passThrough;
  }

  /** The stream's current state and revision (for queries and cross-aggregate checks). */
  load(streamId: string): Promise<{ state: State; revision: bigint | undefined }> {
    return loadState(this.store, streamId, this.decider, this.upcast);
  }

  async handle(
    streamId: string,
    command: Command | ((state: State) => Command),
    metadata: Omit<EventMetadata, 'causationId'> & { causationId?: string },
    options: HandleOptions<State, Event> = {},
  ): Promise<HandleResult<State, Event>> {
    const retries = options.expectedRevision === undefined ? (this.options.retries ?? 0) : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(streamId, command, metadata, options);
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || attempt >= retries) throw error;
      }
    }
  }

  private async attempt(
    streamId: string,
    command: Command | ((state: State) => Command),
    metadata: Omit<EventMetadata, 'causationId'> & { causationId?: string },
    options: HandleOptions<State, Event>,
  ): Promise<HandleResult<State, Event>> {
    const { state, revision } = await this.load(streamId);
    // Access first: one who may not see the stream must not learn it exists (not even by a 412).
    await options.check?.(state);
    // Then the precondition (RFC 9110): a client that states the revision it saw gets "changed since"
    // before any rule of the domain is judged on a state it has not seen.
    assertExpectedRevision(streamId, options.expectedRevision, revision);
    const events = this.decider.decide(typeof command === 'function' ? (command as (state: State) => Command)(state) : command, state);
    if (events.length === 0) return { events, state, revision, appended: false };
    const result = await this.store.appendToStream(
      streamId,
      events.map((e, i) => ({
        id: options.eventId ? options.eventId(e, i) : randomUUID(),
        type: e.type,
        data: e.data,
        schemaVersion: this.options.schemaVersion ?? 1,
        metadata: { ...metadata, causationId: metadata.causationId ?? metadata.correlationId } as EventMetadata,
      })),
      // The revision that was read: a writer in between turns this into a ConcurrencyConflictError.
      { expectedRevision: options.expectedRevision ?? (revision === undefined ? 'no_stream' : revision) },
    );
    return { events, state: events.reduce(this.decider.evolve, state), revision: result.nextExpectedRevision, appended: result.appended };
  }
}

/** One command without keeping a handler: `new CommandHandler(store, decider).handle(…)`. */
export function handleCommand<State, Command, Event extends AnyEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<State, Command, Event>,
  command: Command,
  metadata: Omit<EventMetadata, 'causationId'> & { causationId?: string },
  options: HandleOptions<State, Event> & CommandHandlerOptions<Event> = {},
): Promise<HandleResult<State, Event>> {
  return new CommandHandler(store, decider, options).handle(streamId, command, metadata, options);
}

/**
 * The precondition a client stated (If-Match, RFC 9110): a ConcurrencyConflictError (412) when the
 * stream is no longer at `expected`; nothing when it is, or when no revision was stated. For a
 * command that must judge it before doing anything besides its append (e.g. destroying keys).
 */
export function assertExpectedRevision(streamId: string, expected: ExpectedRevision | undefined, actual: bigint | undefined): void {
  if (expected !== undefined && !revisionHolds(expected, actual)) throw new ConcurrencyConflictError(streamId, expected, actual);
}

function revisionHolds(expected: ExpectedRevision, actual: bigint | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === undefined;
  if (expected === 'stream_exists') return actual !== undefined;
  return actual === expected;
}

/** Reads a stream to its current state, upcasting older events on the way. */
export async function loadState<State, Event extends AnyEvent>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<State, unknown, Event>, 'evolve' | 'initialState'>,
  upcast: Upcaster<Event> = passThrough,
): Promise<{ state: State; revision: bigint | undefined }> {
  let state = decider.initialState;
  let revision: bigint | undefined;
  for (let from = 0n; ;) {
    const page = await store.readStream(streamId, { fromRevision: from, maxCount: 1000 });
    for (const e of page) state = decider.evolve(state, upcast(e));
    if (page.length > 0) revision = page[page.length - 1].revision;
    if (page.length < 1000) return { state, revision };
    from = page[page.length - 1].revision + 1n;
  }
}
