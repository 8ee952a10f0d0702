import { parsePosition, type RecordedEvent } from '@crm/event-store';
import { toIntegrationEvent } from './integration-mapping';

// The product catalogue has no customer: its events are published keyed by the product or the price
// book (one key per aggregate, so their order is kept); quotes are keyed by their customer; the
// quote approval policy is private.
describe('catalogue and quote events → integration events', () => {
  const stored = (streamId: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: '0b9f2c1e-4a57-4d1b-9a55-1b1f6f1c2d3e',
    type,
    streamId,
    revision: 0n,
    position: parsePosition('12/11'),
    recordedAt: '2026-03-01T09:00:01.000Z',
    schemaVersion: 1,
    data,
    metadata: { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-03-01T09:00:00.000Z', actor: { type: 'staff', id: 'mira' } },
  });

  it('a product by its product, a price book by its book, a quote by its customer; the approval policy not at all', () => {
    expect(toIntegrationEvent(stored('product-p1', 'ProductDefined', { productId: 'p1', sku: 'VAN' }))).toMatchObject({
      subject: 'p1',
      source: '/crm/product',
    });
    expect(toIntegrationEvent(stored('pricebook-b1', 'PriceBookCreated', { priceBookId: 'b1' }))).toMatchObject({ subject: 'b1', source: '/crm/pricebook' });
    expect(toIntegrationEvent(stored('quote-q1', 'QuoteSent', { quoteId: 'q1', customerId: 'c1' }))).toMatchObject({ subject: 'c1', source: '/crm/quote' });
    expect(toIntegrationEvent(stored('quote-approval-policy', 'QuoteApprovalPolicySet', { discountThresholdBasisPoints: 1000 }))).toBeUndefined();
    expect(toIntegrationEvent(stored('product-p1', 'ProductDefined', { sku: 'VAN' }))).toBeUndefined();
  });
});

// The reporting exchange rates are published for analytics (issue 11 §1), keyed by their reporting
// currency; the other configuration streams of sales stay private.
describe('exchange rates → integration events', () => {
  const stored = (streamId: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: '5d0c1b7a-9e3f-4c2a-8b1d-7f6e5a4b3c2d',
    type,
    streamId,
    revision: 3n,
    position: parsePosition('40/39'),
    recordedAt: '2026-03-01T09:00:01.000Z',
    schemaVersion: 1,
    data,
    metadata: { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-03-01T09:00:00.000Z', actor: { type: 'staff', id: 'mira' } },
  });

  it('ExchangeRatesSet by its reporting currency, in the sales-exchange-rates stream only; targets and pipelines stay private', () => {
    const rates = {
      reportingCurrency: 'EUR',
      effectiveDate: '2026-03-01',
      rates: [{ currency: 'USD', rate: '0.9231' }],
      setBy: 'mira',
      setAt: '2026-03-01T09:00:00.000Z',
    };
    expect(toIntegrationEvent(stored('sales-exchange-rates', 'ExchangeRatesSet', rates))).toMatchObject({
      subject: 'EUR',
      type: 'ExchangeRatesSet',
      source: '/crm/sales',
      streamid: 'sales-exchange-rates',
      data: rates,
    });
    expect(toIntegrationEvent(stored('sales-exchange-rates', 'ExchangeRatesSet', { ...rates, reportingCurrency: '' }))).toBeUndefined();
    expect(toIntegrationEvent(stored('sales-targets', 'SalesTargetsSet', { period: '2026-03', currency: 'EUR', targets: [] }))).toBeUndefined();
    expect(toIntegrationEvent(stored('sales-pipelines', 'PipelineCreated', { pipelineId: 'p', name: 'x', stages: [] }))).toBeUndefined();
  });
});
