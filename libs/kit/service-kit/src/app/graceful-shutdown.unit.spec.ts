import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeConnectionsWhileDraining, closeHttpServer, processDraining } from './graceful-shutdown';

/** A server whose `/slow` answers only when the test says so. */
async function serve(): Promise<{ server: http.Server; base: string; answerSlow: () => void; slowArrived: Promise<void> }> {
  let answerSlow!: () => void;
  let arrived!: () => void;
  const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (answerSlow = resolve));
  const server = http.createServer((req, res) => {
    closeConnectionsWhileDraining(req, res, () => {
      if (req.url === '/slow') {
        arrived();
        void released.then(() => res.end('slow'));
      } else res.end('fast');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answerSlow, slowArrived };
}

function get(url: string): Promise<{ status: number; connection?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: new http.Agent({ keepAlive: true }) }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      })
      .on('error', reject);
  });
}

describe('graceful shutdown of the HTTP server', () => {
  afterEach(() => processDraining.reset());

  it('answers with Connection: close once draining, also a request that arrived before', async () => {
    const { server, base, answerSlow, slowArrived } = await serve();
    expect((await get(`${base}/fast`)).connection).toBe('keep-alive');
    const slow = get(`${base}/slow`);
    await slowArrived;
    processDraining.begin();
    expect(processDraining.draining).toBe(true);
    answerSlow();
    expect(await slow).toMatchObject({ body: 'slow', connection: 'close' });
    expect((await get(`${base}/fast`)).connection).toBe('close');
    await closeHttpServer(server, 60000);
  });

  it('stops accepting at once but lets the request in flight finish before it resolves', async () => {
    const { server, base, answerSlow, slowArrived } = await serve();
    const slow = get(`${base}/slow`);
    await slowArrived;
    let closed = false;
    const closing = closeHttpServer(server, 60000).then(() => (closed = true));
    await expect(get(`${base}/fast`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closed).toBe(false);
    answerSlow();
    expect(await slow).toMatchObject({ status: 200, body: 'slow' });
    await closing;
    expect(closed).toBe(true);
  });

  it('cuts a request still in flight after the timeout, so a hung request cannot hold the shutdown', async () => {
    const { server, base, slowArrived } = await serve();
    const slow = get(`${base}/slow`);
    await slowArrived;
    await closeHttpServer(server, 10);
    await expect(slow).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});
