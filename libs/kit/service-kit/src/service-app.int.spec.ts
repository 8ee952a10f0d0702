import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Body, Controller, Get, Headers, HttpCode, Inject, Module, Param, Post, Query, Res } from '@nestjs/common';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { IntegrationEventRegistry } from '@crm/bus';
import { loadConfig, PlatformConfig } from '@crm/config';
import { type EventStore } from '@crm/event-store';
import { createPlatform, type Platform } from '@crm/platform';
import { servedResponseProblems } from './testing/openapi-responses';
import {
  actorFromPrincipal,
  createServiceApp,
  CurrentPrincipal,
  ensureLocalKeys,
  etagForRevision,
  EVENT_STORE,
  expectedRevisionFromIfMatch,
  HttpProblem,
  mintToken,
  Public,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  serviceConfigClass,
  TokenMint,
  type LocalKeys,
  type Principal,
  type ServiceApp,
  type ServiceConfig,
} from './index';

class ContactDto {
  @IsEmail()
  email!: string;

  @IsOptional()
  @IsString()
  name?: string;
}

class CreateThingDto {
  @IsString()
  @IsNotEmpty()
  title!: string;

  @IsInt()
  @Min(0)
  amount!: number;

  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => ContactDto)
  contacts!: ContactDto[];
}

class ListThingsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';
}

class NoteDto {
  @IsString()
  @IsNotEmpty()
  text!: string;
}

class DomainRuleViolation extends Error {
  override readonly name = 'DomainRuleViolation';
  readonly code = 'AMOUNT_TOO_HIGH';
}

class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

interface ResponseLike {
  setHeader(name: string, value: string): void;
}

@Controller('things')
class ThingsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Post()
  @RequireDepartment('sales', 'management')
  create(@Body() dto: CreateThingDto, @CurrentPrincipal() principal: Principal) {
    return { title: dto.title, contacts: dto.contacts.map((c) => c.email), isDto: dto instanceof CreateThingDto, by: principal.subject };
  }

  @Get()
  list(@Query() query: ListThingsQuery, @CurrentPrincipal() principal: Principal) {
    return { limit: query.limit ?? null, status: query.status ?? null, principal };
  }

  @Public()
  @Get('public')
  open(@CurrentPrincipal() principal: Principal | undefined) {
    return { public: true, principal: principal ?? null };
  }

  @RequireKind('partner')
  @Get('partner')
  partner(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @RequireRoles('manager', 'admin')
  @Get('managed')
  managed() {
    return { ok: true };
  }

  @Get('missing/:id')
  missing(@Param('id') id: string) {
    throw new NotFoundError(`thing ${id} does not exist`);
  }

  @Post('rule')
  rule() {
    throw new DomainRuleViolation('the amount exceeds the credit limit');
  }

  @Get('teapot')
  teapot() {
    throw new HttpProblem(418, 'short and stout', { extensions: { brewing: true } });
  }

  @Get('boom')
  boom() {
    throw new Error('password=hunter2 at db.internal:5432');
  }

  /** Appends a note to the thing's stream: the first needs no If-Match, later ones If-Match: "<revision>". */
  @Post(':id/notes')
  @HttpCode(201)
  async note(
    @Param('id') id: string,
    @Body() dto: NoteDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: ResponseLike,
  ) {
    const result = await this.store.appendToStream(
      `thing-${id}`,
      [
        {
          id: randomUUID(),
          type: 'ThingNoted',
          data: { text: dto.text },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: actorFromPrincipal(principal),
            occurredAt: new Date().toISOString(),
            visibility: { departments: '*', partners: [] },
          },
        },
      ],
      { expectedRevision: expectedRevisionFromIfMatch(ifMatch) ?? 'no_stream' },
    );
    res.setHeader('ETag', etagForRevision(result.nextExpectedRevision));
    return { revision: result.nextExpectedRevision.toString() };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

describe('createServiceApp (over real HTTP)', () => {
  let dataDir: string;
  let platform: Platform;
  let config: ServiceConfig;
  let service: ServiceApp;
  let baseUrl: string;
  let keys: LocalKeys;
  let mint: TokenMint;
  const logs: ['warn' | 'error', string][] = [];

  const alice: Principal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };
  const bob: Principal = { kind: 'staff', subject: 'bob', department: 'service', roles: ['manager'] };
  const pat: Principal = { kind: 'partner', subject: 'pat', partnerId: 'acme', roles: ['partner-admin'] };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-service-kit-'));
    const env = { CRM_MODE: 'embedded', CRM_DATA_DIR: dataDir };
    platform = await createPlatform(loadConfig(PlatformConfig, env), { registry: new IntegrationEventRegistry(), clientId: 't' });
    config = loadConfig(serviceConfigClass(3999), { ...env, CRM_LOG_LEVEL: 'error' });
    service = await createServiceApp({
      name: 'things',
      module: ThingsModule,
      config,
      platform,
      openApi: { title: 'Things', description: 'A test service', version: '1.2.3' },
      shutdownHooks: false,
      bodyLimit: '10kb',
      logger: {
        log: () => undefined,
        warn: (message: unknown) => void logs.push(['warn', String(message)]),
        error: (message: unknown) => void logs.push(['error', String(message)]),
      },
    });
    baseUrl = await service.listen(0);
    mint = service.app.get(TokenMint);
    keys = await ensureLocalKeys(dataDir);
  });

  afterAll(async () => {
    await service?.close();
    await platform?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    url: string,
    options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${baseUrl}${url}`, { method, headers, body });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (HTML, JS)
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  function expectProblem(reply: Reply, status: number): void {
    expect({ status: reply.status, type: reply.headers.get('content-type') }).toEqual({ status, type: 'application/problem+json; charset=utf-8' });
    expect(reply.json).toMatchObject({ status, title: expect.any(String), type: expect.any(String) });
  }

  const validThing = { title: 'Deal', amount: 10, contacts: [{ email: 'a@example.com' }, { email: 'b@example.com', name: 'B' }] };

  describe('authentication', () => {
    it('accepts a good token and hands the principal to the handler', async () => {
      const reply = await call('POST', '/things', { token: await mint.mint(alice), body: validThing });
      expect(reply.status).toBe(201);
      expect(reply.json).toEqual({ title: 'Deal', contacts: ['a@example.com', 'b@example.com'], isDto: true, by: 'alice' });
    });

    it('401 problem with WWW-Authenticate: Bearer without a token', async () => {
      const reply = await call('GET', '/things');
      expectProblem(reply, 401);
      expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="crm"');
      expect(reply.json).toMatchObject({ title: 'Unauthorized', instance: '/things' });
    });

    it('401 invalid_token for a malformed header, a garbage token, a tampered and a foreign-key token', async () => {
      const good = await mint.mint(alice);
      const [h, p, s] = good.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
      const tampered = [h, Buffer.from(JSON.stringify({ ...claims, dept: 'management' })).toString('base64url'), s].join('.');
      const otherKeys = await ensureLocalKeys(path.join(dataDir, 'elsewhere'));
      const foreign = await mintToken(alice, { signingKey: otherKeys, issuer: config.CRM_JWT_ISSUER, audience: config.CRM_JWT_AUDIENCE });
      for (const authorization of [`Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer not-a-jwt', `Bearer ${tampered}`, `Bearer ${foreign}`]) {
        const reply = await call('GET', '/things', { headers: { authorization } });
        expectProblem(reply, 401);
        expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer realm="crm", error="invalid_token", error_description=".+"$/);
      }
    });

    it('401 for an expired token, a wrong issuer and a wrong audience', async () => {
      const options = { signingKey: keys, issuer: config.CRM_JWT_ISSUER, audience: config.CRM_JWT_AUDIENCE };
      const expired = await mintToken(alice, { ...options, expiresIn: '1h', now: new Date(Date.now() - 2 * 3600_000) });
      const wrongIssuer = await mintToken(alice, { ...options, issuer: 'someone-else' });
      const wrongAudience = await mintToken(alice, { ...options, audience: 'other-app' });
      const expiredReply = await call('GET', '/things', { token: expired });
      expectProblem(expiredReply, 401);
      expect(expiredReply.json.detail).toMatch(/expired/);
      const issuerReply = await call('GET', '/things', { token: wrongIssuer });
      expectProblem(issuerReply, 401);
      expect(issuerReply.json.detail).toMatch(/"iss"/);
      const audienceReply = await call('GET', '/things', { token: wrongAudience });
      expectProblem(audienceReply, 401);
      expect(audienceReply.json.detail).toMatch(/"aud"/);
    });

    it('accepts a key added to the JWKS file after start-up (rotation)', async () => {
      const newKeys = await ensureLocalKeys(path.join(dataDir, 'rotated'));
      const jwksFile = path.join(dataDir, 'keys', 'jwks.json');
      const jwks = JSON.parse(await fs.readFile(jwksFile, 'utf8')) as { keys: unknown[] };
      await fs.writeFile(jwksFile, JSON.stringify({ keys: [...jwks.keys, newKeys.publicJwk] }));
      await new Promise((r) => setTimeout(r, 1100)); // the file is re-read at most once a second
      const token = await mintToken(bob, { signingKey: newKeys, issuer: config.CRM_JWT_ISSUER, audience: config.CRM_JWT_AUDIENCE });
      expect((await call('GET', '/things/managed', { token })).status).toBe(200);
    });

    it('public routes need no token', async () => {
      const reply = await call('GET', '/things/public');
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ public: true, principal: null });
    });
  });

  describe('authorisation', () => {
    it('403 problem for a wrong department, a staff member on a partner route, a partner on a department route, a missing role', async () => {
      const checks: [Principal, string, string][] = [
        [bob, 'POST', '/things'],
        [pat, 'POST', '/things'],
        [alice, 'GET', '/things/partner'],
        [alice, 'GET', '/things/managed'],
      ].map(([p, m, u]) => [p as Principal, m as string, u as string]);
      for (const [principal, method, url] of checks) {
        const reply = await call(method, url, { token: await mint.mint(principal), body: method === 'POST' ? validThing : undefined });
        expectProblem(reply, 403);
        expect(reply.json).toMatchObject({ title: 'Forbidden', type: 'urn:crm:problem:forbidden', instance: url });
      }
    });

    it('admits the right kind and role', async () => {
      const partner = await call('GET', '/things/partner', { token: await mint.mint(pat) });
      expect(partner.status).toBe(200);
      expect(partner.json).toEqual(pat);
      expect((await call('GET', '/things/managed', { token: await mint.mint(bob) })).status).toBe(200);
    });
  });

  describe('validation', () => {
    it('400 problem naming every field: missing, wrong type, nested array item, unknown top-level and nested fields', async () => {
      const reply = await call('POST', '/things', {
        token: await mint.mint(alice),
        body: { amount: -1, contacts: [{ email: 'ok@example.com' }, { email: 'nope', phone: '1' }], colour: 'red' },
      });
      expectProblem(reply, 400);
      expect(reply.json.type).toBe('urn:crm:problem:validation-failed');
      const errors = reply.json.errors as { field: string; message: string }[];
      expect([...new Set(errors.map((e) => e.field))].sort()).toEqual(['amount', 'colour', 'contacts.1.email', 'contacts.1.phone', 'title']);
      expect(errors).toContainEqual({ field: 'colour', message: 'unknown field' });
      expect(errors).toContainEqual({ field: 'contacts.1.phone', message: 'unknown field' });
      expect(errors).toContainEqual({ field: 'contacts.1.email', message: 'email must be an email' });
      expect(reply.json.detail).toMatch(/contacts\.1\.email/);
    });

    it('validates and converts query parameters, refusing unknown ones', async () => {
      const token = await mint.mint(alice);
      const ok = await call('GET', '/things?limit=20&status=open', { token });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ limit: 20, status: 'open', principal: alice });
      const bad = await call('GET', '/things?limit=500&status=lost&sort=name', { token });
      expectProblem(bad, 400);
      expect((bad.json.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['limit', 'sort', 'status']);
    });

    it('malformed JSON and a body over the limit are problems too', async () => {
      const token = await mint.mint(alice);
      const malformed = await call('POST', '/things', { token, rawBody: '{"title": ' });
      expectProblem(malformed, 400);
      const huge = await call('POST', '/things', { token, body: { ...validThing, title: 'x'.repeat(20_000) } });
      expectProblem(huge, 413);
    });
  });

  describe('error mapping', () => {
    it('409 for a concurrency conflict, 412 when If-Match was stale, 201 with the right If-Match', async () => {
      const token = await mint.mint(alice);
      const id = randomUUID();
      const first = await call('POST', `/things/${id}/notes`, { token, body: { text: 'one' } });
      expect(first.status).toBe(201);
      expect(first.headers.get('etag')).toBe('"0"');

      const conflict = await call('POST', `/things/${id}/notes`, { token, body: { text: 'two' } });
      expectProblem(conflict, 409);
      expect(conflict.json).toMatchObject({ type: 'urn:crm:problem:concurrency-conflict', title: 'Conflict' });

      const stale = await call('POST', `/things/${id}/notes`, { token, body: { text: 'two' }, headers: { 'if-match': '"7"' } });
      expectProblem(stale, 412);
      expect(stale.json).toMatchObject({ type: 'urn:crm:problem:precondition-failed', title: 'Precondition Failed' });

      const ok = await call('POST', `/things/${id}/notes`, { token, body: { text: 'two' }, headers: { 'if-match': 'W/"0"' } });
      expect(ok.status).toBe(201);
      expect(ok.headers.get('etag')).toBe('"1"');

      const malformed = await call('POST', `/things/${id}/notes`, { token, body: { text: 'three' }, headers: { 'if-match': 'yesterday' } });
      expectProblem(malformed, 400);
    });

    it('404 for NotFoundError and 422 for DomainRuleViolation (by name), with the code', async () => {
      const token = await mint.mint(alice);
      const missing = await call('GET', '/things/missing/42', { token });
      expectProblem(missing, 404);
      expect(missing.json).toMatchObject({ detail: 'thing 42 does not exist', instance: '/things/missing/42' });
      const rule = await call('POST', '/things/rule', { token });
      expectProblem(rule, 422);
      expect(rule.json).toMatchObject({ detail: 'the amount exceeds the credit limit', code: 'AMOUNT_TOO_HIGH', title: 'Unprocessable Entity' });
    });

    it('an HttpProblem as thrown; an unknown route as a 404 problem', async () => {
      const token = await mint.mint(alice);
      const teapot = await call('GET', '/things/teapot', { token });
      expectProblem(teapot, 418);
      expect(teapot.json).toEqual({
        type: 'about:blank',
        title: "I'm a Teapot",
        status: 418,
        detail: 'short and stout',
        instance: '/things/teapot',
        brewing: true,
      });
      const unknown = await call('GET', '/nowhere?x=1');
      expectProblem(unknown, 404);
      expect(unknown.json.instance).toBe('/nowhere');
    });

    it('500 problem for anything else, without leaking the message', async () => {
      const reply = await call('GET', '/things/boom', { token: await mint.mint(alice) });
      expectProblem(reply, 500);
      expect(reply.text).not.toMatch(/hunter2|db\.internal/);
      expect(reply.json.detail).toBe('an unexpected error occurred');
      expect(logs).toContainEqual(['error', expect.stringMatching(/GET \/things\/boom → 500: Error: password=hunter2/)]);
    });
  });

  describe('metrics', () => {
    it('counts and times every request by method, route pattern and status — ids never become labels, refused and unknown routes are `unmatched`', async () => {
      const token = await mint.mint(alice);
      const line = (text: string, metric: string, labels: string) =>
        text.split('\n').find((l) => l.startsWith(`${metric}{`) && labels.split(',').every((label) => l.includes(label)));
      const count = async (labels: string) =>
        Number(
          line((await call('GET', '/metrics')).text, 'crm_http_requests_total', labels)
            ?.split(' ')
            .pop() ?? 0,
        );
      const before = await count('method="GET",route="/things/missing/:id",status="404"');
      await call('GET', '/things/missing/41', { token });
      await call('GET', '/things/missing/42', { token });
      expect(await count('method="GET",route="/things/missing/:id",status="404"')).toBe(before + 2);
      const unknown = await count('method="GET",route="unmatched",status="404"');
      await call('GET', '/nowhere');
      expect(await count('method="GET",route="unmatched",status="404"')).toBe(unknown + 1);
      const scraped = (await call('GET', '/metrics')).text;
      expect(scraped).not.toContain('/things/missing/41');
      expect(line(scraped, 'crm_http_request_duration_seconds_count', 'route="/things/missing/:id",status="404"')).toBeDefined();
      expect(line(scraped, 'crm_http_requests_total', 'service="things"')).toBeDefined();
    });
  });

  describe('health', () => {
    it('GET /health is alive, without a token', async () => {
      const reply = await call('GET', '/health');
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ status: 'ok' });
      expect(await servedResponseProblems(baseUrl, 'get', '/health', 200, reply.json)).toEqual([]);
    });

    it('GET /health/ready checks the event store, the bus and the database', async () => {
      const reply = await call('GET', '/health/ready');
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({
        status: 'ok',
        checks: { eventStore: { status: 'up' }, bus: { status: 'up' }, database: { status: 'up' } },
      });
      expect(await servedResponseProblems(baseUrl, 'get', '/health/ready', 200, reply.json)).toEqual([]);
    });

    it('GET /health/ready answers 503 naming what is down', async () => {
      const ping = jest.spyOn(platform.bus, 'ping').mockRejectedValueOnce(new Error('broker gone'));
      try {
        const reply = await call('GET', '/health/ready');
        expectProblem(reply, 503);
        expect(reply.json).toMatchObject({ detail: 'not ready: bus down', checks: { bus: { status: 'down', reason: 'error' }, eventStore: { status: 'up' } } });
        expect(reply.text).not.toMatch(/broker gone/);
        expect(logs).toContainEqual(['warn', 'readiness: bus is down: broker gone']);
        expect(logs.filter(([level]) => level === 'error')).not.toContainEqual(['error', expect.stringMatching(/not ready/)]);
      } finally {
        ping.mockRestore();
      }
    });
  });

  describe('several services in one process (the embedded host)', () => {
    it('a second app on the same platform runs side by side, sharing the key pair', async () => {
      @Controller('other')
      class OtherController {
        @Get()
        get(@CurrentPrincipal() principal: Principal) {
          return { service: 'other', subject: principal.subject };
        }
      }
      @Module({ controllers: [OtherController] })
      class OtherModule {}
      const other = await createServiceApp({
        name: 'other',
        module: OtherModule,
        config,
        platform,
        openApi: { title: 'Other' },
        shutdownHooks: false,
        logger: false,
      });
      try {
        const otherUrl = await other.listen(0);
        const token = await other.app.get(TokenMint).mint(alice);
        const reply = await fetch(`${otherUrl}/other`, { headers: { authorization: `Bearer ${token}` } });
        expect(await reply.json()).toEqual({ service: 'other', subject: 'alice' });
        expect((await call('GET', '/things', { token })).status).toBe(200);
        expect((await fetch(`${otherUrl}/things`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      } finally {
        await other.close();
      }
      expect((await call('GET', '/health')).status).toBe(200);
    });
  });

  describe('OpenAPI', () => {
    it('serves /openapi.json with the paths, the bearer scheme, and public operations marked so', async () => {
      const reply = await call('GET', '/openapi.json');
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      const doc = reply.json as {
        openapi: string;
        info: { title: string; version: string };
        paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; 'x-crm-public'?: unknown }>>;
        components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      };
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info).toMatchObject({ title: 'Things', version: '1.2.3' });
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready', '/things', '/things/public', '/things/{id}/notes']));
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      expect(doc.components.schemas).toHaveProperty('Problem');
      expect(doc.components.schemas).toHaveProperty('CreateThingDto');
      expect(doc.paths['/things'].post.security).toEqual([{ bearer: [] }]);
      expect(doc.paths['/things'].post.responses).toHaveProperty('401');
      expect(doc.paths['/things'].post.responses).toHaveProperty('400');
      expect(doc.paths['/health'].get.security).toEqual([]);
      expect(doc.paths['/things/public'].get.security).toEqual([]);
      expect(doc.paths['/health'].get).not.toHaveProperty('x-crm-public');
    });

    it('serves Swagger UI at /docs from local assets', async () => {
      const page = await call('GET', '/docs');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toMatch(/swagger-ui/);
      expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing from the internet
      for (const asset of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/swagger-ui-init.js']) {
        const reply = await call('GET', asset);
        expect({ asset, status: reply.status }).toEqual({ asset, status: 200 });
        expect(reply.text.length).toBeGreaterThan(100);
      }
    });

    it('sends /docs/ (trailing slash, once a blank page) to /docs', async () => {
      const r = await fetch(`${baseUrl}/docs/`, { redirect: 'manual' });
      expect(r.status).toBe(301);
      expect(r.headers.get('location')).toBe('/docs');
      const followed = await fetch(`${baseUrl}/docs/`);
      expect(followed.status).toBe(200);
      expect(await followed.text()).toMatch(/swagger-ui/);
    });
  });
});
