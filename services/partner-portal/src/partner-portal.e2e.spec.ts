import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { createPlatform, type Platform } from '@crm/platform';
import { episodeStream, partnerStream } from '@crm/relationship';
import { READ_MODELS, createRelationshipCommands, type RelationshipCommands, type ReadModelRunners } from '@crm/relationship-api';
import { ProblemTypes, TokenMint, type Principal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { CustomerDirectoryEntry, partnerMayRead } from '@crm/relationship-read-models';
import { createPartnerPortalApp, PartnerPortalConfig } from './partner-portal';

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  type: string;
  headers: Headers;
  body: Json;
  list: Json[];
}

// The partner portal over HTTP on the embedded platform (PGlite on disk). Most tests try to break
// the partner scoping: every way of reaching a customer or an episode that is not the caller's.
describe('partner-portal service (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let commands: RelationshipCommands;
  let mint: TokenMint;
  let management: string;
  let salesToken: string;
  let channelManager: string;

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };

  const call = async (
    method: string,
    url: string,
    token: string | undefined,
    body?: unknown,
    options: { form?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined && options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(body as Record<string, string>).toString();
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const r = await fetch(`${base}${url}`, { method, headers, body: payload });
    const text = await r.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    return {
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      headers: r.headers,
      body: Array.isArray(parsed) ? {} : (parsed as Json),
      // the portal's list is a page ({ items, nextCursor }); every other route answers one object or an array
      list: Array.isArray(parsed) ? (parsed as Json[]) : Array.isArray((parsed as { items?: unknown })?.items) ? (parsed as { items: Json[] }).items : [],
    };
  };

  const registerPartner = async (name: string, partnerKind: string): Promise<string> => {
    const r = await call('POST', '/partners', management, { name, partnerKind });
    expect(r.status).toBe(201);
    return String(r.body.partnerId);
  };
  const issueCredential = async (partnerId: string): Promise<{ clientId: string; clientSecret: string }> => {
    const r = await call('POST', `/partners/${partnerId}/credentials`, management);
    expect(r.status).toBe(201);
    return { clientId: String(r.body.clientId), clientSecret: String(r.body.clientSecret) };
  };
  const exchange = async (clientId: string, clientSecret: string): Promise<string> => {
    const r = await call('POST', '/auth/token', undefined, { clientId, clientSecret });
    expect(r.status).toBe(200);
    return String(r.body.access_token);
  };
  const registerCustomer = async (name: string): Promise<string> => (await commands.customers.register(alice, { kind: 'organisation', name })).id;
  const share = async (partnerId: string, customerId: string) =>
    expect((await call('POST', `/partners/${partnerId}/shares`, management, { customerId })).status).toBe(201);
  // While the share has not reached the read model the timeline answers 404 (no episodes): nothing shown yet.
  const timelineEpisodeIds = (r: Reply) => (Array.isArray(r.body.episodes) ? (r.body.episodes as { episodeId: string }[]).map((e) => e.episodeId) : []);

  // Fixture: partners A and B; customer X shared with A only, Y with both, Z with nobody; a sales
  // opportunity (a department episode) on Y.
  let partnerA: string;
  let partnerB: string;
  let credentialA: { clientId: string; clientSecret: string };
  let credentialB: { clientId: string; clientSecret: string };
  let tokenA: string;
  let tokenB: string;
  let customerX: string;
  let customerY: string;
  let customerZ: string;
  let salesEpisodeOnY: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-portal-'));
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    channelManager = await mint.mint({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    salesToken = await mint.mint(alice);
    commands = createRelationshipCommands(platform.eventStore);

    partnerA = await registerPartner('Distributor A', 'distributor');
    partnerB = await registerPartner('Reseller B', 'reseller');
    credentialA = await issueCredential(partnerA);
    credentialB = await issueCredential(partnerB);
    tokenA = await exchange(credentialA.clientId, credentialA.clientSecret);
    tokenB = await exchange(credentialB.clientId, credentialB.clientSecret);

    customerX = await registerCustomer('PT Xenon');
    customerY = await registerCustomer('PT Yudha');
    customerZ = await registerCustomer('PT Zamrud');
    salesEpisodeOnY = (await commands.episodes.open(alice, 'opportunity', { customerId: customerY, name: 'Fleet renewal' })).id;
    await commands.episodes.recordInteraction(alice, salesEpisodeOnY, { channel: 'phone', direction: 'outbound', action: 'called the buyer' });
    await share(partnerA, customerX);
    await share(partnerA, customerY);
    await share(partnerB, customerY);

    await waitFor(
      async () =>
        (await call('GET', `/customers/${customerX}`, tokenA)).status === 200 &&
        (await call('GET', `/customers/${customerY}`, tokenB)).status === 200 &&
        timelineEpisodeIds(await call('GET', `/customers/${customerY}/timeline`, tokenB)).includes(salesEpisodeOnY),
      20000,
      'the shares and the sales episode to reach the read models',
    );
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('partner administration (staff)', () => {
    it('registers partners and validates the partner kind', async () => {
      const bad = await call('POST', '/partners', management, { name: 'X', partnerKind: 'pirate' });
      expect(bad.status).toBe(400);
      expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toContain('partnerKind');
      // A channel manager in sales administers partners too.
      const bySales = await call('POST', '/partners', channelManager, { name: 'Service Co', partnerKind: 'service-provider' });
      expect(bySales.status).toBe(201);
      expect(bySales.headers.get('location')).toBe(`/partners/${String(bySales.body.partnerId)}`);
      const a = await call('GET', `/partners/${partnerA}`, management);
      expect(a.body).toMatchObject({ partnerId: partnerA, name: 'Distributor A', partnerKind: 'distributor', activeClientIds: [credentialA.clientId] });
      expect(a.body.sharedCustomerIds).toEqual(expect.arrayContaining([customerX, customerY]));
      expect((await call('GET', `/partners/${randomUUID()}`, management)).status).toBe(404);
    });

    it('shows the client secret once and stores only a salted scrypt hash of it', async () => {
      expect(credentialA.clientId.startsWith(`${partnerA}.`)).toBe(true);
      expect(credentialA.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
      const stream = await platform.eventStore.readStream(partnerStream(partnerA));
      const issued = stream.find((e) => e.type === 'PartnerCredentialIssued');
      const { secretHash, clientId } = issued?.data as { secretHash: string; clientId: string };
      expect(clientId).toBe(credentialA.clientId);
      expect(secretHash).toMatch(/^scrypt\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(stream.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })))).not.toContain(credentialA.clientSecret);
      expect(JSON.stringify((await call('GET', `/partners/${partnerA}`, management)).body)).not.toContain('scrypt');
      // Two credentials of the same secret length never share a salt.
      const again = await issueCredential(partnerA);
      const hashes = (await platform.eventStore.readStream(partnerStream(partnerA)))
        .filter((e) => e.type === 'PartnerCredentialIssued')
        .map((e) => (e.data as { secretHash: string }).secretHash.split('$')[1]);
      expect(new Set(hashes).size).toBe(hashes.length);
      expect((await call('DELETE', `/partners/${partnerA}/credentials/${again.clientId}`, management)).status).toBe(204);
    });

    it('answers 404 for an unknown partner and 422 for sharing an unknown customer', async () => {
      expect((await call('POST', `/partners/${randomUUID()}/credentials`, management)).status).toBe(404);
      expect((await call('POST', `/partners/${randomUUID()}/shares`, management, { customerId: customerX })).status).toBe(404);
      const unknownCustomer = await call('POST', `/partners/${partnerB}/shares`, management, { customerId: randomUUID() });
      expect(unknownCustomer.status).toBe(422);
      expect(unknownCustomer.body.type).toBe(ProblemTypes.domainRuleViolation);
      expect((await call('DELETE', `/partners/${partnerB}/shares/${customerX}`, management)).status).toBe(404); // never shared
      expect((await call('DELETE', `/partners/${partnerB}/credentials/${partnerB}.nosuchclientidatall`, management)).status).toBe(404);
    });

    it('a channel manager of sales may do all of it (a plain agent may do none: see "who may call what")', async () => {
      const partner = await call('POST', '/partners', channelManager, { name: 'Reseller C', partnerKind: 'reseller' });
      expect(partner.status).toBe(201);
      const partnerId = String(partner.body.partnerId);
      expect((await call('GET', `/partners/${partnerId}`, channelManager)).status).toBe(200);
      const credential = await call('POST', `/partners/${partnerId}/credentials`, channelManager);
      expect(credential.status).toBe(201);
      expect((await call('DELETE', `/partners/${partnerId}/credentials/${String(credential.body.clientId)}`, channelManager)).status).toBe(204);
      expect((await call('POST', `/partners/${partnerId}/shares`, channelManager, { customerId: customerZ })).status).toBe(201);
      expect((await call('DELETE', `/partners/${partnerId}/shares/${customerZ}`, channelManager)).status).toBe(204);
    });
  });

  describe('token exchange', () => {
    it('issues a one-hour partner token for a valid credential, as JSON or as an OAuth form', async () => {
      const json = await call('POST', '/auth/token', undefined, {
        grant_type: 'client_credentials',
        clientId: credentialA.clientId,
        clientSecret: credentialA.clientSecret,
      });
      expect(json.status).toBe(200);
      expect(json.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(json.headers.get('cache-control')).toBe('no-store');
      const claims = JSON.parse(Buffer.from(String(json.body.access_token).split('.')[1], 'base64url').toString()) as Json;
      expect(claims).toMatchObject({ sub: credentialA.clientId, crm_kind: 'partner', partner_id: partnerA, roles: ['partner'] });
      expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);

      const form = await call(
        'POST',
        '/auth/token',
        undefined,
        { grant_type: 'client_credentials', client_id: credentialB.clientId, client_secret: credentialB.clientSecret },
        { form: true },
      );
      expect(form.status).toBe(200);
      expect((await call('GET', '/customers', String(form.body.access_token))).status).toBe(200);
    });

    it('refuses a wrong secret, an unknown or guessed client id, and another partner’s secret with the same 401', async () => {
      const attempts = [
        { clientId: credentialA.clientId, clientSecret: randomBytes(32).toString('base64url') },
        { clientId: credentialA.clientId, clientSecret: credentialB.clientSecret },
        { clientId: `${partnerA}.${randomBytes(12).toString('base64url')}`, clientSecret: credentialA.clientSecret },
        { clientId: `${randomUUID()}.${randomBytes(12).toString('base64url')}`, clientSecret: credentialA.clientSecret },
        { clientId: 'admin', clientSecret: 'admin' },
      ];
      for (const attempt of attempts) {
        const r = await call('POST', '/auth/token', undefined, attempt);
        expect(r.status).toBe(401);
        expect(r.type).toContain('application/problem+json');
        expect(r.body).toMatchObject({ type: ProblemTypes.unauthorized, error: 'invalid_client', detail: 'the client credentials are not valid' });
        expect(r.body.access_token).toBeUndefined();
      }
    });

    it('refuses malformed requests with 400', async () => {
      expect((await call('POST', '/auth/token', undefined, { clientId: credentialA.clientId })).status).toBe(400);
      expect(
        (await call('POST', '/auth/token', undefined, { grant_type: 'password', clientId: credentialA.clientId, clientSecret: credentialA.clientSecret }))
          .status,
      ).toBe(400);
      expect(
        (await call('POST', '/auth/token', undefined, { clientId: credentialA.clientId, clientSecret: credentialA.clientSecret, partnerId: partnerB })).status,
      ).toBe(400);
    });

    it('refuses a revoked credential, and the tokens already issued for it stop working', async () => {
      const second = await issueCredential(partnerA);
      const token = await exchange(second.clientId, second.clientSecret);
      expect((await call('GET', `/customers/${customerX}`, token)).status).toBe(200);
      expect((await call('DELETE', `/partners/${partnerA}/credentials/${second.clientId}`, management)).status).toBe(204);
      expect((await call('POST', '/auth/token', undefined, { clientId: second.clientId, clientSecret: second.clientSecret })).status).toBe(401);
      const stale = await call('GET', `/customers/${customerX}`, token);
      expect(stale.status).toBe(401);
      expect(stale.type).toContain('application/problem+json');
      expect((await call('DELETE', `/partners/${partnerA}/credentials/${second.clientId}`, management)).status).toBe(404);
      // The partner's other credential is untouched.
      expect((await call('GET', `/customers/${customerX}`, tokenA)).status).toBe(200);
    });
  });

  describe('partner scoping', () => {
    it("a shared customer reads without the company's own fields: no owner, tags or search keys, and no ids of suspected duplicates it was not given", async () => {
      const identity = { kind: 'email' as const, value: `buyer-${randomUUID()}@dup.example` };
      const first = (
        await commands.customers.register(alice, { kind: 'organisation', name: 'PT Kembar', identities: [identity], owner: 'alice', tags: ['key-account'] })
      ).id;
      const second = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Kembar Dua', identities: [identity], force: true })).id;
      await share(partnerA, second);
      let body = '';
      await waitFor(
        async () => {
          const r = await call('GET', `/customers/${second}`, tokenA);
          body = JSON.stringify(r.body);
          const row = await app.app
            .get<ReadModelRunners>(READ_MODELS)
            .dataSource.manager.getRepository(CustomerDirectoryEntry)
            .findOneBy({ customerId: second });
          return r.status === 200 && (row?.suspectedDuplicates.length ?? 0) > 0;
        },
        20000,
        'the shared customer with its suspected duplicate in the directory',
      );
      body = JSON.stringify((await call('GET', `/customers/${second}`, tokenA)).body);
      expect(body).not.toContain(first);
      for (const field of ['suspectedDuplicates', 'searchText', 'sortName', '"owner"', '"tags"']) expect(body).not.toContain(field);
      expect(JSON.parse(body)).toMatchObject({ customerId: second, name: 'PT Kembar Dua', identities: [identity] });
      expect((await call('GET', `/customers/${first}`, tokenA)).status).toBe(404);
      // The other cases count partner A's customers: give this one back.
      expect((await call('DELETE', `/partners/${partnerA}/shares/${second}`, management)).status).toBe(204);
    });

    it('a merge shows a partner the merged history only where it was given both customers', async () => {
      const survivor = await registerCustomer('PT Gabung');
      const duplicate = await registerCustomer('PT Gabung (dup)');
      await share(partnerA, survivor);
      const own = (await commands.episodes.open(alice, 'opportunity', { customerId: survivor, name: 'Survivor deal' })).id;
      const other = (await commands.episodes.open(alice, 'opportunity', { customerId: duplicate, name: 'Duplicate deal' })).id;
      await commands.customers.merge(alice, survivor, duplicate);
      const shown = async () => timelineEpisodeIds(await call('GET', `/customers/${survivor}/timeline`, tokenA));
      await waitFor(async () => (await shown()).includes(own), 20000, 'the survivor in the portal');
      expect(await shown()).not.toContain(other); // partner A was never given the duplicate
      await share(partnerA, duplicate);
      await waitFor(async () => (await shown()).includes(other), 20000, 'the duplicate once shared');
      expect((await shown()).sort()).toEqual([own, other].sort());
      // leave partner A with the fixture's shares only
      for (const customerId of [survivor, duplicate]) expect((await call('DELETE', `/partners/${partnerA}/shares/${customerId}`, management)).status).toBe(204);
      await waitFor(async () => (await call('GET', `/customers/${survivor}`, tokenA)).status === 404, 20000, 'the revokes');
    });

    it('lists only the customers shared with the caller', async () => {
      expect((await call('GET', '/customers', tokenA)).list.map((c) => c.customerId)).toEqual([customerX, customerY]); // by name
      expect((await call('GET', '/customers', tokenB)).list.map((c) => c.customerId)).toEqual([customerY]);
      const unknownPartner = await mint.mint({ kind: 'partner', subject: 'someone', partnerId: randomUUID(), roles: [] });
      expect((await call('GET', '/customers', unknownPartner)).list).toEqual([]);
    });

    it("searches and pages only within what is shared, without the company's own fields", async () => {
      // PT Zamrud matches the query too, but is not shared with partner A
      expect((await call('GET', '/customers?q=pt', tokenA)).list.map((c) => c.customerId).sort()).toEqual([customerX, customerY].sort());
      expect((await call('GET', '/customers?q=zamrud', tokenA)).list).toEqual([]);
      expect((await call('GET', '/customers?q=xenn', tokenA)).list.map((c) => c.customerId)).toEqual([customerX]); // a typo
      const first = await call('GET', '/customers?limit=1', tokenA);
      expect(first.list.map((c) => c.customerId)).toEqual([customerX]);
      expect(first.list[0]).not.toHaveProperty('owner');
      expect(first.list[0]).not.toHaveProperty('tags');
      const second = await call('GET', `/customers?limit=1&cursor=${String(first.body.nextCursor)}`, tokenA);
      expect(second.list.map((c) => c.customerId)).toEqual([customerY]);
      expect(second.body.nextCursor).toBeUndefined();
      expect((await call('GET', '/customers?cursor=garbage', tokenA)).status).toBe(400);
      expect((await call('GET', '/customers?limit=1000', tokenA)).status).toBe(400);
    });

    it('ids narrow what is shared, never widen it: an unshared customer asked for by id is not listed', async () => {
      expect((await call('GET', `/customers?ids=${customerX},${customerZ}`, tokenA)).list.map((c) => c.customerId)).toEqual([customerX]);
      expect((await call('GET', `/customers?ids=${customerZ}`, tokenA)).list).toEqual([]);
      expect((await call('GET', `/customers?ids=${customerX}`, tokenB)).list).toEqual([]);
      expect((await call('GET', '/customers?ids=x', tokenA)).status).toBe(400);
    });

    it("answers another partner's customer, an unshared one and a guessed id with the same 404", async () => {
      const guessed = randomUUID();
      const replies = [
        [customerX, await call('GET', `/customers/${customerX}`, tokenB)],
        [customerZ, await call('GET', `/customers/${customerZ}`, tokenA)],
        [guessed, await call('GET', `/customers/${guessed}`, tokenA)],
        [customerX, await call('GET', `/customers/${customerX}/timeline`, tokenB)],
        [customerZ, await call('GET', `/customers/${customerZ}/timeline`, tokenB)],
        [guessed, await call('GET', `/customers/${guessed}/timeline`, tokenB)],
      ] as const;
      for (const [id, r] of replies) {
        expect(r.status).toBe(404);
        expect(r.type).toContain('application/problem+json');
        const { instance: _instance, ...rest } = r.body;
        expect(rest).toEqual({ type: ProblemTypes.notFound, title: 'Not Found', status: 404, detail: `customer ${id} not found` });
      }
      // A partner token naming another partner's id is still only that partner.
      expect((await call('GET', `/customers/${customerX}`, tokenB, undefined, { headers: { 'x-partner-id': partnerA } })).status).toBe(404);
    });

    it("keeps each partner's episodes away from the other partner on a customer shared with both", async () => {
      const dealA = await call('POST', '/episodes', tokenA, { customerId: customerY, name: 'Dealer sale', episodeType: 'partner-deal', expectedValue: 1200 });
      expect(dealA.status).toBe(201);
      const episodeA = String(dealA.body.episodeId);
      expect(
        (await call('POST', `/episodes/${episodeA}/interactions`, tokenA, { channel: 'portal', direction: 'inbound', action: 'order placed' })).status,
      ).toBe(201);
      const repairB = await call('POST', '/episodes', tokenB, { customerId: customerY, name: 'Repair of unit 7', episodeType: 'return-repair' });
      expect(repairB.status).toBe(201);
      const episodeB = String(repairB.body.episodeId);

      // Each partner's own episode is stored visible to that partner alone.
      const [openedA] = await platform.eventStore.readStream(episodeStream(episodeA));
      expect(openedA.metadata.visibility).toEqual({ departments: '*', partners: [partnerA] });
      expect(openedA.metadata.actor).toMatchObject({ type: 'partner-user', partnerId: partnerA });
      expect(openedA.data).toMatchObject({ owner: { kind: 'partner', partnerId: partnerA } });

      let timelineB: Reply | undefined;
      await waitFor(
        async () => {
          timelineB = await call('GET', `/customers/${customerY}/timeline`, tokenB);
          return timelineEpisodeIds(timelineB).includes(episodeB); // opened after A's: A's is projected too
        },
        20000,
        "B's episode on the timeline",
      );
      expect(timelineEpisodeIds(timelineB!)).toEqual([salesEpisodeOnY, episodeB]);
      expect(JSON.stringify(timelineB!.body)).not.toContain('order placed');
      expect(JSON.stringify(timelineB!.body)).not.toContain(partnerA);

      const timelineA = await call('GET', `/customers/${customerY}/timeline`, tokenA);
      expect(timelineEpisodeIds(timelineA)).toEqual([salesEpisodeOnY, episodeA]);
      const [sales, mine] = timelineA.body.episodes as { interactions: { action: string }[]; owner: Json }[];
      expect(sales.interactions.map((i) => i.action)).toEqual(['called the buyer']);
      expect(mine.owner).toEqual({ kind: 'partner', partnerId: partnerA });
      expect(mine.interactions.map((i) => i.action)).toEqual(['order placed']);

      // B cannot write on A's episode, nor on the department's; each answers like a missing episode.
      for (const [token, episode] of [
        [tokenB, episodeA],
        [tokenA, episodeB],
        [tokenA, salesEpisodeOnY],
        [tokenA, randomUUID()],
      ] as const) {
        const interact = await call('POST', `/episodes/${episode}/interactions`, token, { channel: 'portal', direction: 'outbound', action: 'sneaky note' });
        expect(interact.status).toBe(404);
        expect(interact.body.detail).toBe(`episode ${episode} not found`);
        expect((await call('POST', `/episodes/${episode}/close`, token, { outcome: 'cancelled' })).status).toBe(404);
      }
      expect((await platform.eventStore.readStream(episodeStream(episodeA))).length).toBe(2);

      // A closes its own deal; closing it again breaks a rule of the domain.
      expect((await call('POST', `/episodes/${episodeA}/close`, tokenA, { outcome: 'won', value: 1150, currency: 'EUR' })).status).toBe(200);
      expect((await call('POST', `/episodes/${episodeA}/close`, tokenA, { outcome: 'lost' })).status).toBe(422);
    });

    it('opens episodes only on shared customers and only of the partner episode types', async () => {
      const open = (token: string, customerId: string, episodeType = 'return-repair') =>
        call('POST', '/episodes', token, { customerId, name: 'x', episodeType });
      expect((await open(tokenB, customerX)).status).toBe(404); // A's customer
      expect((await open(tokenB, customerZ)).status).toBe(404); // nobody's
      expect((await open(tokenB, randomUUID())).status).toBe(404); // no such customer
      expect((await open(tokenA, customerX, 'opportunity')).status).toBe(400);
      expect((await open(tokenA, customerX, 'case')).status).toBe(400);
      const ok = await open(tokenA, customerX);
      expect(ok.status).toBe(201);
      // Partners record their own users, the customer or a system as actor — not company staff.
      const asStaff = await call('POST', `/episodes/${String(ok.body.episodeId)}/interactions`, tokenA, {
        channel: 'phone',
        direction: 'outbound',
        action: 'x',
        actorKind: 'staff',
      });
      expect(asStaff.status).toBe(422);
      // If-Match works as on the department services.
      const first = await call('POST', `/episodes/${String(ok.body.episodeId)}/interactions`, tokenA, {
        channel: 'phone',
        direction: 'outbound',
        action: 'called',
      });
      expect(first.headers.get('etag')).toBe('"1"');
      expect(
        (
          await call(
            'POST',
            `/episodes/${String(ok.body.episodeId)}/interactions`,
            tokenA,
            { channel: 'phone', direction: 'outbound', action: 'again' },
            { headers: { 'if-match': '"0"' } },
          )
        ).status,
      ).toBe(412);
    });

    it('makes a revoked share unreadable at once, without waiting for the read model', async () => {
      const customer = await registerCustomer('PT Revoka');
      await share(partnerA, customer);
      await waitFor(async () => (await call('GET', `/customers/${customer}`, tokenA)).status === 200, 20000, 'the share to reach the read model');
      const opened = await call('POST', '/episodes', tokenA, { customerId: customer, name: 'Warranty repair', episodeType: 'return-repair' });
      expect(opened.status).toBe(201);
      const episode = String(opened.body.episodeId);

      expect((await call('DELETE', `/partners/${partnerA}/shares/${customer}`, management)).status).toBe(204);
      // No waiting: the very next requests are refused, even though the projection may lag.
      expect((await call('GET', `/customers/${customer}`, tokenA)).status).toBe(404);
      expect((await call('GET', `/customers/${customer}/timeline`, tokenA)).status).toBe(404);
      expect((await call('GET', '/customers', tokenA)).list.map((c) => c.customerId)).not.toContain(customer);
      expect(
        (await call('POST', `/episodes/${episode}/interactions`, tokenA, { channel: 'portal', direction: 'outbound', action: 'after revoke' })).status,
      ).toBe(404);
      expect((await call('POST', `/episodes/${episode}/close`, tokenA, { outcome: 'resolved' })).status).toBe(404);
      expect((await call('POST', '/episodes', tokenA, { customerId: customer, name: 'again', episodeType: 'partner-deal' })).status).toBe(404);
      expect((await call('DELETE', `/partners/${partnerA}/shares/${customer}`, management)).status).toBe(404);
      // Other shares of the same partner are untouched.
      expect((await call('GET', `/customers/${customerX}`, tokenA)).status).toBe(200);

      // A new grant makes it readable again once the read model has it.
      await share(partnerA, customer);
      await waitFor(async () => (await call('GET', `/customers/${customer}`, tokenA)).status === 200, 20000, 'the new grant');
    });
  });

  describe('who may call what', () => {
    it('refuses staff on partner routes and partners on staff routes with 403, and anonymous callers with 401', async () => {
      const serviceStaff = await mint.mint({ kind: 'staff', subject: 'bob', department: 'service', roles: [] } satisfies Principal);
      const forbidden: [string, string, string, unknown?][] = [
        [management, 'GET', '/customers'],
        [management, 'GET', `/customers/${customerX}`],
        [salesToken, 'GET', `/customers/${customerY}/timeline`],
        [management, 'POST', '/episodes', { customerId: customerX, name: 'x', episodeType: 'partner-deal' }],
        [management, 'POST', `/episodes/${randomUUID()}/interactions`, { channel: 'phone', direction: 'inbound', action: 'x' }],
        [tokenA, 'POST', '/partners', { name: 'Mine', partnerKind: 'reseller' }],
        [tokenA, 'GET', `/partners/${partnerA}`],
        [tokenA, 'POST', `/partners/${partnerA}/credentials`],
        [tokenA, 'POST', `/partners/${partnerA}/shares`, { customerId: customerZ }],
        [tokenB, 'DELETE', `/partners/${partnerA}/shares/${customerX}`],
        [serviceStaff, 'POST', '/partners', { name: 'x', partnerKind: 'supplier' }],
        // A plain sales agent may not administer partners: sharing opens a customer to another company.
        [salesToken, 'POST', '/partners', { name: 'x', partnerKind: 'supplier' }],
        [salesToken, 'GET', `/partners/${partnerA}`],
        [salesToken, 'POST', `/partners/${partnerA}/credentials`],
        [salesToken, 'DELETE', `/partners/${partnerA}/credentials/${credentialA.clientId}`],
        [salesToken, 'POST', `/partners/${partnerA}/shares`, { customerId: customerZ }],
        [salesToken, 'DELETE', `/partners/${partnerA}/shares/${customerX}`],
        // The repair provider's routes (issue 12 §5; repairs/repairs.e2e.spec.ts has the rest).
        [management, 'GET', '/repairs'],
        [serviceStaff, 'GET', `/repairs/${randomUUID()}`],
        [serviceStaff, 'POST', `/repairs/${randomUUID()}/status`, { to: 'received' }],
        [salesToken, 'POST', `/repairs/${randomUUID()}/interactions`, { channel: 'phone', direction: 'inbound', action: 'x' }],
        [management, 'POST', `/repairs/${randomUUID()}/shipments`, { leg: 'to-provider', state: 'delivered' }],
        // Lead distribution (issue 14 §4; leads/lead-distribution.e2e.spec.ts has the rest).
        [management, 'GET', '/leads'],
        [salesToken, 'GET', `/leads/${randomUUID()}`],
        [management, 'POST', `/leads/${randomUUID()}/accept`],
        [serviceStaff, 'POST', `/leads/${randomUUID()}/decline`, { reason: 'x' }],
        [management, 'POST', `/leads/${randomUUID()}/outcome`, { outcome: 'won' }],
        [tokenA, 'POST', `/leads/${randomUUID()}/distribution`, {}],
        [tokenA, 'GET', '/lead-distribution'],
        [tokenA, 'PUT', `/partners/${partnerA}/routing-profile`, { territories: [], products: [], tier: 'gold', capacity: 1 }],
        [salesToken, 'POST', `/leads/${randomUUID()}/distribution`, {}],
        [salesToken, 'GET', '/lead-distribution'],
        [salesToken, 'PUT', `/partners/${partnerA}/routing-profile`, { territories: [], products: [], tier: 'gold', capacity: 1 }],
      ];
      for (const [token, method, url, body] of forbidden) {
        const r = await call(method, url, token, body);
        expect({ method, url, status: r.status }).toEqual({ method, url, status: 403 });
        expect(r.body.type).toBe(ProblemTypes.forbidden);
      }
      expect((await call('GET', '/customers', undefined)).status).toBe(401);
      expect((await call('POST', '/partners', undefined, { name: 'x', partnerKind: 'supplier' })).status).toBe(401);
      expect((await call('GET', '/repairs', undefined)).status).toBe(401);
      expect((await call('POST', `/repairs/${randomUUID()}/status`, undefined, { to: 'received' })).status).toBe(401);
      // The grant B tried to remove is still there.
      expect((await call('GET', `/customers/${customerX}`, tokenA)).status).toBe(200);
    });

    it('serves its OpenAPI document (token exchange public) and health', async () => {
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/partners',
          '/partners/{id}/credentials',
          '/partners/{id}/shares/{customerId}',
          '/auth/token',
          '/customers',
          '/customers/{id}/timeline',
          '/episodes',
          '/episodes/{id}/close',
          '/repairs',
          '/repairs/{id}',
          '/repairs/{id}/status',
          '/repairs/{id}/interactions',
          '/repairs/{id}/shipments',
        ]),
      );
      // No bearer token: the client authenticates itself (HTTP Basic, or in the body).
      expect(doc.paths['/auth/token'].post.security).toEqual([{ basic: [] }]);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    });
  });
  // Last: it stops the read models for good.
  describe('with the read models frozen (a lagging projection)', () => {
    it('still refuses a revoked share while the read model says it is granted', async () => {
      const readModels = app.app.get<ReadModelRunners>(READ_MODELS);
      await readModels.stop();
      const manager = readModels.dataSource.manager;
      expect(await partnerMayRead(manager, partnerB, customerY)).toBe(true);
      expect((await call('DELETE', `/partners/${partnerB}/shares/${customerY}`, management)).status).toBe(204);
      // The projection has not seen the revoke, and never will now…
      expect(await partnerMayRead(manager, partnerB, customerY)).toBe(true);
      // …yet the partner is refused at once, because the grant is confirmed against the partner aggregate.
      expect((await call('GET', `/customers/${customerY}`, tokenB)).status).toBe(404);
      expect((await call('GET', `/customers/${customerY}/timeline`, tokenB)).status).toBe(404);
      expect((await call('GET', '/customers', tokenB)).list).toEqual([]);
      expect((await call('POST', '/episodes', tokenB, { customerId: customerY, name: 'x', episodeType: 'partner-deal' })).status).toBe(404);
      // A partner the revoke did not concern still reads it.
      expect((await call('GET', `/customers/${customerY}`, tokenA)).status).toBe(200);
    });
  });
});
