import { TestClock } from '@crm/kernel';
import type { PartnerPrincipal } from '@crm/service-kit';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { openCountingStore, STAFF, type CountingEventStore } from '../testing/command-store';

// The case commands follow the one way to command: load once, access on that state, If-Match, decide, append.
describe('case commands', () => {
  let store: CountingEventStore;
  let close: () => Promise<void>;
  let commands: RelationshipCommands;
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const { agent, seller, manager } = STAFF;
  let partner: PartnerPrincipal;
  let customerId: string;

  beforeAll(async () => {
    ({ store, close } = await openCountingStore());
    commands = createRelationshipCommands(store, { clock, retries: 2 });
    const partnerId = (await commands.partners.register(manager, { name: 'Repair Co', partnerKind: 'service-provider' })).id;
    partner = { kind: 'partner', subject: `${partnerId}.bob`, partnerId, roles: [] };
    customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Dewi' })).id;
    await commands.partners.shareCustomer(manager, partnerId, customerId);
  });
  afterAll(async () => {
    await close();
  });

  const openCase = async () => (await commands.episodes.open(agent, 'case', { customerId, name: 'No signal', channel: 'phone', priority: 'high' })).id;

  it('each change reads the case once and takes its time from the clock', async () => {
    const id = await openCase();
    store.reads.clear();
    clock.set('2026-03-01T10:00:00.000Z');
    await commands.cases.changeStatus(agent, id, { status: 'in-progress' });
    expect(Object.fromEntries(store.reads)).toEqual({ [`episode-${id}`]: 1 });
    const events = await store.readStream(`episode-${id}`);
    expect(events.map((e) => e.type)).toEqual(['EpisodeOpened', 'CaseDetailsChanged', 'CaseStatusChanged']);
    expect(events[2].data).toMatchObject({ from: 'new', to: 'in-progress', changedAt: '2026-03-01T10:00:00.000Z', changedBy: 'budi' });
  });

  it('the router assigns as a system actor, company-wide, and the case becomes assigned', async () => {
    const id = await openCase();
    const r = await commands.cases.assign({ kind: 'system', id: 'router' }, id, { agentId: 'agent-7', team: 'phones', reason: 'skills phones≥3' });
    const events = await store.readStream(`episode-${id}`);
    expect(r.revision).toBe(3n);
    expect(events.slice(2).map((e) => [e.type, e.metadata.actor])).toEqual([
      ['CaseAssigned', { type: 'system', id: 'router' }],
      ['CaseStatusChanged', { type: 'system', id: 'router' }],
    ]);
    expect(events[2].metadata.visibility).toEqual({ departments: '*', partners: 'shared' });
    // the same agent again: nothing recorded, the revision stays
    const again = await commands.cases.assign({ kind: 'system', id: 'router' }, id, { agentId: 'agent-7', reason: 'again' });
    expect(again.revision).toBe(3n);
  });

  it('partners never work a case (it reads as missing); other departments are refused', async () => {
    const id = await openCase();
    await expect(commands.cases.changeStatus(partner, id, { status: 'in-progress' })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.cases.reopen(partner, id, { reason: 'x' }, { expectedRevision: 99n })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.cases.changeDetails(seller, id, { priority: 'low' })).rejects.toMatchObject({ status: 403 });
    await expect(commands.cases.get(partner, id)).rejects.toMatchObject({ name: 'NotFoundError' });
    expect((await commands.cases.get(seller, id)).priority).toBe('high'); // other departments read it
  });

  it('an episode that is no case is missing here', async () => {
    const opportunity = (await commands.episodes.open(seller, 'opportunity', { customerId, name: 'Fleet' })).id;
    await expect(commands.cases.assign(agent, opportunity, { agentId: 'a', reason: 'r' })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.cases.get(agent, opportunity)).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('a stale If-Match is refused before any rule is judged', async () => {
    const id = await openCase();
    // (moving to `resolved` breaks a rule, but the stale revision is what the caller hears)
    await expect(commands.cases.changeStatus(agent, id, { status: 'resolved' }, { expectedRevision: 0n })).rejects.toMatchObject({
      name: 'ConcurrencyConflictError',
    });
    await expect(commands.cases.changeStatus(agent, id, { status: 'resolved' }, { expectedRevision: 1n })).rejects.toMatchObject({
      code: 'resolve-by-closing',
    });
  });

  it('the reopen cycle: resolve, reopen, record an interaction, resolve again, close; the view tells it', async () => {
    const id = await openCase();
    await commands.cases.assign(agent, id, { agentId: 'budi', reason: 'took it' });
    await commands.episodes.close(agent, id, { outcome: 'resolved', reason: 'reset the network settings' });
    await commands.cases.reopen(agent, id, { reason: 'no signal again' });
    await commands.episodes.recordInteraction(agent, id, { channel: 'phone', direction: 'inbound', action: 'customer called back' });
    await commands.episodes.close(agent, id, { outcome: 'resolved' });
    await commands.cases.changeStatus(manager, id, { status: 'closed' });
    await expect(commands.cases.reopen(agent, id, { reason: 'again' })).rejects.toMatchObject({ code: 'case-closed' });
    const view = await commands.cases.get(agent, id);
    expect(view).toMatchObject({ status: 'closed', reopenCount: 1, assigneeId: 'budi', priority: 'high', channel: 'phone' });
    expect(view.statusHistory.map((v) => v.status)).toEqual(['new', 'assigned', 'resolved', 'reopened', 'resolved', 'closed']);
    expect(view.interactions).toHaveLength(1);
    expect(view.assignments).toEqual([expect.objectContaining({ agentId: 'budi', reason: 'took it', assignedBy: 'budi' })]);
    expect(view.revision).toBe('8');
  });
  it('unassign: one read, the case back in its queue (new, no agent) in one append; a retry records nothing; the view lists it', async () => {
    const id = await openCase();
    await commands.cases.assign({ kind: 'system', id: 'router' }, id, { agentId: 'agent-7', team: 'phones', reason: 'skills phones≥3' });
    await commands.cases.changeStatus(agent, id, { status: 'in-progress' });
    store.reads.clear();
    clock.set('2026-03-01T11:00:00.000Z');
    const r = await commands.cases.unassign(manager, id, { reason: 'agent went home sick' }, { expectedRevision: 4n });
    expect(Object.fromEntries(store.reads)).toEqual({ [`episode-${id}`]: 1 });
    expect(r.revision).toBe(6n);
    const events = await store.readStream(`episode-${id}`, { fromRevision: 5n });
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        'CaseUnassigned',
        {
          episodeId: id,
          customerId,
          previousAgentId: 'agent-7',
          team: 'phones',
          reason: 'agent went home sick',
          unassignedAt: '2026-03-01T11:00:00.000Z',
          unassignedBy: 'mia',
        },
      ],
      [
        'CaseStatusChanged',
        { episodeId: id, customerId, from: 'in-progress', to: 'new', reason: 'agent went home sick', changedAt: '2026-03-01T11:00:00.000Z', changedBy: 'mia' },
      ],
    ]);
    expect((await commands.cases.unassign(manager, id, { reason: 'again' })).revision).toBe(6n);
    const view = await commands.cases.get(agent, id);
    expect(view).toMatchObject({ status: 'new', assigneeId: null, team: 'phones' });
    expect(view.unassignments).toEqual([
      { previousAgentId: 'agent-7', team: 'phones', reason: 'agent went home sick', unassignedAt: '2026-03-01T11:00:00.000Z', unassignedBy: 'mia' },
    ]);
  });

  it('unassign to another team as the SLA escalation: the team moves and the agent lets go in one append', async () => {
    const id = await openCase();
    await commands.cases.assign(agent, id, { agentId: 'budi', team: 'phones', reason: 'took the call' });
    await commands.cases.unassign({ kind: 'system', id: 'sla-escalation' }, id, { team: 'phones-tier-2', reason: 'SLA escalation rule r-1' });
    const events = await store.readStream(`episode-${id}`, { fromRevision: 4n });
    expect(events.map((e) => [e.type, e.metadata.actor])).toEqual([
      ['CaseDetailsChanged', { type: 'system', id: 'sla-escalation' }],
      ['CaseUnassigned', { type: 'system', id: 'sla-escalation' }],
      ['CaseStatusChanged', { type: 'system', id: 'sla-escalation' }],
    ]);
    expect(new Set(events.map((e) => e.metadata.correlationId)).size).toBe(1);
    expect(await commands.cases.get(agent, id)).toMatchObject({ status: 'new', assigneeId: null, team: 'phones-tier-2' });
  });

  it('unassign: who may, stale If-Match before the rules, resolved cases refused', async () => {
    const id = await openCase();
    await expect(commands.cases.unassign(partner, id, { reason: 'r' })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.cases.unassign(seller, id, { reason: 'r' })).rejects.toMatchObject({ status: 403 });
    // (a blank reason breaks a rule, but the stale revision is what the caller hears)
    await expect(commands.cases.unassign(agent, id, { reason: ' ' }, { expectedRevision: 0n })).rejects.toMatchObject({ name: 'ConcurrencyConflictError' });
    await expect(commands.cases.unassign(agent, id, { reason: ' ' })).rejects.toMatchObject({ code: 'unassignment-needs-reason' });
    await commands.cases.assign(agent, id, { agentId: 'budi', reason: 'took it' });
    await commands.episodes.close(agent, id, { outcome: 'resolved' });
    await expect(commands.cases.unassign(agent, id, { reason: 'r' })).rejects.toMatchObject({ code: 'episode-closed' });
  });
});
