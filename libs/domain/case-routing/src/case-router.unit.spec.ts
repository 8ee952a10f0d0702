import { queueOrder, rankAgents, routeCases, type AgentCandidate, type WaitingCase } from './case-router';
import type { RoutingRule } from './routing-rules';

const now = new Date('2026-03-01T10:00:00.000Z');
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const waiting = (episodeId: string, more: Partial<WaitingCase> = {}): WaitingCase => ({
  episodeId,
  customerId: `c-${episodeId}`,
  waitingSince: ago(5),
  refusedBy: [],
  hasPendingOffer: false,
  ...more,
});
const agent = (agentId: string, more: Partial<AgentCandidate> = {}): AgentCandidate => ({
  agentId,
  teams: ['support'],
  skills: [],
  capacity: 2,
  presence: 'available',
  active: true,
  openCases: 0,
  pendingOffers: 0,
  idleSince: ago(30),
  ...more,
});
const rules: RoutingRule[] = [{ category: 'billing', skills: [{ skill: 'billing', minLevel: 3 }] }];
const route = (cases: WaitingCase[], agents: AgentCandidate[]) => routeCases({ now, cases, agents, rules });

describe('the router', () => {
  it("offers a platinum customer's case before an earlier bronze one's", () => {
    const order = queueOrder(
      [waiting('bronze', { tier: 'bronze', waitingSince: ago(30) }), waiting('platinum', { tier: 'platinum', waitingSince: ago(1) })],
      now,
    );
    expect(order.map((c) => c.episodeId)).toEqual(['platinum', 'bronze']);
    // one agent with room for one: the platinum case gets it, the bronze one waits
    const r = route(
      [waiting('bronze', { tier: 'bronze', waitingSince: ago(30) }), waiting('platinum', { tier: 'platinum', waitingSince: ago(1) })],
      [agent('dewi', { capacity: 1 })],
    );
    expect(r.offers.map((o) => [o.episodeId, o.agentId])).toEqual([['platinum', 'dewi']]);
    expect(r.unrouted).toEqual([{ episodeId: 'bronze', why: 'no-agent' }]);
  });

  it('equal priorities: the one waiting longer first', () => {
    const order = queueOrder([waiting('b', { waitingSince: ago(2) }), waiting('a', { waitingSince: ago(3) })], now);
    expect(order.map((c) => c.episodeId)).toEqual(['a', 'b']);
  });

  it('needs the skills the category requires at their minimum level', () => {
    const novice = agent('novice', { skills: [{ skill: 'billing', level: 2 }], idleSince: ago(300) });
    const expert = agent('expert', { skills: [{ skill: 'billing', level: 4 }] });
    const r = route([waiting('e1', { category: 'billing' })], [novice, expert]);
    expect(r.offers[0]).toMatchObject({ agentId: 'expert', requiredSkills: [{ skill: 'billing', minLevel: 3 }] });
    expect(r.offers[0].reason).toMatch(/^skills billing≥3 \(has 4\); least loaded 0\/2; idle since/);
    expect(route([waiting('e1', { category: 'billing' })], [novice]).offers).toEqual([]);
    // a category without a rule needs nothing
    expect(route([waiting('e1', { category: 'general' })], [novice]).offers[0].agentId).toBe('novice');
  });

  it('only available, active agents of the case team', () => {
    expect(rankAgents(waiting('e'), [], [agent('a', { presence: 'busy' }), agent('b', { presence: 'away' }), agent('c', { presence: 'offline' })])).toEqual([]);
    expect(rankAgents(waiting('e'), [], [agent('a', { active: false })])).toEqual([]);
    expect(rankAgents(waiting('e', { team: 'billing' }), [], [agent('a'), agent('b', { teams: ['billing'] })]).map((a) => a.agentId)).toEqual(['b']);
  });

  it('least loaded first (by share of capacity), then longest idle, then by id', () => {
    const busy = agent('busy', { openCases: 1, capacity: 2, idleSince: ago(600) });
    const roomy = agent('roomy', { openCases: 1, capacity: 4 });
    expect(rankAgents(waiting('e'), [], [busy, roomy]).map((a) => a.agentId)).toEqual(['roomy', 'busy']);
    const idleLong = agent('z-idle-long', { idleSince: ago(90) });
    const idleShort = agent('a-idle-short', { idleSince: ago(10) });
    expect(rankAgents(waiting('e'), [], [idleShort, idleLong]).map((a) => a.agentId)).toEqual(['z-idle-long', 'a-idle-short']);
    expect(rankAgents(waiting('e'), [], [agent('b'), agent('a')]).map((a) => a.agentId)).toEqual(['a', 'b']);
  });

  it('never above capacity: open cases and pending offers count, and each offer counts at once', () => {
    const full = agent('full', { openCases: 1, pendingOffers: 1, capacity: 2 });
    expect(route([waiting('e1')], [full]).offers).toEqual([]);
    const one = agent('one', { capacity: 2, openCases: 1 });
    const r = route([waiting('e1'), waiting('e2'), waiting('e3')], [one]);
    expect(r.offers.map((o) => o.episodeId)).toEqual(['e1']);
    expect(r.unrouted.map((u) => u.episodeId)).toEqual(['e2', 'e3']);
    // spread over two agents by load
    const spread = route(
      [waiting('e1', { waitingSince: ago(9) }), waiting('e2', { waitingSince: ago(8) }), waiting('e3', { waitingSince: ago(7) })],
      [agent('a'), agent('b', { idleSince: ago(60) })],
    );
    expect(spread.offers.map((o) => [o.episodeId, o.agentId, `${o.load.held}/${o.load.capacity}`])).toEqual([
      ['e1', 'b', '0/2'],
      ['e2', 'a', '0/2'],
      ['e3', 'b', '1/2'],
    ]);
  });

  it('a decline sends the case to the next best agent, never the same one again', () => {
    const best = agent('best', { idleSince: ago(60) });
    const next = agent('next', { idleSince: ago(10) });
    expect(route([waiting('e1')], [best, next]).offers[0].agentId).toBe('best');
    expect(route([waiting('e1', { refusedBy: ['best'] })], [best, next]).offers[0].agentId).toBe('next');
    expect(route([waiting('e1', { refusedBy: ['best', 'next'] })], [best, next]).unrouted).toEqual([{ episodeId: 'e1', why: 'no-agent' }]);
  });

  it('leaves a case with a pending offer waiting for the answer', () => {
    expect(route([waiting('e1', { hasPendingOffer: true })], [agent('a')])).toEqual({ offers: [], unrouted: [{ episodeId: 'e1', why: 'pending-offer' }] });
  });

  it('the reason names the priority and its parts', () => {
    const [o] = route([waiting('e1', { tier: 'gold', severity: 'major', slaMinutesLeft: 60, waitingSince: ago(60) })], [agent('a')]).offers;
    expect(o.priority.priority).toBe(78.5);
    expect(o.reason).toContain('priority 78.5: gold 30 + 60 min of SLA left 38 + major 10 + normal priority 0 + waited 60 min 0.5');
    expect(o.reason.length).toBeLessThanOrEqual(1000);
  });

  it('given two waiting bronze cases and one agent, the urgent case is offered before the normal one that waited longer', () => {
    const r = route(
      [waiting('normal', { tier: 'bronze', waitingSince: ago(120) }), waiting('urgent', { tier: 'bronze', casePriority: 'urgent', waitingSince: ago(1) })],
      [agent('a', { capacity: 1 })],
    );
    expect(r.offers.map((o) => o.episodeId)).toEqual(['urgent']);
  });
});
