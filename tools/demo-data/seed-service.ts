import { randomUUID } from 'node:crypto';
import { SeedError, type SeedContext } from './seed-context';

/**
 * The service part of the API seed: service-level policies by priority (so the queue has breached,
 * due-soon and fine cases at once), three teams of agents with hourly costs (the contact-centre
 * efficiency of the teams), open cases waiting in the team queues (opened a while ago through
 * `openedAt`), cases held by agents, resolved cases (first-contact resolution, SLA attainment) and a
 * return in each state the service department can reach alone (the repair's progress is the
 * provider's, reported in the partner portal). Records ids in `ctx.out.service`.
 */
export async function seedService(ctx: SeedContext): Promise<void> {
  const lead = await ctx.staffToken({ department: 'service', subject: 'sari.lead', roles: ['agent', 'manager', 'team-lead'] });
  const now = ctx.now();
  const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();
  const customers = ctx.bulk.customers;
  if (customers.length < 20) throw new SeedError('the service seed needs at least 20 customers from the bulk demo data');

  // Targets by priority, round the clock: the breached and due-soon cases below follow from them.
  const current = await ctx.call<unknown>('service', 'GET', '/service-levels/policies', lead);
  const etag = current.headers.get('etag');
  const policy = (priority: string, first: number, next: number, resolution: number) => ({
    policyId: `${priority}-24x7`,
    priority,
    calendarId: '24x7',
    firstResponseMinutes: first,
    nextResponseMinutes: next,
    resolutionMinutes: resolution,
    warningPercent: 80,
  });
  await ctx.call(
    'service',
    'PUT',
    '/service-levels/policies',
    lead,
    {
      policies: [policy('urgent', 30, 60, 240), policy('high', 60, 120, 480), policy('normal', 240, 480, 1440), policy('low', 480, 960, 2880)],
      escalations: [],
    },
    etag ? { 'if-match': etag } : {},
  );

  // Teams are the agents' teams. Busy (not available): staffed for the efficiency measures, but the
  // router offers them nothing, so the seeded queue stays as seeded.
  const agents = [
    { agentId: 'ayu', name: 'Ayu Lestari', teams: ['phones'], skills: [{ skill: 'phones', level: 4 }] },
    { agentId: 'bayu', name: 'Bayu Pratama', teams: ['phones'], skills: [{ skill: 'phones', level: 3 }] },
    { agentId: 'citra', name: 'Citra Dewi', teams: ['email'], skills: [{ skill: 'email', level: 4 }] },
    { agentId: 'dodi', name: 'Dodi Saputra', teams: ['repairs'], skills: [{ skill: 'repairs', level: 5 }] },
  ];
  for (const a of agents) {
    await ctx.call('service', 'PUT', `/agents/${a.agentId}`, lead, {
      name: a.name,
      teams: a.teams,
      skills: a.skills,
      capacity: 6,
      hourlyCost: 2500,
      currency: 'EUR',
      active: true,
    });
    await ctx.call('service', 'POST', `/agents/${a.agentId}/presence`, lead, { presence: 'busy' });
  }

  let next = 0;
  const customer = () => customers[next++ % customers.length]!;
  const customerOf = new Map<string, string>();
  const open = async (c: { name: string; priority: string; team: string; channel: string; minutesAgo: number; severity?: string }) => {
    const episodeId = randomUUID();
    const customerId = customer();
    customerOf.set(episodeId, customerId);
    await ctx.call('service', 'POST', '/cases', lead, {
      episodeId,
      customerId,
      name: c.name,
      priority: c.priority,
      severity: c.severity ?? 'minor',
      team: c.team,
      channel: c.channel,
      openedAt: ago(c.minutesAgo),
    });
    return episodeId;
  };
  const assign = (id: string, agentId: string, reason: string) => ctx.call('service', 'POST', `/cases/${id}/assignment`, lead, { agentId, reason });
  const interact = (id: string, channel: string, direction: 'inbound' | 'outbound', action: string, response?: string) =>
    ctx.call('service', 'POST', `/cases/${id}/interactions`, lead, {
      channel,
      direction,
      action,
      ...(response && { response }),
      ...(direction === 'inbound' && { actorKind: 'customer', actorId: customerOf.get(id) }),
    });

  // Waiting in the queues: breached (past the first-response target), due soon (past 80%), fine.
  const queue = {
    breached: await open({
      name: 'Phone will not charge after the update',
      priority: 'urgent',
      team: 'phones',
      channel: 'phone',
      minutesAgo: 45,
      severity: 'major',
    }),
    dueSoon: await open({ name: 'Router drops the connection every hour', priority: 'high', team: 'phones', channel: 'phone', minutesAgo: 52 }),
    urgentFine: await open({ name: 'Screen flickers on the new tablet', priority: 'urgent', team: 'phones', channel: 'web', minutesAgo: 3 }),
    normal: await open({ name: 'Invoice shows the wrong address', priority: 'normal', team: 'email', channel: 'email', minutesAgo: 20 }),
    emailBreached: await open({ name: 'Refund for the cancelled order', priority: 'high', team: 'email', channel: 'email', minutesAgo: 150 }),
    low: await open({ name: 'Question about the loyalty points', priority: 'low', team: 'email', channel: 'email', minutesAgo: 5 }),
    repairs: await open({ name: 'Laptop hinge cracked', priority: 'normal', team: 'repairs', channel: 'face-to-face', minutesAgo: 30 }),
  };
  for (const id of Object.values(queue)) await interact(id, 'phone', 'inbound', 'customer described the fault');

  // Held by agents: in their queues, one in progress, one waiting on the customer.
  const held = {
    ayu: await open({ name: 'SIM card not recognised', priority: 'high', team: 'phones', channel: 'phone', minutesAgo: 40 }),
    citra: await open({ name: 'Delivery arrived damaged', priority: 'normal', team: 'email', channel: 'email', minutesAgo: 90 }),
  };
  await assign(held.ayu, 'ayu', 'knows the SIM provisioning');
  await ctx.call('service', 'POST', `/cases/${held.ayu}/status`, lead, { status: 'in-progress' });
  await assign(held.citra, 'citra', 'handles delivery claims');
  await interact(held.citra, 'email', 'outbound', 'asked for photos of the damage');
  await ctx.call('service', 'POST', `/cases/${held.citra}/status`, lead, { status: 'waiting-on-customer', reason: 'photos of the damage' });

  // Resolved at the first contact (and one reopened): first-contact resolution, attainment, efficiency.
  const resolvedPlan: [string, string, number][] = [
    ['phones', 'ayu', 3],
    ['phones', 'bayu', 2],
    ['email', 'citra', 3],
    ['repairs', 'dodi', 1],
  ];
  const resolved: string[] = [];
  for (const [team, agentId, count] of resolvedPlan) {
    for (let i = 0; i < count; i++) {
      const channel = team === 'email' ? 'email' : 'phone';
      const id = await open({
        name: `${team === 'email' ? 'Password reset' : team === 'repairs' ? 'Charger replaced' : 'Setup help'} #${i + 1}`,
        priority: 'normal',
        team,
        channel,
        minutesAgo: 180 + i * 20,
      });
      await interact(id, channel, 'inbound', 'customer asked for help');
      await assign(id, agentId, 'first free agent of the team');
      await interact(id, channel, 'outbound', 'walked the customer through the fix', 'it works now');
      await ctx.call('service', 'POST', `/cases/${id}/resolve`, lead, { outcome: 'resolved', reason: 'fixed on the first contact' });
      resolved.push(id);
    }
  }
  await ctx.call('service', 'POST', `/cases/${resolved[resolved.length - 1]}/reopen`, lead, { reason: 'the charger failed again' });

  // Returns, each from a case of the repairs team held by dodi, one in each state reachable by staff.
  const repairer = ctx.bulk.partners.repairer;
  const returnIds: Record<string, string> = {};
  const products = ['phone-x1', 'tablet-t2', 'laptop-l5', 'router-r3'];
  let serial = 40;
  const requestReturn = async (label: string) => {
    const caseId = await open({ name: `Return: ${label}`, priority: 'normal', team: 'repairs', channel: 'phone', minutesAgo: 600 });
    await assign(caseId, 'dodi', 'repairs team');
    const r = await ctx.call<{ returnId: string }>('service', 'POST', `/cases/${caseId}/returns`, lead, {
      item: { productId: products[serial % products.length], serialNumber: `SN-${String(++serial).padStart(5, '0')}` },
      fault: label,
      channel: 'phone',
    });
    return r.body.returnId;
  };
  const authorise = async (id: string) => {
    try {
      await ctx.call('service', 'POST', `/returns/${id}/authorise`, lead, { note: 'serial checked against the order' });
    } catch (e) {
      if (!(e instanceof SeedError) || !e.message.includes('out-of-warranty')) throw e;
      await ctx.call('service', 'POST', `/returns/${id}/authorise`, lead, { outOfWarranty: 'goodwill', note: 'goodwill: a loyal customer' });
    }
  };
  const ship = (id: string, leg: string, state: string) =>
    ctx.call('service', 'POST', `/returns/${id}/shipments`, lead, { leg, state, carrier: 'JNE', trackingNumber: `JNE${id.slice(0, 8).toUpperCase()}` });

  returnIds['requested'] = await requestReturn('does not switch on');
  returnIds['requestedForTest'] = await requestReturn('battery swells');
  returnIds['denied'] = await requestReturn('water damage');
  await ctx.call('service', 'POST', `/returns/${returnIds['denied']}/deny`, lead, { reason: 'water damage is not covered' });
  returnIds['authorised'] = await requestReturn('speaker crackles');
  await authorise(returnIds['authorised']);
  returnIds['inTransitToCompany'] = await requestReturn('camera out of focus');
  await authorise(returnIds['inTransitToCompany']);
  await ship(returnIds['inTransitToCompany'], 'to-company', 'in-transit');
  returnIds['received'] = await requestReturn('keyboard keys stick');
  await authorise(returnIds['received']);
  await ship(returnIds['received'], 'to-company', 'delivered');
  returnIds['atProvider'] = await requestReturn('hinge cracked');
  await authorise(returnIds['atProvider']);
  await ship(returnIds['atProvider'], 'to-company', 'delivered');
  await ctx.call('service', 'POST', `/returns/${returnIds['atProvider']}/repair`, lead, { partnerId: repairer });
  await ship(returnIds['atProvider'], 'to-provider', 'delivered');
  returnIds['returning'] = await requestReturn('charger port loose');
  await authorise(returnIds['returning']);
  await ship(returnIds['returning'], 'to-company', 'delivered');
  await ship(returnIds['returning'], 'to-customer', 'in-transit');
  returnIds['delivered'] = await requestReturn('wrong colour sent');
  await authorise(returnIds['delivered']);
  await ship(returnIds['delivered'], 'to-company', 'delivered');
  await ship(returnIds['delivered'], 'to-customer', 'delivered');
  returnIds['cancelled'] = await requestReturn('customer changed their mind');
  await authorise(returnIds['cancelled']);
  await ctx.call('service', 'POST', `/returns/${returnIds['cancelled']}/close`, lead, { outcome: 'cancelled', reason: 'the customer withdrew the return' });

  ctx.out['service'] = {
    teams: ['phones', 'email', 'repairs'],
    agents: agents.map((a) => a.agentId),
    queue,
    held,
    resolved,
    returns: returnIds,
    repairerPartnerId: repairer,
  };
  ctx.log(`service: ${Object.keys(queue).length} waiting cases, ${resolved.length} resolved, ${Object.keys(returnIds).length} returns`);
}
