import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { createPlatform, type Platform } from '@crm/platform';
import { ProjectionRunner } from '@crm/projections';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { ProblemTypes, TokenMint, type PartnerPrincipal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { servedResponseProblems } from '@crm/service-kit/testing';
import { AnalyticsConfig, createAnalyticsApp } from './analytics';
import type { CustomerMetricsView } from './metrics/get-customer-metrics/get-customer-metrics.query';
import { readModels } from './read-models';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

// The analytics service over HTTP on the embedded platform (PGlite on disk): events written by
// sales, service and a partner become one customer's metrics.
describe('analytics service (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let token: string;
  let mint: TokenMint;
  let commands: RelationshipCommands;

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: [] };
  const sam: StaffPrincipal = { kind: 'staff', subject: 'sam', department: 'service', roles: [] };
  const partnerId = randomUUID();
  const pat: PartnerPrincipal = { kind: 'partner', subject: 'pat', partnerId, roles: ['partner'] };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    commands = createRelationshipCommands(platform.eventStore);
    await commands.partners.register(admin, { partnerId, name: 'Dealer', partnerKind: 'distributor' });
  });
  const admin = { kind: 'staff' as const, subject: 'admin', department: 'management' as const, roles: [] };
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // bearer: null sends no Authorization header.
  const call = async (url: string, bearer: string | null = token) => {
    const r = await fetch(`${base}${url}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const metrics = async (customerId: string, query = '') => (await call(`/customers/${customerId}/metrics${query}`)).body as unknown as CustomerMetricsView;

  let customerId: string;
  let lastInteraction: string;

  it('counts every department’s and partner’s interactions and the purchases of a customer', async () => {
    customerId = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Analitika' })).id;

    // Sales: an opportunity won 10 days ago, with two interactions.
    const opp = (await commands.episodes.open(alice, 'opportunity', { customerId, name: 'Fleet renewal', openedAt: daysAgo(30) })).id;
    await commands.episodes.recordInteraction(alice, opp, { channel: 'phone', direction: 'outbound', action: 'qualification call', occurredAt: daysAgo(25) });
    await commands.episodes.recordInteraction(alice, opp, { channel: 'email', direction: 'outbound', action: 'sent the proposal', occurredAt: daysAgo(20) });
    await commands.episodes.close(alice, opp, { outcome: 'won', value: 100.5, currency: 'EUR', reason: 'best offer', closedAt: daysAgo(10) });
    // Sales: a lost opportunity is no purchase.
    const lost = (await commands.episodes.open(alice, 'opportunity', { customerId, name: 'Add-on', openedAt: daysAgo(9) })).id;
    await commands.episodes.close(alice, lost, { outcome: 'lost', value: 999, reason: 'no budget', closedAt: daysAgo(8) });
    // Service: a case with one call.
    const kase = (await commands.episodes.open(sam, 'case', { customerId, name: 'Fault report', channel: 'phone', openedAt: daysAgo(6) })).id;
    lastInteraction = daysAgo(1);
    await commands.episodes.recordInteraction(sam, kase, {
      channel: 'phone',
      direction: 'inbound',
      action: 'customer called about a fault',
      occurredAt: lastInteraction,
    });
    // A partner: a deal won 2 days ago, with one portal interaction.
    await commands.partners.shareCustomer(admin, partnerId, customerId); // partners act only on what is shared with them
    const deal = (await commands.episodes.open(pat, 'partner-deal', { customerId, name: 'Dealer sale', openedAt: daysAgo(5) })).id;
    await commands.episodes.recordInteraction(pat, deal, { channel: 'portal', direction: 'inbound', action: 'order placed', occurredAt: daysAgo(4) });
    await commands.episodes.close(pat, deal, { outcome: 'won', value: 50, closedAt: daysAgo(2) });

    let m: CustomerMetricsView | undefined;
    await waitFor(
      async () => {
        m = await metrics(customerId);
        return m.rfm?.frequency === 2 && m.interactions.total === 4;
      },
      20000,
      'the metrics to count every event',
    );
    expect(m).toEqual({
      customerId,
      interactions: { total: 4, byChannel: { phone: 2, email: 1, portal: 1 }, byDepartment: { sales: 2, service: 1, [`partner:${partnerId}`]: 1 } },
      lastInteractionAt: lastInteraction,
      lastPurchaseAt: expect.any(String),
      rfm: { recencyDays: 2, frequency: 2, monetary: 150.5, periodDays: null },
    });
    expect(Math.abs(Date.parse(m!.lastPurchaseAt!) - (Date.now() - 2 * DAY))).toBeLessThan(60_000);
    expect(await servedResponseProblems(base, 'get', '/customers/{id}/metrics', 200, m)).toEqual([]);
    expect(await servedResponseProblems(base, 'get', '/customers/{id}/metrics', 200, await metrics(customerId, '?periodDays=7'))).toEqual([]);
  });

  it('gives frequency and monetary value over a period', async () => {
    expect((await metrics(customerId, '?periodDays=7')).rfm).toEqual({ recencyDays: 2, frequency: 1, monetary: 50, periodDays: 7 });
    expect((await metrics(customerId, '?periodDays=30')).rfm).toEqual({ recencyDays: 2, frequency: 2, monetary: 150.5, periodDays: 30 });
    expect((await metrics(customerId, '?periodDays=1')).rfm).toEqual({ recencyDays: 2, frequency: 0, monetary: 0, periodDays: 1 });
    const bad = await call(`/customers/${customerId}/metrics?periodDays=0`);
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
  });

  it('answers a customer without activity with zeros, an unknown one with 404', async () => {
    const quiet = (await commands.customers.register(alice, { kind: 'person', name: 'Budi' })).id;
    await waitFor(async () => (await call(`/customers/${quiet}/metrics`)).status === 200, 20000, 'the new customer');
    expect(await metrics(quiet)).toEqual({
      customerId: quiet,
      interactions: { total: 0, byChannel: {}, byDepartment: {} },
      lastInteractionAt: null,
      lastPurchaseAt: null,
      rfm: { recencyDays: null, frequency: 0, monetary: 0, periodDays: null },
    });
    const unknown = await call(`/customers/${randomUUID()}/metrics`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe(ProblemTypes.notFound);
    expect((await call('/customers/not-a-uuid/metrics')).status).toBe(400);
  });

  it('shows the shared timeline', async () => {
    const timeline = await call(`/customers/${customerId}/timeline`);
    expect(timeline.status).toBe(200);
    expect((timeline.body.episodes as { name: string }[]).map((e) => e.name)).toEqual(['Fleet renewal', 'Add-on', 'Fault report', 'Dealer sale']);
    expect((await call(`/customers/${randomUUID()}/timeline`)).status).toBe(404);
  });

  it('serves staff of every department, and no partner', async () => {
    for (const department of ['sales', 'service', 'marketing', 'management'] as const) {
      const staff = await mint.mint({ kind: 'staff', subject: 'x', department, roles: [] });
      expect((await call(`/customers/${customerId}/metrics`, staff)).status).toBe(200);
    }
    expect((await call(`/customers/${customerId}/metrics`, await mint.mint(pat))).status).toBe(403);
    expect((await call(`/customers/${customerId}/timeline`, await mint.mint(pat))).status).toBe(403);
    expect((await call(`/customers/${customerId}/metrics`, null)).status).toBe(401);
  });

  it('rebuilds the metrics from the store to the same result (read-models.ts, as the rebuild CLI does)', async () => {
    const before = await metrics(customerId);
    const model = readModels.find((m) => m.projection.name === 'analytics.customer-metrics');
    expect(model?.schema).toBe('analytics');
    const ds = await platform.createDataSource([...model!.projection.entities] as Function[], { schema: model!.schema });
    const runner = new ProjectionRunner(ds, model!.projection, { schema: platform.config.CRM_PLATFORM_SCHEMA });
    const applied = await runner.rebuild(platform.eventStore, crmRegistry(), toIntegrationEvent);
    expect(applied).toBe(13); // 2 registrations, 4 openings, 4 interactions, 3 closings
    expect(await metrics(customerId)).toEqual(before);
  });

  it('measures merged customers as one: the survivor with what was merged into it, until the merge is undone', async () => {
    const survivor = (await commands.customers.register(alice, { kind: 'organisation', name: 'Merge Survivor' })).id;
    const duplicate = (await commands.customers.register(alice, { kind: 'organisation', name: 'Merge Duplicate' })).id;
    for (const [customer, value] of [
      [survivor, 100],
      [duplicate, 40],
    ] as const) {
      const deal = (await commands.episodes.open(alice, 'opportunity', { customerId: customer, name: 'Deal' })).id;
      await commands.episodes.recordInteraction(alice, deal, { channel: 'phone', direction: 'outbound', action: 'called' });
      await commands.episodes.close(alice, deal, { outcome: 'won', value, currency: 'EUR', reason: 'signed' });
    }
    await waitFor(async () => (await metrics(duplicate)).rfm?.frequency === 1, 20000, 'the duplicate measured');
    const merge = await commands.customers.merge(alice, survivor, duplicate);
    await waitFor(async () => (await metrics(survivor)).rfm.frequency === 2, 20000, 'the merge to reach analytics');
    const merged = await metrics(duplicate);
    expect(merged.customerId).toBe(survivor);
    expect(merged.interactions.total).toBe(2);
    expect(merged.rfm).toMatchObject({ frequency: 2, monetary: 140 });
    await commands.customers.unmerge(alice, duplicate, merge.id);
    await waitFor(async () => (await metrics(survivor)).rfm.frequency === 1, 20000, 'the unmerge to reach analytics');
    expect((await metrics(duplicate)).rfm).toMatchObject({ frequency: 1, monetary: 40 });
  });

  it('serves its OpenAPI document and health', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/customers/{id}/metrics', '/customers/{id}/timeline']));
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
