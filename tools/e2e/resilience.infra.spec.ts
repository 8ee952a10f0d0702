import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@crm/event-store/testing';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { ensureLocalKeys, mintToken } from '@crm/service-kit';
import { PgSqlClient } from '@crm/sql-clients';
import { Client } from 'pg';
import { localInfra } from './local-infra';
import { customerRegistered, distributedRun, httpStatus } from './distributed-run';

// The relay and a service's consumers against a broker that goes away and a service that is killed:
// the relay never exits (it retries, reports itself unready and resumes from its checkpoint), and a
// killed service serves HTTP and consumes again within seconds of its restart.
const { run, schemas, dataDir, env, logDir, databaseUrl: url } = distributedRun('res');
const salesPort = 43000 + Math.floor(Math.random() * 1000);
const relayPort = salesPort + 1000;
const relay = new WorkerProcess('tools/relay.ts', { ...env, CRM_HTTP_PORT: String(relayPort) }, path.join(logDir, `resilience-${run}-relay.log`));
const sales = new WorkerProcess('services/sales/src/main.ts', { ...env, CRM_HTTP_PORT: String(salesPort) }, path.join(logDir, `resilience-${run}-sales.log`));
const salesUrl = `http://127.0.0.1:${salesPort}`;
const relayUrl = `http://127.0.0.1:${relayPort}`;
const status = httpStatus;

const describeWithLocalInfra = localInfra.available ? describe : describe.skip;

describeWithLocalInfra('resilience (real PostgreSQL + Kafka; skipped unless deploy/local started both, because it stops the broker)', () => {
  let db: Client;
  let store: PostgresEventStore;
  let token: string;

  beforeAll(async () => {
    db = new Client({ connectionString: url });
    await db.connect();
    store = new PostgresEventStore(new PgSqlClient(url), { schema: schemas.store });
    await store.migrate();
    token = await mintToken(
      { kind: 'staff', subject: 'ops', department: 'sales', roles: [] },
      { signingKey: (await ensureLocalKeys(dataDir)).signingKeyFile, issuer: 'crm-embedded', audience: 'crm' },
    );
    relay.start();
    sales.start();
    await waitForProcesses(
      [relay, sales],
      async () => (await status(`${salesUrl}/health/ready`)) === 200 && (await status(`${relayUrl}/health/ready`)) === 200,
      180000,
      'relay and sales ready',
    );
  }, 240000);

  afterAll(async () => {
    await relay.kill();
    await sales.kill();
    if (localInfra.available) localInfra.startBroker(); // whatever happened, leave a broker behind for the next suite
    await store?.close();
    await db.query(`DROP SCHEMA IF EXISTS ${schemas.store} CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS ${schemas.platform} CASCADE`);
    await db.query(`DROP SCHEMA IF EXISTS sales CASCADE`).catch(() => undefined);
    await db.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120000);

  const register = async (name: string) => {
    const customerId = randomUUID();
    await store.appendToStream(`customer-${customerId}`, [customerRegistered(name, customerId)]);
    return customerId;
  };
  const known = async (ids: string[]) => {
    const r = await db.query(`SELECT count(*)::int AS n FROM sales.customer_directory WHERE customer_id = ANY($1::text[])`, [ids]);
    return (r.rows[0] as { n: number }).n;
  };

  it('the relay survives the broker being killed under load: unready meanwhile, then resumes; nothing is lost', async () => {
    const written: string[] = [];
    let writing = true;
    const writer = (async () => {
      while (writing) {
        written.push(await register(`c${written.length}`));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitFor(async () => (await known(written)) > 20, 60000, 'customers to flow to sales');

    localInfra.killBroker();
    await waitFor(async () => (await status(`${relayUrl}/health/ready`)) === 503, 120000, 'the relay to report itself unready');
    const whileDown = written.length;
    await waitFor(() => written.length > whileDown + 50, 60000, 'more commands while the broker is down');
    expect(relay.running).toBe(true);

    localInfra.startBroker();
    await waitFor(async () => (await status(`${relayUrl}/health/ready`)) === 200, 180000, 'the relay to be ready again');
    writing = false;
    await writer;
    await waitFor(async () => (await known(written)) === written.length, 180000, `all ${written.length} customers in the sales read model`);
    expect(relay.running).toBe(true);
    const parked = await db.query(`SELECT count(*)::int AS n FROM ${schemas.platform}.parked_events`);
    expect(parked.rows[0].n).toBe(0);
  });

  it('a killed service answers HTTP and applies new events within 10 s of its restart (session 6 s, HTTP before the group join)', async () => {
    await sales.kill();
    sales.start();
    await waitFor(async () => (await status(`${salesUrl}/health`)) === 200, 120000, 'the restarted service to listen');
    const listening = Date.now();
    const customerId = await register('after restart');
    await waitFor(
      async () =>
        (await status(`${salesUrl}/health/ready`)) === 200 &&
        (await fetch(`${salesUrl}/customers/${customerId}`, { headers: { authorization: `Bearer ${token}` } })).status === 200,
      60000,
      'the restarted service to be ready and to apply a new event',
    );
    const seconds = (Date.now() - listening) / 1000;
    console.log(`restarted sales: ready and consuming ${seconds.toFixed(1)} s after it listened`);
    expect(seconds).toBeLessThan(10);
  });
});
