import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ConfigError, loadConfig } from '@crm/config';
import { authSettings, ServiceConfig, TokenVerifier } from '@crm/service-kit';
import { CONSOLE_SERVICES } from './console-config';
import { isLoopback } from './console-server';
import { loadConsoleConfig, startConsole, type RunningConsole } from './start-console';

/** A stand-in for the five services: records what reached it and answers as told. */
function fakeService(name: string): Promise<{ url: string; seen: http.IncomingMessage[]; bodies: string[]; server: http.Server }> {
  const seen: http.IncomingMessage[] = [];
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      if (req.url?.startsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: first\ndata: 1\n\n');
        // The second event only after the test saw the first: the console must not buffer.
        setTimeout(() => res.end('event: second\ndata: 2\n\n'), 300);
        return;
      }
      if (req.url === '/challenge') {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="x"', 'content-type': 'application/problem+json' });
        return res.end('{"title":"Unauthorized"}');
      }
      res.writeHead(201, { 'content-type': 'application/json', etag: '"7"', connection: 'keep-alive' });
      res.end(JSON.stringify({ service: name, url: req.url }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, bodies, server })),
  );
}

describe('the console server', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-console-'));
  const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-console-static-'));
  let services: Awaited<ReturnType<typeof fakeService>>[];
  let running: RunningConsole;
  let url: string;

  beforeAll(async () => {
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>console</title>');
    services = await Promise.all(CONSOLE_SERVICES.map(fakeService));
    const env: Record<string, string> = { CRM_DATA_DIR: dataDir, CRM_HTTP_HOST: '127.0.0.1', CRM_CONSOLE_STATIC_DIR: staticDir };
    CONSOLE_SERVICES.forEach((name, i) => (env[`CRM_CONSOLE_${name.toUpperCase().replace(/-/g, '_')}_URL`] = services[i]!.url));
    running = await startConsole(loadConsoleConfig(env), 0);
    url = running.url.replace('localhost', '127.0.0.1');
  });
  afterAll(async () => {
    await running?.stop();
    for (const s of services ?? []) s.server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(staticDir, { recursive: true, force: true });
  });

  it('forwards /api/<service>/… to that service with method, path, query, body and the bearer token, and returns its answer and headers', async () => {
    const r = await fetch(`${url}/api/partner-portal/customers/1?x=%C3%A9`, {
      method: 'POST',
      headers: { authorization: 'Bearer abc', 'content-type': 'application/json', 'if-match': '"3"' },
      body: '{"a":1}',
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('etag')).toBe('"7"');
    expect(await r.json()).toEqual({ service: 'partner-portal', url: '/customers/1?x=%C3%A9' });
    const portal = services[CONSOLE_SERVICES.indexOf('partner-portal')]!;
    const req = portal.seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers['authorization']).toBe('Bearer abc');
    expect(req.headers['if-match']).toBe('"3"');
    expect(req.headers['x-forwarded-for']).toMatch(/127\.0\.0\.1/);
    expect(portal.bodies.at(-1)).toBe('{"a":1}');
  });

  it('streams server-sent events through as they come (no buffering)', async () => {
    const r = await fetch(`${url}/api/sales/stream`);
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const reader = r.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    // The service holds the second event back 300 ms: the first chunk holds only the first event.
    expect(first).toContain('event: first');
    expect(first).not.toContain('event: second');
    let rest = '';
    for (let c = await reader.read(); !c.done; c = await reader.read()) rest += new TextDecoder().decode(c.value);
    expect(rest).toContain('event: second');
  });

  it('drops a Basic challenge, which would make the browser open its own password dialog', async () => {
    const r = await fetch(`${url}/api/sales/challenge`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBeNull();
  });

  it('answers 404 problem+json for an unknown service and 502 when a service does not answer', async () => {
    const unknown = await fetch(`${url}/api/billing/x`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const analytics = services[CONSOLE_SERVICES.indexOf('analytics')]!;
    await new Promise((resolve) => analytics.server.close(resolve));
    analytics.server.closeAllConnections();
    const down = await fetch(`${url}/api/analytics/kpis`);
    expect(down.status).toBe(502);
    expect(((await down.json()) as { detail: string }).detail).toMatch(/analytics/);
  });

  it('serves the web app for any page address, with security headers', async () => {
    for (const page of ['/', '/customers/5', '/sales/pipeline']) {
      const r = await fetch(`${url}${page}`);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<title>console</title>');
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    }
  });

  it('serves the build compressed, its hashed files cached for good and index.html asked for again; /api answers pass as the service sent them', async () => {
    const script = `console.log(${JSON.stringify('the console '.repeat(500))});`;
    fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(staticDir, 'assets', 'index-Ab12Cd34.js'), script);
    const get = (page: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get(`${url}${page}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const asset = await get('/assets/index-Ab12Cd34.js');
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(asset.body).toString()).toBe(script);
    expect(asset.body.length).toBeLessThan(script.length / 4);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/sales/pipeline')).headers['cache-control']).toBe('no-cache');
    const api = await get('/api/sales/customers');
    expect(api.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(api.body.toString())).toMatchObject({ service: 'sales' });
  });

  it('says how to sign in here', async () => {
    const settings = (await (await fetch(`${url}/console/settings.json`)).json()) as {
      mode: string;
      localSignIn: { departments: string[] } | null;
      oidc: unknown;
    };
    expect(settings.mode).toBe('embedded');
    expect(settings.localSignIn?.departments).toContain('service');
    expect(settings.oidc).toBeNull();
  });

  it('mints a token the services accept for the department and roles asked, in embedded mode', async () => {
    const r = await fetch(`${url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ department: 'service', subject: 'budi.service', roles: ['agent', 'team-lead'] }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const { access_token } = (await r.json()) as { access_token: string };
    const config = loadConfig(ServiceConfig, { CRM_DATA_DIR: dataDir });
    const verifier = await TokenVerifier.create(authSettings(config), dataDir);
    await expect(verifier.verify(access_token)).resolves.toEqual({
      kind: 'staff',
      subject: 'budi.service',
      department: 'service',
      roles: ['agent', 'team-lead'],
    });
  });

  it.each([
    ['an unknown department', { department: 'finance', subject: 'a', roles: [] }, 'department'],
    ['a subject with a NUL', { department: 'sales', subject: 'a\u0000b', roles: [] }, 'subject'],
    ['a lone surrogate', { department: 'sales', subject: '\ud800', roles: [] }, 'subject'],
    ['an unknown role', { department: 'sales', subject: 'a', roles: ['root'] }, 'roles'],
    ['nested arrays for roles', { department: 'sales', subject: 'a', roles: [[]] }, 'roles'],
    ['an array body', [], 'department'],
  ])('refuses %s with 400 problem+json naming the field', async (_name, body, field) => {
    const r = await fetch(`${url}/console/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await r.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });

  it('refuses 2,000-deep JSON, malformed JSON and a body that is not JSON with 4xx', async () => {
    const deep = await fetch(`${url}/console/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '['.repeat(2000) + ']'.repeat(2000),
    });
    expect(deep.status).toBe(400);
    const bad = await fetch(`${url}/console/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"department":' });
    expect(bad.status).toBe(400);
    const text = await fetch(`${url}/console/sign-in`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'sales' });
    expect(text.status).toBe(415);
  });

  it('offers the local sign-in only to this machine', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('10.1.2.3')).toBe(false);
    expect(isLoopback('::ffff:192.168.0.4')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
  });
});

describe('the console settings', () => {
  const upstreams = Object.fromEntries(CONSOLE_SERVICES.map((n) => [`CRM_CONSOLE_${n.toUpperCase().replace(/-/g, '_')}_URL`, 'http://svc:3000']));

  it('has no local sign-in in distributed mode, and refuses one asked for there, naming the setting', () => {
    expect(() => loadConsoleConfig({ CRM_MODE: 'distributed', ...upstreams, CRM_CONSOLE_LOCAL_SIGN_IN: 'true' })).toThrow(/CRM_CONSOLE_LOCAL_SIGN_IN/);
    expect(() => loadConsoleConfig({ CRM_JWKS_URL: 'https://idp.example.com/jwks', CRM_CONSOLE_LOCAL_SIGN_IN: 'true' })).toThrow(ConfigError);
  });

  it('needs every service URL in distributed mode', () => {
    const { CRM_CONSOLE_ANALYTICS_URL: _, ...four } = upstreams;
    expect(() => loadConsoleConfig({ CRM_MODE: 'distributed', ...four })).toThrow(/CRM_CONSOLE_ANALYTICS_URL/);
  });

  it('takes the OIDC issuer and client id together only', () => {
    expect(() => loadConsoleConfig({ CRM_OIDC_ISSUER: 'https://idp.example.com' })).toThrow(/CRM_OIDC_CLIENT_ID/);
    expect(loadConsoleConfig({ CRM_OIDC_ISSUER: 'https://idp.example.com', CRM_OIDC_CLIENT_ID: 'crm-console' }).CRM_OIDC_CLIENT_ID).toBe('crm-console');
  });

  it('refuses a console setting it does not know, naming it (the services ignore the console’s names, so no one else would)', () => {
    expect(() => loadConsoleConfig({ CRM_CONSOLE_PROT: '3000' })).toThrow(/CRM_CONSOLE_PROT: unknown setting/);
    expect(() => loadConsoleConfig({ CRM_OIDC_ISSUR: 'https://idp.example.com' })).toThrow(/CRM_OIDC_ISSUR/);
    // Settings of the services are not the console's business.
    expect(() => loadConsoleConfig({ CRM_KAFKA_CLIENT: 'kafkajs' })).not.toThrow();
  });
});
