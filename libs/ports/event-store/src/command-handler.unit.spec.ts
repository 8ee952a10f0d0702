import { ConcurrencyConflictError } from './errors';
import { CommandHandler, handleCommand } from './command-handler';
import { testMetadata } from './testing/fixtures';
import type { EventStore, NewEvent, RecordedEvent } from './types';

type State = { closed: boolean } | undefined;
type Event = { type: 'Opened' | 'Closed'; data: Record<string, never> };
const decider = {
  initialState: undefined as State,
  evolve: (_s: State, e: Event): State => (e.type === 'Opened' ? { closed: false } : { closed: true }),
  decide: (_command: 'close', s: State): Event[] => {
    if (s?.closed) throw Object.assign(new Error('already closed'), { name: 'DomainRuleViolation' });
    return [{ type: 'Closed', data: {} }];
  },
};

/** A stream in memory: enough to see what handleCommand reads, judges and appends. */
function store(types: Event['type'][]): EventStore & { appended: NewEvent[] } {
  const events = types.map((type, i) => ({ type, data: {}, revision: BigInt(i) }) as unknown as RecordedEvent);
  const appended: NewEvent[] = [];
  return {
    appended,
    readStream: async () => events,
    appendToStream: async (_s: string, batch: readonly NewEvent[]) => {
      appended.push(...batch);
      return { nextExpectedRevision: BigInt(events.length + batch.length - 1), position: { commit: 1n, prepare: 1n }, appended: true };
    },
  } as unknown as EventStore & { appended: NewEvent[] };
}

describe('handleCommand', () => {
  const metadata = { correlationId: 'c', actor: testMetadata().actor, occurredAt: new Date().toISOString(), visibility: testMetadata().visibility };

  it('judges a stale expected revision before any rule: 412 material, not 422', async () => {
    const s = store(['Opened', 'Closed']); // revision 1, and closing again breaks a rule
    const attempt = handleCommand(s, 'x-1', decider, 'close', metadata, { expectedRevision: 0n });
    await expect(attempt).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(attempt).rejects.toMatchObject({ expected: 0n, actual: 1n });
    expect(s.appended).toEqual([]);
  });

  it('checks access on the loaded state before the precondition: who may not see it learns nothing, not even a 412', async () => {
    const s = store(['Opened']);
    const hidden = () => {
      throw Object.assign(new Error('not found'), { name: 'NotFoundError' });
    };
    await expect(handleCommand(s, 'x-1', decider, 'close', metadata, { expectedRevision: 5n, check: hidden })).rejects.toThrow('not found');
    const check = jest.fn();
    await handleCommand(s, 'x-1', decider, 'close', metadata, { expectedRevision: 0n, check });
    expect(check).toHaveBeenCalledWith({ closed: false });
    expect(s.appended.map((e) => e.type)).toEqual(['Closed']);
  });

  it('appends each event under the id eventId derives (default: a random UUID)', async () => {
    const s = store(['Opened']);
    await handleCommand(s, 'x-1', decider, 'close', metadata, { eventId: (e, i) => `x-1/${e.type}/${i}` });
    await handleCommand(s, 'x-1', decider, 'close', metadata);
    expect(s.appended[0].id).toBe('x-1/Closed/0');
    expect(s.appended[1].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('with the current revision the rule speaks (422 material)', async () => {
    await expect(handleCommand(store(['Opened', 'Closed']), 'x-1', decider, 'close', metadata, { expectedRevision: 1n })).rejects.toThrow('already closed');
  });

  it('no_stream / stream_exists expectations are preconditions too', async () => {
    await expect(handleCommand(store(['Opened']), 'x-1', decider, 'close', metadata, { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    await expect(handleCommand(store([]), 'x-1', decider, 'close', metadata, { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
  });
});

describe('CommandHandler options', () => {
  const metadata = { correlationId: 'c', actor: testMetadata().actor, occurredAt: new Date().toISOString(), visibility: testMetadata().visibility };
  type Counted = { n: number };
  type Added = { type: 'Added'; data: { by: number } };
  const counter = {
    initialState: { n: 0 } as Counted,
    evolve: (s: Counted, e: Added): Counted => ({ n: s.n + e.data.by }),
    decide: (by: number): Added[] => [{ type: 'Added', data: { by } }],
  };

  /** A stream another writer appends to once, between our read and our append. */
  function racedStore(): EventStore & { reads: number; appends: NewEvent[] } {
    const stored: RecordedEvent[] = [];
    let raced = false;
    const s = {
      reads: 0,
      appends: [] as NewEvent[],
      readStream: async () => {
        s.reads++;
        return [...stored];
      },
      appendToStream: async (stream: string, batch: readonly NewEvent[], options: { expectedRevision: unknown }) => {
        if (!raced) {
          raced = true;
          stored.push({ type: 'Added', data: { by: 100 }, revision: BigInt(stored.length) } as unknown as RecordedEvent);
        }
        const actual = stored.length === 0 ? undefined : BigInt(stored.length - 1);
        const expected = options.expectedRevision === 'no_stream' ? undefined : options.expectedRevision;
        if (expected !== actual) throw new ConcurrencyConflictError(stream, options.expectedRevision as bigint, actual);
        for (const e of batch) stored.push({ ...e, revision: BigInt(stored.length) } as unknown as RecordedEvent);
        s.appends.push(...batch);
        return { nextExpectedRevision: BigInt(stored.length - 1), position: { commit: 1n, prepare: 1n }, appended: true };
      },
    };
    return s as unknown as EventStore & { reads: number; appends: NewEvent[] };
  }

  it('retries a command that met a concurrent writer, deciding again on the new state', async () => {
    const s = racedStore();
    const result = await new CommandHandler(s, counter, { retries: 1 }).handle('n-1', 5, metadata);
    expect(s.reads).toBe(2);
    expect(result.state).toEqual({ n: 105 });
    expect(result.revision).toBe(1n);
  });

  it('without retries the conflict reaches the caller (409)', async () => {
    await expect(new CommandHandler(racedStore(), counter).handle('n-1', 5, metadata)).rejects.toBeInstanceOf(ConcurrencyConflictError);
  });

  it('never retries when the client stated the revision it saw (If-Match is a precondition: 412)', async () => {
    const s = racedStore();
    await expect(new CommandHandler(s, counter, { retries: 3 }).handle('n-1', 5, metadata, { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    expect(s.reads).toBe(1);
  });

  it('upcasts older schema versions as the stream is loaded: deciders see current events only', async () => {
    const old = [
      { type: 'Added', data: { amount: 2 }, schemaVersion: 1, revision: 0n },
      { type: 'Added', data: { by: 3 }, schemaVersion: 2, revision: 1n },
    ] as unknown as RecordedEvent[];
    const s = { readStream: async () => old } as unknown as EventStore;
    const upcast = (e: RecordedEvent): Added =>
      e.schemaVersion === 1 ? { type: 'Added', data: { by: (e.data as { amount: number }).amount } } : (e as unknown as Added);
    expect((await new CommandHandler(s, counter, { upcast }).load('n-1')).state).toEqual({ n: 5 });
  });

  it('writes the schema version it was given on every event', async () => {
    const s = racedStore();
    await new CommandHandler(s, counter, { retries: 1, schemaVersion: 2 }).handle('n-1', 5, metadata);
    expect(s.appends.map((e) => e.schemaVersion)).toEqual([2]);
  });
});
