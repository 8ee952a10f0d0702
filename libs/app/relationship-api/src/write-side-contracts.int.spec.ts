import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { EPISODE_TYPES, type EpisodeType } from '@crm/relationship';
import { toIntegrationEvent } from '@crm/relay';
import type { Principal, StaffPrincipal } from '@crm/service-kit';
import { ContractViolationError, contractCheckedStore } from './contract-checked-store';
import type { RegisterCustomerDto } from './dto';
import { createRelationshipCommands, type RelationshipCommands } from './application/relationship-commands';
import { PipelineCommands } from './opportunities/pipeline-commands';
import { CommandHandler } from '@crm/event-store';
import { episodeStream, returnRepairDecider } from '@crm/relationship';
import { systemClock } from '@crm/kernel';
import { metadataFor } from './application/command-options';
import { AggregateRepairProviderAccess, RepairJobCommands } from './returns/repair-job-commands';
import { openCountingStore, type CountingEventStore } from './testing/command-store';

// The write side accepts exactly what the contracts accept: every event any command of the shared
// write side produces validates against its published contract, and an event that would not is
// refused before anything is stored.
describe('the shared write side and the event contracts', () => {
  let store: CountingEventStore;
  let close: () => Promise<void>;
  let commands: RelationshipCommands;
  const registry = crmRegistry();
  const staff = (department: 'sales' | 'service' | 'marketing' | 'management'): StaffPrincipal => ({
    kind: 'staff',
    subject: `${department}-1`,
    department,
    roles: ['admin'],
  });

  beforeAll(async () => {
    ({ store, close } = await openCountingStore());
    commands = createRelationshipCommands(contractCheckedStore(store, registry));
  });
  afterAll(async () => {
    await close();
  });

  it('every event each command can produce validates against its contract', async () => {
    const org = await commands.customers.register(staff('sales'), {
      kind: 'organisation',
      name: 'PT Maju',
      contacts: [{ name: 'Sari', role: 'buyer', email: 'sari@maju.co.id', phone: '+62 21' }, { name: 'Budi' }],
      identities: [
        { kind: 'email', value: 'info@maju.co.id' },
        { kind: 'external-id', value: 'ERP-1', system: 'erp' },
      ],
      journeyStage: 'first-time-customer',
      relationshipPhase: 'exploration',
    });
    await commands.customers.register(staff('service'), { kind: 'person', name: 'Dewi' });
    // A person's own postal address: registered, changed, removed.
    const home = await commands.customers.register(staff('sales'), {
      kind: 'person',
      name: 'Sari',
      address: { lines: ['Jl. Braga 3'], postalCode: '40111', locality: 'Bandung', region: 'Jawa Barat', country: 'ID' },
    });
    await commands.customers.change(staff('marketing'), home.id, { address: { lines: ['Jl. Asia Afrika 8', 'Lt. 2'], locality: 'Bandung', country: 'ID' } });
    await commands.customers.change(staff('marketing'), home.id, { address: null });
    const partner = await commands.partners.register(staff('management'), { name: 'Distributor', partnerKind: 'distributor' });
    await commands.partners.shareCustomer(staff('management'), partner.id, org.id);
    const partnerUser: Principal = { kind: 'partner', subject: 'p-user', partnerId: partner.id, roles: [] };
    const types: [Principal, EpisodeType][] = [
      [staff('sales'), 'opportunity'],
      [staff('service'), 'case'],
      [staff('marketing'), 'campaign'],
      [partnerUser, 'partner-deal'],
      [partnerUser, 'return-repair'],
    ];
    expect(types.map(([, t]) => t).sort()).toEqual([...EPISODE_TYPES].sort());
    for (const [who, type] of types) {
      const episode = await commands.episodes.open(who, type, {
        customerId: org.id,
        name: `${type} 1`,
        ...(type === 'opportunity' ? { expectedValue: 5000, currency: 'EUR' } : {}),
        ...(type === 'case' ? { channel: 'phone' as const } : {}),
        ...(type === 'campaign' ? { campaignId: 'spring' } : {}),
      });
      await commands.episodes.recordInteraction(who, episode.id, { channel: 'email', direction: 'outbound', action: 'wrote', response: 'answered' });
      await commands.episodes.recordInteraction(who, episode.id, {
        channel: 'phone',
        direction: 'inbound',
        action: 'called',
        actorKind: 'customer',
        actorId: 'c-1',
        occurredAt: new Date().toISOString(),
      });
      if (type === 'opportunity') await commands.episodes.advanceStage(who, episode.id, 'proposal-creation');
      const outcome = type === 'opportunity' || type === 'partner-deal' ? 'won' : type === 'case' || type === 'return-repair' ? 'resolved' : 'completed';
      await commands.episodes.close(who, episode.id, { outcome, ...(outcome === 'won' ? { value: 4800, currency: 'EUR' } : {}), reason: 'done' });
    }
    const lost = await commands.episodes.open(staff('sales'), 'opportunity', { customerId: org.id, name: 'Lost one' });
    await commands.episodes.close(staff('sales'), lost.id, { outcome: 'lost', reason: 'price' });
    // Opportunities on a pipeline of their own, with everything an opportunity has.
    const pipelines = new PipelineCommands(contractCheckedStore(store, registry), { clock: { now: () => new Date() } });
    const { pipeline } = await pipelines.create(staff('management'), {
      name: 'Renewals',
      stages: [
        { stageId: 'qualify', name: 'Qualify', probability: 20 },
        { stageId: 'quote', name: 'Quote', probability: 60 },
      ],
    });
    const renewal = await commands.episodes.open(staff('sales'), 'opportunity', {
      customerId: org.id,
      name: 'Renewal',
      pipelineId: pipeline.pipelineId,
      amount: 1_250_000,
      currency: 'EUR',
      expectedCloseDate: '2026-06-30',
      owner: 'sari',
      team: 'jakarta',
      nextStep: 'call the buyer',
      competitors: ['Acme'],
      probability: 25,
    });
    await commands.episodes.changeStage(staff('sales'), renewal.id, { stage: 'quote' });
    await commands.episodes.changeStage(staff('sales'), renewal.id, { stage: 'qualify', reason: 'new buyer' });
    await commands.episodes.updateOpportunity(staff('sales'), renewal.id, {
      amount: null,
      nextStep: null,
      expectedCloseDate: null,
      team: null,
      probability: null,
    });
    await commands.episodes.updateOpportunity(staff('sales'), renewal.id, { amount: 900, currency: 'JPY' });
    await commands.episodes.close(staff('sales'), renewal.id, { outcome: 'won', reason: 'signed' });
    // A case worked through its whole life: details, statuses, assignments (by a person and by the router), resolved, reopened, closed.
    const kase = await commands.episodes.open(staff('service'), 'case', {
      customerId: org.id,
      name: 'Phone will not charge',
      channel: 'phone',
      priority: 'high',
      severity: 'major',
      category: 'charging',
      productId: 'phone-x1',
      team: 'phones',
    });
    await commands.cases.changeDetails(staff('service'), kase.id, { priority: 'urgent', category: null, productId: null, team: 'repairs' });
    await commands.cases.assign({ kind: 'system', id: 'router' }, kase.id, { agentId: 'agent-7', team: 'phones', reason: 'skills phones≥3, least loaded 1/4' });
    await commands.cases.assign(staff('management'), kase.id, { agentId: 'agent-9', reason: 'speaks Javanese' });
    await commands.cases.changeStatus(staff('service'), kase.id, { status: 'in-progress' });
    await commands.cases.changeStatus(staff('service'), kase.id, { status: 'waiting-on-customer', reason: 'the serial number' });
    await commands.cases.unassign(staff('management'), kase.id, { team: 'phones-tier-2', reason: 'agent went home sick' });
    await commands.cases.assign(staff('service'), kase.id, { agentId: 'agent-9', reason: 'took it back' });
    await commands.episodes.close(staff('service'), kase.id, { outcome: 'resolved', reason: 'replaced the charger' });
    await commands.cases.reopen(staff('service'), kase.id, { reason: 'still does not charge' });
    await commands.episodes.close(staff('service'), kase.id, { outcome: 'unresolved' });
    await commands.cases.changeStatus(staff('service'), kase.id, { status: 'closed' });
    await commands.partners.revokeShare(staff('management'), partner.id, org.id);

    const stored = await store.readAll({ maxCount: 10_000 });
    const published = stored.map(toIntegrationEvent).filter((e) => e !== undefined && registry.has(e.type, e.schemaversion));
    const seen = new Set(published.map((e) => e!.type));
    expect([...seen].sort()).toEqual(
      [
        'CustomerRegistered',
        'CustomerDetailsChanged',
        'CustomerSharedWithPartner',
        'CustomerShareRevoked',
        'PartnerRegistered',
        'EpisodeOpened',
        'InteractionRecorded',
        'OpportunityStageChanged',
        'OpportunityUpdated',
        'EpisodeClosed',
        'CaseDetailsChanged',
        'CaseStatusChanged',
        'CaseAssigned',
        'CaseReopened',
        'CaseUnassigned',
      ].sort(),
    );
    for (const event of published) expect(() => registry.validate(event)).not.toThrow();
  });

  it('an event that would break its contract is refused with the fields, and nothing is stored', async () => {
    const customerId = randomUUID();
    // What the DTO layer once let through: an array where a contact object belongs.
    const bad = { customerId, kind: 'organisation', name: 'X', contacts: [[]] } as unknown as RegisterCustomerDto;
    const attempt = commands.customers.register(staff('sales'), bad);
    await expect(attempt).rejects.toBeInstanceOf(ContractViolationError);
    // (The command turns the inner array into a contact without a name: the contract names it.)
    await expect(attempt).rejects.toMatchObject({
      eventType: 'CustomerRegistered',
      problems: expect.arrayContaining([expect.objectContaining({ path: 'contacts.0.name' })]),
    });
    expect(await store.readStream(`customer-${customerId}`)).toEqual([]);
  });
  // issue 12 §6: the satisfaction answer on a resolved case (its own command on the episode stream).
  it('the satisfaction answer: the interaction and CaseSatisfactionRated validate against their contracts', async () => {
    const customerId = (await commands.customers.register(staff('service'), { kind: 'person', name: 'Rina' })).id;
    const kase = await commands.episodes.open(staff('service'), 'case', { customerId, name: 'Camera lens stuck', channel: 'phone' });
    await commands.episodes.close(staff('service'), kase.id, { outcome: 'resolved' });
    const subject = await commands.caseSatisfaction.surveyOf(staff('service'), kase.id);
    await commands.caseSatisfaction.rate(kase.id, { customerId, score: 5, comment: 'fixed at once', resolvedAt: subject.resolvedAt });
    const events = (await store.readStream(`episode-${kase.id}`)).map(toIntegrationEvent).filter((e) => e !== undefined);
    expect(events.map((e) => e!.type)).toEqual(['EpisodeOpened', 'EpisodeClosed', 'InteractionRecorded', 'CaseSatisfactionRated']);
    for (const event of events) expect(() => registry.validate(event!)).not.toThrow();
  });
  // issue 12 §5: the repair provider's commands (RepairJobCommands) on a return's episode stream.
  it("the repair provider's status changes, interactions and shipments validate against their contracts", async () => {
    const customerId = (await commands.customers.register(staff('service'), { kind: 'person', name: 'Wati' })).id;
    const kase = await commands.episodes.open(staff('service'), 'case', { customerId, name: 'Tablet screen cracked', channel: 'phone' });
    const provider = await commands.partners.register(staff('management'), { name: 'Fix-it', partnerKind: 'service-provider' });
    const providerUser: Principal = { kind: 'partner', subject: 'tech-1', partnerId: provider.id, roles: [] };
    const checked = contractCheckedStore(store, registry);
    const jobs = new RepairJobCommands(checked, new AggregateRepairProviderAccess(commands.partners), { clock: systemClock });
    // The service department's side (not built here): its events appended through the decider on the same checked store.
    const returns = new CommandHandler(checked, returnRepairDecider);
    const episodeId = randomUUID();
    const now = () => new Date().toISOString();
    const meta = () => metadataFor(staff('service'), systemClock, { departments: '*', partners: 'shared' });
    const staffBy = { kind: 'staff' as const, id: 'service-1' };
    await returns.handle(
      episodeStream(episodeId),
      {
        type: 'RequestReturn',
        data: {
          episodeId,
          customerId,
          caseEpisodeId: kase.id,
          name: 'Return',
          item: { productId: 'tab-9', serialNumber: 'SN-9' },
          fault: 'cracked',
          requestedAt: now(),
          requestedBy: 'service-1',
        },
        fromCase: { customerId, isCase: true, caseClosed: false },
      },
      meta(),
    );
    await returns.handle(
      episodeStream(episodeId),
      {
        type: 'AuthoriseReturn',
        data: { rmaNumber: 'RMA-2026-00ABC9', authorisedAt: now(), authorisedBy: 'service-1', outOfWarranty: 'paid' },
        warranty: { basis: 'out-of-warranty', reason: 'no order' },
      },
      meta(),
    );
    await returns.handle(
      episodeStream(episodeId),
      { type: 'UpdateShipment', data: { leg: 'to-company', state: 'delivered', updatedAt: now() }, by: staffBy },
      meta(),
    );
    await returns.handle(
      episodeStream(episodeId),
      { type: 'AssignRepair', data: { partnerId: provider.id, assignedAt: now(), assignedBy: 'service-1' }, partner: { partnerKind: 'service-provider' } },
      meta(),
    );
    const before = (await store.readStream(episodeStream(episodeId))).length;
    await jobs.updateShipment(providerUser, episodeId, { leg: 'to-provider', state: 'delivered', carrier: 'JNE', trackingNumber: 'JNE-000123' });
    await jobs.changeStatus(providerUser, episodeId, { to: 'diagnosing', note: 'glass and digitiser' });
    await jobs.recordInteraction(providerUser, episodeId, {
      channel: 'phone',
      direction: 'outbound',
      action: 'quoted the repair',
      response: 'accepted',
      actorKind: 'partner-user',
    });
    await jobs.recordInteraction(providerUser, episodeId, {
      channel: 'email',
      direction: 'inbound',
      action: 'customer approved',
      actorKind: 'customer',
      actorId: customerId,
      occurredAt: now(),
    });
    await jobs.changeStatus(providerUser, episodeId, { to: 'replaced' });
    await jobs.updateShipment(providerUser, episodeId, { leg: 'to-customer', state: 'label-issued', carrier: 'JNE' });
    await jobs.updateShipment(providerUser, episodeId, { leg: 'to-customer', state: 'delivered', trackingNumber: 'JNE-000124' });
    const events = (await store.readStream(episodeStream(episodeId)))
      .slice(before)
      .map(toIntegrationEvent)
      .filter((e) => e !== undefined);
    expect(events.map((e) => e!.type)).toEqual([
      'ReturnShipmentUpdated',
      'RepairStatusChanged',
      'InteractionRecorded',
      'InteractionRecorded',
      'RepairStatusChanged',
      'ReturnShipmentUpdated',
      'ReturnShipmentUpdated',
      'EpisodeClosed',
    ]);
    for (const event of events) expect(() => registry.validate(event!)).not.toThrow();
  });

  // issue 12 §5: a return through its whole cycle — every event the service's return commands (and the provider's report) produce.
  it('returns and repairs: the six return events, the episode opening and closing validate against their contracts', async () => {
    const customerId = (await commands.customers.register(staff('service'), { kind: 'person', name: 'Wati' })).id;
    const order = await commands.orders.place(staff('sales'), {
      customerId,
      currency: 'EUR',
      orderDate: new Date().toISOString().slice(0, 10),
      lines: [{ productId: 'phone-x1', quantity: 1, unitPrice: 49_900 }],
    });
    const provider = await commands.partners.register(staff('management'), { name: 'Fix It', partnerKind: 'service-provider' });
    const other = await commands.partners.register(staff('management'), { name: 'Fix It Too', partnerKind: 'service-provider' });
    const kase = await commands.episodes.open(staff('service'), 'case', { customerId, name: 'Phone will not charge', channel: 'phone' });
    const r = await commands.returns.request(staff('service'), kase.id, {
      item: { productId: 'phone-x1', serialNumber: 'SN-1' },
      fault: 'does not charge',
      orderId: order.id,
      lineId: order.order.lines[0].lineId,
      channel: 'phone',
    });
    await commands.returns.authorise(staff('service'), r.id, { note: 'serial checked' });
    await commands.returns.updateShipment(staff('service'), r.id, { leg: 'to-company', state: 'label-issued', carrier: 'DHL', trackingNumber: 'JD0001' });
    await commands.returns.updateShipment(staff('service'), r.id, { leg: 'to-company', state: 'delivered' });
    await commands.returns.assignRepair(staff('service'), r.id, { partnerId: other.id });
    await commands.returns.assignRepair(staff('management'), r.id, { partnerId: provider.id });
    await commands.returns.updateShipment(staff('service'), r.id, { leg: 'to-provider', state: 'delivered' });
    const by = { kind: 'partner' as const, partnerId: provider.id, id: 'p-user' };
    const meta = { correlationId: randomUUID(), actor: { type: 'partner-user' as const, id: 'p-user' }, occurredAt: new Date().toISOString() };
    const handler = new CommandHandler(contractCheckedStore(store, registry), returnRepairDecider);
    await handler.handle(
      `episode-${r.id}`,
      { type: 'ChangeRepairStatus', data: { to: 'repaired', note: 'new port', changedAt: new Date().toISOString() }, by },
      meta,
    );
    await commands.returns.updateShipment(staff('service'), r.id, { leg: 'from-provider', state: 'delivered' });
    await commands.returns.updateShipment(staff('service'), r.id, { leg: 'to-customer', state: 'delivered' });
    const denied = await commands.returns.request(staff('service'), kase.id, { item: { productId: 'phone-x1', serialNumber: 'SN-2' }, fault: 'cracked' });
    await commands.returns.deny(staff('service'), denied.id, { reason: 'physical damage is not covered' });
    const cancelled = await commands.returns.request(staff('service'), kase.id, { item: { productId: 'phone-x1', serialNumber: 'SN-3' }, fault: 'noise' });
    await commands.returns.close(staff('service'), cancelled.id, { outcome: 'cancelled', reason: 'the customer withdrew' });
    const events = [r.id, denied.id, cancelled.id].map(async (id) =>
      (await store.readStream(`episode-${id}`)).map(toIntegrationEvent).filter((e) => e !== undefined),
    );
    const published = (await Promise.all(events)).flat();
    expect([...new Set(published.map((e) => e!.type))].sort()).toEqual(
      [
        'EpisodeOpened',
        'ReturnRequested',
        'ReturnAuthorised',
        'ReturnDenied',
        'ReturnShipmentUpdated',
        'RepairAssigned',
        'RepairStatusChanged',
        'EpisodeClosed',
      ].sort(),
    );
    for (const event of published) expect(() => registry.validate(event!)).not.toThrow();
  });
});
