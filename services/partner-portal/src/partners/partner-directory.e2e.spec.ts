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
import { servedResponseProblems } from '@crm/service-kit/testing';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';
import { portalHttp, type Json } from '../testing/portal-http';

const DAY = 86_400_000;

// The staff directory of partner companies (issue 16: the console's partner administration had no
// list to start from): GET /partners on the embedded portal, on a test clock — search, filters, the
// order and its pages, what each row counts (live shares, pending deal registrations, routing tier),
// a deactivated partner; who may not call it; the inputs that broke other routes.
describe('partner directory: GET /partners (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-partner-directory-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let mint: TokenMint;
  let commands: RelationshipCommands;
  let management = '';
  let channelManager = '';
  const { raw, call, problem, exchange } = portalHttp(() => base);
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };

  const partners: Record<string, string> = {};
  let distributorToken = '';
  /** Unique to this spec's partners, so a search finds only them. */
  const tag = 'Dirtest';

  /** The directory is a read model: asked until `until` holds of the page. */
  const listed = async (query: string, until: (items: Json[]) => boolean, what: string): Promise<{ items: Json[]; nextCursor?: string }> => {
    let page: { items: Json[]; nextCursor?: string } = { items: [] };
    await waitFor(
      async () => {
        const r = await call('GET', `/partners${query}`, channelManager);
        expect(r.status).toBe(200);
        page = r.body as unknown as typeof page;
        return until(page.items);
      },
      20000,
      what,
    );
    return page;
  };
  const names = (items: Json[]) => items.map((i) => i.name);

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, { CRM_DATA_DIR: dataDir, CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0', CRM_DEAL_REGISTRATION_INTERVAL_MS: '0' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    commands = createRelationshipCommands(platform.eventStore);
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    channelManager = await mint.mint({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    // Registered out of alphabetical order, with a name in another case: the list sorts by name, any case.
    for (const [key, name, partnerKind] of [
      ['zeta', `${tag} Zeta Logistik`, 'distributor'],
      ['alpha', `${tag} alpha Supplies`, 'supplier'],
      ['mid', `${tag} Mitra Servis`, 'service-provider'],
      ['beta', `${tag} Beta Reseller`, 'reseller'],
      ['gone', `${tag} Gamma Retired`, 'reseller'],
    ] as const) {
      const r = await call('POST', '/partners', management, { name, partnerKind });
      expect(r.status).toBe(201);
      partners[key] = String(r.body.partnerId);
    }
    // Zeta: two customers shared (one for a week only), a routing profile, a pending deal registration.
    const customer = async (name: string) => (await commands.customers.register(alice, { kind: 'organisation', name })).id;
    const [c1, c2] = [await customer('PT Satu'), await customer('PT Dua')];
    expect((await call('POST', `/partners/${partners.zeta}/shares`, management, { customerId: c1 })).status).toBe(201);
    const weekOnly = { customerId: c2, expiresAt: new Date(clock.now().getTime() + 7 * DAY).toISOString() };
    expect((await call('POST', `/partners/${partners.zeta}/shares`, management, weekOnly)).status).toBe(201);
    const routing = { territories: [{ country: 'ID' }], products: ['VAN'], tier: 'gold', capacity: 5, active: true };
    expect((await call('PUT', `/partners/${partners.zeta}/routing-profile`, channelManager, routing)).status).toBe(200);
    distributorToken = await exchange(
      (await call('POST', `/partners/${partners.zeta}/credentials`, management)).body as unknown as { clientId: string; clientSecret: string },
    );
    await waitFor(async () => (await call('GET', `/customers/${c1}`, distributorToken)).status === 200, 20000, 'the share to reach the portal');
    const deal = { customerId: c1, products: ['VAN-L2'], estimatedValue: 5_000_000, currency: 'EUR', expectedCloseDate: '2026-09-30' };
    expect((await call('POST', '/deal-registrations', distributorToken, deal)).status).toBe(201);
    expect((await call('DELETE', `/partners/${partners.gone}`, management)).status).toBe(204);
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the active partners by name in any case, each with its live shares, pending registrations and routing tier, as documented', async () => {
    const page = await listed(
      `?q=${tag}`,
      (items) => items.length === 4 && items.some((i) => i.name === `${tag} Zeta Logistik` && i.pendingDealRegistrations === 1 && i.routing !== null),
      'the four active partners, Zeta with its registration and routing',
    );
    expect(names(page.items)).toEqual([`${tag} alpha Supplies`, `${tag} Beta Reseller`, `${tag} Mitra Servis`, `${tag} Zeta Logistik`]);
    expect(page.nextCursor).toBeUndefined();
    expect(page.items.find((i) => i.partnerId === partners.zeta)).toEqual({
      partnerId: partners.zeta,
      name: `${tag} Zeta Logistik`,
      partnerKind: 'distributor',
      status: 'active',
      registeredAt: expect.any(String),
      deactivatedAt: null,
      sharedCustomers: 2,
      pendingDealRegistrations: 1,
      openLeadOffers: 0,
      routing: { tier: 'gold', active: true },
    });
    expect(page.items.find((i) => i.partnerId === partners.alpha)).toMatchObject({ sharedCustomers: 0, pendingDealRegistrations: 0, routing: null });
    expect(await servedResponseProblems(base, 'get', '/partners', 200, page)).toEqual([]);
  });

  it('counts a share only while it is in force: a week later the expired one is gone from the count', async () => {
    clock.advance(8 * DAY);
    try {
      const r = await call('GET', `/partners?q=${partners.zeta}`, channelManager);
      expect(r.status).toBe(200);
      expect((r.body.items as Json[]).map((i) => [i.partnerId, i.sharedCustomers])).toEqual([[partners.zeta, 1]]);
    } finally {
      clock.advance(-8 * DAY);
    }
  });

  it('filters by kind and by status; a deactivated partner is listed with when it ended, only when asked for', async () => {
    const resellers = await call('GET', `/partners?q=${tag}&kind=reseller`, channelManager);
    expect(names(resellers.body.items as Json[])).toEqual([`${tag} Beta Reseller`]);
    const ended = await listed(`?q=${tag}&status=deactivated`, (items) => items.length === 1, 'the deactivated partner');
    expect(ended.items[0]).toMatchObject({ partnerId: partners.gone, status: 'deactivated', deactivatedAt: clock.now().toISOString() });
    const all = await call('GET', `/partners?q=${tag}&status=all&kind=reseller`, channelManager);
    expect(names(all.body.items as Json[])).toEqual([`${tag} Beta Reseller`, `${tag} Gamma Retired`]);
    expect(await servedResponseProblems(base, 'get', '/partners', 200, ended)).toEqual([]);
  });

  it('searches part of a name in any case, or a whole id; a search that matches nothing is an empty page', async () => {
    expect(names((await call('GET', `/partners?q=${encodeURIComponent('MITRA s')}`, channelManager)).body.items as Json[])).toEqual([`${tag} Mitra Servis`]);
    expect(names((await call('GET', `/partners?q=${partners.alpha}`, channelManager)).body.items as Json[])).toEqual([`${tag} alpha Supplies`]);
    // a partial id is not an id, and LIKE's wildcards are plain characters here
    expect((await call('GET', `/partners?q=${partners.alpha.slice(0, 8)}`, channelManager)).body.items).toEqual([]);
    expect((await call('GET', `/partners?q=${encodeURIComponent('%_')}`, channelManager)).body.items).toEqual([]);
  });

  it('pages by name with the cursor it gives out, every partner once', async () => {
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await call('GET', `/partners?q=${tag}&status=all&limit=2${cursor ? `&cursor=${cursor}` : ''}`, channelManager);
      expect(r.status).toBe(200);
      seen.push(...names(r.body.items as Json[]));
      cursor = r.body.nextCursor as string | undefined;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual([`${tag} alpha Supplies`, `${tag} Beta Reseller`, `${tag} Gamma Retired`, `${tag} Mitra Servis`, `${tag} Zeta Logistik`]);
    expect(pages).toBe(3);
  });

  it('answers bad input with a problem naming the parameter, never a 5xx', async () => {
    problem(await call('GET', '/partners?kind=wholesaler', channelManager), 400, 'kind');
    problem(await call('GET', '/partners?status=gone', channelManager), 400, 'status');
    problem(await call('GET', '/partners?limit=0', channelManager), 400, 'limit');
    problem(await call('GET', '/partners?limit=abc', channelManager), 400, 'limit');
    problem(await call('GET', `/partners?q=${'x'.repeat(201)}`, channelManager), 400, 'q');
    problem(await call('GET', '/partners?kind[]=supplier', channelManager), 400, 'kind[]');
    problem(await call('GET', '/partners?q[a]=b', channelManager), 400, 'q[a]');
    problem(await call('GET', '/partners?q=%00', channelManager), 400, 'q');
    // a lone surrogate cannot travel in a URL: its UTF-8 bytes decode to U+FFFD, a search like any other
    const surrogate = await call('GET', '/partners?q=%ED%A0%80', channelManager);
    expect([surrogate.status, surrogate.body.items]).toEqual([200, []]);
    problem(await call('GET', '/partners?cursor=garbage', channelManager), 400, 'cursor');
    // cursors of the right shape but not given out: another list's, a NUL in a key, a wrong key type
    for (const forged of [
      ['dealregs', '2026-06-01T09:00:00.000Z', 'x'],
      ['partners', 'a\u0000', 'x'],
      ['partners', 5, 'x'],
    ]) {
      problem(await call('GET', `/partners?cursor=${Buffer.from(JSON.stringify(forged)).toString('base64url')}`, channelManager), 400, 'cursor');
    }
  });

  it('is for channel managers and administrators of management or sales: nobody else', async () => {
    const staff = (department: 'sales' | 'service' | 'marketing', roles: string[]) => mint.mint({ kind: 'staff', subject: 'someone', department, roles });
    expect((await raw('GET', '/partners', undefined)).status).toBe(401);
    // a channel manager's token with its signature changed
    const forged = `${channelManager.slice(0, -4)}${channelManager.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    problem(await raw('GET', '/partners', forged), 401);
    problem(await call('GET', '/partners', await staff('sales', ['agent'])), 403);
    problem(await call('GET', '/partners', await staff('service', ['admin'])), 403);
    problem(await call('GET', '/partners', await staff('marketing', ['channel-manager'])), 403);
    problem(await call('GET', '/partners', distributorToken), 403);
    expect((await call('GET', '/partners', management)).status).toBe(200);
  });
});
