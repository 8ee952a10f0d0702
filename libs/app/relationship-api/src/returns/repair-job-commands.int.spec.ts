import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { CommandHandler } from '@crm/event-store';
import { TestClock } from '@crm/kernel';
import { episodeStream, returnRepairDecider, type ReturnRepairCommand } from '@crm/relationship';
import type { PartnerPrincipal } from '@crm/service-kit';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { openCountingStore, STAFF, type CountingEventStore } from '../testing/command-store';
import { metadataFor } from '../application/command-options';
import { contractCheckedStore } from '../contract-checked-store';
import { AggregateRepairProviderAccess, RepairJobCommands } from './repair-job-commands';

// The repair provider's commands follow the one way to command: load the return once, check on that
// state that the caller is the provider NOW (and its credential valid), If-Match, decide, append.
describe('repair job commands (the provider side of a return)', () => {
  let store: CountingEventStore;
  let close: () => Promise<void>;
  let commands: RelationshipCommands;
  let jobs: RepairJobCommands;
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const { agent, manager } = STAFF;
  let providerA: PartnerPrincipal;
  let providerB: PartnerPrincipal;
  let customerId: string;
  let caseId: string;
  let returns: CommandHandler<Parameters<typeof returnRepairDecider.decide>[1], ReturnRepairCommand, ReturnType<typeof returnRepairDecider.decide>[number]>;

  const staffDoes = (episodeId: string, command: ReturnRepairCommand) =>
    returns.handle(episodeStream(episodeId), command, metadataFor(agent, clock, { departments: '*', partners: 'shared' }));

  /** A return requested from the case, authorised (goodwill) and assigned to `partnerId`; the item received by the company. */
  async function returnWithRepairAt(partnerId: string): Promise<string> {
    const episodeId = randomUUID();
    const at = clock.now().toISOString();
    await staffDoes(episodeId, {
      type: 'RequestReturn',
      data: {
        episodeId,
        customerId,
        caseEpisodeId: caseId,
        name: 'Return X1',
        item: { productId: 'phone-x1', serialNumber: 'SN-1' },
        fault: 'does not charge',
        requestedAt: at,
        requestedBy: 'budi',
      },
      fromCase: { customerId, isCase: true, caseClosed: false },
    });
    await staffDoes(episodeId, {
      type: 'AuthoriseReturn',
      data: { rmaNumber: 'RMA-2026-000123', authorisedAt: at, authorisedBy: 'budi', outOfWarranty: 'goodwill' },
      warranty: { basis: 'out-of-warranty', reason: 'no order' },
    });
    await staffDoes(episodeId, { type: 'UpdateShipment', data: { leg: 'to-company', state: 'delivered', updatedAt: at }, by: { kind: 'staff', id: 'budi' } });
    await staffDoes(episodeId, {
      type: 'AssignRepair',
      data: { partnerId, assignedAt: at, assignedBy: 'budi' },
      partner: { partnerKind: 'service-provider' },
    });
    return episodeId;
  }

  beforeAll(async () => {
    ({ store, close } = await openCountingStore());
    const settings = { clock, retries: 2 };
    const checked = contractCheckedStore(store, crmRegistry());
    commands = createRelationshipCommands(checked, settings);
    jobs = new RepairJobCommands(checked, new AggregateRepairProviderAccess(commands.partners), settings);
    returns = new CommandHandler(checked, returnRepairDecider);
    const a = (await commands.partners.register(manager, { name: 'Repair A', partnerKind: 'service-provider' })).id;
    const b = (await commands.partners.register(manager, { name: 'Repair B', partnerKind: 'service-provider' })).id;
    await commands.partners.issueCredential(manager, a, `${a}.credential-a-000001`, 'scrypt$x$y');
    await commands.partners.issueCredential(manager, b, `${b}.credential-b-000001`, 'scrypt$x$y');
    providerA = { kind: 'partner', subject: `${a}.credential-a-000001`, partnerId: a, roles: [] };
    providerB = { kind: 'partner', subject: `${b}.credential-b-000001`, partnerId: b, roles: [] };
    customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Dewi' })).id;
    caseId = (await commands.episodes.open(agent, 'case', { customerId, name: 'Phone will not charge', channel: 'phone' })).id;
  });
  afterAll(async () => {
    await close();
  });

  it('the provider sees its job (item, fault, RMA, legs) and works it: each change reads the return once, time from the clock', async () => {
    const id = await returnWithRepairAt(providerA.partnerId);
    const view = await jobs.job(providerA, id);
    expect(view).toMatchObject({
      episodeId: id,
      customerId,
      rmaNumber: 'RMA-2026-000123',
      item: { productId: 'phone-x1', serialNumber: 'SN-1' },
      fault: 'does not charge',
      status: 'assigned',
      legs: { 'to-company': { state: 'delivered' } },
      interactions: [],
      closed: null,
    });
    store.reads.clear();
    clock.set('2026-03-01T10:00:00.000Z');
    await jobs.updateShipment(providerA, id, { leg: 'to-provider', state: 'delivered', carrier: 'JNE', trackingNumber: 'JNE-1' });
    expect(store.reads.get(episodeStream(id))).toBe(1);
    await jobs.changeStatus(providerA, id, { to: 'received' });
    await jobs.recordInteraction(providerA, id, { channel: 'phone', direction: 'outbound', action: 'asked the customer for the PIN' });
    const events = await store.readStream(episodeStream(id));
    const last = events.slice(-3);
    expect(last.map((e) => e.type)).toEqual(['ReturnShipmentUpdated', 'RepairStatusChanged', 'InteractionRecorded']);
    expect(last[0].data).toMatchObject({
      leg: 'to-provider',
      state: 'delivered',
      updatedAt: '2026-03-01T10:00:00.000Z',
      updatedBy: `partner:${providerA.partnerId}`,
    });
    expect(last[1].data).toMatchObject({ partnerId: providerA.partnerId, from: 'assigned', to: 'received', changedBy: providerA.subject });
    expect(last[2].data).toMatchObject({ interaction: { actor: { kind: 'partner-user', id: providerA.subject } } });
    // The provider's own events: visible to the company and to it alone among partners.
    expect(last.map((e) => (e.metadata as unknown as { visibility: unknown }).visibility)).toEqual(
      Array(3).fill({ departments: '*', partners: [providerA.partnerId] }),
    );
    expect((await jobs.job(providerA, id)).interactions.map((i) => i.action)).toEqual(['asked the customer for the PIN']);
  });

  it('another provider, an unknown id and a provider the repair was taken from all get the same NotFound; nothing is written', async () => {
    const id = await returnWithRepairAt(providerA.partnerId);
    const before = (await store.readStream(episodeStream(id))).length;
    for (const attempt of [
      () => jobs.job(providerB, id),
      () => jobs.changeStatus(providerB, id, { to: 'received' }),
      () => jobs.recordInteraction(providerB, id, { channel: 'email', direction: 'outbound', action: 'x' }),
      () => jobs.updateShipment(providerB, id, { leg: 'to-provider', state: 'delivered' }),
      () => jobs.job(providerA, randomUUID()),
    ])
      await expect(attempt()).rejects.toMatchObject({ name: 'NotFoundError' });
    // Reassigned to B: A's access ends at once (the store says so, whatever a read model says).
    await staffDoes(id, {
      type: 'AssignRepair',
      data: { partnerId: providerB.partnerId, assignedAt: clock.now().toISOString(), assignedBy: 'budi' },
      partner: { partnerKind: 'service-provider' },
    });
    await expect(jobs.job(providerA, id)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(jobs.changeStatus(providerA, id, { to: 'received' })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect((await jobs.job(providerB, id)).status).toBe('assigned');
    expect(await jobs.assignedToCaller(providerA, [id])).toEqual(new Set());
    expect(await jobs.assignedToCaller(providerB, [id, randomUUID()])).toEqual(new Set([id]));
    expect(await jobs.assignedToCaller({ ...providerB, partnerId: randomUUID() }, [id])).toEqual(new Set());
    expect((await store.readStream(episodeStream(id))).length).toBe(before + 1); // only the reassignment
  });

  it('refuses staff (403: the job view is the provider’s) and a revoked credential (401), before anything else', async () => {
    const id = await returnWithRepairAt(providerA.partnerId);
    await expect(jobs.job(agent, id)).rejects.toMatchObject({ status: 403 });
    await expect(jobs.changeStatus(agent, id, { to: 'received' })).rejects.toMatchObject({ status: 403 });
    const second = `${providerA.partnerId}.credential-a-000002`;
    await commands.partners.issueCredential(manager, providerA.partnerId, second, 'scrypt$x$y');
    await commands.partners.revokeCredential(manager, providerA.partnerId, second);
    const revoked: PartnerPrincipal = { ...providerA, subject: second };
    await expect(jobs.job(revoked, id)).rejects.toMatchObject({ status: 401 });
    await expect(jobs.changeStatus(revoked, id, { to: 'received' }, { expectedRevision: 0n })).rejects.toMatchObject({ status: 401 });
    await expect(jobs.assignedToCaller(revoked, [id])).rejects.toMatchObject({ status: 401 });
    // The other credential of the same partner still works.
    expect((await jobs.job(providerA, id)).status).toBe('assigned');
  });

  it('If-Match: a stale revision is 412 before any rule; the current one goes through', async () => {
    const id = await returnWithRepairAt(providerA.partnerId);
    const { revision } = await jobs.job(providerA, id);
    // Stale AND breaking a rule (an item not shipped back cannot reach the customer): the 412 wins.
    await expect(
      jobs.updateShipment(providerA, id, { leg: 'from-provider', state: 'delivered' }, { expectedRevision: BigInt(revision) - 1n }),
    ).rejects.toMatchObject({
      name: 'ConcurrencyConflictError',
    });
    await expect(
      jobs.updateShipment(providerA, id, { leg: 'from-provider', state: 'delivered' }, { expectedRevision: BigInt(revision) }),
    ).rejects.toMatchObject({
      name: 'DomainRuleViolation',
      rule: 'repair-not-finished',
    });
    const r = await jobs.changeStatus(providerA, id, { to: 'diagnosing', note: 'battery swollen' }, { expectedRevision: BigInt(revision) });
    expect(r.revision).toBe(BigInt(revision) + 1n);
  });

  it('domain rules come from the decider: no staff actor, no company leg, delivered back closes the return', async () => {
    const id = await returnWithRepairAt(providerA.partnerId);
    await expect(
      jobs.recordInteraction(providerA, id, { channel: 'phone', direction: 'outbound', action: 'x', actorKind: 'staff', actorId: 'budi' }),
    ).rejects.toMatchObject({ rule: 'partner-cannot-act-as-staff' });
    await expect(jobs.updateShipment(providerA, id, { leg: 'to-company', state: 'in-transit' })).rejects.toMatchObject({ rule: 'not-your-leg' });
    await jobs.changeStatus(providerA, id, { to: 'repaired' });
    await jobs.updateShipment(providerA, id, { leg: 'to-customer', state: 'in-transit' });
    await jobs.updateShipment(providerA, id, { leg: 'to-customer', state: 'delivered' });
    expect((await jobs.job(providerA, id)).closed).toMatchObject({ outcome: 'resolved' });
    await expect(jobs.changeStatus(providerA, id, { to: 'repairing' })).rejects.toMatchObject({ name: 'DomainRuleViolation' });
  });

  it("the next provider sees the company's interactions on the job, not those of the provider the repair was taken from", async () => {
    const id = await returnWithRepairAt(providerA.partnerId);
    await jobs.recordInteraction(providerA, id, { channel: 'phone', direction: 'outbound', action: 'by A' });
    await staffDoes(id, {
      type: 'RecordRepairInteraction',
      data: {
        interaction: {
          interactionId: randomUUID(),
          channel: 'email',
          direction: 'outbound',
          actor: { kind: 'staff', id: 'budi' },
          action: 'by the company',
          occurredAt: clock.now().toISOString(),
        },
      },
      by: { kind: 'staff', id: 'budi' },
    });
    expect((await jobs.job(providerA, id)).interactions.map((i) => i.action)).toEqual(['by A', 'by the company']);
    await staffDoes(id, {
      type: 'AssignRepair',
      data: { partnerId: providerB.partnerId, assignedAt: clock.now().toISOString(), assignedBy: 'budi' },
      partner: { partnerKind: 'service-provider' },
    });
    await jobs.recordInteraction(providerB, id, { channel: 'phone', direction: 'outbound', action: 'by B' });
    expect((await jobs.job(providerB, id)).interactions.map((i) => i.action)).toEqual(['by the company', 'by B']);
  });
});
