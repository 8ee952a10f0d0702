import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { testEvent, testMetadata, waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, READ_MODELS, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { campaignEpisodeId } from '../campaigns/campaign-ids';
import { createMarketingApp, MarketingConfig } from '../marketing';
import { responseInteractionId } from '../tracking/tracking.controller';
import type { CampaignStatisticsView } from './campaign-statistics.query';

// A campaign's life appended as its producers write it (docs/events.md: the campaign's stream, one
// stream per recipient's messages, the customer's campaign episode, the orders), then read back as
// statistics: every number below follows from these events alone.
describe('GET /campaigns/{id}/statistics (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  const tokens: Record<string, string> = {};
  let commands: RelationshipCommands;
  const clock = new TestClock('2026-04-01T08:00:00.000Z');
  const mia: StaffPrincipal = { kind: 'staff', subject: 'mia', department: 'marketing', roles: [] };
  const campaignId = randomUUID();
  const customers: string[] = [];
  const messageIds: Record<string, string> = {};
  const meta = (at: string) => testMetadata({ actor: { type: 'staff', id: 'mia', department: 'marketing' }, occurredAt: at });
  const append = (stream: string, type: string, data: Record<string, unknown>, at = clock.now().toISOString()) =>
    platform.eventStore.appendToStream(stream, [testEvent(type, data, meta(at))]);
  const basis = { eventId: randomUUID(), position: '1/1', revision: '0' };
  const messageStream = (customerId: string) => `campaignmessage-${campaignId}-${customerId}`;
  const message = (i: number, variantId?: string) => ({
    campaignId,
    customerId: customers[i],
    messageId: messageIds[customers[i]],
    stepId: 'mail-1',
    channel: 'email',
    ...(variantId && { variantId }),
  });
  const order = (customerId: string, orderId: string, orderDate: string, total: number, currency = 'EUR') =>
    append(`order-${orderId}`, 'OrderPlaced', {
      orderId,
      customerId,
      orderDate,
      placedAt: orderDate,
      currency,
      lines: [{ lineId: '1', productId: 'van', quantity: 1, unitPrice: total, gross: total, discount: 0, tax: 0, total }],
      subtotal: total,
      discountTotal: 0,
      taxTotal: 0,
      total,
      source: 'api',
    });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-statistics-'));
    const config = loadConfig(MarketingConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createMarketingApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    const mint = app.app.get(TokenMint);
    tokens.marketing = await mint.mint({ kind: 'staff', subject: 'mia', department: 'marketing', roles: [] });
    tokens.analytics = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    tokens.sales = await mint.mint({ kind: 'staff', subject: 'sam', department: 'sales', roles: [] });
    tokens.partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: ['partner'] });
    commands = createRelationshipCommands(platform.eventStore, { clock });

    for (let i = 0; i < 6; i++) {
      const id = (await commands.customers.register(mia, { kind: 'person', name: `Customer ${i}` })).id;
      customers.push(id);
      messageIds[id] = randomUUID();
    }
    // Four recipients get the e-mail (variants a, a, b, b); two are held out as the control group.
    await append(`campaign-${campaignId}`, 'CampaignDefined', {
      campaignId,
      name: 'Spring offer',
      purpose: 'offers',
      audience: { kind: 'list', customerIds: customers },
      steps: [
        {
          stepId: 'mail-1',
          channel: 'email',
          delayMinutes: 0,
          variants: [
            { variantId: 'a', weight: 1, template: { subject: 'Spring', text: 'Hello {{name}}' } },
            { variantId: 'b', weight: 1, template: { subject: 'Spring!', text: 'Hi {{name}}' } },
          ],
        },
      ],
      controlBasisPoints: 3000,
      throttlePerSecond: 10,
      attributionWindowDays: 14,
      costPerMessage: { amountMinor: 50, currency: 'EUR' },
      definedBy: 'mia',
      definedAt: '2026-03-30T08:00:00.000Z',
    });
    await append(`campaign-${campaignId}`, 'CampaignStarted', {
      campaignId,
      startedAt: '2026-04-01T08:00:00.000Z',
      startedBy: { subject: 'mia', department: 'marketing' },
      audienceSize: 6,
      controlSize: 2,
      chunks: 1,
    });
    await append(`campaign-${campaignId}`, 'CampaignAudienceFrozen', {
      campaignId,
      chunk: 0,
      chunks: 1,
      members: [
        { customerId: customers[0], variants: ['a'] },
        { customerId: customers[1], variants: ['a'] },
        { customerId: customers[2], variants: ['b'] },
        { customerId: customers[3], variants: ['b'] },
        { customerId: customers[4], control: true },
        { customerId: customers[5], control: true },
      ],
    });
    const sentAt = '2026-04-01T08:00:01.000Z';
    await append(messageStream(customers[0]), 'CampaignMessageSent', { ...message(0, 'a'), attempt: 1, sentAt, consentBasis: basis });
    await append(messageStream(customers[1]), 'CampaignMessageSent', { ...message(1, 'a'), attempt: 1, sentAt, consentBasis: basis });
    await append(messageStream(customers[1]), 'CampaignMessageBounced', {
      ...message(1),
      kind: 'hard',
      reason: '550 no such mailbox',
      attempt: 1,
      bouncedAt: sentAt,
    });
    await append(messageStream(customers[2]), 'CampaignMessageSuppressed', {
      ...message(2, 'b'),
      reason: 'no-consent',
      suppressedAt: sentAt,
      consent: { status: 'withdrawn', basis },
    });
    await append(messageStream(customers[3]), 'CampaignMessageSent', { ...message(3, 'b'), attempt: 1, sentAt, consentBasis: basis });
    for (const i of [4, 5])
      await append(messageStream(customers[i]), 'CampaignMessageSuppressed', {
        ...message(i),
        reason: 'control-group',
        suppressedAt: sentAt,
        consent: { status: 'not-checked' },
      });

    // Customer 0 clicks (the tracking route's derived id: counts as the open too); customer 3 replies.
    clock.set('2026-04-01T09:00:00.000Z');
    for (const i of [0, 3])
      await commands.episodes.open(mia, 'campaign', {
        episodeId: campaignEpisodeId(campaignId, customers[i]),
        customerId: customers[i],
        name: 'Spring offer',
        channel: 'email',
        campaignId,
      });
    await commands.episodes.recordInteraction(
      mia,
      campaignEpisodeId(campaignId, customers[0]),
      { interactionId: responseInteractionId(messageIds[customers[0]], 'clicked'), channel: 'email', direction: 'inbound', action: 'clicked' },
      { episodeType: 'campaign' },
    );
    await commands.episodes.recordInteraction(
      mia,
      campaignEpisodeId(campaignId, customers[3]),
      { channel: 'email', direction: 'inbound', action: 'replied', response: 'tell me more' },
      { episodeType: 'campaign' },
    );

    // Orders: customer 0 within the window; customer 1's cancelled; customer 3's after the window;
    // control customer 4 within it (the baseline), control customer 5 in another currency.
    await order(customers[0], 'o-0', '2026-04-05T10:00:00.000Z', 10_000);
    await order(customers[1], 'o-1', '2026-04-06T10:00:00.000Z', 7_000);
    await append('order-o-1', 'OrderCancelled', {
      orderId: 'o-1',
      customerId: customers[1],
      cancelledAt: '2026-04-07T10:00:00.000Z',
      amount: 7_000,
      currency: 'EUR',
    });
    await order(customers[3], 'o-3', '2026-04-20T10:00:00.000Z', 9_000);
    await order(customers[4], 'o-4', '2026-04-03T10:00:00.000Z', 5_000);
    await order(customers[5], 'o-5', '2026-04-03T10:00:00.000Z', 4_000, 'USD');
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (url: string, bearer: string | null = tokens.marketing) => {
    const r = await fetch(`${base}${url}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const statistics = async (query = '') => {
    let view: CampaignStatisticsView | undefined;
    await waitFor(
      async () => {
        const r = await call(`/campaigns/${campaignId}/statistics${query}`);
        view = r.body as unknown as CampaignStatisticsView;
        return r.status === 200 && view.control?.recipients === 2 && view.funnel.responded === 1 && view.conversionsInOtherCurrencies === 1;
      },
      20000,
      'the campaign to reach the statistics',
    ).catch(async (e: Error) => {
      const { dataSource } = app.app.get<ReadModelRunners>(READ_MODELS);
      const parked = await dataSource.query(`SELECT consumer, event_type, reason FROM platform.parked_events`).catch((x: Error) => x.message);
      throw new Error(`${e.message}; last answer: ${JSON.stringify(view)}; parked: ${JSON.stringify(parked)}`);
    });
    return view!;
  };

  it('counts the funnel, the conversions within the window and the return, per step and variant and against the control group', async () => {
    const view = await statistics();
    expect(view).toMatchObject({
      campaignId,
      name: 'Spring offer',
      currency: 'EUR',
      startedAt: '2026-04-01T08:00:00.000Z',
      attributionWindowDays: 14,
      audience: 6,
      funnel: {
        audience: 4,
        suppressed: 1,
        suppressedBy: { 'no-consent': 1 },
        pending: 0,
        sent: 3,
        delivered: 2,
        bounced: 1,
        opened: 1,
        clicked: 1,
        responded: 1,
        cost: 150,
      },
      revenue: 10_000,
      cost: 150,
    });
    expect(view.roi).toBeCloseTo((10_000 - 150) / 150, 9);
    const [a, b] = view.byStep[0].byVariant;
    expect(a).toMatchObject({ variantId: 'a', recipients: 2, converted: { count: 1, of: 2, rate: 0.5 }, revenue: 10_000 });
    expect(b).toMatchObject({ variantId: 'b', recipients: 2, converted: { count: 0, of: 2, rate: 0 }, revenue: 0 });
    // The control group: one EUR order within the window; the USD order is a conversion without revenue.
    expect(view.control).toMatchObject({ recipients: 2, converted: { count: 2, of: 2 }, revenue: 5_000 });
    expect(view.treated.incrementalRevenue).toBe(10_000 - 2_500 * 4);
    expect(a.uplift!.difference).toBeCloseTo(-0.5, 9);
    expect(a.uplift!.lower).toBeLessThan(a.uplift!.difference);
    expect(a.uplift!.upper).toBeGreaterThan(a.uplift!.difference);
  });

  it('widens the intervals at a higher confidence, and is for marketing, management and analytics only', async () => {
    const at95 = await statistics();
    const at99 = await statistics('?confidence=0.99');
    expect(at99.confidence).toBe(0.99);
    const width = (v: CampaignStatisticsView) => v.byStep[0].byVariant[0].uplift!.upper - v.byStep[0].byVariant[0].uplift!.lower;
    expect(width(at99)).toBeGreaterThan(width(at95));
    expect((await call(`/campaigns/${campaignId}/statistics`, tokens.analytics)).status).toBe(200);
    for (const [who, status] of [
      ['sales', 403],
      ['partner', 403],
    ] as const) {
      const r = await call(`/campaigns/${campaignId}/statistics`, tokens[who]);
      expect([who, r.status, r.type]).toEqual([who, status, expect.stringContaining('application/problem+json')]);
    }
    expect((await call(`/campaigns/${campaignId}/statistics`, null)).status).toBe(401);
  });

  it('answers bad input with 400 naming the field, and an unknown campaign with 404', async () => {
    for (const [url, field] of [
      [`/campaigns/${campaignId}/statistics?confidence=0.5`, 'confidence'],
      [`/campaigns/${campaignId}/statistics?confidence=%00`, 'confidence'],
      [`/campaigns/${campaignId}/statistics?confidence=0.9&confidence=0.99`, 'confidence'],
      ['/campaigns/not-a-uuid/statistics', 'id'],
      // a lone surrogate cannot even be decoded: 400 before the route (its parameter is not named)
      ['/campaigns/%ED%A0%80/statistics', 'decode'],
    ]) {
      const r = await call(url);
      expect([url, r.status, r.type]).toEqual([url, 400, expect.stringContaining('application/problem+json')]);
      expect(JSON.stringify(r.body)).toContain(field);
    }
    const unknown = await call(`/campaigns/${randomUUID()}/statistics`);
    expect([unknown.status, unknown.type]).toEqual([404, expect.stringContaining('application/problem+json')]);
  });
});
