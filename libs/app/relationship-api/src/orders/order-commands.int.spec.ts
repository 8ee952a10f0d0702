import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { crmRegistry, isSealed } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import { PersonalData, PersonalDataKeys, withPersonalData } from '@crm/personal-data';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { contractCheckedStore } from '../contract-checked-store';
import { orderIdFor } from './order-commands';
import { IMPORT_STALL_MS } from './order-imports';

// The order commands on the real write side (contract check, personal data sealed, PGlite): what they
// store, what the relay would publish and under which subject, and what they do to an opportunity.
describe('order commands (PGlite)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let commands: RelationshipCommands;
  const registry = crmRegistry();
  const clock = new TestClock('2026-03-10T09:00:00.000Z');
  const sari: StaffPrincipal = { kind: 'staff', subject: 'sari', department: 'sales', roles: ['manager'] };
  let customerId: string;
  const lines = [{ productId: 'van', productName: 'Delivery van', quantity: 2, unitPrice: 2_500_000, discountRate: 1000, taxRate: 1100 }];

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    const personalData = new PersonalData(new PersonalDataKeys('platform'));
    await personalData.keys.migrate(session.sqlClient());
    commands = createRelationshipCommands(contractCheckedStore(withPersonalData(store, personalData, session.sqlClient()), registry), { clock, retries: 2 });
    customerId = (await commands.customers.register(sari, { kind: 'organisation', name: 'PT Maju' })).id;
  });
  afterAll(async () => {
    await session.close();
  });

  const published = async (streamId: string) => (await store.readStream(streamId)).map((e) => toIntegrationEvent(e)!);

  it('places, cancels and returns: every event keeps its contract and is published with the customer as subject', async () => {
    const placed = await commands.orders.place(sari, { customerId, currency: 'EUR', orderDate: '2026-03-09', lines });
    expect(placed).toMatchObject({ created: true, revision: 0n, order: { total: 4_995_000, status: 'placed', orderDate: '2026-03-09T00:00:00.000Z' } });
    const returned = await commands.orders.return(sari, placed.id, { lines: [{ lineId: '1', quantity: 1 }], reason: 'dented on delivery' });
    expect(returned.amount).toBe(2_497_500);
    const other = await commands.orders.place(sari, { customerId, currency: 'JPY', lines: [{ productId: 'p', quantity: 1, unitPrice: 1500 }] });
    await commands.orders.cancel(sari, other.id, { reason: 'ordered twice' });

    const events = [...(await published(`order-${placed.id}`)), ...(await published(`order-${other.id}`))];
    expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderReturned', 'OrderPlaced', 'OrderCancelled']);
    for (const e of events) {
      expect(e.subject).toBe(customerId);
      expect(e.source).toBe('/crm/order');
      expect(() => registry.validate(e)).not.toThrow();
    }
    // Free-text reasons are personal: stored and published sealed under the customer's key.
    const reasons = events.map((e) => (e.data as { reason?: string }).reason).filter((r) => r !== undefined);
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(isSealed(reason)).toBe(true);
    // …and the command side reads them back in the clear.
    expect((await commands.orders.get(other.id)).order.cancelled).toEqual({ cancelledAt: '2026-03-10T09:00:00.000Z', reason: 'ordered twice' });
  });

  it('an order on an opportunity closes it as won with its total and currency; a second order on it is refused', async () => {
    const opp = await commands.episodes.open(sari, 'opportunity', { customerId, name: 'Fleet', expectedValue: 5_000_000, currency: 'EUR' });
    const placed = await commands.orders.place(sari, { customerId, currency: 'EUR', lines, opportunityId: opp.id });
    expect(placed.closedOpportunity).toBe(opp.id);
    const [, closed] = await published(`episode-${opp.id}`);
    expect(closed).toMatchObject({ type: 'EpisodeClosed', subject: customerId, data: { outcome: 'won', value: 4_995_000, currency: 'EUR' } });
    await expect(commands.orders.place(sari, { customerId, currency: 'EUR', lines, opportunityId: opp.id })).rejects.toMatchObject({
      name: 'DomainRuleViolation',
      code: 'opportunity-closed',
    });
    // The retried placement of the first order: nothing new, nothing refused.
    const retry = await commands.orders.place(sari, { orderId: placed.id, customerId, currency: 'EUR', lines, opportunityId: opp.id });
    expect(retry).toMatchObject({ created: false, revision: 0n });
    expect(await store.readStream(`episode-${opp.id}`)).toHaveLength(2);
  });

  it("an opportunity of another customer, a partner's deal or a case is not one an order can win", async () => {
    const other = (await commands.customers.register(sari, { kind: 'person', name: 'Dewi' })).id;
    const opp = await commands.episodes.open(sari, 'opportunity', { customerId: other, name: 'Not theirs' });
    await expect(commands.orders.place(sari, { customerId, currency: 'EUR', lines, opportunityId: opp.id })).rejects.toMatchObject({
      code: 'opportunity-of-another-customer',
    });
    const service: StaffPrincipal = { kind: 'staff', subject: 'budi', department: 'service', roles: [] };
    const kase = await commands.episodes.open(service, 'case', { customerId, name: 'A case' });
    await expect(commands.orders.place(sari, { customerId, currency: 'EUR', lines, opportunityId: kase.id })).rejects.toMatchObject({
      code: 'unknown-opportunity',
    });
    await expect(commands.orders.place(sari, { customerId, currency: 'EUR', lines, opportunityId: randomUUID() })).rejects.toMatchObject({
      code: 'unknown-opportunity',
    });
    expect(await store.readStream(`episode-${opp.id}`)).toHaveLength(1);
  });

  it('accepting the same quote twice places one order (its id comes from the quote)', async () => {
    const quoteId = randomUUID();
    const first = await commands.orders.place(sari, { customerId, currency: 'EUR', lines, quoteId });
    const second = await commands.orders.place(sari, { customerId, currency: 'EUR', lines, quoteId });
    expect(first.id).toBe(orderIdFor.quote(quoteId));
    expect(second).toMatchObject({ id: first.id, created: false });
    expect(first.order).toMatchObject({ source: 'quote', quoteId });
  });

  it("a merged customer's order is the survivor's; an unknown customer is refused", async () => {
    const duplicate = (await commands.customers.register(sari, { kind: 'organisation', name: 'PT Maju (dup)' })).id;
    await commands.customers.merge(sari, customerId, duplicate);
    const placed = await commands.orders.place(sari, { customerId: duplicate, currency: 'EUR', lines });
    expect(placed.order.customerId).toBe(customerId);
    await expect(commands.orders.place(sari, { customerId: randomUUID(), currency: 'EUR', lines })).rejects.toMatchObject({ code: 'unknown-customer' });
  });

  it('imports a CSV: customers found or registered by external id, orders by their number; a second run creates nothing', async () => {
    const tag = randomUUID().slice(0, 8);
    const known = (
      await commands.customers.register(sari, { kind: 'person', name: 'Rina', identities: [{ kind: 'external-id', value: `${tag}-C1`, system: 'erp' }] })
    ).id;
    const csv = [
      'customerExternalId,orderId,orderDate,amount,currency,productId,quantity,unitPrice',
      `${tag}-C1,${tag}-SO1,2024-01-05,30.00,EUR,P1,1,10.00`,
      `${tag}-C1,${tag}-SO1,2024-01-05,30.00,EUR,P2,2,10.00`,
      `${tag}-C2,${tag}-SO2,2024-02-01,1500,JPY,,,`,
      `${tag}-C2,${tag}-SO3,2024-02-02,12.345,EUR,,,`,
    ].join('\n');
    const run = () => commands.orderImports.run(sari, Readable.from([csv]), { system: 'erp', recordEvery: 2 });
    const first = await run();
    expect(first).toMatchObject({
      status: 'completed',
      counts: { lines: 4, orders: 3, created: 2, existing: 0, failedOrders: 1, failedLines: 1, customersCreated: 1 },
      errors: [{ line: 5, field: 'amount', reason: expect.stringContaining('EUR has 2 decimals') }],
    });
    const so1 = await commands.orders.get(orderIdFor.external(`${tag}-SO1`));
    expect(so1.order).toMatchObject({ customerId: known, total: 3000, subtotal: 3000, adjustment: 0, source: 'import', externalId: `${tag}-SO1` });
    expect(so1.order.lines.map((l) => [l.productId, l.quantity, l.unitPrice])).toEqual([
      ['P1', 1, 1000],
      ['P2', 2, 1000],
    ]);
    const so2 = await commands.orders.get(orderIdFor.external(`${tag}-SO2`));
    expect(so2.order).toMatchObject({ total: 1500, currency: 'JPY', lines: [] });
    expect(await commands.customers.holderOf({ kind: 'external-id', value: `${tag}-C2`, system: 'erp' })).toBe(so2.order.customerId);

    const second = await run();
    expect(second.counts).toMatchObject({ orders: 3, created: 0, existing: 2, customersCreated: 0, failedLines: 1 });
    // The record on its own stream: progress on the way, the outcome at the end.
    expect(await commands.orderImports.get(second.importId)).toEqual(second);
    const recorded = await store.readStream(`orderimport-${second.importId}`);
    expect(recorded.map((e) => e.type)).toEqual(['OrderImportStarted', 'OrderImportProgressed', 'OrderImportProgressed', 'OrderImportFinished']);
    expect(recorded.map((e) => toIntegrationEvent(e))).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('an import whose process stopped reads as interrupted once nothing was recorded for ten minutes; a live one as running', async () => {
    // What a crash leaves: the start recorded (and a first progress), no end.
    const importId = randomUUID();
    let lines = 0;
    const body = new Readable({ read() {} });
    const running = commands.orderImports.run(sari, body, { importId, recordEvery: 1 });
    body.push('customerExternalId,orderId,orderDate,amount,currency\n');
    body.push(`X-${importId},SO-${importId},2024-01-05,30.00,EUR\n`);
    // (the parser holds the last line of a chunk until the next one shows it complete)
    body.push(`X-${importId},SO1-${importId},2024-01-05,20.00,EUR\n`);
    for (let i = 0; i < 100 && lines < 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
      lines = (await commands.orderImports.get(importId)).counts.lines;
    }
    expect(await commands.orderImports.get(importId)).toMatchObject({ status: 'running', counts: { lines: 1 } });
    clock.advance(IMPORT_STALL_MS);
    expect((await commands.orderImports.get(importId)).status).toBe('running'); // exactly ten minutes: not yet
    clock.advance(1);
    const stalled = await commands.orderImports.get(importId);
    expect(stalled).toMatchObject({ status: 'interrupted', counts: { lines: 1 }, detail: expect.stringContaining('import the file again') });
    // it was only slow after all: it reads as running again, then ends as usual
    body.push(`Y-${importId},SO2-${importId},2024-01-06,10.00,EUR\n`);
    body.push(null);
    expect(await running).toMatchObject({ status: 'completed', counts: { lines: 3, created: 3 } });
    expect((await commands.orderImports.get(importId)).status).toBe('completed');
  });

  it("an order's lines apart in the file: the second part is refused, naming the order, and the first is kept", async () => {
    const tag = randomUUID().slice(0, 8);
    const csv = [
      'customerExternalId,orderId,orderDate,amount,currency,productId,quantity,unitPrice',
      `${tag}-C1,${tag}-SO1,2024-01-05,30.00,EUR,P1,1,10.00`,
      `${tag}-C1,${tag}-SO2,2024-01-06,5.00,EUR,,,`,
      `${tag}-C1,${tag}-SO1,2024-01-05,30.00,EUR,P2,2,10.00`,
    ].join('\n');
    const r = await commands.orderImports.run(sari, Readable.from([csv]));
    expect(r.counts).toMatchObject({ orders: 3, created: 2, failedOrders: 1, failedLines: 1 });
    expect(r.errors).toEqual([{ line: 4, field: 'orderId', reason: expect.stringContaining('lines are not next to each other') }]);
    expect((await commands.orders.get(orderIdFor.external(`${tag}-SO1`))).order.lines.map((l) => l.productId)).toEqual(['P1']);
  });
});
