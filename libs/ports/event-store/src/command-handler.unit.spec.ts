import { ConcurrencyConflictError } from './errors';
import { handleCommand } from './command-handler';
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

  it('with the current revision the rule speaks (422 material)', async () => {
    await expect(handleCommand(store(['Opened', 'Closed']), 'x-1', decider, 'close', metadata, { expectedRevision: 1n })).rejects.toThrow('already closed');
  });

  it('no_stream / stream_exists expectations are preconditions too', async () => {
    await expect(handleCommand(store(['Opened']), 'x-1', decider, 'close', metadata, { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(handleCommand(store([]), 'x-1', decider, 'close', metadata, { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(ConcurrencyConflictError);
  });
});
