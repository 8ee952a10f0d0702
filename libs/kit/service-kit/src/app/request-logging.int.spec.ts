import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Body, Controller, Get, Headers, Inject, Logger, Module, NotFoundException, Param, Post } from '@nestjs/common';
import { IsEmail } from 'class-validator';
import { IntegrationEventRegistry } from '@crm/bus';
import { loadConfig, PlatformConfig } from '@crm/config';
import type { EventStore } from '@crm/event-store';
import { createPlatform, type Platform } from '@crm/platform';
import { actorFromPrincipal, createServiceApp, CurrentPrincipal, EVENT_STORE, serviceConfigClass, TokenMint, type Principal, type ServiceApp } from '../index';

class ContactDto {
  @IsEmail()
  email!: string;
}

@Controller('contacts')
class ContactsController {
  private readonly logger = new Logger('Contacts');
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Appends one event the way a command does: the correlation id from the header parameter. */
  @Post()
  async create(@Body() dto: ContactDto, @CurrentPrincipal() principal: Principal, @Headers('x-correlation-id') correlationId: string | undefined) {
    const id = randomUUID();
    this.logger.log(`contact ${id} recorded`);
    await this.store.appendToStream(`contact-${id}`, [
      {
        id: randomUUID(),
        type: 'ContactRecorded',
        data: { domain: dto.email.split('@')[1] },
        metadata: { correlationId: correlationId ?? 'none', causationId: id, occurredAt: new Date(0).toISOString(), actor: actorFromPrincipal(principal) },
      },
    ]);
    return { id };
  }

  /** A read outside the caller's scope answers 404, as the partner portal's does. */
  @Get(':id')
  read(@Param('id') id: string) {
    throw new NotFoundException(`contact ${id} not found`);
  }

  @Get(':id/metadata')
  async metadata(@Param('id') id: string) {
    const [event] = await this.store.readStream(`contact-${id}`);
    return event.metadata;
  }
}

@Module({ controllers: [ContactsController] })
class ContactsModule {}

type Line = Record<string, unknown>;

describe('structured request logs and the request context', () => {
  let dataDir: string;
  let platform: Platform;
  let service: ServiceApp;
  let baseUrl: string;
  let mint: TokenMint;
  let written = '';
  const lines = (): Line[] =>
    written
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const requestLines = () => lines().filter((l) => l['route'] !== undefined && l['status'] !== undefined);

  const alice: Principal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };
  const pat: Principal = { kind: 'partner', subject: 'pat-client', partnerId: 'acme', roles: ['partner-admin'] };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'crm-logs-'));
    const env = { CRM_MODE: 'embedded', CRM_DATA_DIR: dataDir };
    platform = await createPlatform(loadConfig(PlatformConfig, env), { registry: new IntegrationEventRegistry(), clientId: 't' });
    service = await createServiceApp({
      name: 'contacts',
      module: ContactsModule,
      config: loadConfig(serviceConfigClass(3999), { ...env, CRM_LOG_LEVEL: 'info', CRM_LOG_FORMAT: 'json' }),
      platform,
      openApi: { title: 'Contacts', description: 'A test service', version: '1.0.0' },
      shutdownHooks: false,
      logDestination: { write: (line: string) => void (written += line) },
    });
    baseUrl = await service.listen(0);
    mint = service.app.get(TokenMint);
  });

  afterAll(async () => {
    await service?.close();
    await platform?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    written = '';
  });

  const post = async (headers: Record<string, string>, body: unknown) =>
    fetch(`${baseUrl}/contacts?email=someone%40example.com`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('writes one JSON line per request: method, route pattern, status, duration, principal, correlation and trace id — never the token, the body or the query', async () => {
    const token = await mint.mint(alice);
    const reply = await post({ authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-1' }, { email: 'dewi.lestari@example.com' });
    expect(reply.status).toBe(201);
    const traceparent = reply.headers.get('traceparent')!;

    const [line] = requestLines();
    expect(requestLines()).toHaveLength(1);
    expect(line).toMatchObject({
      level: 'info',
      service: 'contacts',
      msg: 'request',
      method: 'POST',
      route: '/contacts',
      status: 201,
      principal: { kind: 'staff', id: 'alice' },
      correlationId: 'corr-1',
      traceId: traceparent.split('-')[1],
    });
    expect(typeof line['durationMs']).toBe('number');
    expect(typeof line['time']).toBe('string');
    // The application's own Logger calls become structured lines of the same request.
    expect(lines().find((l) => l['context'] === 'Contacts')).toMatchObject({ level: 'info', correlationId: 'corr-1' });
    expect(written).not.toContain(token);
    expect(written).not.toContain('Bearer');
    expect(written).not.toContain('dewi.lestari');
    expect(written).not.toContain('someone');
  });

  it('answers 401/403 and a partner 404 at warn (the caller’s address when no principal is known), probes at debug', async () => {
    expect((await post({ authorization: 'Bearer not-a-token' }, { email: 'x@example.com' })).status).toBe(401);
    const partnerToken = await mint.mint(pat);
    expect((await fetch(`${baseUrl}/contacts/${randomUUID()}`, { headers: { authorization: `Bearer ${partnerToken}` } })).status).toBe(404);
    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);

    const [unauthorized, refused] = requestLines();
    expect(unauthorized).toMatchObject({ level: 'warn', msg: 'request refused', status: 401 });
    expect(typeof unauthorized['remoteAddress']).toBe('string');
    expect(unauthorized['principal']).toBeUndefined();
    expect(refused).toMatchObject({ level: 'warn', status: 404, route: '/contacts/:id', principal: { kind: 'partner', id: 'pat-client', partnerId: 'acme' } });
    // The health probe is logged at debug, below CRM_LOG_LEVEL=info: not written.
    expect(requestLines()).toHaveLength(2);
    expect(written).not.toContain('not-a-token');
  });

  describe('request context', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const incoming = `00-${traceId}-00f067aa0ba902b7-01`;

    it('accepts x-correlation-id and traceparent/tracestate, echoes them (a new parent id in the caller’s trace) and stamps them on the appended event', async () => {
      const reply = await post(
        { authorization: `Bearer ${await mint.mint(alice)}`, 'x-correlation-id': 'order-import-7', traceparent: incoming, tracestate: 'vendor=abc' },
        { email: 'a@example.com' },
      );
      expect(reply.status).toBe(201);
      expect(reply.headers.get('x-correlation-id')).toBe('order-import-7');
      const echoed = reply.headers.get('traceparent')!;
      expect(echoed).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(echoed).not.toBe(incoming);
      expect(reply.headers.get('tracestate')).toBe('vendor=abc');

      const { id } = (await reply.json()) as { id: string };
      const metadata = (await (
        await fetch(`${baseUrl}/contacts/${id}/metadata`, { headers: { authorization: `Bearer ${await mint.mint(alice)}` } })
      ).json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({ correlationId: 'order-import-7', traceparent: echoed, tracestate: 'vendor=abc' });
    });

    it('generates both when absent, and replaces malformed ones instead of refusing the request', async () => {
      const token = await mint.mint(alice);
      const none = await post({ authorization: `Bearer ${token}` }, { email: 'a@example.com' });
      expect(none.status).toBe(201);
      expect(none.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(none.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);

      for (const [correlation, traceparent] of [
        ['has spaces in it', 'not-a-traceparent'],
        ['x'.repeat(500), `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
        ['semi;colon<script>', `01-${traceId}-00f067aa0ba902b7-01-extra`],
      ]) {
        const reply = await post(
          { authorization: `Bearer ${token}`, 'x-correlation-id': correlation, traceparent, tracestate: 'a=b' },
          { email: 'a@example.com' },
        );
        expect(reply.status).toBe(201);
        expect(reply.headers.get('x-correlation-id')).not.toBe(correlation);
        expect(reply.headers.get('traceparent')).not.toContain(traceId);
        // tracestate without a valid traceparent is dropped (W3C: it belongs to the parent).
        expect(reply.headers.get('tracestate')).toBeNull();
        const { id } = (await reply.json()) as { id: string };
        const metadata = (await (await fetch(`${baseUrl}/contacts/${id}/metadata`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<
          string,
          unknown
        >;
        expect(metadata['correlationId']).toBe(reply.headers.get('x-correlation-id'));
        expect(metadata['traceparent']).toBe(reply.headers.get('traceparent'));
      }
    });
  });
});
