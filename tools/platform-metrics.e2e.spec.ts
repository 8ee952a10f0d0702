import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { createPlatform, type Platform } from '@crm/platform';
import { TokenMint, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';

// Loaded by path, as the embedded host loads services (tools never import a service statically).
type ServiceModule = (config: ServiceConfig, platform: Platform, hosting: { embedded: boolean }) => Promise<ServiceApp>;
/* eslint-disable @typescript-eslint/no-require-imports */
const sales = require(path.resolve(__dirname, '../services/sales/src/sales.ts')) as { SalesConfig: new () => ServiceConfig; createSalesApp: ServiceModule };
const service = require(path.resolve(__dirname, '../services/service/src/service.ts')) as {
  CustomerServiceConfig: new () => ServiceConfig;
  createCustomerServiceApp: ServiceModule;
};
/** The other three services of the embedded host: started on the same platform, only scraped. */
const others: { name: string; file: string; config: string; create: string }[] = [
  { name: 'marketing', file: 'marketing/src/marketing.ts', config: 'MarketingConfig', create: 'createMarketingApp' },
  { name: 'partner-portal', file: 'partner-portal/src/partner-portal.ts', config: 'PartnerPortalConfig', create: 'createPartnerPortalApp' },
  { name: 'analytics', file: 'analytics/src/analytics.ts', config: 'AnalyticsConfig', create: 'createAnalyticsApp' },
].map((o) => ({ ...o, file: path.resolve(__dirname, '../services', o.file) }));
/* eslint-enable @typescript-eslint/no-require-imports */

/** One sample of the Prometheus text: `name{labels} value`, labels in the order prom-client writes them. */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

// Issue 15 §1: the platform's metrics (event store appends, business counters, projections) on the
// embedded platform, shared by the five service apps in one process as the embedded host shares it:
// each app's GET /metrics shows them (registered once: no duplicate-registration error), and they move
// with a command whichever app received it.
describe('platform metrics on GET /metrics (the five apps on one embedded platform)', () => {
  let dataDir: string;
  let platform: Platform;
  const apps: ServiceApp[] = [];
  let salesBase: string;
  let serviceBase: string;
  let salesToken: string;
  let serviceToken: string;
  const otherBases: { name: string; base: string }[] = [];
  const callSales = httpCaller(
    () => salesBase,
    () => salesToken,
  );
  const callService = httpCaller(
    () => serviceBase,
    () => serviceToken,
  );
  const scrape = async (base: string) => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    return r.text();
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-metrics-'));
    const env = { CRM_DATA_DIR: dataDir };
    platform = await createPlatform(loadConfig(sales.SalesConfig, env), { registry: crmRegistry(), clientId: 'test' });
    const salesApp = await sales.createSalesApp(loadConfig(sales.SalesConfig, env), platform, { embedded: true });
    apps.push(salesApp);
    const serviceApp = await service.createCustomerServiceApp(loadConfig(service.CustomerServiceConfig, env), platform, { embedded: true });
    apps.push(serviceApp);
    salesBase = await salesApp.listen(0);
    serviceBase = await serviceApp.listen(0);
    for (const o of others) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require(o.file) as Record<string, unknown>;
      const app = await (m[o.create] as ServiceModule)(loadConfig(m[o.config] as new () => ServiceConfig, env), platform, { embedded: true });
      apps.push(app);
      otherBases.push({ name: o.name, base: await app.listen(0) });
    }
    salesToken = await salesApp.app.get(TokenMint).mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    serviceToken = await serviceApp.app.get(TokenMint).mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] });
  });
  afterAll(async () => {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await platform?.close().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves every app its own metrics and the process-wide ones, each name registered once', async () => {
    for (const { name, base } of [{ name: 'sales', base: salesBase }, { name: 'service', base: serviceBase }, ...otherBases]) {
      const text = await scrape(base);
      expect(text).toContain(`crm_process_cpu_seconds_total{service="${name}"}`);
      // The platform's metrics once in each scrape (a second registration would have thrown).
      expect(text.split('\n').filter((l) => l === '# TYPE crm_event_store_appended_events_total counter')).toHaveLength(1);
    }
  });

  it('counts episodes opened and interactions recorded from the stored events, times appends, and shows projection lag back at 0', async () => {
    const before = await scrape(salesBase);
    // The process-wide metrics once per app's scrape, each app with its own HTTP metrics.
    expect(before).toContain('# TYPE crm_event_store_append_duration_seconds histogram');
    expect(before).toContain('# TYPE crm_episodes_opened_total counter');
    expect(await scrape(serviceBase)).toContain('# TYPE crm_interactions_recorded_total counter');

    const customer = await callSales('POST', '/customers', { kind: 'organisation', name: 'PT Maju Jaya', contacts: [{ name: 'Sari', role: 'buyer' }] });
    expect(customer.status).toBe(201);
    const customerId = String(customer.body.customerId);
    const opportunity = await callSales('POST', '/opportunities', { customerId, name: 'Fleet renewal', expectedValue: 50000, currency: 'EUR' });
    expect(opportunity.status).toBe(201);
    const interaction = await callSales('POST', `/opportunities/${String(opportunity.body.episodeId)}/interactions`, {
      channel: 'phone',
      direction: 'outbound',
      action: 'qualification call',
      response: 'budget confirmed',
    });
    expect(interaction.status).toBe(201);
    // Another writer of the same process: the service app, counted in the same registry.
    const opened = await callService('POST', '/cases', { customerId, name: 'Delivery late', channel: 'email' });
    expect(opened.status).toBe(201);

    const after = await scrape(salesBase);
    const moved = (name: string, labels = '') => sample(after, name, labels) - sample(before, name, labels);
    expect(moved('crm_episodes_opened_total', 'type="opportunity"')).toBe(1);
    expect(moved('crm_episodes_opened_total', 'type="case"')).toBe(1);
    expect(moved('crm_interactions_recorded_total', 'channel="phone"')).toBe(1);
    expect(moved('crm_interactions_recorded_total', 'channel="email"')).toBe(0);
    expect(moved('crm_event_store_append_duration_seconds_count', 'store="pglite"')).toBeGreaterThanOrEqual(4);
    expect(moved('crm_event_store_appended_events_total', 'store="pglite"')).toBeGreaterThanOrEqual(4);
    // One registry for the process: the service app shows the same counts.
    const fromService = await scrape(serviceBase);
    expect(sample(fromService, 'crm_episodes_opened_total', 'type="case"')).toBe(sample(after, 'crm_episodes_opened_total', 'type="case"'));
    // Every line's labels are bounded: no customer or episode id became a label value.
    expect(after).not.toContain(customerId);

    // The read models follow the store: their lag returns to 0 and what they applied is counted.
    const projections = ['sales.customer-directory', 'sales.timeline', 'sales.partner-access'];
    await waitFor(
      async () => {
        const text = await scrape(salesBase);
        return projections.every((p) => text.includes(`crm_projection_lag_events{projection="${p}",service="sales"} 0`));
      },
      20000,
      'the sales read models to catch up (projection lag 0)',
    );
    const caughtUp = await scrape(salesBase);
    expect(sample(caughtUp, 'crm_projection_events_applied_total', 'projection="sales.timeline"')).toBeGreaterThan(
      sample(before, 'crm_projection_events_applied_total', 'projection="sales.timeline"'),
    );
    await waitFor(
      async () => (await scrape(serviceBase)).includes('crm_projection_lag_events{projection="service.timeline",service="service"} 0'),
      20000,
      'the service read models to catch up (projection lag 0)',
    );
  });
});
