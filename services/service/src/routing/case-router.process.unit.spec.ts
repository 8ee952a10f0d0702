import type { AgentCandidate, RoutingDecision, WaitingCase } from '@crm/case-routing';
import { TestClock } from '@crm/kernel';
import { neutralSlaTimeLeft, type SlaTimeLeft } from './case-assignment.port';
import { CaseRouter, type CaseRouterReads } from './case-router.process';
import type { CaseRoutingCommands } from './case-routing-commands';
import type { ProcessLease } from '@crm/platform';

const clock = new TestClock('2026-03-02T10:00:00.000Z');
const waiting = (episodeId: string, more: Partial<WaitingCase> = {}): Omit<WaitingCase, 'slaMinutesLeft'> => ({
  episodeId,
  customerId: `c-${episodeId}`,
  waitingSince: '2026-03-02T09:50:00.000Z',
  refusedBy: [],
  hasPendingOffer: false,
  ...more,
});
const dewi: AgentCandidate = {
  agentId: 'dewi',
  teams: [],
  skills: [],
  capacity: 1,
  presence: 'available',
  active: true,
  openCases: 0,
  pendingOffers: 0,
  idleSince: '2026-03-02T09:00:00.000Z',
};

/** A router over fixed (stale) reads and commands that record what they are asked. */
function routerOver(reads: Partial<CaseRouterReads>, sla: SlaTimeLeft = neutralSlaTimeLeft, lease?: ProcessLease) {
  const offered: RoutingDecision[] = [];
  const expired: string[] = [];
  let n = 0;
  const commands = {
    offer: async (d: RoutingDecision) => {
      offered.push(d);
      return { offerId: `offer-${++n}`, expiresAt: '2026-03-02T10:01:00.000Z' };
    },
    expire: async (_episodeId: string, offerId: string) => {
      expired.push(offerId);
      return { events: [], appended: true };
    },
  } as unknown as CaseRoutingCommands;
  const router = new CaseRouter(
    commands,
    {
      waiting: async () => [],
      agents: async () => [dewi],
      expired: async () => [],
      known: async () => new Set(),
      rules: async () => [],
      ...reads,
    },
    sla,
    clock,
    { intervalMs: 0, offerTimeoutMs: 60_000, lease },
  );
  return { router, offered, expired };
}

describe('the router process', () => {
  it('routes only while it holds the lease: another instance holding it, a tick neither expires nor offers', async () => {
    let held = false;
    let released = 0;
    const lease: ProcessLease = { hold: async () => held, release: async () => void released++ };
    const { router, offered, expired } = routerOver(
      { waiting: async () => [waiting('a')], expired: async () => [{ episodeId: 'x', offerId: 'offer-x' }] },
      neutralSlaTimeLeft,
      lease,
    );
    expect(await router.tick()).toMatchObject({ leader: false, offered: [], expired: [], waiting: 0 });
    expect([offered, expired]).toEqual([[], []]);
    // the other instance stops: this one takes the lease over and routes
    held = true;
    expect(await router.tick()).toMatchObject({ leader: true, offered: [{ episodeId: 'a', agentId: 'dewi' }], expired: [{ offerId: 'offer-x' }] });
    await router.stop();
    expect(released).toBe(1);
  });

  it('counts its own offers the read model does not show yet: a stale read model never puts an agent above capacity', async () => {
    const cases = [waiting('a')];
    const { router, offered } = routerOver({ waiting: async () => cases });
    expect((await router.tick()).offered.map((o) => [o.episodeId, o.agentId])).toEqual([['a', 'dewi']]);
    // the read model still shows dewi free and case a waiting without an offer; a second case comes in
    cases.push(waiting('b'));
    expect((await router.tick()).offered).toEqual([]);
    expect(offered.map((d) => d.episodeId)).toEqual(['a']);
  });

  it('forgets an offer once the read model shows it (it counts there from then on)', async () => {
    let known = new Set<string>();
    let agents = [dewi];
    let cases = [waiting('a')];
    const { router } = routerOver({ waiting: async () => cases, agents: async () => agents, known: async () => known });
    await router.tick();
    // the read model catches up: the offer is there, then answered (declined) and dewi is free again
    known = new Set(['offer-1']);
    agents = [{ ...dewi }];
    cases = [waiting('b')];
    expect((await router.tick()).offered.map((o) => o.episodeId)).toEqual(['b']);
  });

  it('records due expiries first, then routes; SLA time left from its port feeds the priority', async () => {
    const sla: SlaTimeLeft = { minutesLeft: async (ids) => new Map(ids.filter((id) => id === 'urgent').map((id) => [id, 10])) };
    const { router, expired, offered } = routerOver(
      {
        expired: async () => [{ episodeId: 'x', offerId: 'old' }],
        waiting: async () => [waiting('calm', { tier: 'platinum', waitingSince: '2026-03-02T09:00:00.000Z' }), waiting('urgent', { tier: 'bronze' })],
      },
      sla,
    );
    const tick = await router.tick();
    expect(expired).toEqual(['old']);
    expect(tick.expired).toEqual([{ episodeId: 'x', offerId: 'old' }]);
    // bronze with 10 minutes of SLA left (10 + 48) before platinum without (40): dewi has room for one
    expect(offered.map((d) => d.episodeId)).toEqual(['urgent']);
    expect(offered[0].priority.parts).toMatchObject({ slaMinutesLeft: 10, slaPoints: 48 });
  });

  it('one case that fails does not hold up the others', async () => {
    const { router } = routerOver({ waiting: async () => [waiting('a'), waiting('b')], agents: async () => [{ ...dewi, capacity: 2 }] });
    const commands = (router as unknown as { commands: { offer: (d: RoutingDecision) => Promise<unknown> } }).commands;
    const offer = commands.offer;
    commands.offer = async (d) => {
      if (d.episodeId === 'a') throw new Error('store down for a');
      return offer(d);
    };
    const tick = await router.tick();
    expect(tick.failed).toEqual([{ episodeId: 'a', error: 'Error: store down for a' }]);
    expect(tick.offered.map((o) => o.episodeId)).toEqual(['b']);
  });
});
