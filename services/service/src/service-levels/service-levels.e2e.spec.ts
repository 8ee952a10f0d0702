import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, READ_MODELS, ServiceLevelCommands, type ReadModelRunners } from '@crm/relationship-api';
import { TokenMint, type Principal } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from '../service';
import { casesWithSlaNoticeDue } from './case-service-levels.projection';
import { SlaTimer } from './sla-timer';
import { SlaTimerService } from './sla-timer.service';

const agent: Principal = { kind: 'staff', subject: 'dewi', department: 'service', roles: ['agent'] };
const manager: Principal = { kind: 'staff', subject: 'mia', department: 'service', roles: ['manager'] };
const salesManager: Principal = { kind: 'staff', subject: 'sari', department: 'sales', roles: ['manager'] };
const partner: Principal = { kind: 'partner', subject: 'p.bob', partnerId: randomUUID(), roles: [] };

/** The service on an embedded platform in `dataDir` (kept across stops: a restart finds its data), on a test clock. */
async function startService(dataDir: string, clock: TestClock, intervalMs = '3600000') {
  // The escalation executor only on tick() (it is escalation-executor.e2e.spec.ts's subject): the
  // breached platinum cases here stay in their team, as the attainment per team below expects.
  const config = loadConfig(CustomerServiceConfig, { CRM_DATA_DIR: dataDir, CRM_SLA_TIMER_INTERVAL_MS: intervalMs, CRM_ESCALATION_INTERVAL_MS: '0' });
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
  const app = await createCustomerServiceApp(config, platform, { embedded: true, clock });
  const base = await app.listen(0);
  const mint = app.app.get(TokenMint);
  const tokens = { agent: await mint.mint(agent), manager: await mint.mint(manager), sales: await mint.mint(salesManager), partner: await mint.mint(partner) };
  const call = httpCaller(
    () => base,
    () => tokens.agent,
  );
  return {
    app,
    platform,
    base,
    tokens,
    call,
    as:
      (token: string) =>
      (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
        call(method, url, body, headers, token),
    timer: app.app.get(SlaTimerService).timer,
    serviceLevels: app.app.get(ServiceLevelCommands),
    readModels: app.app.get<ReadModelRunners>(READ_MODELS),
    async stop() {
      await app.close();
      await platform.close();
    },
  };
}
type Service = Awaited<ReturnType<typeof startService>>;

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The timer's notices on the case's stream, as `type/metric/cycle`. */
async function noticesOf(platform: Platform, episodeId: string): Promise<string[]> {
  return (await platform.eventStore.readStream(`caseservicelevel-${episodeId}`)).map((e) => {
    const d = e.data as { metric: string; cycle: number; ruleId?: string };
    return `${e.type}/${d.metric}/${d.cycle}${d.ruleId ? `/${d.ruleId}` : ''}`;
  });
}

const T0 = '2026-11-30T08:00:00.000Z';
const plus = (minutes: number, ms = 0) => new Date(Date.parse(T0) + minutes * 60_000 + ms).toISOString();

const POLICIES = {
  policies: [
    {
      policyId: 'platinum',
      tier: 'platinum',
      calendarId: '24x7',
      firstResponseMinutes: 10,
      nextResponseMinutes: 10,
      resolutionMinutes: 120,
      warningPercent: 80,
    },
    { policyId: 'bronze', tier: 'bronze', calendarId: '24x7', firstResponseMinutes: 60, nextResponseMinutes: 60, resolutionMinutes: 480, warningPercent: 80 },
  ],
  escalations: [
    { ruleId: 'platinum-to-seniors', metric: 'first-response', tier: 'platinum', action: 'reassign', team: 'seniors' },
    { ruleId: 'tell-the-lead', metric: 'resolution', action: 'notify', notify: 'service-lead' },
  ],
};

// Service levels over HTTP (issue 12 §4): the configuration with its rights and If-Match, the case's
// clocks, the durable timer on a test clock (exact time, once, across a restart and a second timer),
// pauses while waiting on the customer, attainment.
describe('service levels (embedded)', () => {
  const clock = new TestClock(T0);
  let dataDir: string;
  let svc: Service;
  let commands: ReturnType<typeof createRelationshipCommands>;

  const registerCustomer = async (name: string, tier?: string) => {
    const customerId = (await commands.customers.register(agent, { kind: 'person', name })).id;
    if (tier)
      await svc.platform.eventStore.appendToStream(
        `customervalue-${customerId}`,
        [
          {
            id: randomUUID(),
            type: 'CustomerValueTierChanged',
            data: { customerId, tier, clv: 100000, rank: 1, customers: 10, reportingCurrency: 'EUR', modelFittedAt: T0, assignedAt: T0 },
            metadata: { correlationId: 'tier', causationId: 'tier', occurredAt: T0, actor: { type: 'system', id: 'analytics' } },
          },
        ],
        { expectedRevision: 'any' },
      );
    return customerId;
  };
  const openCase = async (customerId: string) => {
    const r = await svc.call('POST', '/cases', { customerId, name: 'Router drops the line', channel: 'phone' });
    expect(r.status).toBe(201);
    return String(r.body.episodeId);
  };
  /** Until the read model (what the timer looks at) expects the case's next notice at `at`. */
  const indexed = (episodeId: string, at: string) =>
    eventually(
      () =>
        svc.readModels.dataSource.query(`SELECT next_notice_at FROM service.case_service_levels WHERE episode_id = $1`, [episodeId]) as Promise<
          { next_notice_at: Date | null }[]
        >,
      (rows) => rows[0]?.next_notice_at?.toISOString() === at,
    );
  /** The case's status changed, as the case lifecycle records it (appended directly until its code is merged). */
  const statusChanged = (episodeId: string, customerId: string, from: string, to: string, at: string) =>
    svc.platform.eventStore.appendToStream(
      `episode-${episodeId}`,
      [
        {
          id: randomUUID(),
          type: 'CaseStatusChanged',
          data: { episodeId, customerId, from, to, changedAt: at, changedBy: 'dewi' },
          metadata: { correlationId: 'status', causationId: 'status', occurredAt: at, actor: { type: 'staff', id: 'dewi' } },
        },
      ],
      { expectedRevision: 'any' },
    );

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-service-levels-'));
    svc = await startService(dataDir, clock);
    commands = createRelationshipCommands(svc.platform.eventStore, { clock });
  });
  afterAll(async () => {
    await svc?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe('configuration', () => {
    it('a service manager sets the policies with If-Match; agents, other departments, partners and strangers may not', async () => {
      const asManager = svc.as(svc.tokens.manager);
      const before = await svc.call('GET', '/service-levels/policies');
      expect(before.status).toBe(200);
      expect(before.body).toMatchObject({ policies: [], escalations: [], defaultTier: 'bronze', fallback: { policyId: 'fallback' } });

      expect((await svc.call('PUT', '/service-levels/policies', POLICIES)).status).toBe(403);
      expect((await svc.as(svc.tokens.sales)('PUT', '/service-levels/policies', POLICIES)).status).toBe(403);
      expect((await svc.as(svc.tokens.sales)('GET', '/service-levels/policies')).status).toBe(403);
      expect((await svc.as(svc.tokens.partner)('GET', '/service-levels/policies')).status).toBe(403);
      expect((await svc.as('not-a-token')('GET', '/service-levels/policies')).status).toBe(401);

      const set = await asManager('PUT', '/service-levels/policies', POLICIES);
      expect(set.status).toBe(200);
      expect(set.etag).toBe('"0"');
      expect(set.body.policies).toEqual(POLICIES.policies);
      const stale = await asManager('PUT', '/service-levels/policies', POLICIES, { 'if-match': '"7"' });
      expect(stale.status).toBe(412);
      expect(stale.type).toContain('application/problem+json');
      expect((await svc.call('GET', '/service-levels/policies')).etag).toBe('"0"');
    });

    it('refuses bad policies: naming the field, an unknown calendar, two policies for the same cases', async () => {
      const put = (body: unknown, headers: Record<string, string> = {}) => svc.as(svc.tokens.manager)('PUT', '/service-levels/policies', body, headers);
      const fields = (r: { body: Record<string, unknown> }) => (r.body.errors as { field: string }[]).map((e) => e.field);
      const p = POLICIES.policies[0];
      for (const [body, field] of [
        [{ ...POLICIES, policies: [{ ...p, firstResponseMinutes: 0 }] }, 'policies.0.firstResponseMinutes'],
        [{ ...POLICIES, policies: [{ ...p, firstResponseMinutes: '10' }] }, 'policies.0.firstResponseMinutes'],
        [{ ...POLICIES, policies: [{ ...p, tier: 'diamond' }] }, 'policies.0.tier'],
        [{ ...POLICIES, policies: [[p]] }, 'policies'],
        [{ ...POLICIES, policies: { 0: p } }, 'policies'],
        [{ ...POLICIES, policies: [{ ...p, policyId: 'a\u0000b' }] }, 'policies.0.policyId'],
        [{ ...POLICIES, policies: [{ ...p, policyId: '\ud800' }] }, 'policies.0.policyId'],
        [{ ...POLICIES, escalations: [{ ruleId: 'r', metric: 'resolution', action: 'reassign' }] }, 'escalations.0.team'],
        [{ ...POLICIES, escalations: [{ ruleId: 'r', metric: 'lunch', action: 'notify', notify: 'x' }] }, 'escalations.0.metric'],
        [{ policies: [] }, 'escalations'],
      ] as const) {
        const r = await put(body);
        expect({ field, status: r.status, type: r.type }).toEqual({ field, status: 400, type: expect.stringContaining('application/problem+json') });
        expect(fields(r)).toContain(field);
      }
      const unknownCalendar = await put({ ...POLICIES, policies: [{ ...p, calendarId: 'nowhere' }] });
      expect(unknownCalendar.status).toBe(422);
      expect(unknownCalendar.body.detail).toContain('policies.0.calendarId');
      expect((await put({ ...POLICIES, policies: [p, { ...p, policyId: 'other' }] })).status).toBe(422);
      const text = await fetch(`${svc.base}/service-levels/policies`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${svc.tokens.manager}`, 'content-type': 'text/plain' },
        body: 'policies',
      });
      expect(text.status).toBeGreaterThanOrEqual(400);
      expect(text.status).toBeLessThan(500);
      expect(text.headers.get('content-type')).toContain('application/problem+json');
    });

    it('a business calendar: created, read with its ETag, changed with If-Match; bad zones, times and ids named; 24x7 built in', async () => {
      const asManager = svc.as(svc.tokens.manager);
      const berlin = {
        name: 'Berlin office',
        timeZone: 'Europe/Berlin',
        hours: { mon: [{ from: '09:00', to: '17:00' }], fri: [{ from: '09:00', to: '13:00' }] },
        holidays: ['2026-12-25'],
      };
      expect((await svc.call('PUT', '/service-levels/calendars/berlin', berlin)).status).toBe(403);
      const created = await asManager('PUT', '/service-levels/calendars/berlin', berlin);
      expect(created.status).toBe(200);
      expect(created.etag).toBe('"0"');
      const read = await svc.call('GET', '/service-levels/calendars/berlin');
      expect(read.body).toMatchObject({ calendarId: 'berlin', ...berlin, builtIn: false });
      expect((await asManager('PUT', '/service-levels/calendars/berlin', { ...berlin, name: 'Berlin' }, { 'if-match': '"5"' })).status).toBe(412);
      const changed = await asManager('PUT', '/service-levels/calendars/berlin', { ...berlin, name: 'Berlin' }, { 'if-match': '"0"' });
      expect(changed.etag).toBe('"1"');

      expect((await svc.call('GET', '/service-levels/calendars/24x7')).body).toMatchObject({ calendarId: '24x7', builtIn: true });
      expect((await svc.call('GET', '/service-levels/calendars/nowhere')).status).toBe(404);
      const badId = await svc.call('GET', '/service-levels/calendars/Not%20A%20Slug');
      expect(badId.status).toBe(400);
      expect((badId.body.errors as { field: string }[])[0].field).toBe('id');
      for (const [body, field] of [
        [{ ...berlin, timeZone: 'Mars/Olympus' }, 'timeZone'],
        [{ ...berlin, hours: { mon: [{ from: '9', to: '17:00' }] } }, 'hours.mon.0.from'],
        [{ ...berlin, hours: { mon: [{ from: '17:00', to: '09:00' }] } }, 'hours.mon.0'],
        [{ ...berlin, hours: {} }, 'hours'],
        [{ ...berlin, hours: [] }, 'hours'],
        [{ ...berlin, holidays: ['25.12.2026'] }, 'holidays'],
        [{ ...berlin, name: 'x\u0000' }, 'name'],
      ] as const) {
        const r = await asManager('PUT', '/service-levels/calendars/other', body);
        expect({ field, status: r.status }).toEqual({ field, status: 400 });
        expect((r.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
      expect((await asManager('PUT', '/service-levels/calendars/24x7', berlin)).status).toBe(400);
    });
  });

  describe('the durable timer', () => {
    it('a platinum policy is stricter than bronze; warning then breach at the exact time, once, with the escalation', async () => {
      clock.set(T0);
      const platinum = await openCase(await registerCustomer('Platinum Pt', 'platinum'));
      const bronze = await openCase(await registerCustomer('Unscored Ltd'));
      const p = (await svc.call('GET', `/cases/${platinum}/service-levels`)).body;
      const b = (await svc.call('GET', `/cases/${bronze}/service-levels`)).body;
      expect(p).toMatchObject({ tier: 'platinum', defaultTier: false, policyId: 'platinum' });
      expect(b).toMatchObject({ tier: 'bronze', defaultTier: true, policyId: 'bronze' });
      const first = (x: Record<string, unknown>) =>
        (x.clocks as { metric: string; dueAt: string; state: string }[]).find((c) => c.metric === 'first-response')!;
      expect(first(p)).toMatchObject({ dueAt: plus(10), state: 'running' });
      expect(first(b)).toMatchObject({ dueAt: plus(60), state: 'running' });
      await indexed(platinum, plus(8));

      clock.set(plus(8, -1));
      await svc.timer.tick();
      expect(await noticesOf(svc.platform, platinum)).toEqual([]);
      clock.set(plus(8));
      await svc.timer.tick();
      expect(await noticesOf(svc.platform, platinum)).toEqual(['CaseSlaWarning/first-response/0']);
      const [warning] = await svc.platform.eventStore.readStream(`caseservicelevel-${platinum}`);
      expect(warning.data).toMatchObject({ dueAt: plus(8), at: plus(8), tier: 'platinum', policyId: 'platinum', targetMinutes: 10, warningPercent: 80 });
      await indexed(platinum, plus(10));
      clock.set(plus(10));
      await svc.timer.tick();
      await svc.timer.tick();
      expect(await noticesOf(svc.platform, platinum)).toEqual([
        'CaseSlaWarning/first-response/0',
        'CaseSlaBreached/first-response/0',
        'CaseEscalated/first-response/0/platinum-to-seniors',
      ]);
      const escalated = (await svc.platform.eventStore.readStream(`caseservicelevel-${platinum}`))[2];
      expect(escalated.data).toMatchObject({ action: 'reassign', team: 'seniors', at: plus(10) });
      expect(first((await svc.call('GET', `/cases/${platinum}/service-levels`)).body)).toMatchObject({ state: 'breached', warned: true, breachRecorded: true });
      // the bronze case, same age, is not even warned yet
      expect(await noticesOf(svc.platform, bronze)).toEqual([]);
      expect(first((await svc.call('GET', `/cases/${bronze}/service-levels`)).body).state).toBe('running');
      // The cases list knows it too: GET /cases?slaState= joins the recorded clocks.
      const listed = (slaState: string) =>
        eventually(
          async () => (await svc.call('GET', `/cases?slaState=${slaState}&limit=200`)).body,
          (body) => ((body.items as { caseId: string }[] | undefined) ?? []).some((i) => i.caseId === platinum),
        ).then((body) => body.items as { caseId: string; slaState: string }[]);
      expect((await listed('breached')).find((i) => i.caseId === platinum)!.slaState).toBe('breached');
      // …and each case's nearest due time of a running clock, with its metric (a queue's countdown).
      const all = (await svc.call('GET', '/cases?limit=200')).body.items as { caseId: string; slaDueAt: string | null; slaDueMetric: string | null }[];
      expect(all.find((i) => i.caseId === platinum)).toMatchObject({ slaDueAt: plus(10), slaDueMetric: 'first-response' });
      expect(all.find((i) => i.caseId === bronze)).toMatchObject({ slaDueAt: plus(60), slaDueMetric: 'first-response' });
      const onTrack = (await svc.call('GET', '/cases?slaState=on-track&limit=200')).body.items as { caseId: string; slaState: string }[];
      expect(onTrack.map((i) => i.caseId)).toContain(bronze);
      expect(onTrack.map((i) => i.caseId)).not.toContain(platinum);
      expect(onTrack.every((i) => i.slaState === 'on-track')).toBe(true);
      const bad = await svc.call('GET', '/cases?slaState=late');
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.body)).toContain('slaState');
    });

    it('two timers racing record each notice once', async () => {
      clock.set(plus(100));
      const episodeId = await openCase(await registerCustomer('Race Co', 'platinum'));
      await indexed(episodeId, plus(108));
      const second = new SlaTimer(svc.serviceLevels, (now, limit) => casesWithSlaNoticeDue(svc.readModels.dataSource.manager, now, limit), clock, {
        intervalMs: 0,
      });
      clock.set(plus(111));
      await Promise.all([svc.timer.tick(), second.tick(), svc.timer.tick(), second.tick()]);
      expect(await noticesOf(svc.platform, episodeId)).toEqual([
        'CaseSlaWarning/first-response/0',
        'CaseSlaBreached/first-response/0',
        'CaseEscalated/first-response/0/platinum-to-seniors',
      ]);
    });

    it('waiting on the customer pauses the clock; the due time moves by the pause', async () => {
      clock.set(plus(200));
      const customerId = await registerCustomer('Waiting GmbH');
      const episodeId = await openCase(customerId);
      await statusChanged(episodeId, customerId, 'new', 'waiting-on-customer', plus(205));
      await eventually(
        () => svc.readModels.dataSource.query(`SELECT state FROM service.case_sla_clocks WHERE episode_id = $1 AND metric = 'first-response'`, [episodeId]),
        (rows: { state: string }[]) => rows[0]?.state === 'paused',
      );
      clock.set(plus(300)); // long past the bronze 60 minutes in wall time
      await svc.timer.tick();
      expect(await noticesOf(svc.platform, episodeId)).toEqual([]);
      const paused = (await svc.call('GET', `/cases/${episodeId}/service-levels`)).body.clocks as Record<string, unknown>[];
      expect(paused[0]).toMatchObject({ metric: 'first-response', state: 'paused', elapsedMinutes: 5, pausedMinutes: 95 });
      expect(paused[0].dueAt).toBeUndefined();

      await statusChanged(episodeId, customerId, 'waiting-on-customer', 'in-progress', plus(300));
      const resumed = (await svc.call('GET', `/cases/${episodeId}/service-levels`)).body.clocks as Record<string, unknown>[];
      expect(resumed[0]).toMatchObject({ state: 'running', dueAt: plus(355) });
      await indexed(episodeId, plus(343));
    });

    it('survives a restart: what fell due while it was down is recorded once by the new app', async () => {
      clock.set(plus(400));
      const episodeId = await openCase(await registerCustomer('Restart AG'));
      await indexed(episodeId, plus(448));
      await svc.stop();
      clock.set(plus(461)); // past the bronze warning (448) and breach (460)
      svc = await startService(dataDir, clock, '100');
      commands = createRelationshipCommands(svc.platform.eventStore, { clock });
      const notices = await eventually(
        () => noticesOf(svc.platform, episodeId),
        (n) => n.length >= 2,
      );
      expect(notices).toEqual(['CaseSlaWarning/first-response/0', 'CaseSlaBreached/first-response/0']);
      await svc.timer.tick();
      await new Promise((r) => setTimeout(r, 300)); // a few ticks of its own
      expect(await noticesOf(svc.platform, episodeId)).toEqual(notices);
    });
  });

  describe('reopening', () => {
    it('a reopen restarts resolution with the whole target; the first cycle keeps its result', async () => {
      clock.set(plus(600));
      const customerId = await registerCustomer('Reopen BV');
      const episodeId = await openCase(customerId);
      expect((await svc.call('POST', `/cases/${episodeId}/interactions`, { channel: 'phone', direction: 'outbound', action: 'called back' })).status).toBe(201);
      clock.set(plus(630));
      expect((await svc.call('POST', `/cases/${episodeId}/resolve`, { outcome: 'resolved' })).status).toBe(200);
      // the case lifecycle's CaseReopened, appended directly until its code is merged
      await svc.platform.eventStore.appendToStream(
        `episode-${episodeId}`,
        [
          {
            id: randomUUID(),
            type: 'CaseReopened',
            data: { episodeId, customerId, reason: 'fault came back', reopenedAt: plus(700), reopenedBy: 'dewi' },
            metadata: { correlationId: 'reopen', causationId: 'reopen', occurredAt: plus(700), actor: { type: 'staff', id: 'dewi' } },
          },
        ],
        { expectedRevision: 'any' },
      );
      clock.set(plus(710));
      const clocks = (await svc.call('GET', `/cases/${episodeId}/service-levels`)).body.clocks as Record<string, unknown>[];
      expect(clocks.filter((c) => c.metric === 'resolution')).toEqual([
        expect.objectContaining({ cycle: 0, state: 'met', stoppedAt: plus(630), met: true }),
        expect.objectContaining({ cycle: 1, state: 'running', startedAt: plus(700), dueAt: plus(700 + 480) }),
      ]);
      await indexed(episodeId, plus(700 + 384));
    });
  });

  describe('reading', () => {
    it("a case's clocks: 400 for a garbage id, 404 for an unknown one or an episode that is not a case; other departments may not", async () => {
      expect((await svc.call('GET', '/cases/not-a-uuid/service-levels')).status).toBe(400);
      expect((await svc.call('GET', `/cases/${randomUUID()}/service-levels`)).status).toBe(404);
      const customerId = await registerCustomer('Opportunity Owner');
      const opportunity = await commands.episodes.open(salesManager, 'opportunity', { customerId, name: 'Fleet' });
      expect((await svc.call('GET', `/cases/${opportunity.id}/service-levels`)).status).toBe(404);
      const someCase = await openCase(customerId);
      expect((await svc.as(svc.tokens.sales)('GET', `/cases/${someCase}/service-levels`)).status).toBe(403);
      expect((await svc.as(svc.tokens.partner)('GET', `/cases/${someCase}/service-levels`)).status).toBe(403);
    });

    it('attainment per tier and per team; bad queries named', async () => {
      const q = `from=${encodeURIComponent(T0)}&to=${encodeURIComponent(plus(1000))}`;
      const byTier = await eventually(
        async () => (await svc.call('GET', `/service-levels/attainment?${q}&groupBy=tier`)).body,
        (b) =>
          ((b.items as { group: string; metric: string; breached: number }[]) ?? []).some(
            (i) => i.group === 'platinum' && i.metric === 'first-response' && i.breached === 2,
          ),
      );
      const row = (group: string, metric: string) => (byTier.items as Record<string, unknown>[]).find((i) => i.group === group && i.metric === metric);
      expect(row('platinum', 'first-response')).toMatchObject({ met: 0, breached: 2, attainment: 0 });
      expect(row('bronze', 'first-response')).toMatchObject({ breached: expect.any(Number) });
      const byTeam = await svc.call('GET', `/service-levels/attainment?${q}&groupBy=team`);
      expect(byTeam.status).toBe(200);
      expect((byTeam.body.items as { group: string }[]).every((i) => i.group === '(none)')).toBe(true);

      for (const [query, field] of [
        [`${q}&groupBy=agent`, 'groupBy'],
        [`from=yesterday&to=${encodeURIComponent(plus(1))}`, 'from'],
        [`from=${encodeURIComponent(T0)}`, 'to'],
        [`from=${encodeURIComponent(plus(10))}&to=${encodeURIComponent(T0)}`, 'to'],
        [`${q}&groupBy[]=team`, 'groupBy[]'],
        [`${q}&groupBy=%00`, 'groupBy'],
      ] as const) {
        const r = await svc.call('GET', `/service-levels/attainment?${query}`);
        expect({ query, status: r.status }).toEqual({ query, status: 400 });
        expect((r.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      }
      expect((await svc.as(svc.tokens.sales)('GET', `/service-levels/attainment?${q}`)).status).toBe(403);
    });

    it('is in the OpenAPI document with response schemas and error responses', async () => {
      const doc = (await fetch(`${svc.base}/openapi.json`).then((r) => r.json())) as {
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      };
      for (const [p, method, codes] of [
        ['/service-levels/policies', 'get', ['200', '401', '403']],
        ['/service-levels/policies', 'put', ['200', '400', '401', '403', '412', '415', '422']],
        ['/service-levels/calendars/{id}', 'get', ['200', '400', '401', '403', '404']],
        ['/service-levels/calendars/{id}', 'put', ['200', '400', '401', '403', '412', '415']],
        ['/cases/{id}/service-levels', 'get', ['200', '400', '401', '403', '404']],
        ['/service-levels/attainment', 'get', ['200', '400', '401', '403']],
      ] as const) {
        const op = doc.paths[p]?.[method];
        expect({ p, method, has: Boolean(op) }).toEqual({ p, method, has: true });
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([...codes]));
      }
    });
  });
});
