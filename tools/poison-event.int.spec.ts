import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { crmRegistry } from '@crm/contracts';
import { testMetadata, waitFor } from '@crm/event-store/testing';
import { TokenMint, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService, type EmbeddedServiceUnderTest } from '@crm/service-kit/testing';
import { loadConfig } from '@crm/config';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { createPlatform, type Platform } from '@crm/platform';
import { rebuild } from './rebuild-read-model';
import { redriveParked } from './redrive-parked';

// Loaded by path, as the embedded host loads services (tools never import a service statically).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sales = require(path.resolve(__dirname, '../services/sales/src/sales.ts')) as {
  SalesConfig: new () => ServiceConfig;
  createSalesApp: (config: ServiceConfig, platform: Platform, hosting: { embedded: boolean }) => Promise<ServiceApp>;
};

// Issue 7's poison event, end to end: a stored event that breaks its contract (the `contacts:[[]]`
// registration that once got through) must not stop any read model. Its customer answers as stale,
// every other customer works, readiness says "degraded", a rebuild gets past it, and after the fix an
// operator re-drives it and the customer appears.
describe('a stored event that breaks its contract (embedded sales service + operator CLIs)', () => {
  let svc: EmbeddedServiceUnderTest;
  let token: string;
  const call = httpCaller(
    () => svc.base,
    () => token,
  );
  const poisoned = randomUUID();

  beforeAll(async () => {
    svc = await startEmbeddedService('poison', sales.SalesConfig, sales.createSalesApp, crmRegistry());
    token = await svc.app.app.get(TokenMint).mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
  });
  afterAll(async () => {
    await svc?.stop().catch(() => undefined);
  });

  it('parks it, reports the customer stale and readiness degraded, keeps every other customer flowing; rebuild and re-drive get past it', async () => {
    const store = svc.platform.eventStore;
    await store.appendToStream(`customer-${poisoned}`, [
      {
        id: randomUUID(),
        type: 'CustomerRegistered',
        schemaVersion: 1,
        metadata: testMetadata(),
        data: {
          customerId: poisoned,
          kind: 'organisation',
          name: 'Poisoned Ltd',
          contacts: [[]],
          identities: [],
          journeyStage: 'prospect',
          relationshipPhase: 'awareness',
          registeredBy: 'sales',
        },
      },
    ]);
    // A later, valid event about the same customer waits behind it (its order is kept).
    await store.appendToStream(`customer-${poisoned}`, [
      {
        id: randomUUID(),
        type: 'CustomerJourneyStageChanged',
        schemaVersion: 1,
        metadata: testMetadata(),
        data: { customerId: poisoned, from: 'prospect', to: 'first-time-customer' },
      },
    ]);

    const healthy = await call('POST', '/customers', { kind: 'person', name: 'Budi' });
    expect(healthy.status).toBe(201);
    const healthyId = String(healthy.body.customerId);
    await waitFor(async () => (await call('GET', `/customers/${healthyId}`)).status === 200, 20000, 'a customer registered after the poison to be readable');
    expect((await call('GET', `/customers/${healthyId}`)).body.stale).toBeUndefined();

    const stale = await call('GET', `/customers/${poisoned}`);
    expect(stale.status).toBe(503);
    expect(stale.type).toContain('application/problem+json');
    expect(stale.body.stale).toMatchObject({ stale: true, parkedEvents: 2, consumers: ['sales.customer-directory'] });

    const ready = await fetch(`${svc.base}/health/ready`);
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as { status: string; indicators: { readModels: { status: string; parked: Record<string, number> } } };
    expect(report.status).toBe('degraded');
    expect(report.indicators.readModels.status).toBe('degraded');
    expect(report.indicators.readModels.parked['sales.customer-directory']).toBe(2);
    expect(await servedResponseProblems(svc.base, 'get', '/health/ready', 200, report)).toEqual([]);

    const metrics = await (await fetch(`${svc.base}/metrics`)).text();
    expect(metrics).toContain('crm_read_model_parked_events{projection="sales.customer-directory",service="sales"} 2');
    expect(metrics).toContain('crm_read_model_stale_customers{projection="sales.customer-directory",service="sales"} 1');
    expect(metrics).toContain('crm_read_model_parked_events{projection="sales.timeline",service="sales"} 0');

    // The operator stops the service (the embedded folder is one process's), then works on it.
    const dataDir = svc.dataDir;
    await svc.app.close();
    await svc.platform.close();
    const env = { CRM_MODE: 'embedded', CRM_DATA_DIR: dataDir };
    const lines: string[] = [];

    // One pass over the store for all of the service's read models (they share its schema).
    const pages = jest.spyOn(PostgresEventStore.prototype, 'readAll');
    const rebuilt = await rebuild(['--service', 'sales'], env);
    expect(Object.keys(rebuilt).length).toBeGreaterThan(5);
    expect(pages).toHaveBeenCalledTimes(1); // the store holds less than one page
    pages.mockRestore();
    expect(rebuilt['sales.customer-directory']).toBeGreaterThanOrEqual(1);
    await redriveParked(['--service', 'sales', '--list'], env, (l) => lines.push(l));
    expect(lines.join('\n')).toContain('breaks its contract: invalid data of CustomerRegistered@1: contacts: each value in contacts must be an object');
    expect(lines[lines.length - 1]).toBe('2 parked event(s)');

    // Without the fix a re-drive changes nothing; with it, both events go in, in order.
    await redriveParked(['--service', 'sales'], env, (l) => lines.push(l));
    expect(lines[lines.length - 1]).toContain('0 applied, 0 discarded, 2 still parked');
    await redriveParked(['--module', 'tools/testing/lenient-read-models.ts'], env, (l) => lines.push(l));
    expect(lines[lines.length - 1]).toContain('2 applied, 0 discarded, 0 still parked');

    svc = await reopen(dataDir);
    const fixed = await call('GET', `/customers/${poisoned}`);
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ name: 'Poisoned Ltd', journeyStage: 'first-time-customer' });
    expect(fixed.body.stale).toBeUndefined();
    expect(((await (await fetch(`${svc.base}/health/ready`)).json()) as { status: string }).status).toBe('ok');
  });

  async function reopen(dataDir: string): Promise<EmbeddedServiceUnderTest> {
    const config = loadConfig(sales.SalesConfig, { CRM_DATA_DIR: dataDir });
    const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    const app = await sales.createSalesApp(config, platform, { embedded: true });
    const base = await app.listen(0);
    return { dataDir, platform, app, base, stop: async () => (await app.close(), await platform.close()) };
  }
});
