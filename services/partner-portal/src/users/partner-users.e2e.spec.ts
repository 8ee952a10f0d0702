import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { partnerStream } from '@crm/relationship';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { mintToken, TokenMint, type ServiceApp, type SigningKey, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  type: string;
  etag: string | null;
  body: Json;
}

// Partner people (issue 14 §1): users with roles, managed by the partner's admins, each acting under
// its own identity, and the end of a partnership — on the embedded portal with a test clock.
describe('partner users (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-users-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let mint: TokenMint;
  let commands: RelationshipCommands;
  let management = '';
  let channelManager = '';
  let salesAgent = '';

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };

  const send = async (method: string, url: string, token: string | undefined, body?: string, headers: Record<string, string> = {}): Promise<Reply> => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      body,
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', etag: r.headers.get('etag'), body: (text ? JSON.parse(text) : {}) as Json };
  };
  const call = (method: string, url: string, token: string | undefined, body?: unknown, headers?: Record<string, string>) =>
    send(method, url, token, body === undefined ? undefined : JSON.stringify(body), headers);
  const fields = (r: Reply) => ((r.body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const problem = (r: Reply, status: number, field?: string) => {
    expect({ status: r.status, type: r.type }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
    if (field) expect(fields(r)).toContain(field);
  };
  const until = (assertion: () => Promise<unknown>) =>
    waitFor(async () => {
      try {
        await assertion();
        return true;
      } catch {
        return false;
      }
    });

  let partnerD = '';
  let partnerB = '';
  let orgD = ''; // D's organisation credential: every right, as before users existed
  let orgB = '';
  let adminId = '';
  let adminToken = '';
  let salesId = '';
  let salesToken = '';
  let serviceId = '';
  let serviceToken = '';
  let customerX = '';

  const register = async (name: string, partnerKind: string) => String((await call('POST', '/partners', management, { name, partnerKind })).body.partnerId);
  const exchange = async (credential: Json) => call('POST', '/auth/token', undefined, { clientId: credential.clientId, clientSecret: credential.clientSecret });
  const tokenFor = async (credential: Json) => {
    const r = await exchange(credential);
    expect(r.status).toBe(200);
    return String(r.body.access_token);
  };
  const userToken = async (by: string, userId: string) => {
    const issued = await call('POST', `/users/${userId}/credentials`, by);
    expect(issued.status).toBe(201);
    expect(issued.body.userId).toBe(userId);
    return tokenFor(issued.body);
  };
  const invite = async (by: string, name: string, role: string) => {
    const r = await call('POST', '/users', by, { name, email: `${name.toLowerCase()}@distributor-d.example`, role });
    expect(r.status).toBe(201);
    return String(r.body.userId);
  };
  const partnerEvents = async (partnerId: string) => platform.eventStore.readStream(partnerStream(partnerId));

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir, CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    commands = createRelationshipCommands(platform.eventStore, { clock });
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    channelManager = await mint.mint({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    salesAgent = await mint.mint(alice);
    partnerD = await register('Distributor D', 'distributor');
    partnerB = await register('Reseller B', 'reseller');
    orgD = await tokenFor((await call('POST', `/partners/${partnerD}/credentials`, management)).body);
    orgB = await tokenFor((await call('POST', `/partners/${partnerB}/credentials`, management)).body);
    customerX = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Xenon' })).id;
    expect((await call('POST', `/partners/${partnerD}/shares`, channelManager, { customerId: customerX })).status).toBe(201);
    await until(async () => expect((await call('GET', `/customers/${customerX}`, orgD)).status).toBe(200));
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a channel manager invites the partner's first admin, and only the first", async () => {
    const first = await call('POST', `/partners/${partnerD}/users`, channelManager, { name: 'Budi', email: 'budi@distributor-d.example' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ userId: expect.any(String), role: 'admin' });
    adminId = String(first.body.userId);
    const second = await call('POST', `/partners/${partnerD}/users`, channelManager, { name: 'Eko', email: 'eko@distributor-d.example' });
    problem(second, 422);
    expect(second.body.code).toBe('admin-exists');
    problem(await call('POST', `/partners/${randomUUID()}/users`, management, { name: 'X', email: 'x@y.example' }), 404);
    // who may: not a plain sales agent, not a partner, not without a token
    problem(await call('POST', `/partners/${partnerD}/users`, salesAgent, { name: 'X', email: 'x@y.example' }), 403);
    problem(await call('POST', `/partners/${partnerD}/users`, orgD, { name: 'X', email: 'x@y.example' }), 403);
    problem(await call('POST', `/partners/${partnerD}/users`, undefined, { name: 'X', email: 'x@y.example' }), 401);
    // The name and e-mail are the employee's personal data: sealed in the store
    const added = (await partnerEvents(partnerD)).find((e) => e.type === 'PartnerUserAdded');
    expect(added?.data).toMatchObject({ userId: adminId, role: 'admin', addedBy: 'rudi' });
    expect(JSON.stringify(added?.data)).not.toContain('budi@distributor-d.example');
  });

  it('the admin invites sales and service users, lists them with an ETag, and gives each a credential of its own', async () => {
    adminToken = await userToken(orgD, adminId); // the organisation credential keeps every right: it issues the admin's
    salesId = await invite(adminToken, 'Sari', 'sales');
    serviceId = await invite(adminToken, 'Vina', 'service');
    const list = await call('GET', '/users', adminToken);
    expect(list.status).toBe(200);
    expect(list.etag).toMatch(/^"\d+"$/);
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: adminId, name: 'Budi', email: 'budi@distributor-d.example', role: 'admin' }),
        expect.objectContaining({ userId: salesId, name: 'Sari', role: 'sales' }),
        expect.objectContaining({ userId: serviceId, name: 'Vina', role: 'service' }),
      ]),
    );
    salesToken = await userToken(adminToken, salesId);
    serviceToken = await userToken(adminToken, serviceId);
    // the other roles do not manage users
    problem(await call('GET', '/users', salesToken), 403);
    problem(await call('POST', '/users', serviceToken, { name: 'Z', email: 'z@d.example', role: 'admin' }), 403);
    problem(await call('POST', `/users/${salesId}/credentials`, salesToken), 403);
  });

  it('each user acts under its own identity: the events record the user, the access log names it', async () => {
    const opened = await call('POST', '/episodes', salesToken, { customerId: customerX, name: 'Dealer sale', episodeType: 'partner-deal' });
    expect(opened.status).toBe(201);
    const [openedEvent] = await platform.eventStore.readStream(`episode-${String(opened.body.episodeId)}`);
    expect(openedEvent.metadata.actor).toEqual({ type: 'partner-user', id: salesId, partnerId: partnerD });
    const noted = await call('POST', `/episodes/${String(opened.body.episodeId)}/interactions`, salesToken, {
      channel: 'phone',
      direction: 'outbound',
      action: 'demo call',
    });
    expect(noted.status).toBe(201);
    const events = await platform.eventStore.readStream(`episode-${String(opened.body.episodeId)}`);
    expect(events.at(-1)?.data).toMatchObject({ interaction: { actor: { kind: 'partner-user', id: salesId } } });

    const requested = await call('POST', '/share-requests', salesToken, { customerId: randomUUID(), reason: 'They asked us' });
    expect(requested.status).toBe(202);
    const request = (await partnerEvents(partnerD)).find((e) => e.type === 'PartnerShareRequested');
    expect(request?.data).toMatchObject({ requestedBy: salesId });

    const registered = await call('POST', '/deal-registrations', salesToken, {
      customerId: customerX,
      products: ['VAN-L2'],
      estimatedValue: 5000000,
      currency: 'EUR',
      expectedCloseDate: '2026-09-30',
    });
    expect(registered.status).toBe(201);
    const [dealEvent] = await platform.eventStore.readStream(`dealregistration-${String(registered.body.registrationId)}`);
    expect(dealEvent.data).toMatchObject({ registeredBy: salesId });

    expect((await call('GET', `/customers/${customerX}`, serviceToken)).status).toBe(200);
    const log = await call('GET', `/partners/${partnerD}/access-log?customerId=${customerX}`, management);
    expect(((log.body.items ?? []) as Json[])[0]).toMatchObject({ partnerUser: serviceId, customerId: customerX, status: 200 });
    // the organisation credential still acts as the organisation
    expect((await call('GET', `/customers/${customerX}`, orgD)).status).toBe(200);
    const again = await call('GET', `/partners/${partnerD}/access-log?customerId=${customerX}`, management);
    expect(((again.body.items ?? []) as Json[])[0]).toMatchObject({ partnerUser: null });
  });

  it('roles restrict what a user may do: a sales user gets no repair, a service user no deal registration', async () => {
    const repair = await call('POST', '/episodes', salesToken, { customerId: customerX, name: 'Broken unit', episodeType: 'return-repair' });
    problem(repair, 403);
    expect(repair.body.code).toBe('role-not-allowed');
    problem(await call('GET', '/repairs', salesToken), 403);
    const deal = await call('POST', '/deal-registrations', serviceToken, {
      customerId: customerX,
      products: ['VAN-L2'],
      estimatedValue: 100,
      currency: 'EUR',
      expectedCloseDate: '2026-09-30',
    });
    problem(deal, 403);
    expect(deal.body.code).toBe('role-not-allowed');
    problem(await call('POST', '/episodes', serviceToken, { customerId: customerX, name: 'Deal', episodeType: 'partner-deal' }), 403);
    problem(await call('POST', '/sell-through', serviceToken, { lines: [] }), 403);
    problem(await call('POST', '/share-requests', serviceToken, { customerId: randomUUID(), reason: 'r' }), 403);
    expect((await call('GET', '/repairs', serviceToken)).status).toBe(200);
    expect((await call('GET', '/repairs', adminToken)).status).toBe(200);
  });

  it('changes a role with If-Match (a stale one is 412 before any rule), and the new role holds from the next request', async () => {
    const list = await call('GET', '/users', adminToken);
    problem(await call('PATCH', `/users/${adminId}`, adminToken, { role: 'sales' }, { 'if-match': '"0"' }), 412); // before last-admin
    const changed = await call('PATCH', `/users/${salesId}`, adminToken, { role: 'service' }, { 'if-match': String(list.etag) });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ userId: salesId, role: 'service' });
    expect((await call('GET', '/repairs', salesToken)).status).toBe(200); // the same token, the new role
    problem(await call('POST', '/share-requests', salesToken, { customerId: randomUUID(), reason: 'r' }), 403);
    const event = (await partnerEvents(partnerD)).find((e) => e.type === 'PartnerUserRoleChanged');
    expect(event?.data).toMatchObject({ userId: salesId, from: 'sales', to: 'service', changedBy: adminId });
  });

  it('never leaves the organisation without an admin', async () => {
    const demote = await call('PATCH', `/users/${adminId}`, adminToken, { role: 'sales' });
    problem(demote, 422);
    expect(demote.body.code).toBe('last-admin');
    const remove = await call('DELETE', `/users/${adminId}`, adminToken);
    problem(remove, 422);
    expect(remove.body.code).toBe('last-admin');
  });

  it("removes a user: its token is 401 from the next request; another partner's user ids are 404", async () => {
    expect((await call('DELETE', `/users/${serviceId}`, adminToken)).status).toBe(204);
    problem(await call('GET', `/customers/${customerX}`, serviceToken), 401);
    problem(await call('GET', '/repairs', serviceToken), 401);
    problem(await call('DELETE', `/users/${serviceId}`, adminToken), 404);
    expect(((await call('GET', '/users', adminToken)).body.items as Json[]).map((u) => u.userId)).not.toContain(serviceId);
    // B's organisation sees nothing of D's users: the same 404 as an unknown id
    for (const id of [salesId, adminId, randomUUID()]) {
      problem(await call('PATCH', `/users/${id}`, orgB, { role: 'sales' }), 404);
      problem(await call('DELETE', `/users/${id}`, orgB), 404);
      problem(await call('POST', `/users/${id}/credentials`, orgB), 404);
    }
    expect((await call('GET', '/users', orgB)).body.items).toEqual([]);
  });

  it('a user sees only what its organisation was given: a revoked share and an unknown customer are the same 404', async () => {
    const y = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Yakin' })).id;
    expect((await call('POST', `/partners/${partnerD}/shares`, channelManager, { customerId: y })).status).toBe(201);
    await until(async () => expect((await call('GET', `/customers/${y}`, salesToken)).status).toBe(200));
    expect((await call('DELETE', `/partners/${partnerD}/shares/${y}`, channelManager)).status).toBe(204);
    const unknown = randomUUID();
    const body = (r: Reply, id: string) => JSON.stringify(r.body).split(id).join('<id>');
    const revoked = await call('GET', `/customers/${y}/timeline`, salesToken);
    const missing = await call('GET', `/customers/${unknown}/timeline`, salesToken);
    expect([revoked.status, missing.status]).toEqual([404, 404]);
    expect(body(revoked, y)).toBe(body(missing, unknown));
    problem(await call('POST', '/episodes', adminToken, { customerId: y, name: 'x', episodeType: 'partner-deal' }), 404);
    problem(await call('GET', `/customers/${customerX}`, await mint.mint({ kind: 'partner', subject: 'x', partnerId: partnerB, roles: [] })), 404);
  });

  it('refuses bad input as problem+json naming the field, never a 5xx', async () => {
    const bad: Array<[unknown, string]> = [
      [{ name: 'A\u0000B', email: 'a@b.example', role: 'sales' }, 'name'],
      [{ name: 'A\ud800', email: 'a@b.example', role: 'sales' }, 'name'],
      [{ name: [['x']], email: 'a@b.example', role: 'sales' }, 'name'],
      [{ name: 'A', email: 'not an e-mail', role: 'sales' }, 'email'],
      [{ name: 'A', email: 'a@b.example', role: 'owner' }, 'role'],
      [{ name: 'A', email: 'a@b.example', role: [['admin']] }, 'role'],
    ];
    for (const [body, field] of bad) problem(await call('POST', '/users', adminToken, body), 400, field);
    problem(await call('PATCH', `/users/${salesId}`, adminToken, { role: 'root' }), 400, 'role');
    problem(await call('POST', `/partners/${partnerD}/users`, channelManager, { name: 'B\u0000', email: 'b@x.example' }), 400, 'name');
    problem(await send('POST', '/users', adminToken, 'name=A', { 'content-type': 'text/plain' }), 415);
    problem(await call('PATCH', '/users/not-a-uuid', adminToken, { role: 'sales' }), 400, 'id');
    problem(await call('DELETE', '/users/%00', adminToken), 400);
    problem(await call('POST', '/partners/not-a-uuid/users', management, { name: 'B', email: 'b@x.example' }), 400, 'id');
    problem(await call('PATCH', `/users/${salesId}`, adminToken, { role: 'sales' }, { 'if-match': 'garbage' }), 400);
  });

  it('401 without a token, with a forged or expired one, or of a revoked user credential; staff get 403 on the partner routes', async () => {
    problem(await call('GET', '/users', undefined), 401);
    problem(await call('GET', '/users', 'eyJhbGciOiJIUzI1NiJ9.e30.forged'), 401);
    problem(await call('GET', '/users', `${adminToken.slice(0, -4)}AAAA`), 401);
    // expired: signed with the portal's own key, issued two hours ago for one hour (the verifier judges exp by the wall clock)
    const internals = mint as unknown as { key: Promise<SigningKey>; settings: { issuer: string; audience: string } };
    const expired = await mintToken(
      { kind: 'partner', subject: `${partnerD}.x`, partnerId: partnerD, roles: ['partner'], userId: adminId },
      {
        signingKey: await internals.key,
        issuer: internals.settings.issuer,
        audience: internals.settings.audience,
        expiresIn: '1h',
        now: new Date(Date.now() - 7_200_000),
      },
    );
    problem(await call('GET', '/users', expired), 401);
    // a user's second credential, revoked by the channel manager: that token only stops working
    const second = (await call('POST', `/users/${salesId}/credentials`, adminToken)).body;
    const secondToken = await tokenFor(second);
    expect((await call('GET', `/customers/${customerX}`, secondToken)).status).toBe(200);
    expect((await call('DELETE', `/partners/${partnerD}/credentials/${String(second.clientId)}`, channelManager)).status).toBe(204);
    problem(await call('GET', `/customers/${customerX}`, secondToken), 401);
    problem(await exchange(second), 401);
    expect((await call('GET', `/customers/${customerX}`, salesToken)).status).toBe(200);
    // a token naming a user with another user's (active) credential is no token of that user
    const third = (await call('POST', `/users/${salesId}/credentials`, adminToken)).body;
    const mixed = await mint.mint({ kind: 'partner', subject: String(third.clientId), partnerId: partnerD, roles: ['partner'], userId: adminId });
    problem(await call('GET', '/users', mixed), 401);
    problem(await call('GET', '/users', management), 403);
    problem(await call('DELETE', `/partners/${partnerD}`, salesAgent), 403);
    problem(await call('DELETE', `/partners/${partnerD}`, undefined), 401);
    problem(await call('DELETE', `/partners/${partnerD}`, orgD), 403);
  });

  it('documents the routes with response schemas, error responses and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, Json> }>> };
    const responses = (p: string, m: string) => Object.keys(doc.paths[p]?.[m]?.responses ?? {});
    expect(responses('/users', 'get')).toEqual(expect.arrayContaining(['200', '401', '403']));
    expect(responses('/users', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '403', '415']));
    expect(responses('/users/{id}', 'patch')).toEqual(expect.arrayContaining(['200', '400', '404', '412', '422']));
    expect(responses('/users/{id}', 'delete')).toEqual(expect.arrayContaining(['204', '404', '412', '422']));
    expect(responses('/users/{id}/credentials', 'post')).toEqual(expect.arrayContaining(['201', '403', '404']));
    expect(responses('/partners/{id}/users', 'post')).toEqual(expect.arrayContaining(['201', '400', '403', '404', '422']));
    expect(responses('/partners/{id}', 'delete')).toEqual(expect.arrayContaining(['204', '403', '404']));
    for (const [p, m, code] of [
      ['/users', 'get', '200'],
      ['/users', 'post', '201'],
      ['/users/{id}', 'patch', '200'],
      ['/users/{id}/credentials', 'post', '201'],
      ['/partners/{id}/users', 'post', '201'],
    ] as const) {
      const response = JSON.stringify(doc.paths[p][m].responses[code]);
      expect(response).toContain('$ref');
      expect(response).toContain('example');
    }
  });

  // last: it ends partner D
  it('a deactivated partner: every token of its users and organisation is 401, any other token sees no customer', async () => {
    const userCredential = (await call('POST', `/users/${salesId}/credentials`, adminToken)).body;
    // Staff see the partner's users (ids and roles, never names or e-mails) while it is active.
    const before = (await call('GET', `/partners/${partnerD}`, channelManager)).body;
    expect(before.users).toEqual(expect.arrayContaining([{ userId: salesId, role: expect.any(String) }]));
    expect(before).not.toHaveProperty('deactivatedAt');
    expect(JSON.stringify(before.users)).not.toContain('@');
    expect((await call('DELETE', `/partners/${partnerD}`, channelManager)).status).toBe(204);
    expect((await call('GET', `/partners/${partnerD}`, channelManager)).body).toMatchObject({ deactivatedAt: expect.any(String), sharedCustomerIds: [] });
    for (const token of [orgD, adminToken, salesToken]) {
      problem(await call('GET', `/customers/${customerX}`, token), 401);
      problem(await call('GET', '/users', token), 401);
      problem(await call('POST', '/episodes', token, { customerId: customerX, name: 'x', episodeType: 'partner-deal' }), 401);
    }
    problem(await exchange(userCredential), 401);
    // a partner token from elsewhere (an identity provider) of D: no customer, no repair
    const other = await mint.mint({ kind: 'partner', subject: 'idp-user', partnerId: partnerD, roles: ['partner'] });
    problem(await call('GET', `/customers/${customerX}`, other), 404);
    expect((await call('GET', '/customers', other)).body.items ?? []).toEqual([]);
    // one append: the end and each share's revoke; again changes nothing
    const tail = (await partnerEvents(partnerD)).slice(-2).map((e) => e.type);
    expect(tail).toEqual(['PartnerDeactivated', 'CustomerShareRevoked']);
    expect((await call('DELETE', `/partners/${partnerD}`, channelManager)).status).toBe(204);
    problem(await call('POST', `/partners/${partnerD}/users`, channelManager, { name: 'New', email: 'new@d.example' }), 422);
    problem(await call('DELETE', `/partners/${randomUUID()}`, channelManager), 404);
    // B is untouched
    expect((await call('GET', '/users', orgB)).status).toBe(200);
  });
});
