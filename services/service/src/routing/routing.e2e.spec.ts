import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { COMPANY_WIDE_VISIBILITY, TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from '../service';
import { CaseRouterService } from './routing.providers';
import type { CaseRouter } from './case-router.process';

type Body = Record<string, unknown>;

// Routing by skill and customer value (issue 12 §3), over HTTP on the embedded platform, on a test
// clock: the router ticks only when the test says so (its interval is an hour; the first tick at start
// finds nothing).
describe('routing (service, embedded)', () => {
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let router: CaseRouter;
  let commands: RelationshipCommands;
  const tokens: Record<string, string> = {};
  const lead: Principal = { kind: 'staff', subject: 'lena', department: 'service', roles: ['team-lead'] };
  const agentPrincipal = (subject: string): Principal => ({ kind: 'staff', subject, department: 'service', roles: ['agent'] });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-service-routing-'));
    const config = loadConfig(CustomerServiceConfig, { CRM_DATA_DIR: dataDir, CRM_ROUTING_INTERVAL_MS: '3600000', CRM_ROUTING_OFFER_TIMEOUT_SECONDS: '60' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createCustomerServiceApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    router = app.app.get(CaseRouterService).router;
    commands = createRelationshipCommands(platform.eventStore, { clock });
    const mint = app.app.get(TokenMint);
    tokens.lead = await mint.mint(lead);
    for (const a of ['dewi', 'budi', 'sari', 'tono']) tokens[a] = await mint.mint(agentPrincipal(a));
    tokens.seller = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['team-lead'] });
    tokens.partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: [] });
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = httpCaller(
    () => base,
    () => tokens.lead,
  );
  const as =
    (who: string) =>
    (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
      call(method, url, body, headers, tokens[who]);
  const fieldsOf = (body: Body) => (body.errors as { field: string }[]).map((e) => e.field);

  const setAgent = async (id: string, profile: Body, presence?: string) => {
    const r = await call('PUT', `/agents/${id}`, { capacity: 2, active: true, skills: [], ...profile });
    expect(r.status).toBe(200);
    if (presence) expect((await call('POST', `/agents/${id}/presence`, { presence })).status).toBe(200);
  };
  const agentsListed = (ids: string[], ok: (a: Body) => boolean = () => true) =>
    waitFor(
      async () => {
        const items = (await call('GET', '/agents')).body.items as Body[];
        return ids.every((id) => items.some((a) => a.agentId === id && ok(a)));
      },
      20000,
      `agents ${ids.join(', ')} in the routing read model`,
    );

  const registerCustomer = async (name: string) => (await commands.customers.register(lead, { kind: 'person', name })).id;
  const setTier = async (customerId: string, tier: string) => {
    const at = clock.now().toISOString();
    await platform.eventStore.appendToStream(`customervalue-${customerId}`, [
      {
        id: randomUUID(),
        type: 'CustomerValueTierChanged',
        schemaVersion: 1,
        data: { customerId, tier, clv: 100000, rank: 1, customers: 10, reportingCurrency: 'EUR', modelFittedAt: at, assignedAt: at },
        metadata: {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { type: 'system', id: 'analytics' },
          occurredAt: at,
          visibility: COMPANY_WIDE_VISIBILITY,
        },
      },
    ]);
  };
  /** Opens a case over HTTP, then (as the case helper's command will) records its team and category. */
  const openCase = async (customerId: string, details: { team?: string; category?: string; severity?: string } = {}) => {
    const r = await call('POST', '/cases', { customerId, name: 'Help', channel: 'phone' });
    expect(r.status).toBe(201);
    const episodeId = String(r.body.episodeId);
    if (Object.keys(details).length)
      await platform.eventStore.appendToStream(`episode-${episodeId}`, [
        {
          id: randomUUID(),
          type: 'CaseDetailsChanged',
          schemaVersion: 1,
          data: { episodeId, customerId, ...details, changedAt: clock.now().toISOString(), changedBy: 'lena' },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: { type: 'staff', id: 'lena' },
            occurredAt: clock.now().toISOString(),
            visibility: COMPANY_WIDE_VISIBILITY,
          },
        },
      ]);
    return episodeId;
  };
  const queue = async (team?: string) => (await call('GET', `/routing/queue${team ? `?team=${team}` : ''}`)).body.items as Body[];
  const queued = (team: string, check: (items: Body[]) => boolean, what: string) => waitFor(async () => check(await queue(team)), 20000, what);
  const offersOf = async (who: string) => (await as(who)('GET', '/routing/offers?agentId=me')).body.items as Body[];
  const routingEvents = async (episodeId: string) =>
    (await platform.eventStore.readStream(`caserouting-${episodeId}`)).map((e) => ({ type: e.type, data: e.data as Body }));

  it('sets up agents (team leads only), their presence (their own, or a team lead), and lists agents and teams with their load', async () => {
    const put = await call('PUT', '/agents/dewi', {
      name: 'Dewi',
      teams: ['billing'],
      skills: [{ skill: 'billing', level: 4 }],
      capacity: 1,
      hourlyCost: 2500,
      currency: 'EUR',
      active: true,
    });
    expect(put.status).toBe(200);
    expect(put.etag).toBe('"0"');
    expect(put.body).toMatchObject({ agentId: 'dewi', name: 'Dewi', capacity: 1, presence: 'offline', openCases: 0 });
    // the same profile again: nothing new
    expect(
      (
        await call('PUT', '/agents/dewi', {
          name: 'Dewi',
          teams: ['billing'],
          skills: [{ skill: 'billing', level: 4 }],
          capacity: 1,
          hourlyCost: 2500,
          currency: 'EUR',
          active: true,
        })
      ).etag,
    ).toBe('"0"');
    // an agent is not a team lead
    const notLead = await as('dewi')('PUT', '/agents/dewi', { name: 'Dewi', teams: [], skills: [], capacity: 9, active: true });
    expect(notLead.status).toBe(403);
    expect(notLead.body.code).toBe('not-team-lead');

    // its own presence: yes; someone else's: no; a team lead: anyone's
    const own = await as('dewi')('POST', '/agents/dewi/presence', { presence: 'available' }, { 'if-match': '"0"' });
    expect(own.status).toBe(200);
    expect(own.etag).toBe('"1"');
    await setAgent('budi', { name: 'Budi', teams: ['billing'] });
    const other = await as('dewi')('POST', '/agents/budi/presence', { presence: 'available' });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('not-own-presence');
    expect((await call('POST', '/agents/budi/presence', { presence: 'away' })).status).toBe(200);
    // stale If-Match: 412 before any rule
    expect((await call('PUT', '/agents/dewi', { name: 'Dewi', teams: [], skills: [], capacity: 1, active: false }, { 'if-match': '"0"' })).status).toBe(412);
    // an inactive agent is only offline
    await setAgent('tono', { name: 'Tono', teams: ['archive'], active: false });
    const inactive = await call('POST', '/agents/tono/presence', { presence: 'available' });
    expect(inactive.status).toBe(422);
    expect(inactive.body.code).toBe('agent-inactive');
    expect((await call('POST', '/agents/nobody/presence', { presence: 'available' })).status).toBe(404);
    expect((await call('GET', '/agents/nobody')).status).toBe(404);

    await agentsListed(['dewi', 'budi', 'tono'], (a) => a.agentId !== 'budi' || a.presence === 'away');
    const billing = (await call('GET', '/agents?team=billing')).body.items as Body[];
    expect(billing.map((a) => a.agentId)).toEqual(['budi', 'dewi']);
    expect((await call('GET', '/agents?skill=billing&presence=available')).body.items).toEqual([
      expect.objectContaining({
        agentId: 'dewi',
        presence: 'available',
        capacity: 1,
        openCases: 0,
        pendingOffers: 0,
        load: 0,
        hourlyCost: 2500,
        currency: 'EUR',
      }),
    ]);
    const got = await call('GET', '/agents/dewi');
    expect(got.etag).toBe('"1"');
    expect(got.body).toMatchObject({ agentId: 'dewi', presence: 'available', skills: [{ skill: 'billing', level: 4 }] });
    const teams = (await call('GET', '/teams')).body.items as Body[];
    expect(teams).toEqual(
      expect.arrayContaining([
        { team: 'billing', agents: 2, active: 2, available: 1, availableCapacity: 1 },
        { team: 'archive', agents: 1, active: 0, available: 0, availableCapacity: 0 },
      ]),
    );
  });

  it("offers a platinum customer's case before an earlier bronze one's; the agent at capacity gets nothing more; the assignment records why", async () => {
    clock.set('2026-03-02T10:00:00.000Z');
    expect((await call('PUT', '/routing/rules', { rules: [{ category: 'billing', skills: [{ skill: 'billing', minLevel: 3 }] }] })).status).toBe(200);
    const bronzeCustomer = await registerCustomer('Bima');
    const platinumCustomer = await registerCustomer('Putri');
    await setTier(bronzeCustomer, 'bronze');
    await setTier(platinumCustomer, 'platinum');
    const bronze = await openCase(bronzeCustomer, { team: 'billing', category: 'billing' });
    clock.advance(5 * 60_000);
    const platinum = await openCase(platinumCustomer, { team: 'billing', category: 'billing' });
    clock.advance(60_000);
    await queued(
      'billing',
      (items) => items.length === 2 && items.every((i) => (i.parts as Body).tierSource === 'analytics' && (i.parts as Body).slaMinutesLeft !== null),
      'both cases waiting, with their tiers and their SLA clocks',
    );
    const q = await queue('billing');
    expect(q.map((i) => i.episodeId)).toEqual([platinum, bronze]);
    expect(q[0]).toMatchObject({
      position: 1,
      priority: 40.0164,
      // no policy set: the fallback's 8 h first response, 1 minute gone — 479 minutes left, too far to add points
      parts: { tier: 'platinum', tierPoints: 40, slaMinutesLeft: 479, slaPoints: 0, waitingMinutes: 1 },
    });
    expect(q[1]).toMatchObject({ position: 2, parts: { tier: 'bronze', tierPoints: 10, waitingMinutes: 6 } });

    // dewi (capacity 1, available, billing 4) is the only one: the platinum case is offered to her
    const tick = await router.tick();
    expect(tick.offered.map((o) => [o.episodeId, o.agentId])).toEqual([[platinum, 'dewi']]);
    const [offered] = (await routingEvents(platinum)).filter((e) => e.type === 'CaseOffered');
    expect(offered.data).toMatchObject({
      agentId: 'dewi',
      customerId: platinumCustomer,
      offeredAt: '2026-03-02T10:06:00.000Z',
      expiresAt: '2026-03-02T10:07:00.000Z',
    });
    expect(String(offered.data.reason)).toMatch(/^skills billing≥3 \(has 4\); team billing; least loaded 0\/1; .*priority 40\.0164: platinum 40/);
    // until the read model shows the offer, the router remembers it: dewi is full, nothing else goes out
    expect((await router.tick()).offered).toEqual([]);
    await waitFor(async () => (await offersOf('dewi')).length === 1, 20000, "dewi's offer listed");
    expect((await router.tick()).offered).toEqual([]);
    expect(await routingEvents(bronze)).toEqual([]);

    // another agent does not see it, nor accept it
    const offerId = String((await offersOf('dewi'))[0].offerId);
    expect((await as('budi')('POST', `/routing/offers/${offerId}/accept`)).status).toBe(404);
    const accepted = await as('dewi')('POST', `/routing/offers/${offerId}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ offerId, episodeId: platinum, status: 'accepted' });
    // again: nothing new
    expect((await as('dewi')('POST', `/routing/offers/${offerId}/accept`)).status).toBe(200);
    const assigned = (await platform.eventStore.readStream(`episode-${platinum}`)).filter((e) => e.type === 'CaseAssigned');
    expect(assigned).toHaveLength(1);
    expect(assigned[0].data).toMatchObject({
      episodeId: platinum,
      customerId: platinumCustomer,
      agentId: 'dewi',
      team: 'billing',
      // through the case lifecycle's command, as the router; who accepted is in the reason
      assignedBy: 'router',
      assignedAt: '2026-03-02T10:06:00.000Z',
    });
    expect(String((assigned[0].data as Body).reason)).toMatch(
      /^offer accepted: skills billing≥3 \(has 4\); team billing; least loaded 0\/1;.*platinum 40.*; offer accepted by dewi$/,
    );
    // and the case's status moved with it
    expect((await call('GET', `/cases/${platinum}`)).body).toMatchObject({ status: 'assigned', assigneeId: 'dewi' });

    // dewi holds one open case of capacity one: the bronze case still waits
    await agentsListed(['dewi'], (a) => a.openCases === 1 && a.pendingOffers === 0);
    expect((await router.tick()).offered).toEqual([]);
    expect((await queue('billing')).map((i) => i.episodeId)).toEqual([bronze]);
    // once the platinum case is resolved, she has room again and the bronze case goes to her
    expect((await call('POST', `/cases/${platinum}/resolve`, { outcome: 'resolved' })).status).toBe(200);
    await agentsListed(['dewi'], (a) => a.openCases === 0);
    expect((await router.tick()).offered.map((o) => [o.episodeId, o.agentId])).toEqual([[bronze, 'dewi']]);
    await waitFor(async () => (await offersOf('dewi')).length === 1, 20000, "dewi's second offer");
    expect((await as('dewi')('POST', `/routing/offers/${String((await offersOf('dewi'))[0].offerId)}/accept`)).status).toBe(200);
  });

  it('needs the skills the routing rules name; a decline and a timeout re-route, never to the same agent; the expiry is recorded at its exact time, once', async () => {
    const camerasRule = { category: 'camera-repair', skills: [{ skill: 'cameras', minLevel: 3 }] };
    const billingRule = { category: 'billing', skills: [{ skill: 'billing', minLevel: 3 }] };
    const rules = await call('PUT', '/routing/rules', { rules: [billingRule, camerasRule] });
    expect(rules.status).toBe(200);
    expect(rules.body).toMatchObject({ rules: [billingRule, camerasRule], replacedBy: 'lena' });
    expect((await call('GET', '/routing/rules')).etag).toBe(rules.etag);
    clock.set('2026-03-02T11:00:00.000Z');
    await setAgent('novice', { name: 'Nia', teams: ['returns'], skills: [{ skill: 'cameras', level: 2 }] }, 'available');
    clock.advance(60_000);
    await setAgent('sari', { name: 'Sari', teams: ['returns'], skills: [{ skill: 'cameras', level: 3 }] }, 'available');
    clock.advance(60_000);
    await setAgent('budi', { name: 'Budi', teams: ['billing', 'returns'], skills: [{ skill: 'cameras', level: 5 }] }, 'available');
    await agentsListed(['novice', 'sari', 'budi'], (a) => a.presence === 'available' && (a.teams as string[]).includes('returns'));

    const customerId = await registerCustomer('Rudi');
    const camera = await openCase(customerId, { team: 'returns', category: 'camera-repair', severity: 'major' });
    await queued('returns', (items) => items.some((i) => i.episodeId === camera && i.category === 'camera-repair'), 'the camera case waiting');
    // the novice (cameras 2) waited longest but lacks the level: sari (idle since 11:01) before budi (11:02)
    clock.set('2026-03-02T11:10:00.000Z');
    expect((await router.tick()).offered.map((o) => [o.episodeId, o.agentId])).toEqual([[camera, 'sari']]);
    await waitFor(async () => (await offersOf('sari')).length === 1, 20000, "sari's offer");
    const first = String((await offersOf('sari'))[0].offerId);
    const declined = await as('sari')('POST', `/routing/offers/${first}/decline`, { reason: 'not my area today' });
    expect(declined.status).toBe(200);
    expect(declined.body).toEqual({ offerId: first, episodeId: camera, status: 'declined' });
    // answered already: accepting it now breaks a rule
    const late = await as('sari')('POST', `/routing/offers/${first}/accept`);
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('offer-settled');

    await queued(
      'returns',
      (items) => items.some((i) => i.episodeId === camera && !i.offered && (i.refusedBy as string[]).includes('sari')),
      'the decline in the queue',
    );
    clock.set('2026-03-02T11:11:00.000Z');
    expect((await router.tick()).offered.map((o) => [o.episodeId, o.agentId])).toEqual([[camera, 'budi']]);
    await waitFor(async () => (await offersOf('budi')).length === 1, 20000, "budi's offer");
    const second = (await offersOf('budi'))[0];
    expect(second.expiresAt).toBe('2026-03-02T11:12:00.000Z');

    // not yet: a millisecond before its expiry nothing is recorded
    clock.set('2026-03-02T11:11:59.999Z');
    expect((await router.tick()).expired).toEqual([]);
    // the timer looks late: the expiry is still recorded at 11:12:00 exactly, once
    clock.set('2026-03-02T11:12:30.000Z');
    expect((await router.tick()).expired).toEqual([{ episodeId: camera, offerId: second.offerId }]);
    expect((await as('budi')('POST', `/routing/offers/${String(second.offerId)}/accept`)).body.code).toBe('offer-settled');
    for (let i = 0; i < 2; i++) await router.tick();
    const events = await routingEvents(camera);
    expect(events.map((e) => [e.type, e.data.agentId])).toEqual([
      ['CaseOffered', 'sari'],
      ['CaseOfferDeclined', 'sari'],
      ['CaseOffered', 'budi'],
      ['CaseOfferExpired', 'budi'],
    ]);
    expect(events[1].data.reason).toBe('not my area today');
    expect(events[3].data.expiredAt).toBe('2026-03-02T11:12:00.000Z');
    // both able agents refused it, the novice lacks the skill: it waits, offered to nobody
    await queued('returns', (items) => items.some((i) => i.episodeId === camera && (i.refusedBy as string[]).length === 2), 'both refusals in the queue');
    expect((await router.tick()).offered).toEqual([]);
  });

  it('answers bad input with problem+json naming the field', async () => {
    const bad = async (method: string, url: string, body: unknown, fields: string[], headers: Record<string, string> = {}) => {
      const r = await call(method, url, body, headers);
      expect(r.status).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect(fieldsOf(r.body)).toEqual(expect.arrayContaining(fields));
    };
    await bad('PUT', '/agents/dewi', { name: '', teams: ['Billing Team'], skills: [{ skill: 'billing', level: 9 }], capacity: 0, active: 'yes' }, [
      'name',
      'teams',
      'skills.0.level',
      'capacity',
      'active',
    ]);
    await bad('PUT', '/agents/dewi', { name: 'Dewi', teams: [], skills: [[{ skill: 'billing', level: 3 }]], capacity: 1, active: true }, ['skills']);
    await bad('PUT', '/agents/dewi', { name: 'Dewi', teams: [], skills: { skill: 'billing' }, capacity: 1.5, hourlyCost: -1, currency: 'eur', active: true }, [
      'skills',
      'capacity',
      'hourlyCost',
      'currency',
    ]);
    await bad('PUT', '/agents/dewi', { name: 'De\u0000wi', teams: [], skills: [], capacity: 1, active: true }, ['name']);
    await bad('PUT', '/agents/dewi', { name: 'De\ud800wi', teams: [], skills: [], capacity: 1, active: true }, ['name']);
    await bad('PUT', '/agents/dewi', { name: 'Dewi', teams: [], skills: [], capacity: 1, active: true, presence: 'available' }, ['presence']);
    await bad('PUT', '/agents/de%20wi', { name: 'Dewi', teams: [], skills: [], capacity: 1, active: true }, ['id']);
    await bad('POST', '/agents/dewi/presence', { presence: 'asleep' }, ['presence']);
    await bad('GET', '/agents?presence=asleep&team=A%20B&skill=Billing', undefined, ['presence', 'team', 'skill']);
    await bad('GET', '/agents?skill=%00', undefined, ['skill']);
    await bad('GET', '/agents?team=%ED%A0%80', undefined, ['team']);
    await bad('GET', '/agents?team=a&team=b', undefined, ['team']);
    await bad('GET', '/routing/queue?team=..%2F', undefined, ['team']);
    await bad('GET', '/routing/offers?agentId=%F0%9F%98%80%20x', undefined, ['agentId']);
    await bad('PUT', '/routing/rules', { rules: [{ category: 'Camera', skills: [{ skill: 'cameras', minLevel: 0 }] }] }, [
      'rules.0.category',
      'rules.0.skills.0.minLevel',
    ]);
    await bad('PUT', '/routing/rules', { rules: { category: 'x' } }, ['rules']);
    await bad('POST', '/routing/offers/not-a-uuid/accept', undefined, ['offerId']);
    await bad('POST', `/routing/offers/${randomUUID()}/decline`, { reason: 'x'.repeat(501) }, ['reason']);
    const badIfMatch = await call('PUT', '/agents/dewi', { name: 'Dewi', teams: [], skills: [], capacity: 1, active: true }, { 'if-match': 'yesterday' });
    expect([badIfMatch.status, badIfMatch.type]).toEqual([400, expect.stringContaining('application/problem+json')]);
    // the wrong content type
    const form = await fetch(`${base}/agents/dewi`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.lead}`, 'content-type': 'text/plain' },
      body: 'name=Dewi',
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(form.status).toBeLessThan(500);
    expect(form.headers.get('content-type')).toContain('application/problem+json');
    // rules of the domain: 422 with their code
    const twice = await call('PUT', '/routing/rules', {
      rules: [
        { category: 'x', skills: [] },
        { category: 'x', skills: [] },
      ],
    });
    expect([twice.status, twice.body.code]).toEqual([422, 'routing-rule-categories-unique']);
    const skillTwice = await call('PUT', '/agents/zed', {
      name: 'Zed',
      teams: [],
      skills: [
        { skill: 'a', level: 1 },
        { skill: 'a', level: 2 },
      ],
      capacity: 1,
      active: true,
    });
    expect([skillTwice.status, skillTwice.body.code]).toEqual([422, 'agent-skills-unique']);
    const costOnly = await call('PUT', '/agents/zed', { name: 'Zed', teams: [], skills: [], capacity: 1, hourlyCost: 100, active: true });
    expect([costOnly.status, costOnly.body.code]).toEqual([422, 'agent-cost-needs-currency']);
    // unknown offers
    expect((await call('POST', `/routing/offers/${randomUUID()}/accept`)).status).toBe(404);
    expect((await call('POST', `/routing/offers/${randomUUID()}/decline`, {})).status).toBe(404);
  });

  it('refuses callers without a token, partners, other departments, agents acting as team leads', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/agents'],
      ['GET', '/agents/dewi'],
      ['PUT', '/agents/dewi', { name: 'Dewi', teams: [], skills: [], capacity: 1, active: true }],
      ['POST', '/agents/dewi/presence', { presence: 'away' }],
      ['GET', '/teams'],
      ['GET', '/routing/rules'],
      ['PUT', '/routing/rules', { rules: [] }],
      ['GET', '/routing/queue'],
      ['GET', '/routing/offers'],
      ['POST', `/routing/offers/${randomUUID()}/accept`],
      ['POST', `/routing/offers/${randomUUID()}/decline`, {}],
    ];
    for (const [method, url, body] of routes) {
      const none = await fetch(`${base}${url}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect([method, url, none.status]).toEqual([method, url, 401]);
      for (const who of ['seller', 'partner']) {
        const r = await as(who)(method, url, body);
        expect([method, url, who, r.status]).toEqual([method, url, who, 403]);
        expect(r.type).toContain('application/problem+json');
      }
    }
    expect((await call('GET', '/agents', undefined, {}, 'not-a-token')).status).toBe(401);
    const rules = await as('dewi')('PUT', '/routing/rules', { rules: [] });
    expect([rules.status, rules.body.code]).toEqual([403, 'not-team-lead']);
    const othersOffers = await as('dewi')('GET', '/routing/offers?agentId=budi');
    expect([othersOffers.status, othersOffers.body.code]).toEqual([403, 'not-own-offers']);
    expect((await call('GET', '/routing/offers?agentId=budi')).status).toBe(200);
    // management staff may work the contact centre too
    const manager = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'maya', department: 'management', roles: [] });
    expect((await call('GET', '/routing/queue', undefined, {}, manager)).status).toBe(200);
  });

  it('documents its routes in OpenAPI with response schemas and problems', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    for (const [p, method] of [
      ['/agents', 'get'],
      ['/agents/{id}', 'get'],
      ['/agents/{id}', 'put'],
      ['/agents/{id}/presence', 'post'],
      ['/teams', 'get'],
      ['/routing/rules', 'get'],
      ['/routing/rules', 'put'],
      ['/routing/queue', 'get'],
      ['/routing/offers', 'get'],
      ['/routing/offers/{offerId}/accept', 'post'],
      ['/routing/offers/{offerId}/decline', 'post'],
    ]) {
      const op = doc.paths[p]?.[method];
      expect([p, method, op !== undefined]).toEqual([p, method, true]);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
    }
  });
});
