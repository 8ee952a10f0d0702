import { CommandHandler } from '@crm/event-store';
import { TestClock } from '@crm/kernel';
import { episodeStream, returnRepairDecider } from '@crm/relationship';
import type { PartnerPrincipal } from '@crm/service-kit';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { openCountingStore, STAFF, type CountingEventStore } from '../testing/command-store';
import { rmaNumber } from './return-repair-commands';

// Returns follow the one way to command: load once, access on that state, If-Match, decide, append.
describe('return and repair commands (service side)', () => {
  let store: CountingEventStore;
  let close: () => Promise<void>;
  let commands: RelationshipCommands;
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  const { agent, seller, manager } = STAFF;
  let partner: PartnerPrincipal;
  let providerId: string;
  let resellerId: string;
  let customerId: string;
  const ordersOf = new Map<string, string[]>();

  beforeAll(async () => {
    ({ store, close } = await openCountingStore());
    commands = createRelationshipCommands(store, { clock, retries: 2 }, undefined, undefined, async (c) => ordersOf.get(c) ?? []);
    providerId = (await commands.partners.register(manager, { name: 'Repair Co', partnerKind: 'service-provider' })).id;
    resellerId = (await commands.partners.register(manager, { name: 'Shop Co', partnerKind: 'reseller' })).id;
    partner = { kind: 'partner', subject: `${providerId}.bob`, partnerId: providerId, roles: [] };
    customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Dewi' })).id;
    // Bought a phone a year ago (in warranty), a tablet three years ago (out of it).
    const phone = await commands.orders.place(seller, {
      customerId,
      currency: 'EUR',
      orderDate: '2025-03-01',
      lines: [{ productId: 'phone-x', quantity: 1, unitPrice: 49_900 }],
    });
    const tablet = await commands.orders.place(seller, {
      customerId,
      currency: 'EUR',
      orderDate: '2023-01-15',
      lines: [{ productId: 'tablet-y', quantity: 1, unitPrice: 29_900 }],
    });
    ordersOf.set(customerId, [phone.id, tablet.id]);
  });
  afterAll(async () => {
    await close();
  });

  const openCase = async () => (await commands.episodes.open(agent, 'case', { customerId, name: 'Phone will not charge', channel: 'phone' })).id;
  const requestReturn = async (productId = 'phone-x', extra: Record<string, unknown> = {}) => {
    const caseId = await openCase();
    const { id } = await commands.returns.request(agent, caseId, { item: { productId, serialNumber: 'SN-1' }, fault: 'does not charge', ...extra });
    return { caseId, id };
  };

  it('a return is requested from a case: its own episode (service owns it) names the case; the case is read as a fact', async () => {
    const caseId = await openCase();
    store.reads.clear();
    const { id, revision } = await commands.returns.request(agent, caseId, {
      item: { productId: 'phone-x', serialNumber: 'SN-1' },
      fault: 'no charge',
      channel: 'phone',
    });
    expect(revision).toBe(1n);
    expect(Object.fromEntries(store.reads)).toEqual({ [`episode-${caseId}`]: 1, [`episode-${id}`]: 1 });
    const events = await store.readStream(episodeStream(id));
    expect(events.map((e) => e.type)).toEqual(['EpisodeOpened', 'ReturnRequested']);
    expect(events[0].data).toMatchObject({ episodeType: 'return-repair', owner: { kind: 'department', department: 'service' }, channel: 'phone', customerId });
    expect(events[1].data).toMatchObject({ caseEpisodeId: caseId, customerId, requestedAt: '2026-03-01T09:00:00.000Z', requestedBy: 'budi' });
  });

  it('who may request: service and management; sales staff are refused (403); a partner, an unknown or a non-case episode is a missing case', async () => {
    const caseId = await openCase();
    const input = { item: { productId: 'phone-x', serialNumber: 'SN-1' }, fault: 'x' };
    await expect(commands.returns.request(seller, caseId, input)).rejects.toMatchObject({ status: 403 });
    await expect(commands.returns.request(partner, caseId, input)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.returns.request(agent, 'nope', input)).rejects.toMatchObject({ name: 'NotFoundError' });
    const opportunity = (await commands.episodes.open(seller, 'opportunity', { customerId, name: 'Fleet' })).id;
    await expect(commands.returns.request(agent, opportunity, input)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.returns.request(manager, caseId, input)).resolves.toMatchObject({ revision: 1n });
  });

  it('authorised in warranty from the customer’s real order: RMA number, order, line, warranty end', async () => {
    const { id } = await requestReturn();
    clock.set('2026-03-02T10:00:00.000Z');
    store.reads.clear();
    await commands.returns.authorise(agent, id, { note: 'checked serial' });
    // the return read once; the customer's orders read as facts
    expect(store.reads.get(`episode-${id}`)).toBe(1);
    expect([...store.reads.keys()].filter((k) => k.startsWith('order-'))).toHaveLength(2);
    const view = await commands.returns.get(seller, id);
    expect(view).toMatchObject({
      status: 'authorised',
      rmaNumber: rmaNumber(id, '2026-03-02T10:00:00.000Z'),
      warranty: {
        basis: 'in-warranty',
        orderId: ordersOf.get(customerId)![0],
        lineId: expect.any(String),
        warrantyEndsAt: '2027-03-01T00:00:00.000Z',
        note: 'checked serial',
      },
      authorisedAt: '2026-03-02T10:00:00.000Z',
    });
    expect(view.rmaNumber).toMatch(new RegExp(`^RMA-2026-${id.slice(0, 8).toUpperCase()}$`));
    // a retried authorisation records nothing
    const before = (await store.readStream(episodeStream(id))).length;
    await commands.returns.authorise(agent, id, { note: 'checked serial' });
    expect((await store.readStream(episodeStream(id))).length).toBe(before);
  });

  it('out of warranty (bought more than CRM_WARRANTY_MONTHS ago) needs paid or goodwill', async () => {
    const { id } = await requestReturn('tablet-y');
    await expect(commands.returns.authorise(agent, id, {})).rejects.toMatchObject({ code: 'out-of-warranty' });
    await commands.returns.authorise(agent, id, { outOfWarranty: 'goodwill' });
    expect((await commands.returns.get(agent, id)).warranty).toMatchObject({ basis: 'goodwill', orderId: ordersOf.get(customerId)![1] });
  });

  it('a product the customer never bought is out of warranty; a named order of the customer that lacks it is refused', async () => {
    const { id } = await requestReturn('watch-z');
    await expect(commands.returns.authorise(agent, id, {})).rejects.toMatchObject({ code: 'out-of-warranty' });
    const named = await requestReturn('watch-z', { orderId: ordersOf.get(customerId)![0] });
    await expect(commands.returns.authorise(agent, named.id, { outOfWarranty: 'paid' })).rejects.toMatchObject({ code: 'product-not-on-order' });
  });

  it('a stale If-Match is refused before any rule is judged (even a warranty rule)', async () => {
    const named = await requestReturn('watch-z', { orderId: ordersOf.get(customerId)![0] });
    await expect(commands.returns.authorise(agent, named.id, {}, { expectedRevision: 0n })).rejects.toMatchObject({ name: 'ConcurrencyConflictError' });
    await expect(commands.returns.authorise(agent, named.id, {}, { expectedRevision: 1n })).rejects.toMatchObject({ code: 'product-not-on-order' });
    const { id } = await requestReturn();
    await expect(commands.returns.deny(agent, id, { reason: ' ' }, { expectedRevision: 0n })).rejects.toMatchObject({ name: 'ConcurrencyConflictError' });
  });

  it('changes: sales staff read but may not change (403); a partner, or a stream that is no return, is missing — even with a stale If-Match', async () => {
    const { id, caseId } = await requestReturn();
    await expect(commands.returns.deny(seller, id, { reason: 'no' })).rejects.toMatchObject({ status: 403 });
    await expect(commands.returns.deny(partner, id, { reason: 'no' }, { expectedRevision: 99n })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.returns.get(partner, id)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.returns.deny(agent, caseId, { reason: 'no' })).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.returns.get(agent, caseId)).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(commands.returns.get(seller, id)).resolves.toMatchObject({ status: 'requested', caseId });
  });

  it('deny closes the return unresolved; the generic episode close is refused on a return', async () => {
    const { id } = await requestReturn();
    await expect(commands.episodes.close(agent, id, { outcome: 'resolved' })).rejects.toMatchObject({ code: 'close-through-return' });
    await commands.returns.deny(agent, id, { reason: 'water damage' });
    expect(await commands.returns.get(agent, id)).toMatchObject({ status: 'denied', closed: { outcome: 'unresolved', reason: 'water damage' } });
  });

  it('the repair goes to a registered service provider only (the partner read as a fact)', async () => {
    const { id } = await requestReturn();
    await commands.returns.authorise(agent, id, {});
    await expect(commands.returns.assignRepair(agent, id, { partnerId: resellerId })).rejects.toMatchObject({ code: 'not-a-service-provider' });
    await expect(commands.returns.assignRepair(agent, id, { partnerId: 'nobody' })).rejects.toMatchObject({ code: 'unknown-partner' });
    await commands.returns.assignRepair(agent, id, { partnerId: providerId });
    expect((await commands.returns.get(agent, id)).repair).toMatchObject({ partnerId: providerId, status: 'assigned' });
  });

  it('the whole cycle: shipped in, repaired at the provider, shipped back and delivered closes it resolved', async () => {
    const { id } = await requestReturn();
    await commands.returns.authorise(agent, id, {});
    await commands.returns.updateShipment(agent, id, { leg: 'to-company', state: 'label-issued', carrier: 'DHL', trackingNumber: 'T1' });
    expect((await commands.returns.get(agent, id)).status).toBe('in-transit-to-company');
    await commands.returns.updateShipment(agent, id, { leg: 'to-company', state: 'delivered' });
    expect((await commands.returns.get(agent, id)).status).toBe('received');
    await commands.returns.assignRepair(agent, id, { partnerId: providerId });
    await commands.returns.updateShipment(agent, id, { leg: 'to-provider', state: 'delivered' });
    expect((await commands.returns.get(agent, id)).status).toBe('at-provider');
    // The provider's own report (the portal's commands; here the decider directly, as the partner).
    await new CommandHandler(store, returnRepairDecider).handle(
      episodeStream(id),
      {
        type: 'ChangeRepairStatus',
        data: { to: 'repaired', changedAt: clock.now().toISOString() },
        by: { kind: 'partner', partnerId: providerId, id: partner.subject },
      },
      { correlationId: 'c', actor: { type: 'partner-user', id: partner.subject }, occurredAt: clock.now().toISOString() },
    );
    expect((await commands.returns.get(agent, id)).status).toBe('repaired');
    await commands.returns.updateShipment(agent, id, { leg: 'from-provider', state: 'delivered' });
    await commands.returns.updateShipment(agent, id, { leg: 'to-customer', state: 'in-transit' });
    expect((await commands.returns.get(agent, id)).status).toBe('returning');
    await commands.returns.updateShipment(agent, id, { leg: 'to-customer', state: 'delivered' });
    const view = await commands.returns.get(agent, id);
    expect(view).toMatchObject({ status: 'delivered', closed: { outcome: 'resolved' } });
    expect(view.legs['to-company']).toMatchObject({ state: 'delivered', carrier: 'DHL', trackingNumber: 'T1' });
    expect(view.repairHistory).toEqual([expect.objectContaining({ partnerId: providerId, from: 'assigned', to: 'repaired' })]);
  });

  it('close: unresolved or cancelled with why', async () => {
    const { id } = await requestReturn();
    await commands.returns.close(manager, id, { outcome: 'cancelled', reason: 'customer withdrew' });
    expect(await commands.returns.get(agent, id)).toMatchObject({ status: 'closed', closed: { outcome: 'cancelled', reason: 'customer withdrew' } });
  });
});
