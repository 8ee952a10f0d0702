import type { BusSubscribeOptions, BusSubscription, DeadLetter, IntegrationBus } from '../bus';
import type { IntegrationEvent } from '../envelope';
import { InvalidIntegrationEventError, type IntegrationEventRegistry } from '../registry';
import { gate, seqOf, testIntegrationEvent, testRegistry, uniqueGroup, uniqueSubject, waitFor } from './fixtures';

export interface BusHarness {
  bus: IntegrationBus;
  /** Puts a message on the bus's topic as is (unvalidated), keyed by `subject`. */
  publishRaw(subject: string, raw: string): Promise<void>;
  /** The dead letters of `group`, once at least `expectedCount` of them are there (or a timeout passed). */
  readDeadLetters(group: string, expectedCount: number): Promise<DeadLetter[]>;
  cleanup?(): Promise<void>;
}

export interface BusConformanceOptions {
  /** A bus for the whole suite, knowing the events of `registry` (tests use unique groups and subjects). */
  create(registry: IntegrationEventRegistry): Promise<BusHarness>;
  /** Bound of each wait for deliveries (default 60 s). */
  waitTimeoutMs?: number;
  /** Jest timeout of each case (default 120 s). */
  testTimeoutMs?: number;
}

type Handler = BusSubscribeOptions['handler'];

/** Small backoffs so retry cases stay quick. */
const FAST_RETRY = { initialBackoffMs: 5, maxBackoffMs: 20 };

/**
 * One set of behaviours every integration bus adapter must show (Kafka semantics: every group gets
 * every event, in order per key, at least once; bad messages and exhausted handlers go to the
 * group's dead letters and the consumer moves on). Adapters run it from their own spec file
 * (`in-process-bus.int.spec.ts`, `kafka-bus.infra.spec.ts`).
 *
 * All cases share one bus (one topic) and read it from the beginning with new groups, so each case
 * only looks at its own subjects and event ids. The case that injects poison messages runs last, so
 * the dead letters of earlier cases' groups hold only what those cases put there.
 */
export function describeBusConformance(name: string, options: BusConformanceOptions): void {
  const waitMs = options.waitTimeoutMs ?? 60000;
  const testMs = options.testTimeoutMs ?? 120000;

  describe(`IntegrationBus conformance: ${name}`, () => {
    const registry = testRegistry();
    let harness: BusHarness;
    let bus: IntegrationBus;
    const subscriptions: BusSubscription[] = [];

    async function subscribe(group: string, handler: Handler, extra: Partial<BusSubscribeOptions> = {}): Promise<BusSubscription> {
      const subscription = await bus.subscribe({ group, handler, ...extra });
      subscriptions.push(subscription);
      return subscription;
    }

    /** Records the events of `subjects` a handler sees, in order, per subject. */
    function recorder(subjects: readonly string[]) {
      const wanted = new Set(subjects);
      const bySubject = new Map<string, IntegrationEvent[]>(subjects.map((s) => [s, []]));
      const all: IntegrationEvent[] = [];
      const handler: Handler = async (event) => {
        if (!wanted.has(event.subject)) return;
        bySubject.get(event.subject)?.push(event);
        all.push(event);
      };
      const ids = (subject: string): string[] => (bySubject.get(subject) ?? []).map((e) => e.id);
      return { handler, bySubject, all, ids };
    }

    beforeAll(async () => {
      harness = await options.create(registry);
      bus = harness.bus;
    }, testMs);

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    }, testMs);

    afterAll(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await bus?.close();
      await harness?.cleanup?.();
    }, testMs);

    it(
      'answers ping',
      async () => {
        await expect(bus.ping()).resolves.toBeUndefined();
      },
      testMs,
    );

    it(
      'delivers every published event, as published, to a group that subscribes afterwards',
      async () => {
        const subjects = [uniqueSubject(), uniqueSubject(), uniqueSubject()];
        const events = subjects.flatMap((s) => [0, 1, 2].map((seq) => testIntegrationEvent(s, seq)));
        await bus.publish(events);

        const attempts: number[] = [];
        const rec = recorder(subjects);
        await subscribe(uniqueGroup('late'), async (event, context) => {
          if (subjects.includes(event.subject)) attempts.push(context.attempt);
          await rec.handler(event, context);
        });
        await waitFor(() => rec.all.length >= events.length, waitMs, 'all 9 events');

        for (const s of subjects) {
          expect(rec.bySubject.get(s)).toEqual(events.filter((e) => e.subject === s));
        }
        expect(attempts).toEqual(events.map(() => 1));
      },
      testMs,
    );

    it(
      'keeps the order of each key with many keys interleaved',
      async () => {
        const customers = Array.from({ length: 20 }, () => uniqueSubject('ordered'));
        const rounds = 15;
        const rec = recorder(customers);
        // Handlers that take uneven time (a few event-loop turns), so concurrent handling of one
        // key's events would show as disorder.
        await subscribe(uniqueGroup('order'), async (event, context) => {
          const turns = (seqOf(event) ?? 0) % 2 === 0 ? 3 : 0;
          for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
          await rec.handler(event, context);
        });

        // Interleaved: round r carries event r of every customer; consumed while still publishing.
        for (let seq = 0; seq < rounds; seq++) {
          await bus.publish(customers.map((c) => testIntegrationEvent(c, seq)));
        }
        await waitFor(() => rec.all.length >= customers.length * rounds, waitMs, `${customers.length * rounds} events`);

        const expected = Array.from({ length: rounds }, (_, i) => i);
        for (const c of customers) {
          expect(rec.bySubject.get(c)?.map(seqOf)).toEqual(expected);
        }
      },
      testMs,
    );

    it(
      'gives every consumer group every event',
      async () => {
        const subjects = [uniqueSubject(), uniqueSubject(), uniqueSubject(), uniqueSubject()];
        const a = recorder(subjects);
        const b = recorder(subjects);
        await subscribe(uniqueGroup('group-a'), a.handler);
        await subscribe(uniqueGroup('group-b'), b.handler);

        const events = subjects.flatMap((s) => [0, 1, 2].map((seq) => testIntegrationEvent(s, seq)));
        await bus.publish(events);
        await waitFor(() => a.all.length >= events.length && b.all.length >= events.length, waitMs, 'both groups');

        for (const s of subjects) {
          const published = events.filter((e) => e.subject === s).map((e) => e.id);
          expect(a.ids(s)).toEqual(published);
          expect(b.ids(s)).toEqual(published);
        }
      },
      testMs,
    );

    it(
      'rejects a publish with an invalid event (InvalidIntegrationEventError) and delivers nothing of that batch',
      async () => {
        const subject = uniqueSubject('rejected');
        const badPayload = { ...testIntegrationEvent(subject, 1), data: { note: 'x', seq: -1 } };
        const unknownType = { ...testIntegrationEvent(subject, 2), type: 'crm.test.NeverRegistered' };
        const { subject: _omitted, ...withoutSubject } = testIntegrationEvent(subject, 3);
        const missingSubject = withoutSubject as unknown as IntegrationEvent;
        void _omitted;

        const batches: Array<[IntegrationEvent[], RegExp]> = [
          [[testIntegrationEvent(subject, 0), badPayload], /invalid data of crm\.test\.CustomerNoted@1: seq/],
          [[testIntegrationEvent(subject, 0), unknownType], /unknown event type crm\.test\.NeverRegistered/],
          [[testIntegrationEvent(subject, 0), missingSubject], /subject/],
        ];
        for (const [batch, reason] of batches) {
          const publishing = bus.publish(batch);
          await expect(publishing).rejects.toBeInstanceOf(InvalidIntegrationEventError);
          await expect(publishing).rejects.toThrow(reason);
        }

        // Same key, so the sentinel comes after anything of the rejected batches that got through.
        const sentinel = testIntegrationEvent(subject, 9, 'sentinel');
        await bus.publish([sentinel]);
        const rec = recorder([subject]);
        await subscribe(uniqueGroup('rejected'), rec.handler);
        await waitFor(() => rec.ids(subject).includes(sentinel.id), waitMs, 'the sentinel');
        expect(rec.ids(subject)).toEqual([sentinel.id]);
      },
      testMs,
    );

    it(
      'retries a failing handler with backoff and handles the event once',
      async () => {
        const subject = uniqueSubject('retried');
        const flaky = testIntegrationEvent(subject, 0);
        const next = testIntegrationEvent(subject, 1);
        const attempts: number[] = [];
        let flakyHandled = 0;
        let nextHandled = 0;
        await subscribe(
          uniqueGroup('retry'),
          async (event, { attempt }) => {
            if (event.id === next.id) nextHandled++;
            if (event.id !== flaky.id) return;
            attempts.push(attempt);
            if (attempt < 3) throw new Error(`transient failure ${attempt}`);
            flakyHandled++;
          },
          { retry: { attempts: 5, ...FAST_RETRY } },
        );
        await bus.publish([flaky, next]);

        await waitFor(() => nextHandled > 0, waitMs, 'the event after the flaky one');
        expect(attempts).toEqual([1, 2, 3]);
        expect(flakyHandled).toBe(1);
        expect(nextHandled).toBe(1);
      },
      testMs,
    );

    it(
      'dead-letters an event whose handler always fails, with the error, and goes on with the next one',
      async () => {
        const subject = uniqueSubject('doomed');
        const doomed = testIntegrationEvent(subject, 0);
        const next = testIntegrationEvent(subject, 1);
        const group = uniqueGroup('always-fails');
        const marker = `boom ${doomed.id}`;
        const attempts: number[] = [];
        let nextHandled = 0;
        await subscribe(
          group,
          async (event, { attempt }) => {
            if (event.id === next.id) nextHandled++;
            if (event.id !== doomed.id) return;
            attempts.push(attempt);
            throw new Error(marker);
          },
          { retry: { attempts: 3, ...FAST_RETRY } },
        );
        await bus.publish([doomed, next]);

        await waitFor(() => nextHandled > 0, waitMs, 'the event after the doomed one');
        expect(attempts).toEqual([1, 2, 3]);
        expect(nextHandled).toBe(1);

        const letters = await harness.readDeadLetters(group, 1);
        expect(letters).toHaveLength(1);
        const [letter] = letters;
        expect(letter.group).toBe(group);
        expect(letter.reason).toContain('after 3 attempts');
        expect(letter.reason).toContain(marker);
        expect(JSON.parse(letter.raw)).toEqual(doomed);
        expect(letter.sourceTopic).toEqual(expect.any(String));
        expect(letter.sourceTopic.length).toBeGreaterThan(0);
        expect(Number.isNaN(Date.parse(letter.failedAt))).toBe(false);
      },
      testMs,
    );

    it(
      'handles an event id published twice only once',
      async () => {
        const subject = uniqueSubject('dup');
        const event = testIntegrationEvent(subject, 0);
        const sentinel = testIntegrationEvent(subject, 1, 'sentinel');
        await bus.publish([event]);
        await bus.publish([event]);
        await bus.publish([{ ...event }, sentinel]);

        const rec = recorder([subject]);
        await subscribe(uniqueGroup('dedupe'), rec.handler);
        await waitFor(() => rec.ids(subject).includes(sentinel.id), waitMs, 'the sentinel');
        expect(rec.ids(subject)).toEqual([event.id, sentinel.id]);
      },
      testMs,
    );

    it(
      'delivers every event at least once across a stop and a new subscription of the same group',
      async () => {
        const subjects = [uniqueSubject('restart'), uniqueSubject('restart'), uniqueSubject('restart')];
        const events = Array.from({ length: 10 }, (_, seq) => subjects.map((s) => testIntegrationEvent(s, seq))).flat();
        const allIds = events.map((e) => e.id).sort();
        await bus.publish(events);
        const group = uniqueGroup('restart');

        // First member: handles a few, then is held mid-stream while it is stopped.
        const hold = gate();
        const first = new Set<string>();
        const firstSubscription = await subscribe(group, async (event) => {
          if (!subjects.includes(event.subject)) return;
          first.add(event.id);
          if (first.size >= 8) await hold.promise;
        });
        await waitFor(() => first.size >= 8, waitMs, '8 events before the stop');
        const stopping = firstSubscription.stop();
        hold.open();
        await stopping;
        const firstCount = first.size;
        expect(firstCount).toBeLessThan(events.length);

        const second = new Set<string>();
        await subscribe(group, async (event) => {
          if (subjects.includes(event.subject)) second.add(event.id);
        });
        await waitFor(() => new Set([...first, ...second]).size >= events.length, waitMs, 'every event after the restart');

        expect([...new Set([...first, ...second])].sort()).toEqual(allIds);
        // It resumed from the committed offsets, not from the start.
        expect(second.size).toBeLessThan(events.length);
        // Nothing of the stopped member ran after stop() resolved.
        expect(first.size).toBe(firstCount);
      },
      testMs,
    );

    it(
      'subscribeBatch: delivers every event in per-key order, offers a failing batch again until it succeeds, dead-letters nothing for it',
      async () => {
        const subjects = Array.from({ length: 5 }, () => uniqueSubject('batch'));
        const events = Array.from({ length: 6 }, (_, seq) => subjects.map((s) => testIntegrationEvent(s, seq))).flat();
        const group = uniqueGroup('batch');
        const seen = new Map<string, number[]>(subjects.map((s) => [s, []]));
        let failures = 0;
        const failOn = events[7].id;
        const subscription = await bus.subscribeBatch({
          group,
          retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
          onBatchError: () => undefined,
          handleBatch: async (batch) => {
            // A database that is down for the first three attempts at the batch holding this event.
            if (batch.some((e) => e.id === failOn) && failures < 3) {
              failures++;
              throw new Error('database unavailable');
            }
            for (const e of batch) seen.get(e.subject)?.push(seqOf(e) ?? -1);
          },
        });
        subscriptions.push(subscription);
        await bus.publish(events);
        await waitFor(() => [...seen.values()].every((seqs) => seqs.length >= 6), waitMs, 'every event in batches');
        expect(failures).toBe(3);
        for (const s of subjects) expect(seen.get(s)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(await harness.readDeadLetters(group, 0)).toEqual([]);
      },
      testMs,
    );

    // Runs last: it puts poison messages on the shared topic, which later groups would dead-letter too.
    it(
      'dead-letters invalid raw messages with the reason and keeps consuming',
      async () => {
        const subject = uniqueSubject('poison');
        const notJson = `not json {${subject}`;
        const unknownType = JSON.stringify({ ...testIntegrationEvent(subject, 0), type: 'crm.test.Unknown' });
        const badPayload = JSON.stringify({ ...testIntegrationEvent(subject, 0), data: { note: 'x', seq: 'three' } });
        const valid = testIntegrationEvent(subject, 1);
        const later = testIntegrationEvent(subject, 2);

        await harness.publishRaw(subject, notJson);
        await harness.publishRaw(subject, unknownType);
        await harness.publishRaw(subject, badPayload);
        await bus.publish([valid]);

        const group = uniqueGroup('poison');
        const rec = recorder([subject]);
        await subscribe(group, rec.handler);
        await waitFor(() => rec.ids(subject).includes(valid.id), waitMs, 'the valid event after the poison');

        const letters = await harness.readDeadLetters(group, 3);
        expect(letters).toHaveLength(3);
        const reasonOf = (raw: string): string | undefined => letters.find((l) => l.raw === raw)?.reason;
        expect(reasonOf(notJson)).toMatch(/not valid JSON/);
        expect(reasonOf(unknownType)).toMatch(/unknown event type crm\.test\.Unknown/);
        expect(reasonOf(badPayload)).toMatch(/invalid data of crm\.test\.CustomerNoted@1: seq/);
        for (const letter of letters) expect(letter.group).toBe(group);

        await bus.publish([later]);
        await waitFor(() => rec.ids(subject).includes(later.id), waitMs, 'an event published after the dead letters');
        expect(rec.ids(subject)).toEqual([valid.id, later.id]);

        // A batch subscriber dead-letters the same messages and gets only the valid events.
        const batchGroup = uniqueGroup('poison-batch');
        const batchSeen: string[] = [];
        subscriptions.push(
          await bus.subscribeBatch({
            group: batchGroup,
            handleBatch: async (batch) => {
              for (const e of batch) if (e.subject === subject) batchSeen.push(e.id);
            },
          }),
        );
        await waitFor(() => batchSeen.includes(later.id), waitMs, 'the batch subscriber to reach the later event');
        expect(batchSeen).toEqual([valid.id, later.id]);
        const batchLetters = await harness.readDeadLetters(batchGroup, 3);
        expect(batchLetters.map((l) => l.raw).sort()).toEqual([notJson, unknownType, badPayload].sort());
      },
      testMs,
    );
  });
}
