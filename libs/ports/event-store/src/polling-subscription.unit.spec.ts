import { pollingSubscription, type PolledPage } from './polling-subscription';
import type { GlobalPosition, RecordedEvent } from './types';

function event(n: number): RecordedEvent {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    streamId: 's',
    revision: BigInt(n),
    position: { commit: BigInt(n), prepare: BigInt(n) },
    type: 'E',
    data: { n },
    metadata: {
      correlationId: 'c',
      causationId: 'c',
      actor: { type: 'system', id: 't' },
      occurredAt: new Date(0).toISOString(),
      visibility: { departments: '*', partners: [] },
    },
    schemaVersion: 1,
    recordedAt: new Date(0).toISOString(),
  };
}

/** A store in memory whose reads can be held open, counting reads. */
function fakeStore() {
  const events: RecordedEvent[] = [];
  let heldBack = false;
  let gate: Promise<void> | undefined;
  const reads: number[] = [];
  return {
    events,
    reads,
    setHeldBack: (v: boolean) => (heldBack = v),
    hold() {
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
    async readAll(after: GlobalPosition | undefined, maxCount: number): Promise<PolledPage> {
      reads.push(Date.now());
      const page = events.filter((e) => !after || e.position.commit > after.commit).slice(0, maxCount);
      if (gate) await gate; // the page was read before the gate opened: later appends are not in it
      return { events: page, heldBack };
    },
  };
}

const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('pollingSubscription', () => {
  it('a wake-up that arrives while a page is being read is kept: the next read follows at once', async () => {
    const store = fakeStore();
    let wake!: () => void;
    const seen: number[] = [];
    let caughtUp = false;
    const sub = pollingSubscription({
      readAll: (a, m) => store.readAll(a, m),
      pollIntervalMs: 60000, // only a wake-up can deliver within the test
      onLocalAppend: (w) => ((wake = w), () => undefined),
      onEvent: async (e) => void seen.push((e.data as { n: number }).n),
      onCaughtUp: () => (caughtUp = true),
    });
    try {
      await until(() => caughtUp);
      const release = store.hold();
      wake(); // starts a read that will not see event 1
      await until(() => store.reads.length === 2);
      store.events.push(event(1));
      wake(); // arrives during that read
      release();
      await until(() => seen.length === 1, 2000);
      expect(seen).toEqual([1]);
    } finally {
      await sub.stop();
    }
  });

  // The timing rules run on Jest's fake timers (setTimeout, Date and performance.now): the test moves
  // time, so what it asserts about when reads happen holds on a loaded machine too.
  describe('on a controlled clock', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());
    /** Lets the subscription's promises settle without moving the clock. */
    const settle = () => jest.advanceTimersByTimeAsync(0);

    it('reads the poll interval before every wait, so a store can change it while running', async () => {
      const store = fakeStore();
      let interval = 60000;
      const seen: number[] = [];
      let wake!: () => void;
      const sub = pollingSubscription({
        readAll: (a, m) => store.readAll(a, m),
        pollIntervalMs: () => interval,
        onLocalAppend: (w) => ((wake = w), () => undefined),
        onEvent: async (e) => void seen.push((e.data as { n: number }).n),
      });
      try {
        await settle();
        expect(store.reads).toHaveLength(1); // caught up, waiting a minute
        await jest.advanceTimersByTimeAsync(30000);
        expect(store.reads).toHaveLength(1);
        interval = 5;
        store.events.push(event(1));
        wake(); // re-arms the wait with the new interval
        await settle();
        expect(seen).toEqual([1]);
        const before = store.reads.length;
        await jest.advanceTimersByTimeAsync(100);
        expect(store.reads.length - before).toBe(20); // every 5 ms now
      } finally {
        await sub.stop();
      }
    });

    it('after a page that reports held-back events it looks again within milliseconds, backing off, not after the poll interval', async () => {
      const store = fakeStore();
      const seen: number[] = [];
      store.setHeldBack(true);
      const sub = pollingSubscription({
        readAll: (a, m) => store.readAll(a, m),
        pollIntervalMs: 60000,
        heldBackRetryMs: 1,
        onEvent: async (e) => void seen.push((e.data as { n: number }).n),
      });
      try {
        await settle();
        await jest.advanceTimersByTimeAsync(1 + 2 + 4 + 8 + 16);
        const gaps = store.reads.slice(1).map((t, i) => t - store.reads[i]);
        expect(gaps).toEqual([1, 2, 4, 8, 16]); // doubling from heldBackRetryMs
        store.events.push(event(1)); // the older transaction finished: the event is released
        store.setHeldBack(false);
        await jest.advanceTimersByTimeAsync(32);
        expect(seen).toEqual([1]);
        const reads = store.reads.length;
        await jest.advanceTimersByTimeAsync(59000);
        expect(store.reads.length).toBe(reads); // nothing held back: back to the (long) poll interval
        await jest.advanceTimersByTimeAsync(1000);
        expect(store.reads.length).toBe(reads + 1);
      } finally {
        await sub.stop();
      }
    });

    it('coalesces wake-ups: a stream of appends, each waking it, is read in a few pages rather than one per append', async () => {
      const store = fakeStore();
      let wake!: () => void;
      const seen: number[] = [];
      const sub = pollingSubscription({
        readAll: (a, m) => store.readAll(a, m),
        pollIntervalMs: 60000,
        minWakeIntervalMs: 1000,
        onLocalAppend: (w) => ((wake = w), () => undefined),
        onEvent: async (e) => void seen.push((e.data as { n: number }).n),
      });
      try {
        await settle();
        await jest.advanceTimersByTimeAsync(5000); // idle for a while
        const before = store.reads.length;
        for (let n = 1; n <= 10; n++) {
          store.events.push(event(n));
          wake();
          await jest.advanceTimersByTimeAsync(1); // each append lets the subscription run
        }
        // Idle, the first wake-up is read at once (event 1); the others arrive within a second of
        // that read, so one pause of the interval collects them in a single page.
        expect(seen).toEqual([1]);
        await jest.advanceTimersByTimeAsync(1000);
        expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(store.reads.length - before).toBe(2);
      } finally {
        await sub.stop();
      }
    });
  });

  it('accepts plain arrays from stores without held-back information', async () => {
    const events = [event(1), event(2)];
    const seen: number[] = [];
    const sub = pollingSubscription({
      readAll: async (after) => events.filter((e) => !after || e.position.commit > after.commit),
      pollIntervalMs: 5,
      onEvent: async (e) => void seen.push((e.data as { n: number }).n),
    });
    try {
      await until(() => seen.length === 2);
      expect(seen).toEqual([1, 2]);
    } finally {
      await sub.stop();
    }
  });

  it('stop() ends a coalescing pause at once', async () => {
    const store = fakeStore();
    let wake!: () => void;
    let caughtUp = false;
    const sub = pollingSubscription({
      readAll: (a, m) => store.readAll(a, m),
      pollIntervalMs: 60000,
      minWakeIntervalMs: 60000,
      onLocalAppend: (w) => ((wake = w), () => undefined),
      onEvent: async () => undefined,
      onCaughtUp: () => (caughtUp = true),
    });
    await until(() => caughtUp);
    store.events.push(event(1));
    wake(); // the subscription now pauses up to a minute before it reads
    await new Promise((r) => setTimeout(r, 5));
    await sub.stop(); // resolves well within the test's timeout, not after the minute
    expect(store.reads.length).toBe(1);
  });
});
