import { InvalidIntegrationEventError } from '@crm/bus';
import { describeBusConformance, testIntegrationEvent, testRegistry, uniqueGroup, uniqueSubject, waitFor } from '@crm/bus/testing';
import { InProcessBus, stablePartition } from './in-process-bus';

describeBusConformance('in-process bus', {
  async create(registry) {
    const bus = new InProcessBus(registry, { partitions: 4, topic: 'crm.test.in-process' });
    return {
      bus,
      publishRaw: (subject, raw) => bus.publishRaw(subject, raw),
      async readDeadLetters(group, expectedCount) {
        await waitFor(() => bus.deadLetters(group).length >= expectedCount, 30000, `${expectedCount} dead letters of ${group}`);
        return bus.deadLetters(group);
      },
    };
  },
});

describe('InProcessBus specifics', () => {
  let bus: InProcessBus;
  beforeEach(() => {
    bus = new InProcessBus(testRegistry(), { partitions: 3 });
  });
  afterEach(async () => {
    await bus.close();
  });

  it('partitions by a stable hash of the subject', () => {
    expect(stablePartition('customer-42', 6)).toBe(stablePartition('customer-42', 6));
    const used = new Set(Array.from({ length: 60 }, (_, i) => stablePartition(`customer-${i}`, 6)));
    expect(used.size).toBe(6);
    for (const p of used) expect(p).toBeGreaterThanOrEqual(0);
  });

  it('commits a group offset only after the delivery resolved', async () => {
    const subject = uniqueSubject();
    const event = testIntegrationEvent(subject);
    await bus.publish([event]);
    const group = uniqueGroup();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started = false;
    const sub = await bus.subscribe({
      group,
      handler: async () => {
        started = true;
        await held;
      },
    });
    await waitFor(() => started, 10000, 'the handler to start');
    expect(bus.committedOffsets(group)?.reduce((a, b) => a + b, 0)).toBe(0);
    const stopping = sub.stop();
    release();
    await stopping;
    expect(bus.committedOffsets(group)?.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('starts a new group at the end of the log when fromBeginning is false', async () => {
    const subject = uniqueSubject();
    const old = testIntegrationEvent(subject, 0);
    const fresh = testIntegrationEvent(subject, 1);
    await bus.publish([old]);
    const seen: string[] = [];
    await bus.subscribe({ group: uniqueGroup(), fromBeginning: false, handler: async (e) => void seen.push(e.id) });
    await bus.publish([fresh]);
    await waitFor(() => seen.length > 0, 10000, 'the fresh event');
    expect(seen).toEqual([fresh.id]);
  });

  it('allows one subscriber per group at a time', async () => {
    const group = uniqueGroup();
    const sub = await bus.subscribe({ group, handler: async () => undefined });
    await expect(bus.subscribe({ group, handler: async () => undefined })).rejects.toThrow(/one subscriber per group/);
    await sub.stop();
    const again = await bus.subscribe({ group, handler: async () => undefined });
    await again.stop();
  });

  it('appends nothing when one event of the batch is invalid', async () => {
    const subject = uniqueSubject();
    const bad = { ...testIntegrationEvent(subject, 1), data: { note: '', seq: 1 } };
    await expect(bus.publish([testIntegrationEvent(subject, 0), bad])).rejects.toBeInstanceOf(InvalidIntegrationEventError);
    const group = uniqueGroup();
    await bus.subscribe({ group, fromBeginning: false, handler: async () => undefined });
    expect(bus.committedOffsets(group)).toEqual([0, 0, 0]);
  });

  it('refuses to publish after close', async () => {
    await bus.close();
    await expect(bus.publish([testIntegrationEvent(uniqueSubject())])).rejects.toThrow(/closed/);
    await expect(bus.ping()).rejects.toThrow(/closed/);
  });
});
