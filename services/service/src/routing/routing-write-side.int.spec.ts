import { crmRegistry } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { routeCases } from '@crm/case-routing';
import { TestClock } from '@crm/kernel';
import { contractCheckedStore, createRelationshipCommands, ContractViolationError } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { AgentCommands } from '../agents/agent-commands';
import { CaseCommandsAssignment } from './case-commands-assignment.adapter';
import { CaseRoutingCommands } from './case-routing-commands';

// The write side accepts exactly what the contracts accept: every event routing's commands produce
// (agents, offers and their answers, the case command's CaseAssigned) validates against its
// published contract, and one that would not is refused before anything is stored.
describe("routing's write side and the event contracts", () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  const registry = crmRegistry();
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  const lead: StaffPrincipal = { kind: 'staff', subject: 'lena', department: 'service', roles: ['team-lead'] };
  const agent = (subject: string): StaffPrincipal => ({ kind: 'staff', subject, department: 'service', roles: [] });
  let agents: AgentCommands;
  let routing: CaseRoutingCommands;
  const offers = new Map<string, string>();

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    const checked = contractCheckedStore(store, registry);
    agents = new AgentCommands(checked, clock);
    routing = new CaseRoutingCommands(checked, clock, new CaseCommandsAssignment(createRelationshipCommands(checked, { clock }).cases), async (offerId) =>
      offers.has(offerId) ? { episodeId: offers.get(offerId)!, team: 'billing' } : undefined,
    );
  });
  afterAll(async () => {
    await session.close();
  });

  it('every event each routing command can produce validates against its contract', async () => {
    const relationship = createRelationshipCommands(contractCheckedStore(store, registry), { clock });
    const customerId = (await relationship.customers.register(lead, { kind: 'person', name: 'Putri' })).id;
    const cases = await Promise.all(
      [1, 2, 3].map(async (n) => (await relationship.episodes.open(lead, 'case', { customerId, name: `Case ${n}`, channel: 'phone' })).id),
    );

    for (const id of ['dewi', 'budi', 'sari'])
      await agents.setProfile(lead, id, {
        name: id,
        teams: ['billing'],
        skills: [{ skill: 'billing', level: 3 }],
        capacity: 3,
        hourlyCost: 2500,
        currency: 'EUR',
        active: true,
      });
    for (const id of ['dewi', 'budi', 'sari']) await agents.changePresence(agent(id), id, 'available');
    await routing.replaceRoutingRules(lead, [{ category: 'billing', skills: [{ skill: 'billing', minLevel: 2 }] }]);

    const candidates = ['dewi', 'budi', 'sari'].map((agentId, i) => ({
      agentId,
      teams: ['billing'],
      skills: [{ skill: 'billing', level: 3 }],
      capacity: 3,
      presence: 'available' as const,
      active: true,
      openCases: 0,
      pendingOffers: 0,
      idleSince: `2026-03-02T08:0${i}:00.000Z`,
    }));
    const { offers: decisions } = routeCases({
      now: clock.now(),
      cases: cases.map((episodeId) => ({
        episodeId,
        customerId,
        category: 'billing',
        tier: 'gold',
        waitingSince: '2026-03-02T08:55:00.000Z',
        refusedBy: [],
        hasPendingOffer: false,
      })),
      agents: candidates,
      rules: [{ category: 'billing', skills: [{ skill: 'billing', minLevel: 2 }] }],
    });
    const made = [];
    for (const d of decisions) {
      const offer = (await routing.offer(d, 60_000))!;
      offers.set(offer.offerId, d.episodeId);
      made.push({ ...offer, agentId: d.agentId });
    }
    expect(made.map((m) => m.agentId)).toEqual(['dewi', 'budi', 'sari']);
    await routing.accept(agent('dewi'), made[0].offerId);
    await routing.decline(agent('budi'), made[1].offerId, 'on a break');
    clock.advance(60_000);
    await routing.expire(offers.get(made[2].offerId)!, made[2].offerId);
    // deactivating an available agent takes it offline
    await agents.setProfile(lead, 'sari', { name: 'sari', teams: ['billing'], skills: [], capacity: 3, active: false });

    const stored = await store.readAll({ maxCount: 10_000 });
    const published = stored.map(toIntegrationEvent).filter((e) => e !== undefined && registry.has(e.type, e.schemaversion));
    expect([...new Set(published.map((e) => e!.type))].sort()).toEqual(
      [
        'AgentPresenceChanged',
        'AgentProfileSet',
        'CaseAssigned',
        'CaseOfferAccepted',
        'CaseOfferDeclined',
        'CaseOfferExpired',
        'CaseOffered',
        'CaseStatusChanged',
        'CustomerRegistered',
        'EpisodeOpened',
      ].sort(),
    );
    for (const event of published) expect(() => registry.validate(event!)).not.toThrow();
    // the rules are the service's own: stored, not published
    const rules = stored.filter((e) => e.type === 'CaseRoutingRulesReplaced');
    expect(rules).toHaveLength(1);
    expect(toIntegrationEvent(rules[0])).toBeUndefined();
  });

  it('an event that would break its contract is refused with the fields, and nothing is stored', async () => {
    const attempt = agents.setProfile(lead, 'x'.repeat(201), { name: 'n'.repeat(201), teams: [], skills: [], capacity: 1, active: true });
    await expect(attempt).rejects.toBeInstanceOf(ContractViolationError);
    await expect(attempt).rejects.toMatchObject({
      eventType: 'AgentProfileSet',
      problems: expect.arrayContaining([expect.objectContaining({ path: 'agentId' }), expect.objectContaining({ path: 'name' })]),
    });
    expect(await store.readStream(`agent-${'x'.repeat(201)}`)).toEqual([]);
  });
});
