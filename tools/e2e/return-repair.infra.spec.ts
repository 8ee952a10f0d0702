import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@crm/event-store/testing';
import { allReady, freePorts, waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { ensureLocalKeys, mintToken, type Principal } from '@crm/service-kit';
import { scratchDatabase } from '@crm/service-kit/testing';

const adminUrl = process.env.DATABASE_URL;
const brokers = process.env.KAFKA_BROKERS;
if (!adminUrl || !brokers) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: run with `npm run test:infra`');

// Returns and repairs (issue 12 §5) across processes on real PostgreSQL + Kafka: sales places the
// order, service requests, authorises and ships the return and gives the repair to a provider, the
// provider works its job through the partner portal's /repairs routes, service delivers the item
// back, and the case follows its return.
const run = randomUUID().replace(/-/g, '').slice(0, 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-rma-${run}-`));
const names = ['sales', 'service', 'partner-portal'] as const;
type Name = (typeof names)[number];
let ports: number[] = []; // [relay, ...names], from the OS in beforeAll
const port = (n: Name) => ports[1 + names.indexOf(n)];
const baseUrl = (n: Name) => `http://127.0.0.1:${port(n)}`;
const database = scratchDatabase(adminUrl, `crm_rma_${run}`);
// The partner portal signs webhooks with a key every instance shares (required in distributed mode).
const webhookKey = { CRM_PARTNER_WEBHOOK_KEY: `infra-partner-webhook-key-${run}-0123456789` };
const env = {
  CRM_MODE: 'distributed',
  CRM_DATABASE_URL: database.url,
  CRM_KAFKA_BROKERS: brokers,
  CRM_KAFKA_TOPIC: `crm.rma.${run}`,
  CRM_KAFKA_PARTITIONS: '3',
  CRM_DATA_DIR: dataDir,
  CRM_LOG_LEVEL: 'warn',
};
// The service's own settings (the relay and the other services refuse settings they do not know):
// the case follows its return at once.
const serviceEnv = { CRM_RETURN_FOLLOW_INTERVAL_MS: '200', CRM_WARRANTY_MONTHS: '24' };
const logDir = path.resolve(__dirname, '../../.local/test-logs');
let processes: WorkerProcess[] = [];

let signingKeyFile = '';
const tokenFor = (principal: Principal) => mintToken(principal, { signingKey: signingKeyFile, issuer: 'crm-embedded', audience: 'crm' });

type Reply = { status: number; etag: string | null; body: Record<string, unknown> };
async function call(n: Name, method: string, route: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const r = await fetch(`${baseUrl(n)}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, etag: r.headers.get('etag'), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('returns and repairs across service and the partner portal (real PostgreSQL + Kafka, separate processes)', () => {
  beforeAll(async () => {
    signingKeyFile = (await ensureLocalKeys(dataDir)).signingKeyFile;
    await database.create();
    ports = await freePorts(1 + names.length);
    const http = (p: number) => ({ CRM_HTTP_HOST: '127.0.0.1', CRM_HTTP_PORT: String(p) });
    processes = [
      new WorkerProcess('tools/relay.ts', { ...env, ...http(ports[0]) }, path.join(logDir, `rma-${run}-relay.log`)),
      ...names.map(
        (n) =>
          new WorkerProcess(
            `services/${n}/src/main.ts`,
            { ...env, ...webhookKey, ...(n === 'service' ? serviceEnv : {}), ...http(port(n)) },
            path.join(logDir, `rma-${run}-${n}.log`),
          ),
      ),
    ];
    for (const p of processes) p.start();
    await waitForProcesses(processes, () => allReady(names.map(baseUrl)), 180000, 'the three services to be ready');
  }, 240000);

  afterAll(async () => {
    for (const p of processes) await p.kill();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the whole cycle: the provider works the repair in the portal; the return and its case are resolved; the provider sees only its job', async () => {
    const sales = await tokenFor({ kind: 'staff', subject: 'sari', department: 'sales', roles: [] });
    const service = await tokenFor({ kind: 'staff', subject: 'budi', department: 'service', roles: [] });
    const management = await tokenFor({ kind: 'staff', subject: 'admin', department: 'management', roles: ['admin'] });

    const reg = await call('sales', 'POST', '/customers', sales, { kind: 'person', name: 'Dewi Lestari' });
    expect(reg.status).toBe(201);
    const customerId = String(reg.body.customerId);
    const orderDate = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const order = await call('sales', 'POST', '/orders', sales, {
      customerId,
      orderDate,
      currency: 'EUR',
      lines: [{ productId: 'phone-x1', quantity: 1, unitPrice: 49_900 }],
    });
    expect(order.status).toBe(201);

    // The provider, with a credential, exchanged for a token.
    const provider = await call('partner-portal', 'POST', '/partners', management, { name: 'Fix It', partnerKind: 'service-provider' });
    expect(provider.status).toBe(201);
    const partnerId = String(provider.body.partnerId);
    const cred = (await call('partner-portal', 'POST', `/partners/${partnerId}/credentials`, management)).body;
    const exchanged = await fetch(`${baseUrl('partner-portal')}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: cred.clientId, clientSecret: cred.clientSecret }),
    });
    expect(exchanged.status).toBe(200);
    const partner = String(((await exchanged.json()) as { access_token: string }).access_token);

    // The service registers the case (its customer reached it through Kafka) and requests the return.
    let kase: Reply | undefined;
    await waitFor(
      async () => (
        (kase = await call('service', 'POST', '/cases', service, { customerId, name: 'Phone will not charge', channel: 'phone' })),
        kase.status === 201
      ),
      60000,
      'the service to know the customer',
    );
    const caseId = String(kase!.body.episodeId);
    const requested = await call('service', 'POST', `/cases/${caseId}/returns`, service, {
      item: { productId: 'phone-x1', serialNumber: 'X1-00042' },
      fault: 'does not charge',
    });
    expect(requested.status).toBe(201);
    const returnId = String(requested.body.returnId);
    let etag = String(requested.etag);
    const change = async (route: string, body: unknown) => {
      const r = await call('service', 'POST', `/returns/${returnId}/${route}`, service, body, { 'if-match': etag });
      expect([route, r.status, r.body.code]).toEqual([route, 200, undefined]);
      etag = String(r.etag);
      return r.body;
    };
    // In warranty from the order (once the service's order list has it through Kafka).
    let last: Reply | undefined;
    await waitFor(
      async () => {
        const r = (last = await call('service', 'POST', `/returns/${returnId}/authorise`, service, {}, { 'if-match': etag }));
        if (r.status === 200) etag = String(r.etag);
        return r.status === 200;
      },
      60000,
      'the return to be authorised in warranty',
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last answer ${last?.status} ${JSON.stringify(last?.body)}`);
    });
    const authorised = (await call('service', 'GET', `/returns/${returnId}`, service)).body;
    expect(authorised).toMatchObject({ status: 'authorised', warranty: { basis: 'in-warranty' } });
    await change('shipments', { leg: 'to-company', state: 'delivered', carrier: 'DHL', trackingNumber: 'JD1' });
    await change('repair', { partnerId });
    await change('shipments', { leg: 'to-provider', state: 'delivered' });
    // The case waits on the provider.
    await waitFor(
      async () => (await call('service', 'GET', `/cases/${caseId}`, service)).body.status === 'waiting-on-partner',
      60000,
      'the case to wait on the partner',
    );

    // The provider's job in the portal: its list, the job, status, an interaction, the shipment back — each with If-Match.
    await waitFor(
      async () =>
        ((await call('partner-portal', 'GET', '/repairs', partner)).body.items as { returnId?: string; episodeId?: string }[] | undefined)?.length === 1,
      60000,
      'the provider to see its repair job',
    );
    const job = await call('partner-portal', 'GET', `/repairs/${returnId}`, partner);
    expect(job.status).toBe(200);
    let jobEtag = String(job.etag);
    const work = async (route: string, body: unknown) => {
      const r = await call('partner-portal', 'POST', `/repairs/${returnId}/${route}`, partner, body, { 'if-match': jobEtag });
      if (r.status >= 300) throw new Error(`POST /repairs/{id}/${route}: ${r.status} ${JSON.stringify(r.body)}`);
      jobEtag = String(r.etag ?? (await call('partner-portal', 'GET', `/repairs/${returnId}`, partner)).etag);
    };
    await work('status', { to: 'received' });
    await work('status', { to: 'repairing', note: 'charging port replaced' });
    await work('interactions', { channel: 'phone', direction: 'outbound', action: 'called the customer to confirm the address' });
    await work('status', { to: 'repaired' });
    await work('shipments', { leg: 'from-provider', state: 'delivered', carrier: 'DHL', trackingNumber: 'JD2' });
    // The provider sees nothing else of the customer (no share was made).
    expect((await call('partner-portal', 'GET', `/customers/${customerId}/timeline`, partner)).status).toBe(404);

    // Back with the company: the service sends it to the customer; delivered closes the return and resolves the case.
    etag = String((await call('service', 'GET', `/returns/${returnId}`, service)).etag);
    await change('shipments', { leg: 'to-customer', state: 'delivered' });
    expect((await call('service', 'GET', `/returns/${returnId}`, service)).body).toMatchObject({ status: 'delivered', closed: { outcome: 'resolved' } });
    await waitFor(async () => (await call('service', 'GET', `/cases/${caseId}`, service)).body.status === 'resolved', 60000, 'the case to be resolved');
    const resolvedCase = (await call('service', 'GET', `/cases/${caseId}`, service)).body;
    expect(resolvedCase.returns).toEqual([expect.objectContaining({ returnId, status: 'delivered' })]);
    // The returns list (Kafka-fed) and the timeline show it, linked to the case.
    await waitFor(
      async () => ((await call('service', 'GET', `/returns?caseId=${caseId}&open=false`, service)).body.items as unknown[] | undefined)?.length === 1,
      60000,
      'the returns list to show the closed return',
    );
    const timeline = (await call('service', 'GET', `/customers/${customerId}/timeline?limit=200`, service)).body as { episodes: Record<string, unknown>[] };
    expect(timeline.episodes.find((e) => e.episodeId === returnId)).toMatchObject({ episodeType: 'return-repair', caseEpisodeId: caseId });
  });
});
