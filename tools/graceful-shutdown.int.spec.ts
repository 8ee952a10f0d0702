import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@crm/event-store/testing';
import { freePorts, waitForProcesses, WorkerProcess } from '@crm/projections/testing';
import { ensureLocalKeys, mintToken } from '@crm/service-kit';

// A real service process (sales, embedded mode: PGlite, no servers) receives SIGTERM while requests
// are in flight and more keep coming: readiness turns 503 first, the listener closes only after
// CRM_SHUTDOWN_DELAY_MS, every request sent before the signal is answered (not cut, not 5xx), and
// the process exits 0. No assertion depends on how fast this machine is: the slow requests send the
// rest of their body only once the listener is seen closed, so they are in flight by construction.

interface Answer {
  status: number;
  connection?: string;
}

/**
 * One request on its own connection (no pooling), or `refused` when the listener is closed: the
 * connection is refused, or reset when it raced the close (accepted by the kernel, never read).
 */
function request(base: string, method: string, route: string, headers: Record<string, string> = {}, body?: string): Promise<Answer | 'refused'> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${route}`, { method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' ? resolve('refused') : reject(error)));
    req.end(body);
  });
}

/**
 * A POST whose connection is opened (and proven accepted by a first request on it) before the
 * signal, whose body is only half sent until `finish()`.
 */
async function slowPost(base: string, route: string, token: string, body: string): Promise<{ finish: () => void; answer: Promise<Answer> }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // A first request on the same keep-alive socket: once answered, the server has accepted the connection.
  await new Promise<void>((resolve, reject) => {
    http
      .get(`${base}/health`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
  const half = Math.floor(body.length / 2);
  let finish!: () => void;
  const answer = new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      `${base}${route}`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          agent.destroy();
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
        });
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { finish, answer };
}

describe('graceful shutdown of a service process (SIGTERM)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-shutdown-'));
  let sales: WorkerProcess;
  let base: string;

  beforeAll(async () => {
    const [port] = await freePorts(1);
    base = `http://127.0.0.1:${port}`;
    sales = new WorkerProcess(
      'services/sales/src/main.ts',
      {
        CRM_MODE: 'embedded',
        CRM_DATA_DIR: dataDir,
        CRM_HTTP_HOST: '127.0.0.1',
        CRM_HTTP_PORT: String(port),
        CRM_LOG_LEVEL: 'warn',
        // Long enough for the readiness poller below to see the 503 before the listener closes.
        CRM_SHUTDOWN_DELAY_MS: '1500',
        // Generous: the slow requests must finish, never be cut, however slow the machine.
        CRM_SHUTDOWN_TIMEOUT_MS: '120000',
      },
      path.join(dataDir, 'sales.log'),
    );
    sales.start();
    await waitForProcesses(
      [sales],
      async () =>
        request(base, 'GET', '/health/ready').then(
          (a) => a !== 'refused' && a.status === 200,
          () => false,
        ),
      120000,
      'sales ready',
    );
  }, 150000);

  afterAll(async () => {
    await sales.kill();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns unready first, finishes every request in flight, then exits 0', async () => {
    const token = await mintToken(
      { kind: 'staff', subject: 'ops', department: 'sales', roles: ['agent'] },
      { signingKey: (await ensureLocalKeys(dataDir)).signingKeyFile, issuer: 'crm-embedded', audience: 'crm' },
    );
    const customer = (i: number) => JSON.stringify({ kind: 'person', name: `Shutdown ${i}`, contacts: [], identities: [] });

    // Requests in flight at the signal: a body half sent.
    const slow = await Promise.all([0, 1, 2].map((i) => slowPost(base, '/customers', token, customer(i))));

    // A steady stream of requests, before and after the signal.
    let signalled = false;
    let streaming = true;
    const sentBefore: Promise<Answer | 'refused'>[] = [];
    const sentAfter: Promise<Answer | 'refused'>[] = [];
    const stream = (async () => {
      for (let i = 100; streaming; i++) {
        const answer = request(base, 'POST', '/customers', { 'content-type': 'application/json', authorization: `Bearer ${token}` }, customer(i));
        (signalled ? sentAfter : sentBefore).push(answer);
        if ((await answer) === 'refused') return;
      }
    })();

    // Readiness as a load balancer sees it, in order.
    const readiness: (number | 'refused')[] = [];
    const poller = (async () => {
      for (;;) {
        const answer = await request(base, 'GET', '/health/ready');
        readiness.push(answer === 'refused' ? answer : answer.status);
        if (answer === 'refused') return;
      }
    })();

    await waitFor(async () => sentBefore.length >= 3 && readiness.length >= 3, 60000, 'requests flowing');
    const exited = sales.terminate();
    signalled = true;

    // The listener closes (a new connection is refused)…
    await poller;
    // …and only now do the slow requests send the rest of their body: they are in flight during the drain.
    for (const s of slow) s.finish();
    const slowAnswers = await Promise.all(slow.map((s) => s.answer));
    streaming = false;
    await stream;
    const { code, signal } = await exited;

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // Readiness: 200 until the signal, then 503 (shutting down) before the listener closed.
    const firstUnready = readiness.indexOf(503);
    expect(firstUnready).toBeGreaterThan(0);
    expect(readiness.slice(0, firstUnready).every((s) => s === 200)).toBe(true);
    expect(readiness.slice(firstUnready, -1).every((s) => s === 503)).toBe(true);
    expect(readiness[readiness.length - 1]).toBe('refused');
    // Every request sent before the signal got its answer, none a 5xx: the slow ones were applied.
    expect(slowAnswers.map((a) => a.status)).toEqual([201, 201, 201]);
    for (const a of slowAnswers) expect(a.connection).toBe('close');
    const before = await Promise.all(sentBefore);
    expect(before.filter((a) => a === 'refused' || a.status >= 500)).toEqual([]);
    // Sent after it: answered normally while the listener was still open, refused once it closed — never a 5xx.
    const after = await Promise.all(sentAfter);
    expect(after.filter((a) => a !== 'refused' && a.status >= 500)).toEqual([]);
  }, 180000);
});
