import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  type: string;
  body: Json;
}

// GET /customer-shares/{customerId} (issue 16): which partners see a customer, for the console's
// customer page — staff of any department; never a partner; revokes and expiries hold at once.
describe('the partners a customer is shared with (staff read)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-customer-shares-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let commands: RelationshipCommands;
  let management = '';
  let analyst = '';
  let partnerToken = '';
  let distributor = '';
  let repairs = '';

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };
  const call = async (method: string, url: string, token: string | undefined, body?: unknown): Promise<Reply> => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Json };
  };
  const names = (r: Reply) => ((r.body.partners ?? []) as { name: string }[]).map((p) => p.name);
  const until = (assertion: () => Promise<unknown>) =>
    waitFor(async () => {
      try {
        await assertion();
        return true;
      } catch {
        return false;
      }
    });
  const register = async (name: string, partnerKind: string) => String((await call('POST', '/partners', management, { name, partnerKind })).body.partnerId);

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir, CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    const mint = app.app.get(TokenMint);
    commands = createRelationshipCommands(platform.eventStore, { clock });
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    analyst = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: ['agent'] });
    distributor = await register('Distributor D', 'distributor');
    repairs = await register('Repairs R', 'service-provider');
    partnerToken = await mint.mint({ kind: 'partner', subject: 'p.d', partnerId: distributor, roles: [] });
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('names each partner with its scope; a revoke and an expiry take it off at once', async () => {
    const x = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Xenon' })).id;
    await until(async () => expect((await call('GET', `/customer-shares/${x}`, analyst)).body).toEqual({ customerId: x, partners: [] }));
    const expiresAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    expect((await call('POST', `/partners/${distributor}/shares`, management, { customerId: x })).status).toBe(201);
    expect(
      (await call('POST', `/partners/${repairs}/shares`, management, { customerId: x, episodeTypes: ['case', 'return-repair'], access: 'read', expiresAt }))
        .status,
    ).toBe(201);
    await until(async () => expect(names(await call('GET', `/customer-shares/${x}`, analyst)).sort()).toEqual(['Distributor D', 'Repairs R']));
    const shares = (await call('GET', `/customer-shares/${x}`, analyst)).body.partners as Json[];
    expect(shares.find((p) => p.partnerId === repairs)).toEqual({
      partnerId: repairs,
      name: 'Repairs R',
      partnerKind: 'service-provider',
      episodeTypes: ['case', 'return-repair'],
      access: 'read',
      sharedAt: expect.any(String),
      expiresAt,
    });
    expect(shares.find((p) => p.partnerId === distributor)).toMatchObject({ episodeTypes: null, access: 'read-write' });

    expect((await call('DELETE', `/partners/${distributor}/shares/${x}`, management)).status).toBe(204);
    expect(names(await call('GET', `/customer-shares/${x}`, analyst))).toEqual(['Repairs R']);
    clock.advance(3_600_000); // the repair provider's share ends: no event needed
    expect(names(await call('GET', `/customer-shares/${x}`, analyst))).toEqual([]);
  });

  it("with asOf: the shares as they stood then, from the partners' history (a later revoke, expiry or deactivation does not rewrite the past)", async () => {
    const z = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Zirkon' })).id;
    await until(async () => expect((await call('GET', `/customer-shares/${z}`, analyst)).status).toBe(200));
    const before = clock.now().toISOString();
    clock.advance(60_000);
    const reseller = await register('Reseller S', 'reseller');
    expect((await call('POST', `/partners/${distributor}/shares`, management, { customerId: z })).status).toBe(201);
    const expiresAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    expect((await call('POST', `/partners/${reseller}/shares`, management, { customerId: z, access: 'read', expiresAt })).status).toBe(201);
    clock.advance(60_000);
    const bothShared = clock.now().toISOString();
    clock.advance(60_000);
    expect((await call('DELETE', `/partners/${distributor}/shares/${z}`, management)).status).toBe(204);
    expect((await call('DELETE', `/partners/${reseller}`, management)).status).toBe(204); // deactivated: its shares end with it
    clock.advance(60_000);
    await until(async () => expect(names(await call('GET', `/customer-shares/${z}`, analyst))).toEqual([]));

    const then = await call('GET', `/customer-shares/${z}?asOf=${encodeURIComponent(bothShared)}`, analyst);
    expect(then.status).toBe(200);
    expect(then.body.asOf).toBe(bothShared);
    expect(names(then)).toEqual(['Distributor D', 'Reseller S']);
    expect((then.body.partners as Json[]).find((p) => p.partnerId === reseller)).toMatchObject({ access: 'read', expiresAt, episodeTypes: null });
    expect(names(await call('GET', `/customer-shares/${z}?asOf=${encodeURIComponent(before)}`, analyst))).toEqual([]);
    // An hour and more after the reseller's share was made, it had ended by itself even without the deactivation.
    const afterExpiry = new Date(Date.parse(expiresAt) + 1).toISOString();
    expect(names(await call('GET', `/customer-shares/${z}?asOf=${encodeURIComponent(afterExpiry)}`, analyst))).toEqual([]);
    // Now (no asOf): nobody; the answer says no asOf.
    const now = await call('GET', `/customer-shares/${z}`, analyst);
    expect(now.body).toEqual({ customerId: z, partners: [] });
  });

  it('bad input and callers: a bad id is a 400 naming it, an unknown customer a 404, a partner 403, no token 401', async () => {
    const bad = await call('GET', '/customer-shares/not-a-uuid', analyst);
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect(((bad.body.errors ?? []) as { field: string }[]).map((e) => e.field)).toContain('customerId');
    // As sent on the wire: NUL, a lone surrogate's bytes (not UTF-8), a month 13, an hour 25.
    for (const asOf of ['yesterday', '2026-13-01T00%3A00%3A00Z', 'x%00', '%ED%A0%80', '2026-06-01T25%3A00%3A00Z', '%5B%5D']) {
      const r = await call('GET', `/customer-shares/${randomUUID()}?asOf=${asOf}`, analyst);
      expect([r.status, r.type]).toEqual([400, expect.stringContaining('application/problem+json')]);
      expect(((r.body.errors ?? []) as { field: string }[]).map((e) => e.field)).toContain('asOf');
    }
    const twice = await call('GET', `/customer-shares/${randomUUID()}?asOf=2026-06-01T00:00:00Z&asOf=2026-06-02T00:00:00Z`, analyst);
    expect(twice.status).toBe(400);
    const unknown = await call('GET', `/customer-shares/${randomUUID()}`, analyst);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
    const x = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Yudha' })).id;
    await until(async () => expect((await call('GET', `/customer-shares/${x}`, analyst)).status).toBe(200));
    expect((await call('GET', `/customer-shares/${x}`, partnerToken)).status).toBe(403);
    expect((await call('GET', `/customer-shares/${x}`, undefined)).status).toBe(401);
  });
});
