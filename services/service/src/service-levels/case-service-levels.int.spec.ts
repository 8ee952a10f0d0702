import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { CaseServiceLevelRow, CaseSlaClockRow } from './case-service-levels.entities';
import { caseServiceLevelsProjection, casesWithSlaNoticeDue, type CaseServiceLevelsEvent } from './case-service-levels.projection';
import { slaAttainment } from './sla-attainment.query';

type Event = SpecEvent<CaseServiceLevelsEvent>;
const T0 = '2026-11-30T08:00:00.000Z';
const plus = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

const policies = (firstResponseMinutes: number): Event => ({
  type: 'ServiceLevelPoliciesSet',
  time: T0,
  data: {
    policySetId: 'default',
    policies: [
      { policyId: 'platinum', tier: 'platinum', calendarId: '24x7', firstResponseMinutes, nextResponseMinutes: 30, resolutionMinutes: 240, warningPercent: 80 },
    ],
    escalations: [],
    setAt: T0,
    setBy: 'mia',
  },
});
const tier = (customerId: string, value: string): Event => ({
  type: 'CustomerValueTierChanged',
  time: T0,
  data: { customerId, tier: value, clv: 1, rank: 1, customers: 1, reportingCurrency: 'EUR', modelFittedAt: T0, assignedAt: T0 },
});
const opened = (
  customerId: string,
  episodeId: string,
  episodeType = 'case',
  owner: { kind: string; department?: string; partnerId?: string } = { kind: 'department', department: 'service' },
): Event => ({
  type: 'EpisodeOpened',
  time: T0,
  data: { episodeId, customerId, name: 'x', episodeType, owner, openedAt: T0, channel: 'phone' },
});
const outbound = (customerId: string, episodeId: string, minutes: number): Event => ({
  type: 'InteractionRecorded',
  time: plus(minutes),
  data: {
    episodeId,
    customerId,
    interaction: {
      interactionId: randomUUID(),
      channel: 'phone',
      direction: 'outbound',
      actor: { kind: 'staff', id: 'dewi' },
      action: 'called back',
      occurredAt: plus(minutes),
    },
  },
});
const warned = (customerId: string, episodeId: string, minutes: number): Event => ({
  type: 'CaseSlaWarning',
  time: plus(minutes),
  data: {
    episodeId,
    customerId,
    metric: 'first-response',
    cycle: 0,
    policyId: 'platinum',
    tier: 'platinum',
    targetMinutes: 10,
    dueAt: plus(minutes),
    at: plus(minutes),
    warningPercent: 80,
  },
});

// The SLA read model over PGlite through the projection runner (each case also event by event): the
// timer's index, the clocks per metric, the tier and configuration in any order, attainment.
describe('case service levels read model (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: caseServiceLevelsProjection('service'), registry: crmRegistry() });

  it("indexes the next notice by the customer's tier; a recorded warning moves it to the due time; an answer to the resolution's warning", async () => {
    const customerId = randomUUID();
    const episodeId = randomUUID();
    await given([policies(10), tier(customerId, 'platinum'), opened(customerId, episodeId)])
      .when([warned(customerId, episodeId, 8)])
      .then(async (m) => {
        expect(await m.getRepository(CaseServiceLevelRow).findOneByOrFail({ episodeId })).toMatchObject({
          policyId: 'platinum',
          tier: 'platinum',
          open: true,
          recorded: ['first-response/0/warning'],
          nextNoticeAt: new Date(plus(10)),
        });
        expect(await casesWithSlaNoticeDue(m, new Date(plus(10)), 10)).toEqual([episodeId]);
        expect(await casesWithSlaNoticeDue(m, new Date(plus(9)), 10)).toEqual([]);
      });
    await given([policies(10), tier(customerId, 'platinum'), opened(customerId, episodeId), outbound(customerId, episodeId, 5)])
      .when([])
      .then(async (m) => {
        // first response met at +5: next is the resolution's warning at 80% of 240 minutes
        expect((await m.getRepository(CaseServiceLevelRow).findOneByOrFail({ episodeId })).nextNoticeAt).toEqual(new Date(plus(192)));
        const clocks = await m.getRepository(CaseSlaClockRow).find({ where: { episodeId }, order: { metric: 'ASC' } });
        expect(clocks.map((c) => [c.metric, c.state, c.met])).toEqual([
          ['first-response', 'met', true],
          ['resolution', 'running', null],
        ]);
        expect(await slaAttainment(m, new Date(T0), new Date(plus(1)), 'tier', new Date(plus(300)))).toEqual([
          { group: 'platinum', metric: 'first-response', met: 1, breached: 0, open: 0, attainment: 1 },
          { group: 'platinum', metric: 'resolution', met: 0, breached: 1, open: 0, attainment: 0 },
        ]);
      });
  });

  it('configuration and tier arriving after the case (another Kafka key) recompute its clock; unscored customers are bronze', async () => {
    const customerId = randomUUID();
    const episodeId = randomUUID();
    await given([opened(customerId, episodeId)])
      .when([policies(10), tier(customerId, 'platinum')])
      .then(async (m) => {
        expect(await m.getRepository(CaseServiceLevelRow).findOneByOrFail({ episodeId })).toMatchObject({
          policyId: 'platinum',
          nextNoticeAt: new Date(plus(8)),
        });
      });
    await given([policies(10), opened(customerId, episodeId)])
      .when([])
      .then(async (m) => {
        // no policy for bronze: the fallback's 8 hours, warning at 80%
        expect(await m.getRepository(CaseServiceLevelRow).findOneByOrFail({ episodeId })).toMatchObject({
          policyId: 'fallback',
          tier: 'bronze',
          nextNoticeAt: new Date(plus(384)),
        });
      });
  });

  it("keeps no clock for an opportunity or a partner's episode", async () => {
    const customerId = randomUUID();
    await given([opened(customerId, randomUUID(), 'opportunity'), opened(customerId, randomUUID(), 'case', { kind: 'partner', partnerId: 'p1' })])
      .when([])
      .then(async (m) => {
        expect(await m.getRepository(CaseServiceLevelRow).count()).toBe(0);
      });
  });
});
