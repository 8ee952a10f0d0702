import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '@crm/event-store/testing';
import { allReady, freePorts, waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { ensureLocalKeys, mintToken, type Principal } from '@crm/service-kit';
import { scratchDatabase } from '@crm/service-kit/testing';

const adminUrl = process.env.DATABASE_URL;
const brokers = process.env.KAFKA_BROKERS;
if (!adminUrl || !brokers) throw new Error('DATABASE_URL and KAFKA_BROKERS must be set: run with `npm run test:infra`');

// Partner webhooks (issue 14 §5) across processes on real PostgreSQL + Kafka: sales records the
// history, the partner portal's feed (fed by Kafka) enqueues what the partner may see and its
// dispatcher pushes signed CloudEvents to a local receiver; a share revoked while events flow lets
// nothing after it leave; an unshared customer's events never arrive.
const run = randomUUID().replace(/-/g, '').slice(0, 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `crm-webhooks-${run}-`));
const names = ['sales', 'partner-portal'] as const;
type Name = (typeof names)[number];
let ports: number[] = []; // [relay, ...names]
const port = (n: Name) => ports[1 + names.indexOf(n)];
const baseUrl = (n: Name) => `http://127.0.0.1:${port(n)}`;
const database = scratchDatabase(adminUrl, `crm_webhooks_${run}`);
const env = {
  CRM_MODE: 'distributed',
  CRM_DATABASE_URL: database.url,
  CRM_KAFKA_BROKERS: brokers,
  CRM_KAFKA_TOPIC: `crm.webhooks.${run}`,
  CRM_KAFKA_PARTITIONS: '3',
  CRM_DATA_DIR: dataDir,
  CRM_LOG_LEVEL: 'warn',
};
// The portal's own settings (the relay and sales refuse settings they do not know).
const portalEnv = {
  CRM_PARTNER_WEBHOOK_KEY: `infra-webhook-key-${run}-0123456789abcdef`,
  CRM_PARTNER_WEBHOOK_ALLOW_HTTP: 'true',
  CRM_PARTNER_WEBHOOK_INTERVAL_MS: '200',
};
const logDir = path.resolve(__dirname, '../../../../.local/test-logs');
let processes: WorkerProcess[] = [];
let signingKeyFile = '';
const tokenFor = (principal: Principal) => mintToken(principal, { signingKey: signingKeyFile, issuer: 'crm-embedded', audience: 'crm' });

type Reply = { status: number; body: Record<string, unknown> };
async function call(n: Name, method: string, route: string, token: string, body?: unknown): Promise<Reply> {
  const r = await fetch(`${baseUrl(n)}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  event: { id: string; type: string; subject: string; data: { interaction?: { action?: string } } };
}

describe('partner webhooks on real PostgreSQL + Kafka (separate processes)', () => {
  const received: Received[] = [];
  let receiver: http.Server;
  let receiverUrl = '';

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({
          path: req.url ?? '',
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body,
          event: JSON.parse(body) as Received['event'],
        });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    signingKeyFile = (await ensureLocalKeys(dataDir)).signingKeyFile;
    await database.create();
    ports = await freePorts(1 + names.length);
    const listen = (p: number) => ({ CRM_HTTP_HOST: '127.0.0.1', CRM_HTTP_PORT: String(p) });
    processes = [
      new WorkerProcess('tools/relay.ts', { ...env, ...listen(ports[0]) }, path.join(logDir, `webhooks-${run}-relay.log`)),
      ...names.map(
        (n) =>
          new WorkerProcess(
            `services/${n}/src/main.ts`,
            { ...env, ...(n === 'partner-portal' ? portalEnv : {}), ...listen(port(n)) },
            path.join(logDir, `webhooks-${run}-${n}.log`),
          ),
      ),
    ];
    for (const p of processes) p.start();
    await waitForProcesses(processes, () => allReady(names.map(baseUrl)), 180000, 'sales and the partner portal to be ready');
  }, 240000);

  afterAll(async () => {
    for (const p of processes) await p.kill();
    await database.drop();
    await new Promise((resolve) => receiver?.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('pushes signed CloudEvents of shared customers only; after a revoke nothing of that customer leaves', async () => {
    const sales = await tokenFor({ kind: 'staff', subject: 'sari', department: 'sales', roles: [] });
    const management = await tokenFor({ kind: 'staff', subject: 'admin', department: 'management', roles: ['admin'] });
    const customer = async (name: string) => String((await call('sales', 'POST', '/customers', sales, { kind: 'organisation', name })).body.customerId);
    const [x, y, z] = [await customer('PT Xenon'), await customer('PT Yudha'), await customer('PT Zamrud')];
    const registerPartner = async (name: string) => {
      const partnerId = String((await call('partner-portal', 'POST', '/partners', management, { name, partnerKind: 'reseller' })).body.partnerId);
      const cred = (await call('partner-portal', 'POST', `/partners/${partnerId}/credentials`, management)).body;
      const exchanged = await fetch(`${baseUrl('partner-portal')}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: cred.clientId, clientSecret: cred.clientSecret }),
      });
      return { partnerId, token: String(((await exchanged.json()) as { access_token: string }).access_token) };
    };
    // p1 is revoked from X mid-flow; p2 keeps X: its deliveries show how far the feed has read X's partition.
    const p1 = await registerPartner('Reseller One');
    const p2 = await registerPartner('Reseller Two');
    // the portal knows the customers (through Kafka) before it can share them
    for (const [p, c] of [
      [p1, x],
      [p1, y],
      [p2, x],
    ] as const) {
      await waitFor(
        async () => (await call('partner-portal', 'POST', `/partners/${p.partnerId}/shares`, management, { customerId: c })).status === 201,
        60000,
        'a share',
      );
    }
    const subscribe = async (token: string, at: string) => {
      const r = await call('partner-portal', 'POST', '/webhooks', token, { url: `${receiverUrl}${at}`, eventTypes: ['InteractionRecorded'] });
      expect(r.status).toBe(201);
      return { id: String(r.body.subscriptionId), secret: String(r.body.secret) };
    };
    const s1 = await subscribe(p1.token, '/p1');
    const s2 = await subscribe(p2.token, '/p2');

    const opportunity = async (customerId: string) =>
      String((await call('sales', 'POST', '/opportunities', sales, { customerId, name: 'Deal' })).body.episodeId);
    const interact = async (episodeId: string, action: string) =>
      expect((await call('sales', 'POST', `/opportunities/${episodeId}/interactions`, sales, { channel: 'phone', direction: 'outbound', action })).status).toBe(
        201,
      );
    const [onX, onY, onZ] = [await opportunity(x), await opportunity(y), await opportunity(z)];

    // A subscription's events travel on their own key: until the feed has it, an event is not for it.
    // Warm up on X until both subscriptions have had one.
    const at = (where: string) => received.filter((r) => r.path === where);
    let n = 0;
    await waitFor(
      async () => {
        if (at('/p1').length > 0 && at('/p2').length > 0) return true;
        await interact(onX, `warm-up ${n++}`);
        await new Promise((r) => setTimeout(r, 1000));
        return false;
      },
      90000,
      'the first webhooks to arrive',
    );
    await interact(onZ, 'on the unshared customer');
    await interact(onY, 'on Y');
    await interact(onX, 'before the revoke');
    await waitFor(async () => at('/p1').some((r) => r.event.data.interaction?.action === 'before the revoke'), 60000, 'the event before the revoke');
    expect((await call('partner-portal', 'DELETE', `/partners/${p1.partnerId}/shares/${x}`, management)).status).toBe(204);
    for (let i = 0; i < 5; i++) await interact(onX, `after the revoke ${i}`);
    // p2 still shares X: once its last event reached p2, the feed has judged every one of them for p1 too.
    await waitFor(async () => at('/p2').some((r) => r.event.data.interaction?.action === 'after the revoke 4'), 60000, 'the last event at p2');
    await new Promise((r) => setTimeout(r, 1000)); // a few dispatcher passes more, to catch anything late

    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
      expect(new Webhook(r.path === '/p1' ? s1.secret : s2.secret).verify(r.body, r.headers)).toEqual(r.event);
      expect(r.event.subject).not.toBe(z);
    }
    expect(at('/p1').some((r) => r.event.subject === y)).toBe(true);
    expect(at('/p1').filter((r) => /after the revoke|unshared/.test(r.event.data.interaction?.action ?? ''))).toEqual([]);
    expect(at('/p2').filter((r) => r.event.subject !== x)).toEqual([]);
    for (const [p, s] of [
      [p1, s1],
      [p2, s2],
    ] as const) {
      const log = (await call('partner-portal', 'GET', `/webhooks/${s.id}/deliveries?limit=200`, p.token)).body.items as { customerId: string }[];
      expect(log.some((d) => d.customerId === z)).toBe(false);
    }
  });
});
