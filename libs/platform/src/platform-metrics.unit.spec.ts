import type { AppendResult, EventStore, NewEvent } from '@crm/event-store';
import { testEvent } from '@crm/event-store/testing';
import { measuredEventStore, PlatformMetrics } from './platform-metrics';

/** A store whose appends answer `appended` as told (or fail): only what the decorator reads. */
function fakeStore(answer: () => Promise<AppendResult>): EventStore {
  const never = () => Promise.reject(new Error('not used'));
  return {
    appendToStream: () => answer(),
    readStream: never,
    readAll: never,
    subscribeToAll: () => {
      throw new Error('not used');
    },
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
const written = (appended: boolean) => () => Promise.resolve({ appended, nextExpectedRevision: 0n, position: { commit: 1n, prepare: 1n } });
const value = async (metrics: PlatformMetrics, name: string, labels: Record<string, string>) =>
  (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;

const opened = (episodeType: unknown): NewEvent => testEvent('EpisodeOpened', { episodeId: 'e-1', customerId: 'c-1', episodeType });
const interaction = (channel: unknown): NewEvent => testEvent('InteractionRecorded', { episodeId: 'e-1', customerId: 'c-1', interaction: { channel } });

describe('measuredEventStore', () => {
  it('times every append and counts the stored events and the business events by their bounded type and channel', async () => {
    const metrics = new PlatformMetrics();
    const store = measuredEventStore(fakeStore(written(true)), metrics, 'postgres');
    await store.appendToStream('episode-1', [opened('opportunity'), interaction('phone'), interaction('phone')]);
    await store.appendToStream('episode-2', [opened('case'), testEvent()]);

    expect(await value(metrics, 'crm_event_store_append_duration_seconds', { store: 'postgres', le: '+Inf' })).toBe(2);
    expect(await value(metrics, 'crm_event_store_appended_events_total', { store: 'postgres' })).toBe(5);
    expect(await value(metrics, 'crm_episodes_opened_total', { type: 'opportunity' })).toBe(1);
    expect(await value(metrics, 'crm_episodes_opened_total', { type: 'case' })).toBe(1);
    expect(await value(metrics, 'crm_interactions_recorded_total', { channel: 'phone' })).toBe(2);
  });

  it('counts nothing for a re-append that wrote nothing (an idempotent retry) or a refused one, but times both', async () => {
    const metrics = new PlatformMetrics();
    await measuredEventStore(fakeStore(written(false)), metrics, 'pglite').appendToStream('episode-1', [opened('opportunity')]);
    const refused = measuredEventStore(
      fakeStore(() => Promise.reject(new Error('wrong expected revision'))),
      metrics,
      'pglite',
    );
    await expect(refused.appendToStream('episode-1', [opened('opportunity')])).rejects.toThrow('wrong expected revision');

    expect(await value(metrics, 'crm_event_store_append_duration_seconds', { store: 'pglite', le: '+Inf' })).toBe(2);
    expect(await value(metrics, 'crm_event_store_appended_events_total', { store: 'pglite' })).toBe(0);
    expect(await value(metrics, 'crm_episodes_opened_total', { type: 'opportunity' })).toBe(0);
  });

  it('never makes a label of a value outside the vocabulary (a typo, an id, personal data): it counts as other', async () => {
    const metrics = new PlatformMetrics();
    const store = measuredEventStore(fakeStore(written(true)), metrics, 'eventstoredb');
    await store.appendToStream('episode-1', [opened('Budi Santoso'), interaction('carrier pigeon'), interaction(undefined)]);

    const labels = (
      await Promise.all(
        ['crm_episodes_opened_total', 'crm_interactions_recorded_total'].map(async (n) => (await metrics.registry.getSingleMetric(n)!.get()).values),
      )
    ).flat();
    expect(labels.map((v) => Object.values(v.labels)).flat()).toEqual(['other', 'other']);
    expect(await value(metrics, 'crm_interactions_recorded_total', { channel: 'other' })).toBe(2);
  });

  it('keeps one registry per platform: two platforms in one process register the same names without a clash', async () => {
    const a = new PlatformMetrics();
    const b = new PlatformMetrics();
    a.projectionHooks.applied('sales.timeline', 3);
    b.projectionHooks.parked('sales.timeline', 'contract', 1);
    expect(await a.registry.metrics()).toContain('crm_projection_events_applied_total{projection="sales.timeline"} 3');
    expect(await b.registry.metrics()).toContain('crm_dead_letters_total{projection="sales.timeline",reason="contract"} 1');
    expect(await b.registry.metrics()).not.toContain('crm_projection_events_applied_total{');
  });
});
