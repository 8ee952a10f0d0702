import { randomUUID } from 'node:crypto';
import { crmRegistry, ERASED } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { DEFAULT_PIPELINE_ID } from '@crm/relationship';
import { InvalidCursorError } from './keyset-cursor';
import { OpportunityListEntry, OpportunityVersion } from './opportunity-list.entities';
import { opportunityListProjection, type OpportunityListEvent } from './opportunity-list.projection';
import { pipelineReport, searchOpportunities, type OpportunitySearch } from './opportunity-search.query';

const given = ProjectionSpecification.for({ projection: opportunityListProjection('o'), registry: crmRegistry() });

const customerId = randomUUID();
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();
const opened = (episodeId: string, over: Record<string, unknown> = {}, minute = 0): SpecEvent<OpportunityListEvent> =>
  ({
    type: 'EpisodeOpened',
    time: at(minute),
    recordedat: at(minute),
    actor: JSON.stringify({ type: 'staff', id: 'sari', department: 'sales' }),
    data: {
      episodeId,
      customerId,
      name: 'Fleet renewal',
      episodeType: 'opportunity',
      owner: { kind: 'department', department: 'sales' },
      openedAt: at(minute),
      pipelineId: DEFAULT_PIPELINE_ID,
      stage: 'lead-generation',
      stageProbability: 5,
      ...over,
    },
  }) as SpecEvent<OpportunityListEvent>;
const ev = (type: OpportunityListEvent['type'], data: Record<string, unknown>, minute: number) =>
  ({ type, time: at(minute), recordedat: at(minute), data: { customerId, ...data } }) as unknown as SpecEvent<OpportunityListEvent>;
const updated = (episodeId: string, changes: Record<string, unknown>, minute: number) =>
  ev('OpportunityUpdated', { episodeId, ...changes, updatedAt: at(minute) }, minute);
const moved = (episodeId: string, from: string, to: string, stageProbability: number, minute: number, reason?: string) =>
  ev(
    'OpportunityStageChanged',
    {
      episodeId,
      pipelineId: DEFAULT_PIPELINE_ID,
      from,
      to,
      backward: reason !== undefined,
      ...(reason !== undefined && { reason }),
      stageProbability,
      changedAt: at(minute),
    },
    minute,
  );
const closed = (episodeId: string, outcome: 'won' | 'lost', minute: number, extra: Record<string, unknown> = {}) =>
  ev('EpisodeClosed', { episodeId, outcome, closedAt: at(minute), reason: 'decided', ...extra }, minute);
const search = (s: Partial<OpportunitySearch> = {}): OpportunitySearch => ({ limit: 50, ...s });

// The opportunities list sales keeps (GET /opportunities, GET /pipeline), over PGlite: given events, when events, then rows.
describe('opportunities list read model (PGlite)', () => {
  it('keeps each opportunity: stage and its probability (or the override), amount, close date, owner (the opener until given away), team, status', async () => {
    const id = randomUUID();
    await given([opened(id)])
      .when([
        updated(id, { amount: 1_250_000, currency: 'EUR', expectedCloseDate: '2026-06-30', team: 'jakarta', nextStep: 'send quote', competitors: ['Acme'] }, 1),
        moved(id, 'lead-generation', 'proposal-creation', 40, 2),
        ev(
          'InteractionRecorded',
          {
            episodeId: id,
            interaction: {
              interactionId: randomUUID(),
              channel: 'phone',
              direction: 'outbound',
              actor: { kind: 'staff', id: 'sari' },
              action: 'called',
              occurredAt: at(3),
            },
          },
          3,
        ),
        updated(id, { probability: 55, owner: 'budi' }, 4),
      ])
      .thenRows(OpportunityListEntry, [
        {
          episodeId: id,
          customerId,
          pipelineId: DEFAULT_PIPELINE_ID,
          stage: 'proposal-creation',
          stageProbability: 40,
          probabilityOverride: 55,
          probability: 55,
          amount: '1250000',
          currency: 'EUR',
          expectedCloseDate: '2026-06-30',
          owner: 'budi',
          team: 'jakarta',
          nextStep: 'send quote',
          competitors: ['Acme'],
          status: 'open',
          stageEnteredAt: new Date(at(2)),
          updatedAt: new Date(at(4)),
          interactions: 1,
        },
      ]);
  });

  it('replays opportunities recorded before pipelines: default pipeline, the default probabilities of forward moves', async () => {
    const id = randomUUID();
    await given([opened(id, { pipelineId: undefined, stageProbability: undefined, expectedValue: 50000, currency: 'EUR' })])
      .when([ev('OpportunityStageAdvanced', { episodeId: id, from: 'lead-generation', to: 'closing', advancedAt: at(5) }, 5)])
      .thenRows(OpportunityListEntry, [{ episodeId: id, pipelineId: DEFAULT_PIPELINE_ID, stage: 'closing', probability: 80, amount: null, owner: 'sari' }]);
  });

  it('won and lost close it with their reason; other episodes are not listed; a change to one never opened is parked', async () => {
    const [won, lost] = [randomUUID(), randomUUID()].sort();
    const aCase = randomUUID();
    const ghost = randomUUID();
    await given([opened(won), opened(lost), opened(aCase, { episodeType: 'case', pipelineId: undefined, stage: undefined, stageProbability: undefined })])
      .when([
        ev(
          'InteractionRecorded',
          {
            episodeId: aCase,
            interaction: {
              interactionId: randomUUID(),
              channel: 'phone',
              direction: 'inbound',
              actor: { kind: 'customer', id: 'c' },
              action: 'called',
              occurredAt: at(1),
            },
          },
          1,
        ),
        closed(won, 'won', 2, { value: 900_000, currency: 'EUR' }),
        closed(lost, 'lost', 3, { reason: 'chose Acme' }),
        updated(ghost, { owner: 'x' }, 4),
      ])
      .thenParks([`opportunity ${ghost} is not in the opportunities list`], async (manager) => {
        const rows = await manager.getRepository(OpportunityListEntry).find({ order: { episodeId: 'ASC' } });
        expect(rows.map((r) => [r.episodeId, r.status, r.closeReason, r.wonValue])).toEqual([
          [won, 'won', 'decided', '900000'],
          [lost, 'lost', 'chose Acme', null],
        ]);
      });
  });

  it("an erasure of the customer's personal data erases the next steps of its opportunities", async () => {
    const id = randomUUID();
    await given([opened(id), updated(id, { nextStep: 'call Sari on +62 812 555' }, 1)])
      .when([ev('CustomerPersonalDataErased', { erasedAt: at(2) }, 2)])
      .thenRows(OpportunityListEntry, [{ episodeId: id, nextStep: ERASED }]);
  });

  it('filters by owner, team, stage, pipeline, customer, close dates, amount, status; sorts and pages with a stable order', async () => {
    const ids: string[] = Array.from({ length: 5 }, () => randomUUID());
    const other = randomUUID();
    const pipeline = randomUUID();
    await given([
      opened(ids[0], {}, 0),
      updated(ids[0], { amount: 100_00, currency: 'EUR', expectedCloseDate: '2026-04-01', team: 'north' }, 1),
      opened(ids[1], {}, 2),
      updated(ids[1], { amount: 500_00, currency: 'EUR', expectedCloseDate: '2026-05-01', owner: 'budi', team: 'north' }, 3),
      opened(ids[2], { customerId: other }, 4),
      updated(ids[2], { customerId: other, amount: 300_00, currency: 'EUR', expectedCloseDate: '2026-06-01' }, 5),
      opened(ids[3], { pipelineId: pipeline, stage: 'quote', stageProbability: 60 }, 6),
      updated(ids[3], { amount: 7_000, currency: 'JPY' }, 7),
      opened(ids[4], {}, 8),
      moved(ids[0], 'lead-generation', 'closing', 80, 9),
      closed(ids[4], 'lost', 10),
    ])
      .when([])
      .then(async (manager) => {
        const found = async (s: Partial<OpportunitySearch>) => (await searchOpportunities(manager, search(s))).items.map((i) => ids.indexOf(i.opportunityId));
        expect(await found({})).toEqual([4, 0, 3, 2, 1]); // most recently changed first
        expect(await found({ owner: 'budi' })).toEqual([1]);
        expect(await found({ team: 'north', sort: 'updatedAt' })).toEqual([1, 0]);
        expect(await found({ stages: ['closing', 'quote'] })).toEqual([0, 3]);
        expect(await found({ pipelineId: pipeline })).toEqual([3]);
        expect(await found({ customerIds: [other] })).toEqual([2]);
        expect(await found({ customerIds: [other, customerId] })).toHaveLength(ids.length);
        expect(await found({ closeFrom: '2026-04-15', closeTo: '2026-06-01', sort: 'closeDate' })).toEqual([1, 2]);
        expect(await found({ currency: 'EUR', amountMin: 200_00, amountMax: 500_00, sort: '-amount' })).toEqual([1, 2]);
        expect(await found({ statuses: ['lost'] })).toEqual([4]);
        expect(await found({ statuses: ['open'], sort: 'closeDate' })).toEqual([0, 1, 2, 3]); // no close date: last
        // paging: pages of two, together the whole list in its order, for every sort
        for (const sort of ['closeDate', '-closeDate', 'amount', '-amount', 'updatedAt', '-updatedAt'] as const) {
          const whole = (await searchOpportunities(manager, search({ sort }))).items.map((i) => i.opportunityId);
          const paged: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await searchOpportunities(manager, search({ sort, limit: 2, cursor }));
            paged.push(...page.items.map((i) => i.opportunityId));
            cursor = page.nextCursor;
          } while (cursor);
          expect(paged).toEqual(whole);
        }
        await expect(searchOpportunities(manager, search({ cursor: 'garbage' }))).rejects.toBeInstanceOf(InvalidCursorError);
        const amountCursor = (await searchOpportunities(manager, search({ sort: 'amount', limit: 1 }))).nextCursor;
        await expect(searchOpportunities(manager, search({ sort: 'closeDate', cursor: amountCursor }))).rejects.toThrow('another sort');
      });
  });

  it('the pipeline report: open opportunities by stage, amount and weighted amount per currency, per owner or team; as of any instant', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await given([
      opened(a, {}, 0),
      updated(a, { amount: 100_000, currency: 'EUR', team: 'north' }, 1),
      opened(b, {}, 2),
      updated(b, { amount: 50_001, currency: 'EUR', owner: 'budi' }, 3),
      opened(c, {}, 4), // no amount: counted, worth nothing yet
      moved(a, 'lead-generation', 'proposal-creation', 40, 10),
      closed(c, 'lost', 11),
    ])
      .when([])
      .then(async (manager) => {
        expect(await pipelineReport(manager, {})).toEqual([
          { pipelineId: DEFAULT_PIPELINE_ID, stage: 'lead-generation', currency: 'EUR', count: 1, amount: 50_001, weightedAmount: 2_500 }, // 2500.05
          { pipelineId: DEFAULT_PIPELINE_ID, stage: 'proposal-creation', currency: 'EUR', count: 1, amount: 100_000, weightedAmount: 40_000 },
        ]);
        // before the move and the loss: all three in lead generation
        expect(await pipelineReport(manager, { asOf: new Date(at(5)), groupBy: 'owner' })).toEqual([
          { pipelineId: DEFAULT_PIPELINE_ID, stage: 'lead-generation', owner: 'budi', currency: 'EUR', count: 1, amount: 50_001, weightedAmount: 2_500 },
          { pipelineId: DEFAULT_PIPELINE_ID, stage: 'lead-generation', owner: 'sari', currency: 'EUR', count: 1, amount: 100_000, weightedAmount: 5_000 },
          { pipelineId: DEFAULT_PIPELINE_ID, stage: 'lead-generation', owner: 'sari', currency: null, count: 1, amount: 0, weightedAmount: 0 },
        ]);
        expect(await pipelineReport(manager, { asOf: new Date(at(5)), groupBy: 'team', team: 'north' })).toEqual([
          { pipelineId: DEFAULT_PIPELINE_ID, stage: 'lead-generation', team: 'north', currency: 'EUR', count: 1, amount: 100_000, weightedAmount: 5_000 },
        ]);
        // before anything was recorded: nothing
        expect(await pipelineReport(manager, { asOf: new Date('2025-01-01T00:00:00Z') })).toEqual([]);
        // the versions: one per change of what the report reads, each ending where the next begins
        const versions = await manager.getRepository(OpportunityVersion).find({ where: { episodeId: a }, order: { version: 'ASC' } });
        expect(versions.map((v) => [v.version, v.stage, v.amount, v.validFrom.toISOString(), v.validTo?.toISOString() ?? null])).toEqual([
          [1, 'lead-generation', null, at(0), at(1)],
          [2, 'lead-generation', '100000', at(1), at(10)],
          [3, 'proposal-creation', '100000', at(10), null],
        ]);
      });
  });
});
