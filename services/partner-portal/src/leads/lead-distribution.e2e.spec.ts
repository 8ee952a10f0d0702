import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { LeadCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { mintToken, TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';
import { LeadDistributionProcess } from './lead-distribution.process';
import { routingCandidates } from './lead-offers.projection';
import { portalHttp, type Json } from '../testing/portal-http';

const HOUR = 3_600_000;

// Lead distribution (issue 14 §4) on the embedded portal, on a test clock: routing profiles; a lead
// offered to the best partner, re-routed on a decline and on an expiry (the tick), accepted (assigned
// in the lead's own history, which sales reads), its outcome counted in the rates the next lead is
// routed by; capacity; exhaustion; the partner attack cases (another partner's lead, a lead no longer
// offered, a revoked credential, forged and expired tokens: 404/401, nothing leaked); bad input.
describe('lead distribution (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-lead-distribution-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let mint: TokenMint;
  let leads: LeadCommands;
  let process: LeadDistributionProcess;
  let management = '';
  let channelManager = '';
  let salesAgent = '';
  let manager: ReadModelRunners['dataSource']['manager'];

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };

  const { raw, call, problem, exchange } = portalHttp(() => base);
  const issue = async (partnerId: string) => {
    const r = await call('POST', `/partners/${partnerId}/credentials`, management);
    return { clientId: String(r.body.clientId), clientSecret: String(r.body.clientSecret) };
  };
  const profile = (over: Json = {}) => ({ territories: [{ country: 'ID' }], products: [], tier: 'silver', capacity: 5, ...over });
  const partner = async (name: string, partnerKind: string, routing: Json) => {
    const partnerId = String((await call('POST', '/partners', management, { name, partnerKind })).body.partnerId);
    expect((await call('PUT', `/partners/${partnerId}/routing-profile`, channelManager, routing)).status).toBe(200);
    return { partnerId, token: await exchange(await issue(partnerId)) };
  };
  const capture = async (name: string, country: string) =>
    (await leads.capture(alice, { source: 'web-form', name, company: `${name} Corp`, email: `${name.toLowerCase()}@example.id`, country })).id;
  /** The staff list of offers (a read model): waits until `lead` shows the offer states given, in order. */
  const offersOf = async (leadId: string, expected: [string, string][]): Promise<Json[]> => {
    let items: Json[] = [];
    await waitFor(
      async () => {
        const r = await call('GET', '/lead-distribution?limit=200', channelManager);
        items = ((r.body.items ?? []) as Json[]).filter((i) => i.leadId === leadId).sort((a, b) => Number(a.attempt) - Number(b.attempt));
        return JSON.stringify(items.map((i) => [i.partnerId, i.status])) === JSON.stringify(expected);
      },
      20000,
      `lead ${leadId}'s offers to read ${JSON.stringify(expected)}`,
    );
    return items;
  };
  /** Waits for the routing read model (the profiles the next distribution ranks) to satisfy `check`. */
  const profilesRead = (check: (all: Awaited<ReturnType<typeof routingCandidates>>) => boolean) =>
    waitFor(async () => check(await routingCandidates(manager)), 20000, 'the routing profiles to be read');
  const distribute = async (leadId: string, products = ['VAN']) => {
    const r = await call('POST', `/leads/${leadId}/distribution`, channelManager, { products });
    expect(r.status).toBe(200);
    return r.body;
  };

  let a: { partnerId: string; token: string };
  let b: { partnerId: string; token: string };
  let c: { partnerId: string; token: string };
  let others: string[] = [];
  let lead1 = '';

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0',
      CRM_DEAL_REGISTRATION_INTERVAL_MS: '0',
      CRM_LEAD_DISTRIBUTION_INTERVAL_MS: '0', // ticks only when a test ticks: nothing is timed by the wall clock
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    leads = app.app.get(LeadCommands);
    process = app.app.get(LeadDistributionProcess);
    manager = app.app.get<ReadModelRunners>(READ_MODELS).dataSource.manager;
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    channelManager = await mint.mint({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    salesAgent = await mint.mint(alice);

    // Three silver resellers/distributors in Indonesia: equal scores at first, so free capacity orders them (A 5, B 4, C 1).
    a = await partner('Reseller A', 'reseller', profile({ capacity: 5 }));
    b = await partner('Distributor B', 'distributor', profile({ capacity: 4 }));
    c = await partner('Reseller C', 'reseller', profile({ capacity: 1 }));
    // Never offered a VAN lead in Indonesia: a supplier, another territory, another product, a deactivated partner.
    others = [
      (await partner('Supplier S', 'supplier', profile({ tier: 'gold' }))).partnerId,
      (await partner('Reseller M', 'reseller', profile({ tier: 'gold', territories: [{ country: 'MY' }] }))).partnerId,
      (await partner('Reseller T', 'reseller', profile({ tier: 'gold', products: ['TRUCK'] }))).partnerId,
      (await partner('Reseller P', 'reseller', profile({ tier: 'gold', active: false }))).partnerId,
    ];
    lead1 = await capture('Dewi', 'ID');
    await profilesRead((all) => all.length === 7);
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('records a routing profile (normalised) and shows it on the partner', async () => {
    const r = await call(
      'PUT',
      `/partners/${a.partnerId}/routing-profile`,
      channelManager,
      profile({ territories: [{ country: 'id' }], products: ['VAN', 'VAN'] }),
    );
    expect(r.status).toBe(200);
    expect(r.body.routingProfile).toEqual({ territories: [{ country: 'ID' }], products: ['VAN'], tier: 'silver', capacity: 5, active: true });
    expect((await call('GET', `/partners/${a.partnerId}`, management)).body.routingProfile).toEqual(r.body.routingProfile);
    // the profile of every test below: any product
    expect((await call('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, profile({ capacity: 5 }))).status).toBe(200);
    await profilesRead((all) => all.find((x) => x.partnerId === a.partnerId)?.profile.products.length === 0);
    problem(await call('PUT', `/partners/${randomUUID()}/routing-profile`, channelManager, profile()), 404);
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, salesAgent, profile()), 403);
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, a.token, profile()), 403);
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, undefined, profile()), 401);
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, profile({ territories: [[{ country: 'ID' }]] })), 400, 'territories');
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, profile({ territories: [{ country: 'IDN' }] })), 400, 'territories');
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, profile({ tier: 'platinum' })), 400, 'tier');
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, profile({ capacity: -1 })), 400, 'capacity');
    problem(await raw('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, 'tier=gold', { 'content-type': 'text/plain' }), 415);
    problem(await call('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, profile({ products: ['VAN\u0000'] })), 400);
    problem(
      await raw(
        'PUT',
        `/partners/${a.partnerId}/routing-profile`,
        channelManager,
        '{"territories":[{"country":"ID","regions":["\\ud800"]}],"products":[],"tier":"gold","capacity":1}',
      ),
      400,
      'territories',
    );
    problem(await call('PUT', `/partners/not-a-uuid/routing-profile`, channelManager, profile()), 400, 'id');
  });

  it("offers a lead to the best partner: it is in that partner's inbox, and nobody else sees it", async () => {
    const started = await distribute(lead1);
    expect(started).toMatchObject({ leadId: lead1, status: 'offered', partnerId: a.partnerId });
    const [offer] = await offersOf(lead1, [[a.partnerId, 'offered']]);
    expect(offer.reasons).toEqual(expect.arrayContaining(['territory ID', '+20 silver tier', '5 of 5 free']));
    // started again while offered: nothing new
    expect(await distribute(lead1)).toMatchObject({ status: 'offered', partnerId: a.partnerId });

    const inbox = await call('GET', '/leads', a.token);
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toEqual([expect.objectContaining({ leadId: lead1, status: 'offered' })]);
    expect(inbox.text).not.toContain('score'); // a partner never sees how it compares with others
    const mine = await call('GET', `/leads/${lead1}`, a.token);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ leadId: lead1, name: 'Dewi', company: 'Dewi Corp', email: 'dewi@example.id', country: 'ID', products: ['VAN'] });

    // another partner: 404, the same answer as for an unknown lead, and not a word of the lead
    const theirs = await call('GET', `/leads/${lead1}`, b.token);
    const unknownId = randomUUID();
    const unknown = await call('GET', `/leads/${unknownId}`, b.token);
    problem(theirs, 404);
    expect(theirs.text.replaceAll(lead1, 'X')).toBe(unknown.text.replaceAll(unknownId, 'X'));
    for (const r of [theirs, await call('POST', `/leads/${lead1}/accept`, b.token), await call('POST', `/leads/${lead1}/decline`, b.token, { reason: 'x' })]) {
      problem(r, 404);
      expect(r.text).not.toMatch(/Dewi|example\.id/);
    }
    problem(await call('POST', `/leads/${lead1}/outcome`, b.token, { outcome: 'won' }), 404);
    expect((await call('GET', '/leads', b.token)).body.items).toEqual([]);
  });

  it('a decline re-routes the lead to the next partner; the one that declined no longer sees it', async () => {
    const r = await call('POST', `/leads/${lead1}/decline`, a.token, { reason: 'Outside our service area' });
    expect(r.status).toBe(200);
    await offersOf(lead1, [
      [a.partnerId, 'declined'],
      [b.partnerId, 'offered'],
    ]);
    problem(await call('GET', `/leads/${lead1}`, a.token), 404);
    expect((await call('GET', `/leads/${lead1}`, b.token)).status).toBe(200);
    expect((await call('GET', '/leads', a.token)).body.items).toEqual([expect.objectContaining({ leadId: lead1, status: 'declined' })]);
  });

  it('an offer not answered in CRM_LEAD_OFFER_HOURS expires on the tick and goes to the next partner (idempotent ticks)', async () => {
    clock.advance(47 * HOUR);
    expect(await process.tick()).toEqual({ expired: 0, reOffered: 0, exhausted: 0 });
    clock.advance(1 * HOUR);
    // past the deadline, before the tick: the partner can neither see nor accept it
    problem(await call('GET', `/leads/${lead1}`, b.token), 404);
    problem(await call('POST', `/leads/${lead1}/accept`, b.token), 404);
    expect(await process.tick()).toEqual({ expired: 1, reOffered: 1, exhausted: 0 });
    await offersOf(lead1, [
      [a.partnerId, 'declined'],
      [b.partnerId, 'expired'],
      [c.partnerId, 'offered'],
    ]);
    expect(await process.tick()).toEqual({ expired: 0, reOffered: 0, exhausted: 0 });
  });

  it("accepting assigns the lead to the partner in the lead's own history, which sales reads", async () => {
    expect((await call('POST', `/leads/${lead1}/accept`, c.token)).status).toBe(200);
    expect((await call('POST', `/leads/${lead1}/accept`, c.token)).status).toBe(200); // again: nothing new
    problem(await call('POST', `/leads/${lead1}/decline`, c.token, { reason: 'changed our mind' }), 422);
    // what sales' GET /leads/{id} answers (the same LeadCommands.get)
    const lead = await leads.get(lead1);
    expect(lead.owner).toBe(`partner/${c.partnerId}`);
    expect(lead.assignedByRule).toBe('lead-distribution');
    expect(lead.distribution).toMatchObject({ status: 'accepted', partnerId: c.partnerId });
    expect(lead.distribution!.offers.map((o) => [o.partnerId, o.status])).toEqual([
      [a.partnerId, 'declined'],
      [b.partnerId, 'expired'],
      [c.partnerId, 'accepted'],
    ]);
    const types = (await platform.eventStore.readStream(`lead-${lead1}`)).map((e) => e.type);
    expect(types.filter((t) => t === 'LeadOfferAccepted' || t === 'LeadAssigned')).toEqual(['LeadOfferAccepted', 'LeadAssigned']);
    // accepted: the partner keeps seeing it, past any deadline
    clock.advance(500 * HOUR);
    expect((await call('GET', `/leads/${lead1}`, c.token)).body).toMatchObject({ name: 'Dewi', offer: { status: 'accepted' } });
  });

  it('the outcome comes back into the lead, and a win makes the next lead prefer the winner; a full partner is skipped', async () => {
    problem(await call('POST', `/leads/${lead1}/outcome`, c.token, { outcome: 'maybe' }), 400, 'outcome');
    expect((await call('POST', `/leads/${lead1}/outcome`, c.token, { outcome: 'won', note: 'Two vans' })).status).toBe(200);
    problem(await call('POST', `/leads/${lead1}/outcome`, c.token, { outcome: 'lost' }), 422);
    expect((await leads.get(lead1)).distribution).toMatchObject({ outcome: 'won', offers: [{}, {}, { outcome: 'won', outcomeNote: 'Two vans' }] });
    await waitFor(
      async () => ((await call('GET', '/lead-distribution?outcome=won', channelManager)).body.items as Json[]).length === 1,
      20000,
      'the win to be in the read model',
    );

    // C: accepted 1/1 and won 1/1 beats A (declined) and B (let it expire), all silver
    const lead2 = await capture('Budi', 'ID');
    expect(await distribute(lead2)).toMatchObject({ status: 'offered', partnerId: c.partnerId });
    await offersOf(lead2, [[c.partnerId, 'offered']]);
    problem(await call('POST', `/leads/${lead2}/outcome`, c.token, { outcome: 'won' }), 422); // not accepted yet

    // C holds one open lead and its capacity is one: the next lead skips it (A: more free capacity than B)
    const lead3 = await capture('Citra', 'ID');
    expect(await distribute(lead3)).toMatchObject({ status: 'offered', partnerId: a.partnerId });
    await offersOf(lead3, [[a.partnerId, 'offered']]);

    // nobody ever offered to the supplier, the other territory, the other product or the deactivated partner
    const all = ((await call('GET', '/lead-distribution?limit=200', channelManager)).body.items ?? []) as Json[];
    expect(all.filter((o) => others.includes(String(o.partnerId)))).toEqual([]);
  });

  it('is exhausted when no partner is left, and an erased lead shows nothing', async () => {
    const far = await capture('Eko', 'FR');
    expect(await distribute(far)).toEqual({ leadId: far, status: 'exhausted' });
    expect((await leads.get(far)).distribution?.status).toBe('exhausted');

    // a lead offered to B, then erased: B sees nothing of it any more
    const lead4 = await capture('Fajar', 'ID');
    await call('PUT', `/partners/${a.partnerId}/routing-profile`, channelManager, profile({ active: false }));
    await profilesRead((all) => all.find((x) => x.partnerId === a.partnerId)?.profile.active === false);
    await distribute(lead4);
    const offered = (await leads.get(lead4)).distribution!.offers[0];
    expect(offered.partnerId).toBe(b.partnerId);
    expect((await call('GET', `/leads/${lead4}`, b.token)).body.name).toBe('Fajar');
    await leads.erasePersonalData({ kind: 'staff', subject: 'dpo', department: 'management', roles: ['admin'] }, lead4);
    const after = await call('GET', `/leads/${lead4}`, b.token);
    problem(after, 404);
    expect(after.text).not.toContain('Fajar');
  });

  it('refuses missing, forged, expired and revoked tokens (401), staff on partner routes and partners or agents on staff routes (403)', async () => {
    problem(await call('GET', '/leads', undefined), 401);
    problem(await call('GET', '/lead-distribution', undefined), 401);
    problem(await call('POST', `/leads/${lead1}/distribution`, undefined, {}), 401);
    const forged = `${a.token.slice(0, -4)}${a.token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    problem(await call('GET', '/leads', forged), 401);
    const expired = await mintToken(
      { kind: 'partner', subject: 'someone', partnerId: c.partnerId, roles: [] },
      { signingKey: path.join(dataDir, 'keys', 'signing-key.json'), issuer: 'crm-embedded', audience: 'crm', now: new Date(Date.now() - 3 * HOUR) },
    );
    problem(await call('GET', `/leads/${lead1}`, expired), 401);
    const credential = await issue(c.partnerId);
    const revokedToken = await exchange(credential);
    expect((await call('DELETE', `/partners/${c.partnerId}/credentials/${credential.clientId}`, management)).status).toBe(204);
    for (const r of [await call('GET', '/leads', revokedToken), await call('GET', `/leads/${lead1}`, revokedToken)]) {
      problem(r, 401);
      expect(r.text).not.toContain('Dewi');
    }
    problem(await call('GET', '/leads', channelManager), 403);
    problem(await call('POST', `/leads/${lead1}/accept`, management), 403);
    problem(await call('POST', `/leads/${lead1}/distribution`, a.token, {}), 403);
    problem(await call('GET', '/lead-distribution', a.token), 403);
    problem(await call('POST', `/leads/${lead1}/distribution`, salesAgent, {}), 403);
    problem(await call('GET', '/lead-distribution', salesAgent), 403);
  });

  it('answers hostile input with 4xx problem+json naming the field, never 5xx', async () => {
    const post = (url: string, token: string, body: string, type = 'application/json') => raw('POST', url, token, body, { 'content-type': type });
    problem(await post(`/leads/${lead1}/distribution`, channelManager, 'products=VAN', 'text/plain'), 415);
    problem(await post(`/leads/${lead1}/distribution`, channelManager, JSON.stringify({ products: [['VAN']] })), 400, 'products');
    problem(await post(`/leads/${lead1}/distribution`, channelManager, '{"products":["\\ud800"]}'), 400, 'products');
    problem(await post(`/leads/${lead1}/distribution`, channelManager, JSON.stringify({ products: ['VAN\u0000'] })), 400);
    problem(await post(`/leads/not-a-lead/distribution`, channelManager, '{}'), 400, 'id');
    problem(await post(`/leads/${randomUUID()}/distribution`, channelManager, '{}'), 404);
    problem(await post(`/leads/${lead1}/decline`, b.token, 'reason=x', 'text/plain'), 415);
    problem(await post(`/leads/${lead1}/decline`, b.token, JSON.stringify({ reason: ['x'] })), 400, 'reason');
    problem(await post(`/leads/${lead1}/decline`, b.token, JSON.stringify({ reason: 'a\u0000b' })), 400);
    problem(await post(`/leads/${lead1}/decline`, b.token, '{"reason":"\\ud800"}'), 400, 'reason');
    problem(await post(`/leads/${lead1}/outcome`, c.token, JSON.stringify({ outcome: ['won'] })), 400, 'outcome');
    problem(await post(`/leads/${lead1}/outcome`, b.token, JSON.stringify({ outcome: 'won', note: { text: 'x' } })), 400, 'note');
    problem(await call('GET', '/leads?cursor=not-one-of-ours', b.token), 400, 'cursor');
    problem(await call('GET', `/leads?cursor=${Buffer.from('["leadoffers",1,"x","y"]').toString('base64url')}`, b.token), 400, 'cursor');
    problem(await call('GET', '/leads?status=maybe', b.token), 400, 'status');
    problem(await call('GET', '/lead-distribution?status=maybe', channelManager), 400, 'status');
    problem(await call('GET', '/lead-distribution?partnerId=x', channelManager), 400, 'partnerId');
    problem(await call('GET', '/leads/%00', b.token), 400);
  });

  it('pages the inbox with a cursor', async () => {
    const first = await call('GET', '/leads?limit=1', b.token);
    expect(first.status).toBe(200);
    expect((first.body.items as Json[]).length).toBe(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await call('GET', `/leads?limit=1&cursor=${String(first.body.nextCursor)}`, b.token);
    expect(second.status).toBe(200);
    expect((second.body.items as Json[])[0].leadId).not.toBe((first.body.items as Json[])[0].leadId);
  });

  it('documents every route with response schemas, errors and examples', async () => {
    const doc = (await call('GET', '/openapi.json', undefined)).body as { paths: Record<string, Record<string, Json>> };
    const ops: [string, string][] = [
      ['/partners/{id}/routing-profile', 'put'],
      ['/leads/{id}/distribution', 'post'],
      ['/lead-distribution', 'get'],
      ['/leads', 'get'],
      ['/leads/{id}', 'get'],
      ['/leads/{id}/accept', 'post'],
      ['/leads/{id}/decline', 'post'],
      ['/leads/{id}/outcome', 'post'],
    ];
    for (const [p, m] of ops) {
      const op = doc.paths[p]?.[m] as { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown; examples?: unknown }> }> };
      expect(op).toBeDefined();
      const ok = op.responses['200'];
      expect(ok.content?.['application/json']?.schema).toBeDefined();
      expect(ok.content?.['application/json']?.example ?? ok.content?.['application/json']?.examples).toBeDefined();
      for (const status of ['401', '403']) expect(op.responses[status]).toBeDefined();
    }
  });
});
