import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { comparePositions, parsePosition } from '@crm/event-store';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import type { EntityManager } from 'typeorm';
import { timelineProjection, type TimelineEvent } from './timeline.projection';
import { readTimeline, type TimelinePage, type TimelineQuery } from './timeline.query';

type Event = SpecEvent<TimelineEvent>;

// One specification for the whole file: its cases share one PGlite database (opening one takes seconds).
const given = ProjectionSpecification.for({ projection: timelineProjection('t'), registry: crmRegistry() });

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
const interaction = (customerId: string, episodeId: string, n: number, extra: { recordedat?: string } = {}): Event => ({
  type: 'InteractionRecorded',
  data: {
    episodeId,
    customerId,
    interaction: {
      interactionId: randomUUID(),
      channel: 'phone',
      direction: 'outbound',
      actor: { kind: 'staff', id: 'u1' },
      action: `call ${n}`,
      occurredAt: at(n),
    },
  },
  ...extra,
});
const open = (
  customerId: string,
  episodeId: string,
  name: string,
  owner: { kind: string; department?: string; partnerId?: string },
  episodeType: string,
  extra: { stage?: string } = {},
): Event => ({
  type: 'EpisodeOpened',
  data: { episodeId, customerId, name, episodeType, owner, openedAt: at(0), ...extra },
});

/** Every page of a customer's timeline, following `nextCursor`. */
async function allPages(manager: EntityManager, q: Omit<TimelineQuery, 'cursor'>): Promise<TimelinePage[]> {
  const pages: TimelinePage[] = [];
  let cursor: string | undefined;
  do {
    const page = await readTimeline(manager, { ...q, cursor });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor);
  return pages;
}

const interactionsOf = (pages: TimelinePage[]) => pages.flatMap((p) => p.episodes.flatMap((e) => e.interactions));

/**
 * The interactions of the pages in the order of the pages' entries: a page groups its entries by
 * episode, but within the page they are one range of the global order (ascending, or descending
 * newest first).
 */
const inEntryOrder = (pages: TimelinePage[], newestFirst = false) =>
  pages.flatMap((p) =>
    p.episodes.flatMap((e) => e.interactions).sort((a, b) => comparePositions(parsePosition(a.position), parsePosition(b.position)) * (newestFirst ? -1 : 1)),
  );

// The timeline read model over PGlite: pages are bounded by entries (not whole episodes), keep the
// one global order, show each episode's state as of `asOf`, and leave out other partners' episodes.
describe('timeline read model (PGlite)', () => {
  const customerId = randomUUID();
  const partnerA = randomUUID();
  const partnerB = randomUUID();
  const opp = randomUUID();
  const deal = randomUUID();
  const otherDeal = randomUUID();
  // Recorded by the store after everything else: `asOf` just before it sees the opportunity open.
  const closedAt = '2026-01-02T00:00:00.000Z';
  const beforeClose = new Date('2026-01-01T23:59:59.999Z');

  const history: Event[] = [
    open(customerId, opp, 'Fleet renewal', { kind: 'department', department: 'sales' }, 'opportunity', { stage: 'lead-generation' }),
    ...Array.from({ length: 30 }, (_, i) => interaction(customerId, opp, i + 1)),
    open(customerId, deal, 'A resells', { kind: 'partner', partnerId: partnerA }, 'partner-deal'),
    interaction(customerId, deal, 31),
    open(customerId, otherDeal, 'B resells', { kind: 'partner', partnerId: partnerB }, 'partner-deal'),
    interaction(customerId, otherDeal, 32),
    { type: 'OpportunityStageAdvanced', data: { episodeId: opp, customerId, from: 'lead-generation', to: 'proposal-creation', advancedAt: at(40) } },
  ];
  const closing: Event = {
    type: 'EpisodeClosed',
    data: { episodeId: opp, customerId, outcome: 'won', closedAt: at(50), value: 5000, currency: 'EUR' },
    recordedat: closedAt,
  };

  it('pages by entries: a long episode spans pages, every interaction appears once, in order, with its episode header on each page', async () => {
    // The whole history as the events to apply: also checked applied one by one (same rows).
    await given([])
      .when([...history, closing])
      .then(async (manager) => {
        const pages = await allPages(manager, { customerId, limit: 7 });
        expect(pages.every((p) => p.entries <= 7)).toBe(true);
        const actions = interactionsOf(pages).map((i) => i.action);
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
  });

  it('newest first walks the same entries backwards', async () => {
    await given(history)
      .when([closing])
      .then(async (manager) => {
        const forwards = interactionsOf(await allPages(manager, { customerId, limit: 5 })).map((i) => i.position);
        const backwards = interactionsOf(await allPages(manager, { customerId, limit: 5, newestFirst: true })).map((i) => i.position);
        expect(backwards).toEqual([...forwards].reverse());
      });
  });

  it("a partner sees department episodes and its own, never another partner's — on every page", async () => {
    await given(history)
      .when([closing])
      .then(async (manager) => {
        const pages = await allPages(manager, { customerId, limit: 4, partnerId: partnerA });
        const episodes = new Set(pages.flatMap((p) => p.episodes.map((e) => e.episodeId)));
        expect(episodes).toEqual(new Set([opp, deal]));
        const actions = interactionsOf(pages).map((i) => i.action);
        expect(actions).not.toContain('call 32');
        expect(actions).toContain('call 31');
      });
  });

  it('asOf shows the history as it stood: the opportunity not yet closed', async () => {
    await given(history)
      .when([closing])
      .then(async (manager) => {
        const [page] = await allPages(manager, { customerId, limit: 100, asOf: beforeClose });
        const e = page.episodes.find((x) => x.episodeId === opp)!;
        expect(e.stage).toBe('proposal-creation');
        expect(e.closed).toBeUndefined();
        expect(page.asOf).toBe(beforeClose.toISOString());
      });
  });

  it('shows the stage moves of pipelines too: a move back with its reason', async () => {
    const moved = randomUUID();
    const c = randomUUID();
    await given([open(c, moved, 'Tender', { kind: 'department', department: 'sales' }, 'opportunity', { stage: 'qualify' })])
      .when([
        {
          type: 'OpportunityStageChanged',
          data: { episodeId: moved, customerId: c, pipelineId: 'p1', from: 'qualify', to: 'quote', backward: false, stageProbability: 60, changedAt: at(5) },
        },
        {
          type: 'OpportunityStageChanged',
          data: {
            episodeId: moved,
            customerId: c,
            pipelineId: 'p1',
            from: 'quote',
            to: 'qualify',
            backward: true,
            reason: 'new buyer',
            stageProbability: 20,
            changedAt: at(6),
          },
        },
      ])
      .then(async (manager) => {
        const [page] = await allPages(manager, { customerId: c, limit: 100 });
        expect(page.episodes[0]).toMatchObject({
          stage: 'qualify',
          stageHistory: [
            { from: 'qualify', to: 'quote', advancedAt: at(5) },
            { from: 'quote', to: 'qualify', advancedAt: at(6), backward: true, reason: 'new buyer' },
          ],
        });
        expect(page.entries).toBe(3);
      });
  });

  it('a resolved case reopened is open again from its reopening on, and closes again later; asOf shows each state', async () => {
    const kase = randomUUID();
    const c = randomUUID();
    const closed = (n: number): Event => ({
      type: 'EpisodeClosed',
      data: { episodeId: kase, customerId: c, outcome: 'resolved', closedAt: at(n) },
      recordedat: at(n),
    });
    await given([open(c, kase, 'No signal', { kind: 'department', department: 'service' }, 'case'), closed(10)])
      .when([
        {
          type: 'CaseReopened',
          data: { episodeId: kase, customerId: c, reason: 'no signal again', reopenedAt: at(20), reopenedBy: 'budi' },
          recordedat: at(20),
        },
        { ...interaction(c, kase, 21), recordedat: at(21) },
        closed(30),
      ])
      .then(async (manager) => {
        const [reopened] = await allPages(manager, { customerId: c, limit: 100, asOf: new Date(at(25)) });
        expect(reopened.episodes[0].closed).toBeUndefined();
        expect(reopened.episodes[0].reopened).toEqual({ count: 1, lastReopenedAt: at(20) });
        expect(reopened.episodes[0].interactions).toHaveLength(1);
        expect(reopened.entries).toBe(4);
        const [before] = await allPages(manager, { customerId: c, limit: 100, asOf: new Date(at(15)) });
        expect(before.episodes[0].closed).toMatchObject({ outcome: 'resolved', closedAt: at(10) });
        expect(before.episodes[0].reopened).toBeUndefined();
        const [now] = await allPages(manager, { customerId: c, limit: 100 });
        expect(now.episodes[0].closed).toMatchObject({ outcome: 'resolved', closedAt: at(30) });
        expect(now.episodes[0].reopened).toEqual({ count: 1, lastReopenedAt: at(20) });
      });
  });

  // issue 12 §5: a return is its own episode, linked to its case; its steps show on it, as of any instant.
  it('a return shows as its own episode linked to the case, with its steps in order', async () => {
    const c = randomUUID();
    const kase = randomUUID();
    const ret = randomUUID();
    const ids = { episodeId: ret, customerId: c };
    const service = { kind: 'department', department: 'service' };
    await given([open(c, kase, 'Phone will not charge', service, 'case')])
      .when([
        { ...open(c, ret, 'Return of phone-x1', service, 'return-repair'), recordedat: at(1) },
        {
          type: 'ReturnRequested',
          data: {
            ...ids,
            caseEpisodeId: kase,
            item: { productId: 'phone-x1', serialNumber: 'SN-1' },
            fault: 'no charge',
            requestedAt: at(1),
            requestedBy: 'budi',
          },
          recordedat: at(1),
        },
        {
          type: 'ReturnAuthorised',
          data: { ...ids, rmaNumber: 'RMA-2026-0B7C4F0E', warranty: 'in-warranty', authorisedAt: at(2), authorisedBy: 'budi' },
          recordedat: at(2),
        },
        { type: 'RepairAssigned', data: { ...ids, partnerId: 'fixit', assignedAt: at(3), assignedBy: 'budi' }, recordedat: at(3) },
        {
          type: 'ReturnShipmentUpdated',
          data: { ...ids, leg: 'to-company', state: 'delivered', carrier: 'DHL', updatedAt: at(4), updatedBy: 'budi' },
          recordedat: at(4),
        },
        {
          type: 'RepairStatusChanged',
          data: { ...ids, partnerId: 'fixit', from: 'assigned', to: 'repaired', changedAt: at(5), changedBy: 'bob' },
          recordedat: at(5),
        },
        {
          type: 'InteractionRecorded',
          data: {
            ...ids,
            interaction: {
              interactionId: randomUUID(),
              channel: 'web',
              direction: 'inbound',
              actor: { kind: 'partner-user', id: 'bob' },
              action: 'replaced the charging port',
              occurredAt: at(5),
            },
          },
          actor: JSON.stringify({ type: 'partner-user', id: 'bob', partnerId: 'fixit' }),
          recordedat: at(5),
        },
        { type: 'EpisodeClosed', data: { ...ids, outcome: 'resolved', closedAt: at(6) }, recordedat: at(6) },
      ])
      .then(async (manager) => {
        const [page] = await allPages(manager, { customerId: c, limit: 100 });
        expect(page.entries).toBe(9);
        const r = page.episodes.find((e) => e.episodeId === ret)!;
        expect(r.interactions[0]).toMatchObject({ actor: { kind: 'partner-user', id: 'bob' }, recordedBy: { partnerId: 'fixit', id: 'bob' } });
        expect(r).toMatchObject({ episodeType: 'return-repair', caseEpisodeId: kase, closed: { outcome: 'resolved' } });
        expect(r.returnSteps!.map((s) => [s.kind, s.at])).toEqual([
          ['ReturnAuthorised', at(2)],
          ['RepairAssigned', at(3)],
          ['ReturnShipmentUpdated', at(4)],
          ['RepairStatusChanged', at(5)],
        ]);
        expect(r.returnSteps![0].data).toMatchObject({ rmaNumber: 'RMA-2026-0B7C4F0E', warranty: 'in-warranty' });
        expect(page.episodes.find((e) => e.episodeId === kase)?.caseEpisodeId).toBeUndefined();
        // as it stood after the assignment
        const [then] = await allPages(manager, { customerId: c, limit: 100, asOf: new Date(at(3)) });
        expect(then.episodes.find((e) => e.episodeId === ret)!.returnSteps!.map((s) => s.kind)).toEqual(['ReturnAuthorised', 'RepairAssigned']);
        // A partner the customer is shared with sees the steps, not which other partner repairs the item nor its people;
        // the repairing partner itself sees its own name.
        const [distributor] = await allPages(manager, { customerId: c, limit: 100, partnerId: 'distri' });
        const steps = distributor.episodes.find((e) => e.episodeId === ret)!.returnSteps!;
        expect(steps.map((s) => s.kind)).toEqual(['ReturnAuthorised', 'RepairAssigned', 'ReturnShipmentUpdated', 'RepairStatusChanged']);
        expect(JSON.stringify(steps)).not.toMatch(/fixit|bob/);
        // The provider's note on the return is there; who wrote it, and for which partner, is not.
        const notes = distributor.episodes.find((e) => e.episodeId === ret)!.interactions;
        expect(notes.map((i) => i.action)).toEqual(['replaced the charging port']);
        expect(notes[0]).toMatchObject({ actor: { kind: 'partner-user' }, recordedBy: { type: 'partner-user' } });
        expect(JSON.stringify(notes)).not.toMatch(/fixit|bob/);
        expect(steps[2].data).toMatchObject({ updatedBy: 'budi' });
        const [own] = await allPages(manager, { customerId: c, limit: 100, partnerId: 'fixit' });
        expect(own.episodes.find((e) => e.episodeId === ret)!.returnSteps![3].data).toMatchObject({ partnerId: 'fixit', changedBy: 'bob' });
        expect(own.episodes.find((e) => e.episodeId === ret)!.interactions[0]).toMatchObject({ actor: { id: 'bob' }, recordedBy: { partnerId: 'fixit' } });
      });
  });

  it('an interaction on an episode this timeline never saw opened is parked, not shown unscoped', async () => {
    const orphan = randomUUID();
    await given(history)
      .when([interaction(customerId, orphan, 99)])
      .thenParks([`episode ${orphan} was never opened`], async (manager) => {
        expect(interactionsOf(await allPages(manager, { customerId, limit: 100 })).map((i) => i.action)).not.toContain('call 99');
      });
  });

  it('scopes entries written in one batch by the opening in the same batch, and later ones by the stored opening', async () => {
    const later = randomUUID();
    await given([open(customerId, later, 'Later deal', { kind: 'partner', partnerId: partnerB }, 'partner-deal'), interaction(customerId, later, 1)])
      .when([interaction(customerId, later, 2), { type: 'EpisodeClosed', data: { episodeId: later, customerId, outcome: 'lost', closedAt: at(3) } }])
      .then(async (manager) => {
        expect(interactionsOf(await allPages(manager, { customerId, limit: 10, partnerId: partnerA }))).toEqual([]);
        expect(interactionsOf(await allPages(manager, { customerId, limit: 10, partnerId: partnerB })).map((i) => i.action)).toEqual(['call 1', 'call 2']);
      });
  });
});

// Keyset paging over a long history: every entry once, in the one order, whichever way and however
// the pages are cut; other customers' entries, interleaved with it, never show.
describe('timeline paging through thousands of entries (PGlite)', () => {
  const customerId = randomUUID();
  const other = randomUUID();
  const partnerId = randomUUID();
  const INTERACTIONS = 3000;
  const episodes = Array.from({ length: 12 }, () => randomUUID());
  const otherEpisode = randomUUID();
  const partnerOwned = (i: number) => i % 4 === 3;

  const history: Event[] = [
    ...episodes.map((id, i) =>
      open(
        customerId,
        id,
        `episode ${i}`,
        partnerOwned(i) ? { kind: 'partner', partnerId } : { kind: 'department', department: 'sales' },
        partnerOwned(i) ? 'partner-deal' : 'opportunity',
        partnerOwned(i) ? {} : { stage: 'lead-generation' },
      ),
    ),
    open(other, otherEpisode, 'someone else', { kind: 'department', department: 'service' }, 'case'),
  ];
  for (let n = 0; n < INTERACTIONS; n++) {
    // Round robin over the episodes, so every page mixes several of them; another customer in between.
    history.push(interaction(customerId, episodes[n % episodes.length], n));
    if (n % 15 === 0) history.push(interaction(other, otherEpisode, n));
    if (n === 1000)
      history.push({
        type: 'OpportunityStageAdvanced',
        data: { episodeId: episodes[0], customerId, from: 'lead-generation', to: 'needs-identification', advancedAt: at(1000) },
      });
    if (n === 2000) history.push({ type: 'EpisodeClosed', data: { episodeId: episodes[1], customerId, outcome: 'lost', closedAt: at(2000) } });
  }
  const entriesOf = (customer: string) => history.filter((e) => e.data.customerId === customer).length;

  /** The customer's interactions in the order they were applied (the global order). */
  const expectedActions = (visible: (episodeIndex: number) => boolean = () => true) =>
    Array.from({ length: INTERACTIONS }, (_, n) => n)
      .filter((n) => visible(n % episodes.length))
      .map((n) => `call ${n}`);

  function expectWellFormed(pages: TimelinePage[], limit: number, newestFirst: boolean): void {
    // Every page but the last is full, and only the last has no cursor.
    for (const [i, p] of pages.entries()) {
      const last = i === pages.length - 1;
      expect({ page: i, entries: p.entries, more: p.nextCursor !== undefined }).toEqual({ page: i, entries: last ? expect.any(Number) : limit, more: !last });
    }
    // Positions strictly monotone, across page boundaries too: nothing seen twice, nothing out of order.
    const positions = inEntryOrder(pages, newestFirst).map((i) => parsePosition(i.position));
    for (let i = 1; i < positions.length; i++) expect(comparePositions(positions[i - 1], positions[i]) * (newestFirst ? -1 : 1)).toBe(-1);
  }

  it(`pages through ${INTERACTIONS} interactions oldest first and newest first, each exactly once and in order`, async () => {
    await given(history)
      .when([])
      .then(async (manager) => {
        for (const limit of [50, 997]) {
          const forwards = await allPages(manager, { customerId, limit });
          expectWellFormed(forwards, limit, false);
          expect(forwards.reduce((n, p) => n + p.entries, 0)).toBe(entriesOf(customerId));
          const actions = inEntryOrder(forwards).map((i) => i.action);
          expect(new Set(actions).size).toBe(INTERACTIONS);
          expect(actions).toEqual(expectedActions());

          const backwards = await allPages(manager, { customerId, limit, newestFirst: true });
          expectWellFormed(backwards, limit, true);
          expect(backwards.reduce((n, p) => n + p.entries, 0)).toBe(entriesOf(customerId));
          expect(inEntryOrder(backwards, true).map((i) => i.action)).toEqual(expectedActions().reverse());
          expect(inEntryOrder(backwards, true).map((i) => i.position)).toEqual(
            inEntryOrder(forwards)
              .map((i) => i.position)
              .reverse(),
          );
        }
        // Each episode's header is its state at the end, on whichever page it appears.
        const pages = await allPages(manager, { customerId, limit: 200 });
        for (const e of pages.flatMap((p) => p.episodes)) {
          if (e.episodeId === episodes[0]) expect(e.stage).toBe('needs-identification');
          if (e.episodeId === episodes[1]) expect(e.closed).toEqual({ outcome: 'lost', closedAt: at(2000) });
        }
      });
  });

  it('a partner pages through department episodes and its own only, each interaction once, in order', async () => {
    await given(history)
      .when([])
      .then(async (manager) => {
        const stranger = randomUUID();
        expect(inEntryOrder(await allPages(manager, { customerId, limit: 500, partnerId: stranger })).map((i) => i.action)).toEqual(
          expectedActions((e) => !partnerOwned(e)),
        );
        const pages = await allPages(manager, { customerId, limit: 64, partnerId });
        expectWellFormed(pages, 64, false);
        expect(inEntryOrder(pages).map((i) => i.action)).toEqual(expectedActions());
      });
  });
});

// `asOf`: the history exactly as the store had recorded it at an instant — compared, at every
// instant that matters, with the same history folded by hand from the events recorded by then.
describe('timeline asOf (PGlite)', () => {
  const customerId = randomUUID();
  const partnerId = randomUUID();
  const opp = randomUUID();
  const kase = randomUUID();
  const deal = randomUUID();
  const minute = (n: number) => new Date(Date.UTC(2026, 2, 1, 9, n)).toISOString();
  const recordedAt = (n: number) => ({ recordedat: minute(n) });

  // Recorded one minute apart, in this order. The case is opened later than the opportunity's first
  // interactions; one of its interactions is recorded late although it happened early.
  const history: Event[] = [
    { ...open(customerId, opp, 'Fleet renewal', { kind: 'department', department: 'sales' }, 'opportunity', { stage: 'lead-generation' }), ...recordedAt(0) },
    interaction(customerId, opp, 1, recordedAt(1)),
    interaction(customerId, opp, 2, recordedAt(2)),
    { ...open(customerId, kase, 'Fault report', { kind: 'department', department: 'service' }, 'case'), ...recordedAt(3) },
    interaction(customerId, kase, 3, recordedAt(4)),
    {
      type: 'OpportunityStageAdvanced',
      data: { episodeId: opp, customerId, from: 'lead-generation', to: 'proposal-creation', advancedAt: minute(5) },
      ...recordedAt(5),
    },
    interaction(customerId, opp, 4, recordedAt(6)),
    { ...open(customerId, deal, 'Dealer sale', { kind: 'partner', partnerId }, 'partner-deal'), ...recordedAt(7) },
    interaction(customerId, deal, 5, recordedAt(8)),
    // Happened before most of the above, recorded after them: absent from any earlier asOf.
    interaction(customerId, kase, 0, recordedAt(9)),
    {
      type: 'OpportunityStageAdvanced',
      data: { episodeId: opp, customerId, from: 'proposal-creation', to: 'closing', advancedAt: minute(10) },
      ...recordedAt(10),
    },
    { type: 'EpisodeClosed', data: { episodeId: opp, customerId, outcome: 'won', closedAt: minute(11), value: 120.5, currency: 'EUR' }, ...recordedAt(11) },
    { type: 'EpisodeClosed', data: { episodeId: kase, customerId, outcome: 'resolved', closedAt: minute(12), reason: 'replaced' }, ...recordedAt(12) },
    interaction(customerId, deal, 6, recordedAt(13)),
  ];

  /** The timeline as of `asOf`, folded from the events the store had recorded by then. */
  function expectedAsOf(asOf: Date, partner?: string) {
    const visible = history.filter((e) => Date.parse(e.recordedat!) <= asOf.getTime());
    const episodes = new Map<string, { episodeId: string; name: string; stage?: string; stageHistory: unknown[]; closed?: unknown; interactions: string[] }>();
    const hidden = new Set<string>();
    for (const e of visible) {
      if (e.type === 'EpisodeOpened') {
        const o = e.data.owner;
        if (partner && o.kind === 'partner' && o.partnerId !== partner) hidden.add(e.data.episodeId);
        else
          episodes.set(e.data.episodeId, {
            episodeId: e.data.episodeId,
            name: e.data.name,
            ...(e.data.stage ? { stage: e.data.stage } : {}),
            stageHistory: [],
            interactions: [],
          });
        continue;
      }
      const episode = episodes.get(e.data.episodeId);
      if (!episode) {
        if (!hidden.has(e.data.episodeId)) throw new Error('test history: an entry before its opening');
        continue;
      }
      if (e.type === 'InteractionRecorded') episode.interactions.push(e.data.interaction.action);
      else if (e.type === 'OpportunityStageAdvanced') {
        episode.stage = e.data.to;
        episode.stageHistory.push({ from: e.data.from, to: e.data.to, advancedAt: e.data.advancedAt });
      } else if (e.type === 'EpisodeClosed') {
        const { outcome, closedAt, value, currency, reason } = e.data;
        episode.closed = {
          outcome,
          closedAt,
          ...(value !== undefined ? { value } : {}),
          ...(currency !== undefined ? { currency } : {}),
          ...(reason !== undefined ? { reason } : {}),
        };
      }
    }
    const shownEvents = visible.filter((e) => !hidden.has(e.data.episodeId));
    return {
      entries: shownEvents.length,
      episodes: [...episodes.values()],
      /** The interactions in the order they were recorded (the global order of this history). */
      actions: shownEvents.flatMap((e) => (e.type === 'InteractionRecorded' ? [e.data.interaction.action] : [])),
    };
  }

  /** What pages read oldest first show, in the shape of `expectedAsOf`. */
  const shown = (pages: TimelinePage[]) => ({
    entries: pages.reduce((n, p) => n + p.entries, 0),
    actions: inEntryOrder(pages).map((i) => i.action),
    episodes: [
      ...pages
        .flatMap((p) => p.episodes)
        .reduce((m, e) => {
          const seen = m.get(e.episodeId);
          if (seen) seen.interactions.push(...e.interactions.map((i) => i.action));
          else
            m.set(e.episodeId, {
              episodeId: e.episodeId,
              name: e.name,
              ...(e.stage ? { stage: e.stage } : {}),
              stageHistory: e.stageHistory,
              ...(e.closed ? { closed: e.closed } : {}),
              interactions: e.interactions.map((i) => i.action),
            });
          return m;
        }, new Map<string, { episodeId: string; name: string; stage?: string; stageHistory: unknown[]; closed?: unknown; interactions: string[] }>())
        .values(),
    ],
  });

  // Each instant an event was recorded (it is included), the millisecond before (it is not), and
  // instants before and after the whole history.
  const instants = [
    new Date(Date.UTC(2026, 1, 28)),
    ...history.flatMap((e) => [new Date(Date.parse(e.recordedat!) - 1), new Date(e.recordedat!)]),
    new Date(Date.UTC(2026, 2, 2)),
  ];

  it('at every instant, shows exactly the entries recorded by then, each episode in its state then — one page or many', async () => {
    await given([])
      .when(history)
      .then(async (manager) => {
        for (const asOf of instants) {
          const expected = expectedAsOf(asOf);
          const [page, ...more] = await allPages(manager, { customerId, asOf, limit: 100 });
          expect(more).toEqual([]);
          expect({ asOf: page.asOf, ...shown([page]) }).toEqual({ asOf: asOf.toISOString(), ...expected });
          expect(shown(await allPages(manager, { customerId, asOf, limit: 2 }))).toEqual(expected);
          const backwards = await allPages(manager, { customerId, asOf, limit: 3, newestFirst: true });
          expect(backwards.reduce((n, p) => n + p.entries, 0)).toBe(expected.entries);
          expect(inEntryOrder(backwards, true).map((i) => i.action)).toEqual([...expected.actions].reverse());
        }
      });
  });

  it('as a partner sees it: another partner’s deal absent at every instant, its own from its opening on', async () => {
    await given(history)
      .when([])
      .then(async (manager) => {
        for (const asOf of instants) {
          expect(shown(await allPages(manager, { customerId, asOf, limit: 3, partnerId }))).toEqual(expectedAsOf(asOf, partnerId));
          expect(shown(await allPages(manager, { customerId, asOf, limit: 3, partnerId: randomUUID() }))).toEqual(expectedAsOf(asOf, 'someone else'));
        }
      });
  });
});
