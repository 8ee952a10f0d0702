import { crmRegistry } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { contractCheckedStore } from '../contract-checked-store';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { salesOrderFromAcceptedQuote } from './quote-commands';

// The catalogue and quote commands on the shared write side: every event they produce validates
// against its published contract, time comes from the injected clock, and sending a quote records
// the interaction on the opportunity once, even when retried.
describe('catalogue and quote commands (PGlite, contract-checked store)', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let commands: RelationshipCommands;
  const registry = crmRegistry();
  const clock = new TestClock('2026-03-02T10:00:00.000Z');
  const sari: StaffPrincipal = { kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] };
  const mira: StaffPrincipal = { kind: 'staff', subject: 'mira', department: 'sales', roles: ['manager'] };

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    commands = createRelationshipCommands(contractCheckedStore(store, registry), { clock, retries: 2 });
  });
  afterAll(async () => {
    await session.close();
  });

  it('defines a catalogue, quotes from it, approves, revises, sends and accepts — every event within its contract', async () => {
    const rack = await commands.catalogue.defineProduct(mira, { sku: 'RACK-1', kind: 'option', name: 'Roof rack' });
    const van = await commands.catalogue.defineProduct(mira, { sku: 'VAN-1', name: 'Delivery van', options: [rack.id], rules: { maxQuantity: 20 } });
    const warranty = await commands.catalogue.defineProduct(mira, { sku: 'WAR-3', name: 'Three-year warranty', rules: { requires: [van.id] } });
    const fleet = await commands.catalogue.defineProduct(mira, {
      sku: 'FLEET-5',
      kind: 'bundle',
      name: 'Fleet of five',
      description: 'Five vans, five warranties',
      components: [
        { productId: van.id, quantity: 5 },
        { productId: warranty.id, quantity: 5 },
      ],
    });
    expect((await commands.catalogue.defineProduct(mira, { sku: 'van-1', name: 'Delivery van', options: [rack.id], rules: { maxQuantity: 20 } })).created).toBe(
      false,
    );
    await commands.catalogue.reviseProduct(mira, van.id, { name: 'Delivery van (2026)', options: [rack.id], rules: { maxQuantity: 20 } });
    const book = await commands.catalogue.createPriceBook(mira, {
      name: 'EUR 2026',
      currency: 'EUR',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      prices: [
        { productId: van.id, unitPrice: 2_500_000 },
        { productId: rack.id, unitPrice: 45_000 },
      ],
    });
    await commands.catalogue.setPrices(mira, book.id, [
      { productId: warranty.id, unitPrice: 120_000 },
      { productId: fleet.id, unitPrice: 12_000_000 },
    ]);
    expect(await commands.catalogue.checkConfiguration([{ productId: warranty.id, quantity: 1 }])).toEqual([expect.objectContaining({ rule: 'requires' })]);

    const customer = await commands.customers.register(sari, { kind: 'organisation', name: 'PT Maju' });
    const opportunity = await commands.episodes.open(sari, 'opportunity', { customerId: customer.id, name: 'Fleet renewal' });
    const drafted = await commands.quotes.draft(sari, {
      opportunityId: opportunity.id,
      currency: 'EUR',
      priceBookId: book.id,
      validUntil: '2026-03-31',
      lines: [
        { productId: van.id, quantity: 2, discountBasisPoints: 1500, taxRateBasisPoints: 1900 },
        { productId: rack.id, quantity: 2, taxRateBasisPoints: 1900 },
      ],
    });
    expect(drafted).toMatchObject({ version: 1, status: 'awaiting-approval' });
    await commands.quotes.approveDiscount(mira, drafted.id, { note: 'strategic account' });
    const revised = await commands.quotes.revise(sari, drafted.id, {
      priceBookId: book.id,
      lines: [{ productId: fleet.id, quantity: 1, taxRateBasisPoints: 1900 }],
    });
    expect(revised).toMatchObject({ version: 2, status: 'draft' });
    const quote = await commands.quotes.get(drafted.id);
    expect(quote.versions[0].quoteDate).toBe('2026-03-02'); // the clock's day
    expect(quote.versions[1].lines[0].components?.map((c) => c.sku)).toEqual(['VAN-1', 'WAR-3']);

    clock.advance(60_000);
    const sent = await commands.quotes.send(sari, drafted.id, { channel: 'email' });
    // a retry records nothing new, neither on the quote nor on the opportunity
    const again = await commands.quotes.send(sari, drafted.id, { channel: 'email' });
    expect(again.interactionId).toBe(sent.interactionId);
    const episode = await store.readStream(`episode-${opportunity.id}`);
    const interactions = episode.filter((e) => e.type === 'InteractionRecorded');
    expect(interactions).toHaveLength(1);
    expect(interactions[0].data).toMatchObject({
      interaction: { interactionId: sent.interactionId, channel: 'email', direction: 'outbound', occurredAt: '2026-03-02T10:01:00.000Z' },
    });
    expect((interactions[0].data as { interaction: { action: string } }).interaction.action).toContain('EUR 142,800.00');

    const accepted = await commands.quotes.accept(sari, drafted.id, {});
    expect(accepted).toMatchObject({ version: 2, currency: 'EUR', totals: { netTotal: 12_000_000, taxTotal: 2_280_000, grandTotal: 14_280_000 } });
    expect(salesOrderFromAcceptedQuote(accepted)).toMatchObject({
      customerId: customer.id,
      opportunityId: opportunity.id,
      quoteId: drafted.id,
      quoteVersion: 2,
      orderDate: '2026-03-02',
      lines: [{ sku: 'FLEET-5', quantity: 1, unitPrice: 12_000_000, netAmount: 12_000_000, taxAmount: 2_280_000 }],
      grandTotal: 14_280_000,
    });
    expect(await commands.quotes.accept(sari, drafted.id, {})).toMatchObject({ version: 2, acceptedAt: accepted.acceptedAt }); // a retry

    const stored = await store.readAll({ maxCount: 10_000 });
    const published = stored.map(toIntegrationEvent).filter((e) => e !== undefined);
    const types = new Set(published.map((e) => e!.type));
    for (const t of [
      'ProductDefined',
      'ProductRevised',
      'PriceBookCreated',
      'PriceBookPricesSet',
      'QuoteDrafted',
      'QuoteDiscountApprovalRequested',
      'QuoteDiscountApproved',
      'QuoteRevised',
      'QuoteSent',
      'QuoteAccepted',
      'InteractionRecorded',
    ])
      expect(types).toContain(t);
    for (const event of published) expect(() => registry.validate(event!)).not.toThrow();
  });

  it('a rejected discount is recorded with its reason; the quote cannot be sent until revised', async () => {
    const p = await commands.catalogue.defineProduct(mira, { sku: 'BIKE-1', name: 'Cargo bike' });
    const book = await commands.catalogue.createPriceBook(mira, {
      name: 'IDR',
      currency: 'IDR',
      validFrom: '2026-01-01',
      prices: [{ productId: p.id, unitPrice: 15_000_000 }],
    });
    const customer = await commands.customers.register(sari, { kind: 'person', name: 'Dewi' });
    const opportunity = await commands.episodes.open(sari, 'opportunity', { customerId: customer.id, name: 'Bikes' });
    const q = await commands.quotes.draft(sari, {
      opportunityId: opportunity.id,
      currency: 'IDR',
      priceBookId: book.id,
      lines: [{ productId: p.id, quantity: 3, discountBasisPoints: 2500 }],
    });
    await commands.quotes.rejectDiscount(mira, q.id, { reason: 'a quarter off is too much' });
    await expect(commands.quotes.send(sari, q.id, {})).rejects.toMatchObject({ code: 'discount-rejected' });
    expect((await commands.quotes.get(q.id)).status).toBe('discount-rejected');
    await commands.quotes.revise(sari, q.id, { priceBookId: book.id, lines: [{ productId: p.id, quantity: 3, discountBasisPoints: 500 }] });
    expect((await commands.quotes.send(sari, q.id, {})).version).toBe(2);
  });
});
