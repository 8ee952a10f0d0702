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

// The collaborative CRM (issue 14) across processes on real PostgreSQL + Kafka: a channel manager
// shares a customer with a distributor under a scope; the distributor reads only that scope,
// registers a deal that conflicts with sales' open opportunity (flagged to staff only), the approval
// opens its partner-deal episode; its sell-through report becomes purchases analytics attributes to
// it; a revoked share ends everything at once. Each hop between services goes through the relay and
// Kafka, so this is the part the embedded specs cannot show.
const run = randomUUID().replace(/-/g, '').slice(0, 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-collab-${run}-`));
const names = ['sales', 'partner-portal', 'analytics'] as const;
type Name = (typeof names)[number];
let ports: number[] = []; // [relay, ...names], from the OS in beforeAll
const port = (n: Name) => ports[1 + names.indexOf(n)];
const baseUrl = (n: Name) => `http://127.0.0.1:${port(n)}`;
const database = scratchDatabase(adminUrl, `crm_collab_${run}`);
const env = {
  CRM_MODE: 'distributed',
  CRM_DATABASE_URL: database.url,
  CRM_KAFKA_BROKERS: brokers,
  CRM_KAFKA_TOPIC: `crm.collab.${run}`,
  CRM_KAFKA_PARTITIONS: '3',
  CRM_DATA_DIR: dataDir,
  CRM_LOG_LEVEL: 'warn',
};
// The portal's own settings (the other processes refuse settings they do not know): the deal
// registration process looks every 200 ms, so an approval's episode follows promptly.
const portalEnv = {
  CRM_DEAL_REGISTRATION_INTERVAL_MS: '200',
  CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '200',
  CRM_PARTNER_WEBHOOK_KEY: `infra-partner-webhook-key-${run}-0123456789`,
};
const logDir = path.resolve(__dirname, '../../.local/test-logs');
let processes: WorkerProcess[] = [];

let signingKeyFile = '';
const tokenFor = (principal: Principal) => mintToken(principal, { signingKey: signingKeyFile, issuer: 'crm-embedded', audience: 'crm' });

type Json = Record<string, unknown>;
type Reply = { status: number; etag: string | null; body: Json };
async function call(n: Name, method: string, route: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const r = await fetch(`${baseUrl(n)}${route}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, etag: r.headers.get('etag'), body: text ? (JSON.parse(text) as Json) : {} };
}
const items = (r: Reply) => (r.body.items ?? []) as Json[];

describe('the collaborative CRM across sales, the partner portal and analytics (real PostgreSQL + Kafka, separate processes)', () => {
  let sales = '';
  let channelManager = '';
  let partnerId = '';
  let partner = ''; // the distributor's token
  let customerId = '';
  let unshared = '';
  let registrationId = '';

  beforeAll(async () => {
    signingKeyFile = (await ensureLocalKeys(dataDir)).signingKeyFile;
    await database.create();
    ports = await freePorts(1 + names.length);
    const http = (p: number) => ({ CRM_HTTP_HOST: '127.0.0.1', CRM_HTTP_PORT: String(p) });
    processes = [
      new WorkerProcess('tools/relay.ts', { ...env, ...http(ports[0]) }, path.join(logDir, `collab-${run}-relay.log`)),
      ...names.map(
        (n) =>
          new WorkerProcess(
            `services/${n}/src/main.ts`,
            { ...env, ...(n === 'partner-portal' ? portalEnv : {}), ...http(port(n)) },
            path.join(logDir, `collab-${run}-${n}.log`),
          ),
      ),
    ];
    for (const p of processes) p.start();
    await waitForProcesses(processes, () => allReady(names.map(baseUrl)), 180000, 'the three services to be ready');

    sales = await tokenFor({ kind: 'staff', subject: 'sari', department: 'sales', roles: [] });
    channelManager = await tokenFor({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    customerId = String((await call('sales', 'POST', '/customers', sales, { kind: 'organisation', name: 'PT Zamrud Logistik' })).body.customerId);
    unshared = String((await call('sales', 'POST', '/customers', sales, { kind: 'organisation', name: 'PT Kept Back' })).body.customerId);

    const registered = await call('partner-portal', 'POST', '/partners', channelManager, { name: 'Nusantara Distribution', partnerKind: 'distributor' });
    expect(registered.status).toBe(201);
    partnerId = String(registered.body.partnerId);
    const credential = (await call('partner-portal', 'POST', `/partners/${partnerId}/credentials`, channelManager)).body;
    // client_secret_basic, as most OAuth libraries send it
    const exchanged = await fetch(`${baseUrl('partner-portal')}/auth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${String(credential.clientId)}:${String(credential.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(exchanged.status).toBe(200);
    partner = String(((await exchanged.json()) as { access_token: string }).access_token);
  }, 300000);

  afterAll(async () => {
    for (const p of processes) await p.kill();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a scoped share: the distributor sees the customer and its own partner deals, never sales’ opportunity; an unshared customer is a 404', async () => {
    // The share names its scope: partner deals only, read-write.
    let shared: Reply | undefined;
    await waitFor(
      async () => (
        (shared = await call('partner-portal', 'POST', `/partners/${partnerId}/shares`, channelManager, {
          customerId,
          episodeTypes: ['partner-deal'],
          access: 'read-write',
        })),
        shared.status === 201
      ),
      60000,
      'the portal to know the customer (through Kafka)',
    );
    const opportunity = await call('sales', 'POST', '/opportunities', sales, { customerId, name: 'Fleet renewal', amount: 4_000_000, currency: 'EUR' });
    expect(opportunity.status).toBe(201);
    const opportunityId = String(opportunity.body.episodeId);

    await waitFor(
      async () => (await call('partner-portal', 'GET', `/customers/${customerId}`, partner)).status === 200,
      60000,
      'the share to reach the portal',
    );
    expect(items(await call('partner-portal', 'GET', '/customers', partner)).map((c) => c.customerId)).toEqual([customerId]);
    const own = await call('partner-portal', 'POST', '/episodes', partner, { customerId, episodeType: 'partner-deal', name: 'Cold-chain vans' });
    expect(own.status).toBe(201);
    const ownId = String(own.body.episodeId);
    await waitFor(
      async () => JSON.stringify((await call('partner-portal', 'GET', `/customers/${customerId}/timeline`, partner)).body).includes(ownId),
      60000,
      'the partner’s own episode in its timeline',
    );
    // By now the opportunity, appended before the partner's episode, is in the portal's timeline too: out of scope, never shown.
    expect(JSON.stringify((await call('partner-portal', 'GET', `/customers/${customerId}/timeline`, partner)).body)).not.toContain(opportunityId);
    for (const route of [`/customers/${unshared}`, `/customers/${unshared}/timeline`])
      expect((await call('partner-portal', 'GET', route, partner)).status).toBe(404);
    // The company sees who read what (buffered, flushed every 200 ms here).
    await waitFor(
      async () =>
        items(await call('partner-portal', 'GET', `/partners/${partnerId}/access-log?customerId=${unshared}`, channelManager)).some((e) => e.status === 404),
      30000,
      'the refused read in the access log',
    );
  });

  it('deal registration: the conflict with sales’ open opportunity is flagged to staff only; the approval opens the partner’s partner-deal episode', async () => {
    const registered = await call('partner-portal', 'POST', '/deal-registrations', partner, {
      customerId,
      products: ['VAN-L2'],
      estimatedValue: 5_000_000,
      currency: 'EUR',
      expectedCloseDate: new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(registered.status).toBe(201);
    registrationId = String(registered.body.registrationId);
    let review: Json | undefined;
    await waitFor(
      async () => {
        review = items(await call('partner-portal', 'GET', '/deal-registrations/review?status=pending&limit=200', channelManager)).find(
          (r) => r.registrationId === registrationId,
        );
        return review !== undefined;
      },
      60000,
      'the registration in the staff review',
    );
    expect(review!.flags).toEqual(['conflict']);
    expect(review!.conflicts).toEqual([expect.objectContaining({ kind: 'opportunity' })]);
    const seen = await call('partner-portal', 'GET', `/deal-registrations/${registrationId}`, partner);
    expect(seen.body.status).toBe('pending');
    expect(JSON.stringify(seen.body)).not.toContain('conflict');

    const one = await call('partner-portal', 'GET', `/deal-registrations/review/${registrationId}`, channelManager);
    const approved = await call('partner-portal', 'POST', `/deal-registrations/${registrationId}/approve`, channelManager, undefined, {
      'if-match': String(one.etag),
    });
    expect(approved.status).toBe(200);
    const episodeId = String(approved.body.episodeId);
    await waitFor(
      async () => JSON.stringify((await call('partner-portal', 'GET', `/customers/${customerId}/timeline`, partner)).body).includes(episodeId),
      60000,
      'the approved deal’s episode in the partner’s timeline',
    );
  });

  it('sell-through: the distributor’s report becomes purchases analytics attributes to it; a line on an unshared customer is refused like an unknown one', async () => {
    const orderDate = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const line = (customer: string, externalId: string) => ({
      customerId: customer,
      externalId,
      orderDate,
      productId: 'VAN-L2',
      quantity: 2,
      unitPrice: 1_250_000,
      currency: 'EUR',
    });
    const report = await call('partner-portal', 'POST', '/sell-through', partner, { lines: [line(customerId, 'INV-1'), line(unshared, 'INV-2')] });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ recorded: 1, refused: 1 });
    const orderId = String((report.body.lines as Json[])[0].orderId);
    let order: Json | undefined;
    await waitFor(
      async () => {
        const purchases = await call('analytics', 'GET', `/customers/${customerId}/purchases`, sales);
        order = ((purchases.body.orders ?? []) as Json[]).find((o) => o.orderId === orderId);
        return order !== undefined;
      },
      60000,
      'the reported purchase in analytics (through Kafka)',
    );
    expect(order).toMatchObject({ source: 'sell-through', partnerId, total: 2_500_000, currency: 'EUR' });
    expect(((await call('analytics', 'GET', `/customers/${unshared}/purchases`, sales)).body.orders ?? []) as Json[]).toEqual([]);
  });

  it('partner users: a sales user acts under its own identity (the access log names it), may not work repairs, and a removed user is 401', async () => {
    // The channel manager invites the partner's first admin; the partner's own credential (admin rights) manages the rest.
    expect(
      (await call('partner-portal', 'POST', `/partners/${partnerId}/users`, channelManager, { name: 'Ayu Admin', email: 'ayu@nusantara.example' })).status,
    ).toBe(201);
    const invited = await call('partner-portal', 'POST', '/users', partner, { name: 'Sales Satu', email: 'sales1@nusantara.example', role: 'sales' });
    expect(invited.status).toBe(201);
    const userId = String(invited.body.userId);
    const credential = (await call('partner-portal', 'POST', `/users/${userId}/credentials`, partner)).body;
    const user = String(
      (await call('partner-portal', 'POST', '/auth/token', undefined, { clientId: credential.clientId, clientSecret: credential.clientSecret })).body
        .access_token,
    );
    expect((await call('partner-portal', 'GET', `/customers/${customerId}`, user)).status).toBe(200);
    expect((await call('partner-portal', 'GET', '/repairs', user)).body.code).toBe('role-not-allowed');
    await waitFor(
      async () =>
        items(await call('partner-portal', 'GET', `/partners/${partnerId}/access-log?customerId=${customerId}`, channelManager)).some(
          (e) => e.partnerUser === userId && e.status === 200,
        ),
      30000,
      'the user’s read in the access log',
    );
    expect((await call('partner-portal', 'DELETE', `/users/${userId}`, partner)).status).toBe(204);
    expect((await call('partner-portal', 'GET', `/customers/${customerId}`, user)).status).toBe(401);
  });

  it('lead distribution: sales captures a lead, the routing profile reaches the portal through Kafka, the distributor accepts and sales’ lead shows it', async () => {
    const profile = { territories: [{ country: 'ID' }], products: [], tier: 'gold', capacity: 5, active: true };
    expect((await call('partner-portal', 'PUT', `/partners/${partnerId}/routing-profile`, channelManager, profile)).status).toBe(200);
    const captured = await call('sales', 'POST', '/leads', sales, {
      source: 'web-form',
      name: 'Wati Prospek',
      company: 'CV Prospek',
      email: 'wati@prospek.example',
      country: 'ID',
    });
    expect([captured.status, captured.body.code]).toEqual([201, undefined]);
    const leadId = String(captured.body.leadId);
    // Until the published routing profile is in the portal's read model, no partner is eligible.
    await waitFor(
      async () => {
        await call('partner-portal', 'POST', `/leads/${leadId}/distribution`, channelManager, { products: [] });
        return (await call('partner-portal', 'GET', `/leads/${leadId}`, partner)).status === 200;
      },
      60000,
      'the lead in the distributor’s inbox',
    );
    const accepted = await call('partner-portal', 'POST', `/leads/${leadId}/accept`, partner);
    expect(accepted.status).toBe(200);
    const lead = await call('sales', 'GET', `/leads/${leadId}`, sales);
    expect(lead.body).toMatchObject({ owner: `partner/${partnerId}`, distribution: { status: 'accepted', partnerId } });
  });

  it('a revoked share ends the distributor’s access at once: customer, timeline, registration and report all answer as for an unknown customer', async () => {
    expect((await call('partner-portal', 'DELETE', `/partners/${partnerId}/shares/${customerId}`, channelManager)).status).toBe(204);
    // The portal checks the partner's stream on every request: no wait for Kafka.
    expect((await call('partner-portal', 'GET', `/customers/${customerId}`, partner)).status).toBe(404);
    expect((await call('partner-portal', 'GET', `/customers/${customerId}/timeline`, partner)).status).toBe(404);
    expect(items(await call('partner-portal', 'GET', '/customers', partner)).map((c) => c.customerId)).not.toContain(customerId);
    expect((await call('partner-portal', 'GET', `/deal-registrations/${registrationId}`, partner)).status).toBe(404);
    const late = await call('partner-portal', 'POST', '/sell-through', partner, {
      lines: [
        {
          customerId,
          externalId: 'INV-3',
          orderDate: new Date().toISOString().slice(0, 10),
          productId: 'VAN-L2',
          quantity: 1,
          unitPrice: 100,
          currency: 'EUR',
        },
      ],
    });
    expect((late.body.lines as Json[])[0]).toMatchObject({ status: 'refused', code: 'customer-not-shared' });
  });
});
