import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

// The console's server, loaded by its path as tools/embedded-host.ts does (an app, not a library).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadConsoleConfig, startConsole } = require(
  path.resolve(__dirname, '../../apps/console/server/start-console.ts'),
) as typeof import('../../apps/console/server/start-console');
type RunningConsole = Awaited<ReturnType<typeof startConsole>>;

// The console's server as the services' live streams need it: a server-sent event goes through
// /api/<service>/… as soon as the service writes it (not when the answer ends), the Authorization
// header goes along unchanged, and the probes say whether the web app is there to serve.
describe('console server: live streams and probes', () => {
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-console-static-'));
  let upstream: http.Server;
  let running: RunningConsole;
  /** The upstream's open stream: the spec writes to it. */
  let open: { res: http.ServerResponse; authorization?: string } | undefined;
  let opened: () => void = () => undefined;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      open = { res, authorization: req.headers.authorization };
      opened();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const config = loadConsoleConfig({
      CRM_MODE: 'distributed',
      CRM_HTTP_HOST: '127.0.0.1',
      CRM_CONSOLE_STATIC_DIR: staticDir,
      CRM_CONSOLE_SALES_URL: url,
      CRM_CONSOLE_SERVICE_URL: url,
      CRM_CONSOLE_MARKETING_URL: url,
      CRM_CONSOLE_PARTNER_PORTAL_URL: url,
      CRM_CONSOLE_ANALYTICS_URL: url,
    });
    running = await startConsole(config, 0);
  });
  afterAll(async () => {
    await running?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
    fs.rmSync(staticDir, { recursive: true, force: true });
  });

  it('passes each event on as the service writes it, with the bearer token unchanged; ends when the service ends it', async () => {
    const ready = new Promise<void>((resolve) => (opened = resolve));
    const r = await fetch(`${running.url}/api/sales/customers/x/timeline/live`, { headers: { authorization: 'Bearer abc.def.ghi' } });
    await ready;
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    expect(open!.authorization).toBe('Bearer abc.def.ghi');
    const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    // The upstream's answer is still open: each read can only be answered by what was written so far.
    open!.res.write('event: ready\ndata: {}\n\n');
    expect((await reader.read()).value).toBe('event: ready\ndata: {}\n\n');
    open!.res.write('event: timeline\ndata: {"kind":"InteractionRecorded"}\n\n');
    expect((await reader.read()).value).toBe('event: timeline\ndata: {"kind":"InteractionRecorded"}\n\n');
    open!.res.end();
    expect((await reader.read()).done).toBe(true);
  });

  it('GET /health/live answers 200; /health/ready 503 until the web app is built, then 200', async () => {
    expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
    const notBuilt = await fetch(`${running.url}/health/ready`);
    expect(notBuilt.status).toBe(503);
    expect(((await notBuilt.json()) as { reason: string }).reason).toContain('not built');
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>CRM</title>');
    expect((await fetch(`${running.url}/health/ready`)).status).toBe(200);
  });
});
