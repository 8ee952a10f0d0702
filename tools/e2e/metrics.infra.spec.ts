import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@crm/event-store/testing';
import { waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { ensureLocalKeys, mintToken } from '@crm/service-kit';
import { Client } from 'pg';
import { distributedRun, httpStatus } from './distributed-run';

// Issue 15 §1 with the real processes (distributed): the sales service counts what it stores on its
// GET /metrics, the relay process serves GET /metrics beside its health routes (lag back to 0 once it
// published what sales wrote while it was not running), and sales shows its consumer group's lag on
// Kafka back at 0 once its read models consumed it.
const { run, schemas, dataDir, env, logDir, databaseUrl: url } = distributedRun('met');
const salesPort = 45000 + Math.floor(Math.random() * 1000);
const relayPort = salesPort + 1000;
const relay = new WorkerProcess('tools/relay.ts', { ...env, CRM_HTTP_PORT: String(relayPort) }, path.join(logDir, `metrics-${run}-relay.log`));
const sales = new WorkerProcess('services/sales/src/main.ts', { ...env, CRM_HTTP_PORT: String(salesPort) }, path.join(logDir, `metrics-${run}-sales.log`));
const salesUrl = `http://127.0.0.1:${salesPort}`;
const relayUrl = `http://127.0.0.1:${relayPort}`;
const status = httpStatus;
const scrape = async (u: string) => {
  const r = await fetch(`${u}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toContain('text/plain');
  return r.text();
};
/** The value of the first sample whose line starts with `prefix` (name and labels), NaN when absent. */
const sample = (text: string, prefix: string) => {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
};

describe('metrics of the sales service and the relay process (real PostgreSQL + Kafka)', () => {
  let db: Client;
  let token: string;

  beforeAll(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    token = await mintToken(
      { kind: 'staff', subject: 'ops', department: 'sales', roles: ['agent'] },
      { signingKey: (await ensureLocalKeys(dataDir)).signingKeyFile, issuer: 'crm-embedded', audience: 'crm' },
    );
    sales.start();
    await waitForProcesses([sales], async () => (await status(`${salesUrl}/health/ready`)) === 200, 180000, 'sales ready');
  }, 240000);

  afterAll(async () => {
    await relay.kill();
    await sales.kill();
    await db.query(`DROP SCHEMA IF EXISTS ${schemas.store} CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS ${schemas.platform} CASCADE`);
    await db.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120000);

  const post = async (route: string, body: unknown) => {
    const r = await fetch(`${salesUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(201);
    return (await r.json()) as Record<string, string>;
  };

  it('counts what sales stores, and the relay and the consumer group work their lag off to 0', async () => {
    // Written while no relay runs: nothing reaches Kafka yet.
    const { customerId } = await post('/customers', { kind: 'organisation', name: 'PT Maju Jaya', contacts: [{ name: 'Sari', role: 'buyer' }] });
    const { episodeId } = await post('/opportunities', { customerId, name: 'Fleet renewal', expectedValue: 50000, currency: 'EUR' });
    await post(`/opportunities/${episodeId}/interactions`, { channel: 'phone', direction: 'outbound', action: 'qualification call' });

    const written = await scrape(salesUrl);
    expect(sample(written, 'crm_episodes_opened_total{type="opportunity"}')).toBe(1);
    expect(sample(written, 'crm_interactions_recorded_total{channel="phone"}')).toBe(1);
    expect(sample(written, 'crm_event_store_appended_events_total{store="postgres"}')).toBeGreaterThanOrEqual(3);
    expect(sample(written, 'crm_event_store_append_duration_seconds_count{store="postgres"}')).toBeGreaterThanOrEqual(3);

    relay.start();
    await waitForProcesses([relay, sales], async () => (await status(`${relayUrl}/health/ready`)) === 200, 180000, 'relay ready');
    await waitFor(
      async () => {
        const text = await scrape(relayUrl);
        return sample(text, 'crm_relay_lag_events{service="relay"}') === 0 && sample(text, 'crm_relay_published_events_total{service="relay"}') >= 3;
      },
      60000,
      'the relay to publish what sales wrote (lag 0)',
    );
    const fromRelay = await scrape(relayUrl);
    expect(sample(fromRelay, 'crm_relay_publish_failures_total{service="relay"}')).toBe(0);
    expect(fromRelay).toContain('crm_process_cpu_seconds_total{service="relay"}');
    expect(fromRelay).toContain('# TYPE crm_event_store_append_duration_seconds histogram');

    // The consumer group of sales' read models consumed and committed it: its lag is 0 and the
    // customer is in the directory.
    await waitFor(
      async () =>
        sample(await scrape(salesUrl), 'crm_kafka_consumer_lag{group="read-models.sales",service="sales"}') === 0 &&
        (await fetch(`${salesUrl}/customers/${customerId}`, { headers: { authorization: `Bearer ${token}` } })).status === 200,
      90000,
      'the sales read models to consume what the relay published (consumer lag 0)',
    );
  }, 300000);
});
