import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { TokenMint, type Principal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { createMarketingApp, MarketingConfig } from '../marketing';
import { TRIGGER_ACTIONS, type TriggerFiring } from './trigger-actions';
import { TriggerCommands } from './trigger-commands';
import { dueTriggerTimers } from './trigger-queries';
import { TriggerTimer } from './trigger-timer';
import { TriggerTimerService } from './trigger-timer.service';

const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
const seller: StaffPrincipal = { kind: 'staff', subject: 'sam', department: 'sales', roles: [] };

/** The marketing service on an embedded platform in `dataDir` (kept across stops), on a test clock, its trigger timer ticking only when told. */
async function startMarketing(dataDir: string, clock: TestClock) {
  const config = loadConfig(MarketingConfig, { CRM_DATA_DIR: dataDir, CRM_TRIGGER_TIMER_INTERVAL_MS: '0' });
  const platform: Platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
  const app: ServiceApp = await createMarketingApp(config, platform, { embedded: true, clock });
  const base = await app.listen(0);
  const mint = app.app.get(TokenMint);
  const tokens = {
    marketing: await mint.mint(marketer),
    management: await mint.mint({ kind: 'staff', subject: 'max', department: 'management', roles: [] }),
    service: await mint.mint({ kind: 'staff', subject: 'dewi', department: 'service', roles: [] }),
    partner: await mint.mint({ kind: 'partner', subject: 'acme.key', partnerId: 'acme', roles: [] }),
  };
  const offers: TriggerFiring[] = [];
  const actions = app.app.get<{ offer(f: TriggerFiring): Promise<void> }>(TRIGGER_ACTIONS);
  const logged = actions.offer.bind(actions);
  actions.offer = async (f) => {
    offers.push(f);
    await logged(f);
  };
  const readModels = app.app.get<ReadModelRunners>(READ_MODELS);
  return {
    platform,
    app,
    tokens,
    offers,
    timer: app.app.get(TriggerTimerService).timer,
    commands: createRelationshipCommands(platform.eventStore, { clock }),
    due: (at: Date) => dueTriggerTimers(readModels.dataSource.manager, at, 100),
    call: httpCaller(
      () => base,
      () => tokens.marketing,
    ),
    async stop() {
      await app.close();
      await platform.close();
    },
  };
}
type Marketing = Awaited<ReturnType<typeof startMarketing>>;

const orderRule = {
  name: 'Thank big spenders',
  on: 'order-placed',
  conditions: { orderTotal: { min: 10_000, currency: 'EUR' } },
  delay: { amount: 1, unit: 'hours' },
  cooldown: { amount: 1, unit: 'days' },
  action: { campaignId: 'thank-you' },
};
const order = (customerId: string, unitPrice: number) => ({ customerId, currency: 'EUR', lines: [{ productId: 'van-1', quantity: 1, unitPrice }] });
const fields = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string }[]).map((e) => e.field);
const items = (body: Record<string, unknown>) => body.items as Record<string, unknown>[];

describe('trigger routes (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-triggers-'));
  let m: Marketing;
  let customerId: string;

  beforeAll(async () => {
    m = await startMarketing(dataDir, clock);
    customerId = (await m.commands.customers.register(marketer, { kind: 'person', name: 'Sari Wijaya' })).id;
  });
  afterAll(async () => {
    await m?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('POST /triggers defines a rule: 201, Location, ETag; GET reads it back; a client-chosen id retried creates nothing new', async () => {
    const created = await m.call('POST', '/triggers', orderRule);
    expect(created.status).toBe(201);
    expect(created.etag).toBe('"0"');
    expect(created.location).toBe(`/triggers/${created.body.ruleId}`);
    expect(created.body).toMatchObject({ ...orderRule, enabled: true, revision: '0', definedAt: clock.now().toISOString() });
    const read = await m.call('GET', created.location!);
    expect(read.status).toBe(200);
    expect(read.etag).toBe('"0"');
    expect(read.body).toEqual(created.body);
    const ruleId = '0d3a6f4e-2c1b-4e5d-8f7a-9b0c1d2e3f4a';
    expect((await m.call('POST', '/triggers', { ...orderRule, ruleId })).status).toBe(201);
    const again = await m.call('POST', '/triggers', { ...orderRule, ruleId });
    expect([again.status, again.etag]).toEqual([201, '"0"']);
    const other = await m.call('POST', '/triggers', { ...orderRule, ruleId, name: 'Another' });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('trigger-rule-exists');
  });

  it('PUT revises with If-Match (a stale one is 412 before any rule), disable and enable, and the trigger stays fixed', async () => {
    const { body } = await m.call('POST', '/triggers', orderRule);
    const id = String(body.ruleId);
    const revised = await m.call('PUT', `/triggers/${id}`, { ...orderRule, name: 'Thank bigger spenders' }, { 'if-match': '"0"' });
    expect([revised.status, revised.etag, revised.body.name]).toEqual([200, '"1"', 'Thank bigger spenders']);
    // Stale, and the body breaks a rule: the precondition is judged first.
    const stale = await m.call('PUT', `/triggers/${id}`, { ...orderRule, on: 'lapse', conditions: {} }, { 'if-match': '"0"' });
    expect([stale.status, stale.type.split(';')[0]]).toEqual([412, 'application/problem+json']);
    const fixed = await m.call('PUT', `/triggers/${id}`, { ...orderRule, on: 'case-closed', conditions: {} }, { 'if-match': '"1"' });
    expect([fixed.status, fixed.body.code]).toEqual([422, 'trigger-on-fixed']);
    const disabled = await m.call('POST', `/triggers/${id}/disable`, undefined, { 'if-match': '"1"' });
    expect([disabled.status, disabled.etag, disabled.body.enabled]).toEqual([200, '"2"', false]);
    expect((await m.call('POST', `/triggers/${id}/disable`, undefined, { 'if-match': '"1"' })).status).toBe(412);
    const enabled = await m.call('POST', `/triggers/${id}/enable`);
    expect([enabled.status, enabled.etag, enabled.body.enabled]).toEqual([200, '"3"', true]);
    // Enabling an enabled rule records nothing.
    expect((await m.call('POST', `/triggers/${id}/enable`)).etag).toBe('"3"');
  });

  it('GET /triggers pages by keyset cursor and filters; a garbage or foreign cursor is a 400 naming cursor', async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await m.call('POST', '/triggers', orderRule);
      expect(r.status).toBe(201);
      created.push(String(r.body.ruleId));
    }
    // These three listed means every rule before them is too (the read model applies the store in order): the pages are stable.
    await waitFor(
      async () => {
        const listed = new Set(items((await m.call('GET', '/triggers?limit=200')).body).map((r) => r.ruleId));
        return created.every((id) => listed.has(id));
      },
      20000,
      'the rules in the read model',
    );
    const all = items((await m.call('GET', '/triggers?limit=200')).body).map((r) => r.ruleId);
    const first = await m.call('GET', '/triggers?limit=2');
    expect(items(first.body)).toHaveLength(2);
    const second = await m.call('GET', `/triggers?limit=2&cursor=${first.body.nextCursor}`);
    expect([...items(first.body), ...items(second.body)].map((r) => r.ruleId)).toEqual(all.slice(0, 4));
    expect(items((await m.call('GET', '/triggers?on=lapse')).body)).toEqual([]);
    for (const q of ['cursor=%%%', 'cursor=bm90LWEtY3Vyc29y', `cursor=${Buffer.from(JSON.stringify(['rule-firings', 'x', 'y'])).toString('base64url')}`]) {
      const r = await m.call('GET', `/triggers?${q}`);
      expect([r.status, r.type.split(';')[0], fields(r.body)]).toEqual([400, 'application/problem+json', ['cursor']]);
    }
    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['on=purchase', 'on'],
      ['enabled=maybe', 'enabled'],
      ['on=%00', 'on'],
      ['limit=1&limit=2', 'limit'],
    ]) {
      const r = await m.call('GET', `/triggers?${q}`);
      expect([q, r.status, [...new Set(fields(r.body))]]).toEqual([q, 400, [field]]);
    }
  });

  it.each([
    ['a missing action', { ...orderRule, action: undefined }, 'action'],
    ['an array where the conditions object belongs', { ...orderRule, conditions: [[]] }, 'conditions'],
    ['an array where orderTotal belongs', { ...orderRule, conditions: { orderTotal: [{ min: 1, currency: 'EUR' }] } }, 'conditions.orderTotal'],
    ['a bad currency', { ...orderRule, conditions: { orderTotal: { min: 1, currency: 'euro' } } }, 'conditions.orderTotal.currency'],
    [
      'an amount that is not an integer of minor units',
      { ...orderRule, conditions: { orderTotal: { min: 10.5, currency: 'EUR' } } },
      'conditions.orderTotal.min',
    ],
    ['an unknown trigger', { ...orderRule, on: 'birthday' }, 'on'],
    ['a delay unit that is not one', { ...orderRule, delay: { amount: 1, unit: 'weeks' } }, 'delay.unit'],
    ['a delay as a string', { ...orderRule, delay: '1h' }, 'delay'],
    ['a NUL in the name', { ...orderRule, name: 'Thanks\u0000' }, 'name'],
    ['a lone surrogate in the campaign', { ...orderRule, action: { campaignId: 'x\ud800' } }, 'action.campaignId'],
    ['an unknown field', { ...orderRule, colour: 'red' }, 'colour'],
    ['a ruleId that is not a UUID', { ...orderRule, ruleId: 'rule-1' }, 'ruleId'],
    ['a value tier that is not one', { ...orderRule, conditions: { valueTiers: ['diamond'] } }, 'conditions.valueTiers'],
    ['an order source that a rule cannot name (imports are history)', { ...orderRule, conditions: { orderSources: ['import'] } }, 'conditions.orderSources'],
    ['order sources as a string', { ...orderRule, conditions: { orderSources: 'api' } }, 'conditions.orderSources'],
    ['an active window that is not an instant', { ...orderRule, activeFrom: 'tomorrow' }, 'activeFrom'],
  ])('POST /triggers with %s is a 400 problem naming the field', async (_what, body, field) => {
    const r = await m.call('POST', '/triggers', body);
    expect([r.status, r.type.split(';')[0]]).toEqual([400, 'application/problem+json']);
    expect(fields(r.body)).toContain(field);
  });

  it('a rule the domain refuses is a 422 naming the rule; a body that is not JSON is a 415', async () => {
    const r = await m.call('POST', '/triggers', { ...orderRule, conditions: { segmentId: 'vip' } });
    expect([r.status, r.body.code]).toEqual([422, 'trigger-condition-not-applicable']);
    const sources = await m.call('POST', '/triggers', { ...orderRule, on: 'case-closed', conditions: { orderSources: ['api'] } });
    expect([sources.status, sources.body.code]).toEqual([422, 'trigger-condition-not-applicable']);
    const lapse = await m.call('POST', '/triggers', { ...orderRule, on: 'lapse', conditions: {} });
    expect([lapse.status, lapse.body.code]).toEqual([422, 'trigger-timer-settings']);
    const text = await m.call('POST', '/triggers', 'name=x', { 'content-type': 'text/plain' });
    expect([text.status, text.type.split(';')[0]]).toEqual([415, 'application/problem+json']);
  });

  it('unknown and malformed ids: 404 and 400', async () => {
    const unknown = 'a3c1e2d4-5b6f-4a7e-8c9d-0e1f2a3b4c5d';
    for (const [method, url] of [
      ['GET', `/triggers/${unknown}`],
      ['PUT', `/triggers/${unknown}`],
      ['POST', `/triggers/${unknown}/disable`],
      ['POST', `/triggers/${unknown}/enable`],
      ['GET', `/triggers/${unknown}/firings`],
      ['GET', `/customers/${unknown}/trigger-firings`],
    ]) {
      const r = await m.call(method, url, method === 'PUT' ? orderRule : undefined);
      expect([method, url, r.status, r.type.split(';')[0]]).toEqual([method, url, 404, 'application/problem+json']);
    }
    for (const url of ['/triggers/not-a-uuid', '/triggers/not-a-uuid/firings', '/customers/not-a-uuid/trigger-firings']) {
      const r = await m.call('GET', url);
      expect([url, r.status, fields(r.body)]).toEqual([url, 400, ['id']]);
    }
    const r = await m.call('GET', `/customers/${customerId}/trigger-firings?outcome=maybe`);
    expect([r.status, fields(r.body)]).toEqual([400, ['outcome']]);
  });

  it('only staff of marketing and management: other departments and partners 403, no token 401', async () => {
    const { body } = await m.call('POST', '/triggers', orderRule);
    const id = String(body.ruleId);
    expect((await m.call('GET', `/triggers/${id}`, undefined, {}, m.tokens.management)).status).toBe(200);
    const routes: [string, string, unknown?][] = [
      ['POST', '/triggers', orderRule],
      ['GET', '/triggers'],
      ['GET', `/triggers/${id}`],
      ['PUT', `/triggers/${id}`, orderRule],
      ['POST', `/triggers/${id}/disable`],
      ['POST', `/triggers/${id}/enable`],
      ['GET', `/triggers/${id}/firings`],
      ['GET', `/customers/${customerId}/trigger-firings`],
    ];
    for (const [method, url, payload] of routes) {
      for (const who of ['service', 'partner'] as const) {
        const r = await m.call(method, url, payload, {}, m.tokens[who]);
        expect([method, url, who, r.status, r.type.split(';')[0]]).toEqual([method, url, who, 403, 'application/problem+json']);
      }
      expect([method, url, (await m.call(method, url, payload, {}, 'not-a-token')).status]).toEqual([method, url, 401]);
    }
  });

  it('the OpenAPI document has every trigger route with its answers and examples', async () => {
    const doc = (await m.call('GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown; schema?: unknown }> }> }>>;
    };
    const expected: [string, string, string[]][] = [
      ['/triggers', 'post', ['201', '400', '401', '403', '409', '415', '422']],
      ['/triggers', 'get', ['200', '400', '401', '403']],
      ['/triggers/{id}', 'get', ['200', '401', '403', '404']],
      ['/triggers/{id}', 'put', ['200', '400', '401', '403', '404', '409', '412', '415', '422']],
      ['/triggers/{id}/disable', 'post', ['200', '401', '403', '404', '412']],
      ['/triggers/{id}/enable', 'post', ['200', '401', '403', '404', '412']],
      ['/triggers/{id}/firings', 'get', ['200', '400', '401', '403', '404']],
      ['/customers/{id}/trigger-firings', 'get', ['200', '400', '401', '403', '404']],
    ];
    for (const [p, method, statuses] of expected) {
      const op = doc.paths[p]?.[method];
      expect([p, method, op !== undefined]).toEqual([p, method, true]);
      for (const status of statuses) expect([p, method, status, op.responses[status] !== undefined]).toEqual([p, method, status, true]);
      const ok = Object.entries(op.responses).find(([s]) => s.startsWith('2'))![1];
      expect(JSON.stringify(ok.content)).toContain('example');
    }
  });
});

// An order placed fires an order rule after its delay exactly once — across a restart and with two
// timers ticking; a second order within the cooldown is skipped with the reason; a lapse fires after
// N days on the injected clock, and a new order moves it.
describe('trigger firings on durable timers (embedded, restarts)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-trigger-timers-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('an order fires its rule after the delay once across a restart; a second order within the cooldown is skipped; a lapse fires after N days unless a new order moves it', async () => {
    let m = await startMarketing(dataDir, clock);
    let customerId = '';
    let ruleId = '';
    let lapseRuleId = '';
    try {
      customerId = (await m.commands.customers.register(marketer, { kind: 'person', name: 'Budi Santoso' })).id;
      ruleId = String((await m.call('POST', '/triggers', orderRule)).body.ruleId);
      lapseRuleId = String(
        (await m.call('POST', '/triggers', { name: 'Come back', on: 'lapse', lapseDays: 30, conditions: {}, action: { campaignId: 'win-back' } })).body.ruleId,
      );
      // A small order matches no rule (total below the minimum): nothing scheduled for it.
      await m.commands.orders.place(seller, order(customerId, 5_000));
      clock.set('2026-06-01T09:10:00.000Z');
      await m.commands.orders.place(seller, order(customerId, 12_500));
      await waitFor(async () => (await m.due(clock.now())).some((t) => t.ruleId === ruleId), 20000, 'the order timer in the read model');
      expect((await m.due(clock.now())).filter((t) => t.ruleId === ruleId)).toHaveLength(1);
      const scheduled = await m.timer.tick();
      expect(scheduled.recorded).toEqual([expect.objectContaining({ ruleId, type: 'MarketingTriggerScheduled' })]);
      expect(m.offers).toEqual([]);
    } finally {
      await m.stop();
    }

    // Down past the due time; started again, the first tick fires it, once.
    clock.set('2026-06-01T10:30:00.000Z');
    m = await startMarketing(dataDir, clock);
    try {
      await waitFor(async () => (await m.due(clock.now())).some((t) => t.ruleId === ruleId), 20000, 'the scheduled timer after the restart');
      // Two timers (two instances) ticking at once: one records the firing.
      const other = new TriggerTimer(m.app.app.get(TriggerCommands), { offer: async () => undefined }, m.due, clock);
      const [a, b] = await Promise.all([m.timer.tick(), other.tick()]);
      const fired = [...a.recorded, ...b.recorded].filter((r) => r.type === 'MarketingTriggerFired');
      expect(fired).toEqual([expect.objectContaining({ ruleId, customerId })]);
      expect((await m.timer.tick()).recorded).toEqual([]);
      const stream = await m.platform.eventStore.readStream(`triggerfirings-${customerId}`);
      expect(stream.map((e) => e.type)).toEqual(['MarketingTriggerScheduled', 'MarketingTriggerFired']);
      const firedEvent = stream[1];
      expect(firedEvent.data).toMatchObject({
        ruleId,
        ruleRevision: 0,
        cause: { type: 'OrderPlaced', at: '2026-06-01T09:10:00.000Z' },
        why: {
          conditions: [{ condition: 'orderTotal', expected: '≥ 10000 EUR', actual: '12500 EUR', held: true }],
          delayMinutes: 60,
          cooldown: { minutes: 1440 },
        },
        action: { campaignId: 'thank-you' },
        dueAt: '2026-06-01T10:10:00.000Z',
        firedAt: '2026-06-01T10:30:00.000Z',
      });
      expect(firedEvent.metadata.actor).toMatchObject({ type: 'system', id: 'trigger-timer' });
      if (a.recorded.some((r) => r.type === 'MarketingTriggerFired')) expect(m.offers.map((o) => o.eventId)).toEqual([firedEvent.id]);

      // A second big order within the cooldown: scheduled, then skipped with the reason when due.
      clock.set('2026-06-01T12:00:00.000Z');
      await m.commands.orders.place(seller, order(customerId, 20_000));
      // Waits name the second order's timer: the first one's row may not be gone yet when the order arrives.
      const second = (t: { ruleId: string; facts: { orderTotal?: number } }) => t.ruleId === ruleId && t.facts.orderTotal === 20_000;
      await waitFor(async () => (await m.due(clock.now())).some(second), 20000, 'the second order timer');
      await m.timer.tick();
      clock.set('2026-06-01T13:00:00.000Z');
      await waitFor(
        async () => (await m.due(clock.now())).some((t) => second(t) && Date.parse(t.dueAt) === Date.parse('2026-06-01T13:00:00.000Z')),
        20000,
        'the second timer scheduled',
      );
      const skipped = await m.timer.tick();
      expect(skipped.recorded).toEqual([expect.objectContaining({ ruleId, type: 'MarketingTriggerSkipped', reason: 'cooldown' })]);

      // What fired for the customer and why, over HTTP.
      await waitFor(async () => items((await m.call('GET', `/customers/${customerId}/trigger-firings`)).body).length === 4, 20000, 'the firings list');
      const firings = await m.call('GET', `/customers/${customerId}/trigger-firings`);
      expect(items(firings.body).map((f) => [f.outcome, f.reason])).toEqual([
        ['skipped', 'cooldown'],
        ['scheduled', undefined],
        ['fired', undefined],
        ['scheduled', undefined],
      ]);
      expect(items(firings.body)[0]).toMatchObject({ why: { cooldown: { lastFiredAt: '2026-06-01T10:30:00.000Z', until: '2026-06-02T10:30:00.000Z' } } });
      const ofRule = await m.call('GET', `/triggers/${ruleId}/firings?outcome=fired`);
      expect(items(ofRule.body).map((f) => f.customerId)).toEqual([customerId]);
      const page1 = await m.call('GET', `/customers/${customerId}/trigger-firings?limit=3`);
      const page2 = await m.call('GET', `/customers/${customerId}/trigger-firings?limit=3&cursor=${page1.body.nextCursor}`);
      expect([...items(page1.body), ...items(page2.body)].map((f) => f.eventId)).toEqual(items(firings.body).map((f) => f.eventId));
      const foreign = await m.call('GET', `/triggers/${ruleId}/firings?cursor=${page1.body.nextCursor}`);
      expect([foreign.status, fields(foreign.body)]).toEqual([400, ['cursor']]);

      // The lapse: 30 days after the last order (12:00 on 1 June). Nothing before.
      clock.set('2026-07-01T11:59:00.000Z');
      expect((await m.timer.tick()).recorded.filter((r) => r.ruleId === lapseRuleId)).toEqual([]);
      // A new order on 20 June (recorded late, dated then) moves it to 20 July.
      await m.commands.orders.place(seller, { ...order(customerId, 100), orderDate: '2026-06-20T08:00:00.000Z' });
      await waitFor(
        async () => (await m.due(new Date('2026-12-31T00:00:00.000Z'))).some((t) => t.ruleId === lapseRuleId && t.dueAt === '2026-07-20T08:00:00.000Z'),
        20000,
        'the lapse timer moved',
      );
      clock.set('2026-07-01T12:00:00.000Z');
      expect((await m.timer.tick()).recorded.filter((r) => r.ruleId === lapseRuleId)).toEqual([]);
    } finally {
      await m.stop();
    }

    // Down again; the lapse falls due while it is down and fires once after the restart.
    clock.set('2026-07-20T08:00:00.000Z');
    m = await startMarketing(dataDir, clock);
    try {
      await waitFor(async () => (await m.due(clock.now())).some((t) => t.ruleId === lapseRuleId), 20000, 'the lapse timer after the restart');
      const lapsed = await m.timer.tick();
      expect(lapsed.recorded).toEqual([expect.objectContaining({ ruleId: lapseRuleId, type: 'MarketingTriggerFired' })]);
      expect((await m.timer.tick()).recorded).toEqual([]);
      const stream = await m.platform.eventStore.readStream(`triggerfirings-${customerId}`);
      expect(
        stream.filter((e) => (e.data as { ruleId: string }).ruleId === lapseRuleId).map((e) => [e.type, (e.data as { cause: { at: string } }).cause.at]),
      ).toEqual([['MarketingTriggerFired', '2026-06-20T08:00:00.000Z']]);
      await waitFor(async () => !(await m.due(new Date('2027-01-01T00:00:00.000Z'))).some((t) => t.ruleId === lapseRuleId), 20000, 'the lapse timer gone');
    } finally {
      await m.stop();
    }
  });
});
