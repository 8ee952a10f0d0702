import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import type { EventMetadata, NewEvent } from '@crm/event-store';
import { testMetadata } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { ProjectionRunner } from '@crm/projections';
import { toIntegrationEvent } from '@crm/relay';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource } from 'typeorm';
import { CustomerDirectoryEntry, PartnerAccess, TimelineEntry } from './timeline.entities';
import { customerDirectoryProjection, partnerAccessProjection, timelineProjection } from './timeline.projection';
import { readTimeline, type TimelinePage } from './timeline.query';

// The timeline read model over PGlite: pages are bounded by entries (not whole episodes), keep the
// one global order, show each episode's state as of `asOf`, and leave out other partners' episodes.
describe('timeline read model (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let ds: DataSource;
  let runner: ProjectionRunner;
  const registry = crmRegistry();
  const customerId = randomUUID();
  const dept = randomUUID();
  const partnerA = randomUUID();
  const partnerB = randomUUID();
  const opp = randomUUID();
  const deal = randomUUID();
  const otherDeal = randomUUID();
  let beforeClose: Date;

  const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
  const append = (stream: string, type: string, data: Record<string, unknown>, metadata: EventMetadata = testMetadata()) =>
    store.appendToStream(stream, [{ id: randomUUID(), type, data, metadata, schemaVersion: 1 } satisfies NewEvent]);
  const interaction = (episodeId: string, n: number) =>
    append(`episode-${episodeId}`, 'InteractionRecorded', {
      episodeId,
      customerId,
      interaction: { interactionId: randomUUID(), channel: 'phone', direction: 'outbound', actor: { kind: 'staff', id: 'u1' }, action: `call ${n}`, occurredAt: at(n) },
    });
  const open = (episodeId: string, name: string, owner: Record<string, string>, episodeType: string, extra: Record<string, unknown> = {}) =>
    append(`episode-${episodeId}`, 'EpisodeOpened', { episodeId, customerId, name, episodeType, owner, openedAt: at(0), ...extra });

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    ds = new DataSource({ type: 'postgres', driver: session.pgDriver(), entities: [TimelineEntry, CustomerDirectoryEntry, PartnerAccess], synchronize: true });
    await ds.initialize();
    runner = new ProjectionRunner(ds, [timelineProjection('t'), customerDirectoryProjection('t'), partnerAccessProjection('t')], { group: 'read-models.t', logger: { warn: () => undefined, error: () => undefined } });
    await runner.migrate();

    await append(`customer-${customerId}`, 'CustomerRegistered', {
      customerId,
      kind: 'organisation',
      name: 'PT Maju',
      contacts: [],
      identities: [],
      journeyStage: 'prospect',
      relationshipPhase: 'awareness',
      registeredBy: 'sales',
    });
    await open(opp, 'Fleet renewal', { kind: 'department', department: 'sales' }, 'opportunity', { stage: 'lead-generation' });
    for (let n = 1; n <= 30; n++) await interaction(opp, n);
    await open(deal, 'A resells', { kind: 'partner', partnerId: partnerA }, 'partner-deal');
    await interaction(deal, 31);
    await open(otherDeal, 'B resells', { kind: 'partner', partnerId: partnerB }, 'partner-deal');
    await interaction(otherDeal, 32);
    await append(`episode-${opp}`, 'OpportunityStageAdvanced', { episodeId: opp, customerId, from: 'lead-generation', to: 'proposal-creation', advancedAt: at(40) });
    await new Promise((r) => setTimeout(r, 20));
    beforeClose = new Date();
    await new Promise((r) => setTimeout(r, 20));
    await append(`episode-${opp}`, 'EpisodeClosed', { episodeId: opp, customerId, outcome: 'won', closedAt: at(50), value: 5000, currency: 'EUR' });
    void dept;
    expect(await runner.rebuild(store, registry, toIntegrationEvent)).toBeGreaterThan(30);
  });
  afterAll(async () => {
    await ds.destroy();
    await session.close();
  });

  async function allPages(q: { limit: number; partnerId?: string; newestFirst?: boolean; asOf?: Date }): Promise<TimelinePage[]> {
    const pages: TimelinePage[] = [];
    let cursor: string | undefined;
    do {
      const page = await readTimeline(ds.manager, { customerId, cursor, ...q });
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor);
    return pages;
  }

  it('pages by entries: a long episode spans pages, every interaction appears once, in order, with its episode header on each page', async () => {
    const pages = await allPages({ limit: 7 });
    expect(pages.every((p) => p.entries <= 7)).toBe(true);
    const actions = pages.flatMap((p) => p.episodes.flatMap((e) => e.interactions.map((i) => i.action)));
    expect(actions).toEqual([...Array.from({ length: 30 }, (_, i) => `call ${i + 1}`), 'call 31', 'call 32']);
    // The opportunity shows up on every page that holds one of its entries, always with its current header.
    const oppPages = pages.filter((p) => p.episodes.some((e) => e.episodeId === opp));
    expect(oppPages.length).toBeGreaterThan(3);
    for (const p of oppPages) {
      const e = p.episodes.find((x) => x.episodeId === opp)!;
      expect(e).toMatchObject({ name: 'Fleet renewal', stage: 'proposal-creation', closed: { outcome: 'won', value: 5000, currency: 'EUR' } });
      expect(e.stageHistory).toEqual([{ from: 'lead-generation', to: 'proposal-creation', advancedAt: at(40) }]);
    }
    expect(pages[pages.length - 1].nextCursor).toBeUndefined();
  });

  it('newest first walks the same entries backwards', async () => {
    const forwards = (await allPages({ limit: 5 })).flatMap((p) => p.episodes.flatMap((e) => e.interactions.map((i) => i.position)));
    const backwards = (await allPages({ limit: 5, newestFirst: true })).flatMap((p) => p.episodes.flatMap((e) => e.interactions.map((i) => i.position)));
    expect(backwards).toEqual([...forwards].reverse());
  });

  it("a partner sees department episodes and its own, never another partner's — on every page", async () => {
    const pages = await allPages({ limit: 4, partnerId: partnerA });
    const episodes = new Set(pages.flatMap((p) => p.episodes.map((e) => e.episodeId)));
    expect(episodes).toEqual(new Set([opp, deal]));
    const actions = pages.flatMap((p) => p.episodes.flatMap((e) => e.interactions.map((i) => i.action)));
    expect(actions).not.toContain('call 32');
    expect(actions).toContain('call 31');
  });

  it('asOf shows the history as it stood: the opportunity not yet closed', async () => {
    const [page] = await allPages({ limit: 100, asOf: beforeClose });
    const e = page.episodes.find((x) => x.episodeId === opp)!;
    expect(e.stage).toBe('proposal-creation');
    expect(e.closed).toBeUndefined();
    expect(page.asOf).toBe(beforeClose.toISOString());
  });

  it('an interaction on an episode this timeline never saw opened is parked, not shown unscoped', async () => {
    const orphan = randomUUID();
    await interaction(orphan, 99);
    await runner.startFromStore(store, registry, toIntegrationEvent);
    try {
      for (let i = 0; i < 200 && (await runner.parkedEvents.open(ds, ['t.timeline'], { subject: customerId })).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      const parked = await runner.parkedEvents.open(ds, ['t.timeline'], { subject: customerId });
      expect(parked).toHaveLength(1);
      expect(parked[0].reason).toContain(`episode ${orphan} was never opened`);
    } finally {
      await runner.stop();
    }
  });
});
