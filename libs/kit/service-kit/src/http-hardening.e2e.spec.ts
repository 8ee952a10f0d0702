import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { IntegrationEventRegistry } from '@crm/bus';
import { loadConfig } from '@crm/config';
import { createPlatform, type Platform } from '@crm/platform';
import { createServiceApp, Public, serviceConfigClass, type ServiceApp } from './index';

@Controller('ping')
class PingController {
  @Public()
  @Get()
  ping(): { pong: true } {
    return { pong: true };
  }

  @Public()
  @Get('again')
  again(): { pong: true } {
    return { pong: true };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

const ALLOWED = 'https://app.example.com';

/** One service process on an embedded platform with the given settings, listening on a free port. */
async function start(env: Record<string, string>): Promise<{ base: string; stop(): Promise<void> }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-hardening-'));
  const config = loadConfig(serviceConfigClass(3999), { CRM_MODE: 'embedded', CRM_DATA_DIR: dataDir, CRM_LOG_LEVEL: 'error', ...env });
  const platform: Platform = await createPlatform(config, { registry: new IntegrationEventRegistry(), clientId: 't' });
  const service: ServiceApp = await createServiceApp({
    name: 'hardening',
    module: PingModule,
    config,
    platform,
    openApi: { title: 'Hardening', description: 'test', version: '1.0.0' },
    shutdownHooks: false,
    logger: false,
  });
  const base = await service.listen(0);
  return {
    base,
    async stop() {
      await service.close();
      await platform.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe('HTTP hardening: security headers, CORS by setting', () => {
  let app: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    app = await start({ CRM_CORS_ORIGINS: `${ALLOWED},http://localhost:5173` });
  });
  afterAll(() => app?.stop());

  it('sends the security headers on answers and on refusals', async () => {
    for (const url of ['/ping', '/no-such-route']) {
      const r = await fetch(`${app.base}${url}`);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('allows a preflight from a configured origin, with the API headers', async () => {
    const r = await fetch(`${app.base}/ping`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,if-match' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(r.headers.get('access-control-allow-methods')).toContain('POST');
    expect(r.headers.get('access-control-allow-headers')?.split(',')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'if-match']));
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await fetch(`${app.base}/ping`, { headers: { origin: ALLOWED } });
    expect(get.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(get.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('refuses a preflight and a read from any other origin (no Access-Control-Allow-Origin)', async () => {
    const pre = await fetch(`${app.base}/ping`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.status).not.toBe(204);
    const get = await fetch(`${app.base}/ping`, { headers: { origin: 'https://evil.example.net' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows no origin at all when CRM_CORS_ORIGINS is unset', async () => {
    const other = await start({});
    try {
      const r = await fetch(`${other.base}/ping`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'GET' } });
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await other.stop();
    }
  });
});

describe('HTTP hardening: rate limit by setting', () => {
  let app: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    app = await start({ CRM_RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => app?.stop());

  it('answers 429 problem+json with Retry-After once an address used its budget, on every route; probes stay unlimited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${app.base}/ping`);
      statuses.push(r.status);
      expect(r.headers.get('x-ratelimit-limit')).toBe('3');
      expect(r.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
    }
    expect(statuses).toEqual([200, 200, 200]);

    const refused = await fetch(`${app.base}/ping`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused.json()).toMatchObject({ type: 'urn:crm:problem:too-many-requests', status: 429, instance: '/ping' });
    // The budget is per address across routes, not per handler.
    expect((await fetch(`${app.base}/ping/again`)).status).toBe(429);

    // Kubelet probes and Prometheus scrapes are never limited.
    expect((await fetch(`${app.base}/health`)).status).toBe(200);
    expect((await fetch(`${app.base}/metrics`)).status).toBe(200);
  });
});
