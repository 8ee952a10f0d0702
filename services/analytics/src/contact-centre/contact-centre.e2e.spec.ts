import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { testEvent, testMetadata, waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, READ_MODELS, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { AnalyticsConfig, createAnalyticsApp } from '../analytics';
import type { ReadModelVersions } from '@crm/projections';
import { READ_MODEL_VERSIONS } from '../read-models/read-model-versions.provider';
import { CONTACT_CENTRE_FACTS, CONTACT_CENTRE_FACTS_VERSION } from './contact-centre-facts.projection';
import type { ContactCentreMeasures } from './contact-centre-measures';
import type { EfficiencyView, TeamEfficiencyView } from './contact-centre.query';

// GET /contact-centre/measures, GET and POST /contact-centre/efficiency over HTTP on the embedded
// platform. Cases are opened, worked and closed by the commands on a test clock (March 2026); the
// contact centre's own events (assignments, reopenings, calls, ratings, agents, presence) are
// appended to their streams as their producers write them (docs/events.md), checked against the
// contracts by the platform's store.
describe('analytics: contact-centre measures and DEA efficiency (embedded)', () => {
  let dataDir: string;
  let platform: Platform;
  let app: ServiceApp;
  let base: string;
  let token: string;
  let partner: string;
  let commands: RelationshipCommands;
  let opportunityId: string;
  const clock = new TestClock('2026-03-02T08:00:00.000Z');
  const budi: StaffPrincipal = { kind: 'staff', subject: 'budi', department: 'service', roles: [] };
  const meta = () => testMetadata({ actor: { type: 'staff', id: 'lead', department: 'service' }, occurredAt: clock.now().toISOString() });
  const append = (stream: string, type: string, data: Record<string, unknown>) => platform.eventStore.appendToStream(stream, [testEvent(type, data, meta())]);

  /** A case on `team`: `inbound` inbound contacts, resolved at `resolveAt`. */
  const workCase = async (customerId: string, team: string, o: { inbound: number; resolveAt: string; channel?: 'phone' | 'email' }) => {
    const id = (await commands.episodes.open(budi, 'case', { customerId, name: `case for ${team}`, channel: o.channel ?? 'phone' })).id;
    await append(`episode-${id}`, 'CaseAssigned', {
      episodeId: id,
      customerId,
      agentId: team === 'billing' ? 'a1' : 'a2',
      team,
      reason: 'test',
      assignedAt: clock.now().toISOString(),
      assignedBy: 'lead',
    });
    for (let k = 0; k < o.inbound; k++) {
      await commands.episodes.recordInteraction(budi, id, { channel: 'phone', direction: 'inbound', action: 'customer called', response: 'noted' });
    }
    clock.set(o.resolveAt);
    await commands.episodes.close(budi, id, { outcome: 'resolved' });
    return id;
  };
  const rate = async (episodeId: string, customerId: string, score: number) =>
    append(`episode-${episodeId}`, 'CaseSatisfactionRated', {
      episodeId,
      customerId,
      score,
      comment: 'a personal remark',
      interactionId: randomUUID(),
      ratedAt: clock.now().toISOString(),
    });
  const callEnded = (data: Record<string, unknown>) => {
    const callId = randomUUID();
    return append(`call-${callId}`, 'CallEnded', {
      callId,
      from: '+6281234567',
      offeredAt: '2026-03-02T10:00:00.000Z',
      endedAt: '2026-03-02T10:10:00.000Z',
      abandoned: false,
      handleSeconds: 0,
      containedInIvr: false,
      ...data,
    });
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-analytics-contact-centre-'));
    const config = loadConfig(AnalyticsConfig, { CRM_DATA_DIR: dataDir });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createAnalyticsApp(config, platform, { embedded: true });
    base = await app.listen(0);
    const mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: ['partner'] });
    commands = createRelationshipCommands(platform.eventStore, { clock });

    // Two agents, one per team, at 1 000 EUR cents an hour, each staffed 8 hours on 2 March.
    for (const [agentId, team] of [
      ['a1', 'billing'],
      ['a2', 'repairs'],
    ]) {
      await append(`agent-${agentId}`, 'AgentProfileSet', {
        agentId,
        name: agentId,
        teams: [team],
        skills: [],
        capacity: 5,
        hourlyCost: 1000,
        currency: 'EUR',
        active: true,
        setAt: '2026-01-01T00:00:00.000Z',
        setBy: 'lead',
      });
      await append(`agent-${agentId}`, 'AgentPresenceChanged', { agentId, presence: 'available', previous: 'offline', changedAt: '2026-03-02T08:00:00.000Z' });
      await append(`agent-${agentId}`, 'AgentPresenceChanged', { agentId, presence: 'offline', previous: 'available', changedAt: '2026-03-02T16:00:00.000Z' });
    }
    const customer = (await commands.customers.register(budi, { kind: 'organisation', name: 'PT Pelanggan' })).id;
    // billing: two cases solved at the first contact, one rated 5; repairs: one case after two contacts, rated 2, reopened later.
    const b1 = await workCase(customer, 'billing', { inbound: 1, resolveAt: '2026-03-02T09:00:00.000Z' });
    await rate(b1, customer, 5);
    clock.set('2026-03-02T10:00:00.000Z');
    await workCase(customer, 'billing', { inbound: 0, resolveAt: '2026-03-02T10:30:00.000Z', channel: 'email' });
    clock.set('2026-03-02T11:00:00.000Z');
    const r1 = await workCase(customer, 'repairs', { inbound: 2, resolveAt: '2026-03-02T12:00:00.000Z' });
    await rate(r1, customer, 2);
    clock.set('2026-04-03T09:00:00.000Z');
    await append(`episode-${r1}`, 'CaseReopened', {
      episodeId: r1,
      customerId: customer,
      reason: 'still broken',
      reopenedAt: clock.now().toISOString(),
      reopenedBy: 'budi',
    });
    // support: a case resolved, but nobody of support was ever staffed: no inputs.
    clock.set('2026-03-03T09:00:00.000Z');
    await workCase(customer, 'support', { inbound: 1, resolveAt: '2026-03-03T09:30:00.000Z' });
    // an opportunity's interaction: no case, no fact
    const sari: StaffPrincipal = { kind: 'staff', subject: 'sari', department: 'sales', roles: [] };
    opportunityId = (await commands.episodes.open(sari, 'opportunity', { customerId: customer, name: 'Upsell' })).id;
    await commands.episodes.recordInteraction(sari, opportunityId, { channel: 'phone', direction: 'inbound', action: 'asked for a quote' });
    // billing's calls: two answered (300 s, 100 s), one abandoned; repairs: one contained in the IVR.
    await callEnded({ team: 'billing', agentId: 'a1', answeredAt: '2026-03-02T10:01:00.000Z', handleSeconds: 300 });
    await callEnded({ team: 'billing', agentId: 'a1', answeredAt: '2026-03-02T10:01:00.000Z', handleSeconds: 100 });
    await callEnded({ team: 'billing', abandoned: true });
    await callEnded({ team: 'repairs', containedInIvr: true });
    // Every declared version is built from event 0; the newest serves once it caught up (docs/analytics.md).
    const versions = app.app.get<ReadModelVersions>(READ_MODEL_VERSIONS);
    await waitFor(
      async () => (
        await versions.switchIfCaughtUp(CONTACT_CENTRE_FACTS),
        (await versions.serving(CONTACT_CENTRE_FACTS)).version === CONTACT_CENTRE_FACTS_VERSION
      ),
      30000,
      'the newest contact-centre facts version to serve',
    );
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (url: string, bearer: string | null = token) => {
    const r = await fetch(`${base}${url}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const post = async (body: unknown, bearer: string | null = token, contentType = 'application/json') => {
    const r = await fetch(`${base}/contact-centre/efficiency`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  const march = 'from=2026-03-01&to=2026-03-31';
  const byTeam = async () => {
    let groups: ContactCentreMeasures[] = [];
    // the versioned read model follows the store: wait until it has applied the reopening (the last case event)
    await waitFor(
      async () => {
        const r = await call(`/contact-centre/measures?${march}&groupBy=team`);
        groups = (r.body.groups as ContactCentreMeasures[] | undefined) ?? [];
        const repairs = groups.find((g) => g.group === 'repairs');
        return (repairs?.cases.reopened ?? 0) === 1 && groups.reduce((n, g) => n + g.calls.offered, 0) === 4;
      },
      30_000,
      'contact-centre facts caught up',
    );
    return groups;
  };

  describe('GET /contact-centre/measures', () => {
    it('per team: first-contact resolution, reopen rate, handle time, abandonment, containment, CSAT', async () => {
      const groups = await byTeam();
      const billing = groups.find((g) => g.group === 'billing')!;
      const repairs = groups.find((g) => g.group === 'repairs')!;
      expect(billing.cases).toEqual({ resolved: 2, firstContactResolutions: 2, firstContactResolutionRate: 1, reopened: 0, reopenRate: 0 });
      expect(billing.calls).toEqual({
        offered: 3,
        containedInIvr: 0,
        containmentRate: 0,
        abandoned: 1,
        abandonmentRate: 0.3333,
        answered: 2,
        averageHandleSeconds: 200,
      });
      expect(billing.satisfaction).toEqual({ answers: 1, satisfied: 1, csat: 1, meanScore: 5 });
      // two inbound contacts and a reopening in April: resolved in March, not at the first contact
      expect(repairs.cases).toEqual({ resolved: 1, firstContactResolutions: 0, firstContactResolutionRate: 0, reopened: 1, reopenRate: 1 });
      expect(repairs.calls).toMatchObject({ offered: 1, containedInIvr: 1, containmentRate: 1, abandonmentRate: null, averageHandleSeconds: null });
      expect(repairs.satisfaction).toEqual({ answers: 1, satisfied: 0, csat: 0, meanScore: 2 });
    });

    it('by channel and overall; a window with nothing in it', async () => {
      await byTeam();
      const channels = await call(`/contact-centre/measures?${march}&groupBy=channel`);
      expect(channels.status).toBe(200);
      const groups = channels.body.groups as ContactCentreMeasures[];
      expect(groups.find((g) => g.group === 'email')!.cases.resolved).toBe(1);
      expect(groups.find((g) => g.group === 'phone')!.cases.resolved).toBe(3);
      const all = await call(`/contact-centre/measures?${march}`);
      expect(all.body).toMatchObject({
        from: '2026-03-01',
        to: '2026-03-31',
        groupBy: 'none',
        source: { readModel: 'analytics.contact-centre-facts', version: CONTACT_CENTRE_FACTS_VERSION },
      });
      expect((all.body.groups as ContactCentreMeasures[])[0].cases).toMatchObject({ resolved: 4, firstContactResolutions: 3, reopened: 1 });
      const empty = await call('/contact-centre/measures?from=2025-01-01&to=2025-01-31');
      expect((empty.body.groups as ContactCentreMeasures[])[0]).toMatchObject({ group: 'all', cases: { resolved: 0, firstContactResolutionRate: null } });
    });

    it.each([
      ['groupBy=owner', 'groupBy'],
      ['from=2026-13-01', 'from'],
      ['from=2026-03-31&to=2026-03-01', 'from'],
      ['to=yesterday', 'to'],
      ['asOf=garbage', 'asOf'],
      ['groupBy=team%00', 'groupBy'],
      ['groupBy=team&groupBy=channel', 'groupBy'],
      ['cursor=abc', 'cursor'],
    ])('bad query %s → 400 naming %s', async (query, field) => {
      const r = await call(`/contact-centre/measures?${query}`);
      expect(r.status).toBe(400);
      expect(r.type).toMatch(/application\/problem\+json/);
      expect(fields(r.body)).toContain(field);
    });

    it('is for staff: a partner is 403, no token 401', async () => {
      expect((await call(`/contact-centre/measures?${march}`, partner)).status).toBe(403);
      const anonymous = await call(`/contact-centre/measures?${march}`, null);
      expect(anonymous.status).toBe(401);
      expect(anonymous.type).toMatch(/application\/problem\+json/);
    });
  });

  describe('GET /contact-centre/efficiency', () => {
    it('teams as DEA units from the history: repairs at θ 0.5 with billing as its peer; support excluded for want of inputs', async () => {
      await byTeam();
      const r = await call(`/contact-centre/efficiency?${march}&model=ccr`);
      expect(r.status).toBe(200);
      const view = r.body as unknown as TeamEfficiencyView;
      expect(view.inputs).toEqual(['agents', 'staffedHours', 'cost']);
      expect(view.outputs).toEqual(['casesResolved', 'firstContactResolutions', 'satisfiedAnswers']);
      expect(view.currency).toBe('EUR');
      const [billing, repairs] = view.units;
      expect(billing).toMatchObject({ name: 'billing', inputs: [1, 8, 8000], outputs: [2, 2, 1], theta: 1, efficient: true, scaleEfficiency: 1 });
      // half of billing makes repairs' 1 resolution (and 1 FCR, 0.5 satisfied) from half the inputs
      expect(repairs).toMatchObject({
        name: 'repairs',
        inputs: [1, 8, 8000],
        outputs: [1, 0, 0],
        theta: 0.5,
        efficient: false,
        peers: [{ name: 'billing', lambda: 0.5 }],
      });
      expect(repairs.inputTargets).toEqual([0.5, 4, 4000]);
      expect(repairs.outputTargets).toEqual([1, 1, 0.5]);
      expect(view.excluded).toEqual([{ name: 'support', reason: expect.stringContaining('no staffed hours') }]);
    });

    it('BCC: with equal inputs a convex combination cannot shrink them (θ 1), the shortfall shows as output slack', async () => {
      await byTeam();
      const r = await call(`/contact-centre/efficiency?${march}&model=bcc`);
      const repairs = (r.body as unknown as TeamEfficiencyView).units.find((u) => u.name === 'repairs')!;
      expect(repairs.theta).toBe(1);
      expect(repairs.efficient).toBe(false);
      expect(repairs.outputSlacks).toEqual([1, 2, 1]);
      expect(repairs.scaleEfficiency).toBe(0.5);
    });

    it('bad model → 400; partner 403; no token 401', async () => {
      const r = await call('/contact-centre/efficiency?model=sbm');
      expect(r.status).toBe(400);
      expect(fields(r.body)).toEqual(['model']);
      expect((await call('/contact-centre/efficiency', partner)).status).toBe(403);
      expect((await call('/contact-centre/efficiency', null)).status).toBe(401);
    });
  });

  describe('POST /contact-centre/efficiency', () => {
    // Coelli et al. (2005) ch. 6: one output, two inputs; published CRS efficiencies 0.5, 1, 0.833, 0.714, 1.
    const coelli = [
      { name: '1', inputs: [2, 5], outputs: [1] },
      { name: '2', inputs: [2, 4], outputs: [2] },
      { name: '3', inputs: [6, 6], outputs: [3] },
      { name: '4', inputs: [3, 2], outputs: [1] },
      { name: '5', inputs: [6, 2], outputs: [2] },
    ];

    it("evaluates the caller's own units", async () => {
      const r = await post({ model: 'ccr', inputNames: ['x1', 'x2'], outputNames: ['y'], units: coelli });
      expect(r.status).toBe(200);
      const view = r.body as unknown as EfficiencyView;
      expect(view.inputNames).toEqual(['x1', 'x2']);
      expect(view.units.map((u) => Math.round(u.theta * 1000) / 1000)).toEqual([0.5, 1, 0.833, 0.714, 1]);
      expect(view.units[0]).toMatchObject({ name: '1', inputs: [2, 5], peers: [{ name: '2', lambda: 0.5 }], inputSlacks: [0, 0.5] });
      const bcc = await post({ model: 'bcc', units: coelli });
      expect((bcc.body as unknown as EfficiencyView).inputNames).toEqual(['input1', 'input2']);
    });

    const unit = (name: string, inputs: unknown = [1, 2], outputs: unknown = [3]) => ({ name, inputs, outputs });
    it.each([
      ['no units', { units: [] }, 'units'],
      ['units not an array', { units: { name: 'x' } }, 'units'],
      ['a unit that is an array', { units: [[1, 2]] }, 'units'],
      ['a negative input', { units: [unit('a', [1, -2])] }, 'units.0.inputs'],
      ['mismatched lengths', { units: [unit('a'), unit('b', [1, 2, 3])] }, 'units.1.inputs'],
      ['"NaN" as a string', { units: [unit('a', ['NaN', 1])] }, 'units.0.inputs'],
      ['numbers as strings', { units: [unit('a', ['1', '2'])] }, 'units.0.inputs'],
      ['nested arrays', { units: [unit('a', [[1], [2]])] }, 'units.0.inputs'],
      ['no outputs', { units: [unit('a', [1], [])] }, 'units.0.outputs'],
      ['a unit without inputs above 0', { units: [unit('a'), unit('b', [0, 0])] }, 'units.1.inputs'],
      ['a name twice', { units: [unit('a'), unit('a')] }, 'units.1.name'],
      ['an empty name', { units: [unit('')] }, 'units.0.name'],
      ['a name with \\u0000', { units: [unit('a\u0000b')] }, 'units.0.name'],
      ['a lone surrogate', { units: [unit('a\ud800')] }, 'units.0.name'],
      ['101 units', { units: Array.from({ length: 101 }, (_, k) => unit(`u${k}`)) }, 'units'],
      [
        '11 inputs',
        {
          units: [
            unit(
              'a',
              Array.from({ length: 11 }, () => 1),
            ),
          ],
        },
        'units.0.inputs',
      ],
      ['inputNames of the wrong length', { inputNames: ['x'], units: [unit('a')] }, 'inputNames'],
      ['an unknown model', { model: 'sbm', units: [unit('a')] }, 'model'],
      ['an unknown field', { units: [unit('a')], weights: [1] }, 'weights'],
    ])('%s → 400 naming the field', async (_, body, field) => {
      const r = await post(body);
      expect(r.status).toBe(400);
      expect(r.type).toMatch(/application\/problem\+json/);
      expect(fields(r.body)).toContain(field);
    });

    it('a body that is not JSON is 415, malformed JSON 400', async () => {
      expect((await post('units=1', token, 'text/plain')).status).toBe(415);
      expect((await post('{"units": [', token)).status).toBe(400);
    });

    it('is for staff: a partner is 403, no token 401', async () => {
      expect((await post({ units: coelli }, partner)).status).toBe(403);
      expect((await post({ units: coelli }, null)).status).toBe(401);
    });
  });

  it("keeps facts of cases only, and neither the caller's number nor the survey comment", async () => {
    await byTeam();
    const { dataSource } = app.app.get<ReadModelRunners>(READ_MODELS);
    const rows = (await dataSource.query(`SELECT kind, episode_id, data FROM analytics.contact_centre_facts_v${CONTACT_CENTRE_FACTS_VERSION}`)) as {
      kind: string;
      episode_id: string | null;
      data: object;
    }[];
    expect(rows.filter((r) => r.episode_id === opportunityId)).toEqual([]);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('+6281234567');
    expect(text).not.toContain('a personal remark');
    expect(rows.filter((r) => r.kind === 'rated')).toHaveLength(2);
  });

  it('is in the OpenAPI document with its response schemas and problems', async () => {
    const r = await call('/openapi.json', null);
    const paths = r.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const [p, method] of [
      ['/contact-centre/measures', 'get'],
      ['/contact-centre/efficiency', 'get'],
      ['/contact-centre/efficiency', 'post'],
    ]) {
      expect(Object.keys(paths[p][method].responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    }
  });
});
