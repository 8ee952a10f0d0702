import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { cdnowTransactions } from '@crm/customer-value/testing';
import { waitFor } from '@crm/event-store/testing';
import { createPlatform, type Platform } from '@crm/platform';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { AnalyticsConfig, createAnalyticsApp } from '../analytics';
import { OrderPurchase } from '../purchases/purchase-history.entities';
import type { ClvModelView } from './get-clv-model/get-clv-model.controller';

// Loaded by path, as the embedded host loads services: a service never imports another one.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sales = require(path.join(__dirname, '../../../sales/src/sales')) as {
  SalesConfig: new () => ServiceConfig;
  createSalesApp: (config: ServiceConfig, platform: Platform, hosting: { embedded: boolean }) => Promise<ServiceApp>;
};

// Issue 11's correctness bar through the real path: the CDNOW 1/10 sample (6,919 transactions of
// 2,357 customers, libs/domain/customer-value/fixtures/cdnow) imported as orders through sales'
// POST /orders/import, projected into analytics' purchase history, summarised into purchase
// occasions and fitted by GET /models/clv?calibrationEnd=1997-09-30&unit=week, against the published
// estimates (Fader, Hardie & Lee 2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426 and p = 6.25,
// q = 3.74, γ = 15.44 (dollars), each within 1%. Both services on one embedded platform (PGlite), no servers.
describe('CDNOW through POST /orders/import and GET /models/clv (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let salesApp: ServiceApp;
  let analyticsApp: ServiceApp;
  let salesBase: string;
  let analyticsBase: string;
  const transactions = cdnowTransactions();

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-cdnow-'));
    // CDNOW is in dollars: report in USD, so no conversion is involved.
    const env = { CRM_DATA_DIR: dataDir, CRM_REPORTING_CURRENCY: 'USD' };
    platform = await createPlatform(loadConfig(AnalyticsConfig, env), { registry: crmRegistry(), clientId: 'test' });
    salesApp = await sales.createSalesApp(loadConfig(sales.SalesConfig, env), platform, { embedded: true });
    analyticsApp = await createAnalyticsApp(loadConfig(AnalyticsConfig, env), platform, { embedded: true });
    salesBase = await salesApp.listen(0);
    analyticsBase = await analyticsApp.listen(0);
  }, 120_000);
  afterAll(async () => {
    await analyticsApp?.close();
    await salesApp?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reproduces the published BG/NBD and Gamma-Gamma estimates within 1%', async () => {
    expect(transactions).toHaveLength(6919);
    // One order per line of the sample; its customer by the sample's id (registered by the import, with an
    // id derived from it, so later files find it). In files of 1,000 lines: on a busy 2-core machine one
    // file of 6,919 lines outlasts the HTTP server's request timeout.
    const lines = transactions.map((t, i) => `CDNOW-${t.customerId},CDNOW-${i + 1},${t.day},${t.dollars.toFixed(2)},USD`);
    const manager = await salesApp.app.get(TokenMint).mint({ kind: 'staff', subject: 'mia', department: 'sales', roles: ['manager'] });
    const started = Date.now();
    const totals = { lines: 0, created: 0, failedLines: 0, customersCreated: 0 };
    for (let from = 0; from < lines.length; from += 1000) {
      const csv = ['customerExternalId,orderId,orderDate,amount,currency', ...lines.slice(from, from + 1000)].join('\n') + '\n';
      const imported = await postWithoutKeepAlive(`${salesBase}/orders/import`, { authorization: `Bearer ${manager}`, 'content-type': 'text/csv' }, csv);
      expect(imported.status).toBe(200);
      const report = JSON.parse(imported.text) as { status: string; counts: Record<string, number>; errors: unknown[] };
      expect({ status: report.status, errors: report.errors }).toEqual({ status: 'completed', errors: [] });
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += report.counts[key];
    }
    const importSeconds = (Date.now() - started) / 1000;
    expect(totals).toEqual({ lines: 6919, created: 6919, failedLines: 0, customersCreated: 2357 });

    const readModels = analyticsApp.app.get<ReadModelRunners>(READ_MODELS);
    await waitFor(async () => (await readModels.dataSource.manager.getRepository(OrderPurchase).count()) === 6919, 300_000, 'the orders to reach analytics');
    const projectedSeconds = (Date.now() - started) / 1000;

    const token = await analyticsApp.app.get(TokenMint).mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    const r = await fetch(`${analyticsBase}/models/clv?calibrationEnd=1997-09-30&unit=week`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    const model = (await r.json()) as ClvModelView;
    // Figures for the closing note of issue 11 (how long the real path takes on this machine).
    console.log(`CDNOW: import of 6,919 rows ${importSeconds.toFixed(1)} s, in analytics after ${projectedSeconds.toFixed(1)} s; fit ${JSON.stringify(model)}`);

    const within1Percent = (actual: number, published: number) =>
      expect({ actual, published, off: Math.abs(actual / published - 1) < 0.01 }).toMatchObject({ off: true });
    within1Percent(model.bgnbd.r, 0.243);
    within1Percent(model.bgnbd.alpha, 4.414);
    within1Percent(model.bgnbd.a, 0.793);
    within1Percent(model.bgnbd.b, 2.426);
    within1Percent(model.gammaGamma.p, 6.25);
    within1Percent(model.gammaGamma.q, 3.74);
    within1Percent(model.gammaGamma.gamma / 100, 15.44); // γ is in cents: minor units of USD
    expect(model).toMatchObject({ unit: 'week', calibrationEnd: '1997-09-30', reportingCurrency: 'USD', repeaters: 946, unconverted: { orders: 0 } });
    // 2,357 customers in the paper; the purchase occasions count only days with a net amount above 0,
    // and 8 customers' only first-day purchase was $0.00 (CDNOW_sample.txt), so 2,349 are fitted here.
    expect(model.customers).toBe(2349);
  }, 900_000);
});

/**
 * A POST on a connection of its own (node:http without keep-alive): with fetch, a pooled socket that
 * the server (in this same busy process) closes as idle just as the next import is written fails
 * that import with ECONNRESET — seen on a loaded 2-core machine.
 */
function postWithoutKeepAlive(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
