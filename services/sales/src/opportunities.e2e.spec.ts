import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService, type HttpReply } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

const DEFAULT_PIPELINE_ID = '5a1e5000-0000-4000-8000-000000000001';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Opportunities and pipelines over HTTP on the embedded platform (PGlite on disk), time from a TestClock:
// configurable pipelines, an opportunity's stages (back only with a reason) with the time spent in
// each, its amount, close date, owner, next step and competitors, the list read model and the
// pipeline report as of any instant.
describe('opportunities and pipelines (embedded)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let mint: TokenMint;
  let manager: string; // sales, role manager
  let agent: string; // sales, role agent
  let customerId: string;
  let otherCustomerId: string;
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  const call = httpCaller(
    () => base,
    () => agent,
  );
  const raw = (method: string, url: string, body: string, contentType = 'application/json', bearer = agent) =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType }, body });
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  async function expectProblem(r: Response | HttpReply, status: number, field?: string): Promise<Record<string, unknown>> {
    expect(r.status).toBe(status);
    const type = r instanceof Response ? (r.headers.get('content-type') ?? '') : r.type;
    expect(type).toContain('application/problem+json');
    const body = r instanceof Response ? ((await r.json()) as Record<string, unknown>) : r.body;
    if (field) expect(fields(body)).toContain(field);
    return body;
  }
  /** The read model follows the store: wait until it shows what was just recorded. */
  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const items = async (query: string) => ((await call('GET', `/opportunities?${query}`)).body.items ?? []) as Record<string, unknown>[];
  /** What of a successful answer the service's own OpenAPI document does not promise (`[]`: all of it). */
  const undocumented = (method: string, path: string, r: HttpReply) => servedResponseProblems(base, method, path, r.status, r.body);
  const renewalStages = [
    { stageId: 'qualify', name: 'Qualify', probability: 20 },
    { stageId: 'quote', name: 'Quote', probability: 60 },
    { stageId: 'sign', name: 'Sign', probability: 90 },
  ];
  const createPipeline = async (name: string) => {
    const r = await call('POST', '/pipelines', { name, stages: renewalStages }, {}, manager);
    expect(r.status).toBe(201);
    return String(r.body.pipelineId);
  };

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-opportunities', SalesConfig, (c, p, h) => createSalesApp(c, p, { ...h, clock }), crmRegistry()));
    mint = app.app.get(TokenMint);
    manager = await mint.mint({ kind: 'staff', subject: 'mira', department: 'sales', roles: ['manager'] });
    agent = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju Jaya' })).body.customerId);
    otherCustomerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'CV Sinar' })).body.customerId);
  });
  afterAll(async () => {
    await stop?.();
  });

  describe('pipelines', () => {
    it("Buttle's eight stages are the default pipeline without any setup; managers create and change pipelines, agents read them", async () => {
      const list = await call('GET', '/pipelines');
      expect(list.status).toBe(200);
      const [first] = list.body.items as { pipelineId: string; stages: { stageId: string; probability: number }[]; version: number; default: boolean }[];
      expect(first).toMatchObject({ pipelineId: DEFAULT_PIPELINE_ID, version: 0, default: true });
      expect(first.stages.map((s) => s.stageId)).toEqual([
        'lead-generation',
        'lead-qualification',
        'needs-identification',
        'specification-development',
        'proposal-creation',
        'proposal-presentation',
        'handling-objections',
        'closing',
      ]);
      expect((await call('GET', `/pipelines/${DEFAULT_PIPELINE_ID}`)).etag).toBe('"0"');

      // an agent may read but not create or change
      await expectProblem(await call('POST', '/pipelines', { name: 'Mine', stages: renewalStages }), 403);
      await expectProblem(await call('PUT', `/pipelines/${DEFAULT_PIPELINE_ID}`, { name: 'Sales process', stages: renewalStages }), 403);

      const created = await call('POST', '/pipelines', { name: 'Renewals', stages: renewalStages }, {}, manager);
      expect(created.status).toBe(201);
      const id = String(created.body.pipelineId);
      expect(created.location).toBe(`/pipelines/${id}`);
      expect(created.etag).toBe('"1"');
      expect(created.body).toMatchObject({ name: 'Renewals', stages: renewalStages, version: 1, default: false, createdBy: 'mira' });
      expect((await call('GET', created.location!)).body).toMatchObject({ pipelineId: id, stages: renewalStages });
      expect(((await call('GET', '/pipelines')).body.items as { name: string }[]).map((p) => p.name)).toEqual(['Sales process', 'Renewals']);
      // the same name again is refused (case ignored)
      expect((await call('POST', '/pipelines', { name: 'RENEWALS', stages: renewalStages }, {}, manager)).body.code).toBe('pipeline-name-taken');

      // A stale If-Match is 412 before any rule (the body would break one: a stage removed)
      const removing = { name: 'Renewals', stages: renewalStages.slice(0, 2) };
      await expectProblem(await call('PUT', `/pipelines/${id}`, removing, { 'if-match': '"0"' }, manager), 412);
      const broken = await expectProblem(await call('PUT', `/pipelines/${id}`, removing, {}, manager), 422);
      expect(broken.code).toBe('pipeline-keeps-stages');
      const changedStages = [renewalStages[0], { stageId: 'legal', name: 'Legal review', probability: 70 }, ...renewalStages.slice(1)];
      const changed = await call('PUT', `/pipelines/${id}`, { name: 'Renewals', stages: changedStages }, { 'if-match': String(created.etag) }, manager);
      expect(changed.status).toBe(200);
      expect(changed.etag).toBe('"2"');
      expect(changed.body).toMatchObject({ version: 2, stages: changedStages, changedBy: 'mira' });
      // changing one pipeline does not make another's ETag stale
      expect((await call('GET', `/pipelines/${DEFAULT_PIPELINE_ID}`)).etag).toBe('"0"');
      await expectProblem(await call('PUT', `/pipelines/${randomUUID()}`, { name: 'X', stages: renewalStages }, {}, manager), 404);
    });

    it('bad pipelines are a 400 naming the field; a body that is not JSON is a 415', async () => {
      for (const [body, field] of [
        [{ name: 'X', stages: [[]] }, 'stages'],
        [{ name: 'X', stages: {} }, 'stages'],
        [{ name: 'X', stages: [] }, 'stages'],
        [{ name: 'X', stages: [{ stageId: 'Qualify Now', name: 'Q', probability: 1 }] }, 'stages.0.stageId'],
        [{ name: 'X', stages: [{ stageId: 'q', name: 'Q', probability: 101 }] }, 'stages.0.probability'],
        [{ name: 'X', stages: [{ stageId: 'q', name: 'Q', probability: 1.5 }] }, 'stages.0.probability'],
        [{ name: 'X\u0000', stages: renewalStages }, 'name'],
        [{ name: [['X']], stages: renewalStages }, 'name'],
        [{ name: 'X', stages: renewalStages, extra: 1 }, 'extra'],
        [{ name: 'X', stages: renewalStages, pipelineId: 'nope' }, 'pipelineId'],
      ] as const) {
        await expectProblem(await call('POST', '/pipelines', body, {}, manager), 400, field);
      }
      await expectProblem(await raw('POST', '/pipelines', '{"name":"\\ud800","stages":[]}', 'application/json', manager), 400, 'name');
      await expectProblem(await raw('POST', '/pipelines', 'name=x', 'text/plain', manager), 415);
      await expectProblem(await raw('PUT', `/pipelines/${DEFAULT_PIPELINE_ID}`, '<pipeline/>', 'application/xml', manager), 415);
      await expectProblem(await call('GET', '/pipelines/not-a-uuid'), 400, 'id');
      await expectProblem(await call('PUT', '/pipelines/1', { name: 'X', stages: renewalStages }, {}, manager), 400, 'id');
    });
  });

  describe('an opportunity', () => {
    it('opens with what is known of it; Location points at GET /opportunities/{id}: stages with the time spent in each, moves timestamped by the clock', async () => {
      const pipelineId = await createPipeline(`Tenders ${randomUUID().slice(0, 6)}`);
      clock.set('2026-03-02T09:00:00.000Z');
      const opened = await call('POST', '/opportunities', {
        customerId,
        name: 'Fleet renewal',
        pipelineId,
        amount: 1_250_000,
        currency: 'EUR',
        expectedCloseDate: '2026-06-30',
        nextStep: 'send the quote',
        competitors: ['Acme'],
        team: 'jakarta',
      });
      expect(opened.status).toBe(201);
      const id = String(opened.body.episodeId);
      expect(opened.location).toBe(`/opportunities/${id}`);
      expect(opened.etag).toBe('"1"'); // EpisodeOpened + OpportunityUpdated, one append
      const first = await call('GET', opened.location!);
      expect(first.status).toBe(200);
      expect(first.etag).toBe('"1"');
      expect(first.body).toMatchObject({
        opportunityId: id,
        customerId,
        name: 'Fleet renewal',
        status: 'open',
        pipelineId,
        stage: 'qualify',
        probability: 20,
        probabilityOverridden: false,
        amount: 1_250_000,
        currency: 'EUR',
        amountDecimal: '12500.00',
        expectedCloseDate: '2026-06-30',
        owner: 'sari', // whoever opened it
        team: 'jakarta',
        nextStep: 'send the quote',
        competitors: ['Acme'],
        openedAt: '2026-03-02T09:00:00.000Z',
        closed: null,
      });

      clock.advance(2 * DAY);
      const forward = await call('POST', `/opportunities/${id}/stage`, { stage: 'quote' });
      expect(forward.status).toBe(200);
      expect(forward.body).toEqual({ episodeId: id, stage: 'quote' });
      expect(await undocumented('post', '/opportunities/{id}/stage', forward)).toEqual([]);
      clock.advance(DAY);
      await expectProblem(await call('POST', `/opportunities/${id}/stage`, { stage: 'qualify' }, { 'if-match': '"1"' }), 412); // stale: before the rule
      const back = await expectProblem(await call('POST', `/opportunities/${id}/stage`, { stage: 'qualify' }), 422);
      expect(back.code).toBe('backward-move-needs-reason');
      expect((await call('POST', `/opportunities/${id}/stage`, { stage: 'nowhere' })).body.code).toBe('unknown-stage');
      const moved = await call('POST', `/opportunities/${id}/stage`, { stage: 'qualify', reason: 'a new buyer wants a new specification' });
      expect(moved.status).toBe(200);
      expect(await undocumented('post', '/opportunities/{id}/stage', moved)).toEqual([]);
      clock.advance(6 * HOUR);
      const interaction = await call('POST', `/opportunities/${id}/interactions`, {
        channel: 'face-to-face',
        direction: 'outbound',
        action: 'met the new buyer',
        response: 'wants a quote by Friday',
      });
      expect(interaction.status).toBe(201);
      expect(await undocumented('post', '/opportunities/{id}/interactions', interaction)).toEqual([]);
      const detail = (await call('GET', `/opportunities/${id}`)).body;
      expect(detail.stages).toEqual([
        { stageId: 'qualify', name: 'Qualify', probability: 20, timeSpentMs: 2 * DAY + 6 * HOUR, visits: 2, current: true },
        { stageId: 'quote', name: 'Quote', probability: 60, timeSpentMs: DAY, visits: 1, current: false },
        { stageId: 'sign', name: 'Sign', probability: 90, timeSpentMs: 0, visits: 0, current: false },
      ]);
      expect(detail.stageHistory).toEqual([
        { to: 'qualify', at: '2026-03-02T09:00:00.000Z' },
        { from: 'qualify', to: 'quote', at: '2026-03-04T09:00:00.000Z' },
        { from: 'quote', to: 'qualify', at: '2026-03-05T09:00:00.000Z', backward: true, reason: 'a new buyer wants a new specification' },
      ]);
      expect(detail.interactions).toEqual([
        expect.objectContaining({ action: 'met the new buyer', response: 'wants a quote by Friday', occurredAt: '2026-03-05T15:00:00.000Z' }),
      ]);

      // PATCH: only what changed is recorded; the probability overrides the stage's default
      const etag = String((await call('GET', `/opportunities/${id}`)).etag);
      await expectProblem(await call('PATCH', `/opportunities/${id}`, { competitors: ['Acme', 'acme'] }, { 'if-match': '"0"' }), 412); // before the rule
      expect((await call('PATCH', `/opportunities/${id}`, { competitors: ['Acme', 'acme'] })).body.code).toBe('competitors-unique');
      const patched = await call('PATCH', `/opportunities/${id}`, { probability: 35, owner: 'budi', nextStep: null, amount: 1_300_000 }, { 'if-match': etag });
      expect(patched.status).toBe(200);
      expect(patched.etag).toBe(`"${BigInt(etag.replace(/"/g, '')) + 1n}"`);
      expect(patched.body).toMatchObject({ probability: 35, probabilityOverridden: true, owner: 'budi', nextStep: null, amount: 1_300_000, currency: 'EUR' });
      const same = await call('PATCH', `/opportunities/${id}`, { probability: 35, owner: 'budi' });
      expect(same.etag).toBe(patched.etag); // nothing changed, nothing recorded
      expect((await call('PATCH', `/opportunities/${id}`, { probability: null })).body).toMatchObject({ probability: 20, probabilityOverridden: false });

      // won and lost say why; a win is worth the amount unless it says otherwise
      await expectProblem(await call('POST', `/opportunities/${id}/close`, { outcome: 'won' }), 400, 'reason');
      clock.advance(DAY);
      const closed = await call('POST', `/opportunities/${id}/close`, { outcome: 'won', reason: 'best delivery time' });
      expect(closed.status).toBe(200);
      expect(closed.body).toEqual({ episodeId: id, outcome: 'won' });
      expect(await undocumented('post', '/opportunities/{id}/close', closed)).toEqual([]);
      clock.advance(30 * DAY); // time stops counting at the close
      const won = (await call('GET', `/opportunities/${id}`)).body;
      expect(won).toMatchObject({
        status: 'won',
        closed: { outcome: 'won', closedAt: '2026-03-06T15:00:00.000Z', reason: 'best delivery time', value: 1_300_000, currency: 'EUR' },
      });
      expect((won.stages as { stageId: string; timeSpentMs: number; current: boolean }[])[0]).toMatchObject({
        timeSpentMs: 3 * DAY + 6 * HOUR,
        current: false,
      });
      expect((await call('POST', `/opportunities/${id}/stage`, { stage: 'sign' })).body.code).toBe('episode-closed');
      expect((await call('PATCH', `/opportunities/${id}`, { owner: 'x' })).body.code).toBe('episode-closed');
    });

    it('opens as before without a pipeline: the default pipeline, its first stage; the older expectedValue is kept as recorded', async () => {
      const opened = await call('POST', '/opportunities', { customerId, name: 'Old style', expectedValue: 50000, currency: 'EUR' });
      expect(opened.status).toBe(201);
      expect(opened.etag).toBe('"0"');
      const detail = (await call('GET', opened.location!)).body;
      expect(detail).toMatchObject({
        pipelineId: DEFAULT_PIPELINE_ID,
        pipelineName: 'Sales process',
        stage: 'lead-generation',
        probability: 5,
        amount: null,
        expectedValue: 50000,
      });
      expect((detail.stages as unknown[]).length).toBe(8);
      const id = String(opened.body.episodeId);
      expect((await call('POST', `/opportunities/${id}/stage`, { stage: 'proposal-creation' })).status).toBe(200);
      expect((await call('GET', `/opportunities/${id}`)).body).toMatchObject({ stage: 'proposal-creation', probability: 40 });
      expect((await call('POST', '/opportunities', { customerId, name: 'x', stage: 'sign' })).body.code).toBe('unknown-stage');
      expect((await call('POST', '/opportunities', { customerId, name: 'x', pipelineId: randomUUID() })).body.code).toBe('unknown-pipeline');
      await expectProblem(await call('GET', `/opportunities/${randomUUID()}`), 404);
    });

    it('bad input is a 400 naming the field (money in minor units of a real ISO 4217 currency); a body that is not JSON is a 415', async () => {
      const id = String((await call('POST', '/opportunities', { customerId, name: 'Target' })).body.episodeId);
      for (const [body, field] of [
        [{ customerId, name: 'x', amount: 12.5, currency: 'EUR' }, 'amount'],
        [{ customerId, name: 'x', amount: -1, currency: 'EUR' }, 'amount'],
        [{ customerId, name: 'x', amount: '100', currency: 'EUR' }, 'amount'],
        [{ customerId, name: 'x', amount: 9007199254740992, currency: 'EUR' }, 'amount'],
        [{ customerId, name: 'x', amount: 100, currency: 'XYZ' }, 'currency'],
        [{ customerId, name: 'x', amount: 100, currency: 'eur' }, 'currency'],
        [{ customerId, name: 'x', amount: 100, currency: 'XDR' }, 'currency'], // no minor unit in ISO 4217
        [{ customerId, name: 'x', expectedCloseDate: '2026-02-30' }, 'expectedCloseDate'],
        [{ customerId, name: 'x', expectedCloseDate: '2026-06-30T00:00:00Z' }, 'expectedCloseDate'],
        [{ customerId, name: 'x', competitors: [['Acme']] }, 'competitors'],
        [{ customerId, name: 'x', competitors: 'Acme' }, 'competitors'],
        [{ customerId, name: 'x', owner: 'a\u0000b' }, 'owner'],
        [{ customerId, name: 'x', stage: 'Closing Now' }, 'stage'],
        [{ customerId, name: 'x', probability: 150 }, 'probability'],
        [{ customerId, name: 'x', pipelineId: 'default' }, 'pipelineId'],
        [{ customerId, name: [['x']] }, 'name'],
      ] as const) {
        await expectProblem(await call('POST', '/opportunities', body), 400, field);
      }
      // an amount needs its currency: a rule of the domain
      expect((await call('POST', '/opportunities', { customerId, name: 'x', amount: 100 })).body.code).toBe('amount-needs-currency');
      for (const [body, field] of [
        [{ amount: 1.5 }, 'amount'],
        [{ expectedCloseDate: 'next week' }, 'expectedCloseDate'],
        [{ nextStep: { text: 'call' } }, 'nextStep'],
        [{ nextStep: '' }, 'nextStep'],
        [{ team: 'Jakarta Team' }, 'team'],
        [{ competitors: [{}] }, 'competitors'],
        [{ owner: null }, 'owner'],
        [{ unknown: 1 }, 'unknown'],
      ] as const) {
        await expectProblem(await call('PATCH', `/opportunities/${id}`, body), 400, field);
      }
      await expectProblem(await raw('PATCH', `/opportunities/${id}`, '{"nextStep":"\\ud800"}'), 400, 'nextStep');
      await expectProblem(await raw('PATCH', `/opportunities/${id}`, '{"nextStep":"a\\u0000"}'), 400, 'nextStep');
      await expectProblem(await raw('POST', `/opportunities/${id}/stage`, '{"stage":"quote","reason":"\\ud800"}'), 400, 'reason');
      await expectProblem(await raw('POST', `/opportunities/${id}/stage`, '{"stage":[["quote"]]}'), 400, 'stage');
      await expectProblem(await raw('POST', `/opportunities/${id}/close`, '{"outcome":"won","reason":[["x"]]}'), 400, 'reason');
      await expectProblem(await raw('POST', `/opportunities/${id}/close`, '{"outcome":"resolved","reason":"x"}'), 400, 'outcome');
      await expectProblem(await raw('POST', `/opportunities/${id}/close`, '{"outcome":"won","reason":"x","value":1.5}'), 400, 'value');
      await expectProblem(await raw('PATCH', `/opportunities/${id}`, 'owner=x', 'application/x-www-form-urlencoded'), 415);
      await expectProblem(await raw('POST', '/opportunities', 'name=x', 'text/plain'), 415);
      await expectProblem(await raw('POST', `/opportunities/${id}/stage`, 'quote', 'text/plain'), 415);
      for (const [method, url] of [
        ['GET', '/opportunities/not-a-uuid'],
        ['PATCH', '/opportunities/not-a-uuid'],
        ['POST', '/opportunities/1/stage'],
      ] as const)
        await expectProblem(await call(method, url, method === 'GET' ? undefined : { stage: 'quote', owner: 'x' }), 400, 'id');
      // nothing of it was recorded
      expect((await call('GET', `/opportunities/${id}`)).etag).toBe('"0"');
    });
  });

  describe('GET /opportunities (the read model)', () => {
    it('filters by owner, team, stage, pipeline, customer, close dates, amount range and status; sorts; pages by an opaque cursor', async () => {
      const team = `t-${randomUUID().slice(0, 8)}`;
      const pipelineId = await createPipeline(`List ${team}`);
      const open = async ({ name, ...body }: Record<string, unknown>) => {
        clock.advance(60_000);
        const r = await call('POST', '/opportunities', { customerId, team, ...body, name: `${team} ${String(name)}` });
        expect(r.status).toBe(201);
        return String(r.body.episodeId);
      };
      const a = await open({ name: 'a', amount: 100_00, currency: 'EUR', expectedCloseDate: '2026-04-01' });
      const b = await open({ name: 'b', amount: 500_00, currency: 'EUR', expectedCloseDate: '2026-05-01', owner: 'budi' });
      const c = await open({ name: 'c', amount: 300_00, currency: 'EUR', expectedCloseDate: '2026-06-01', customerId: otherCustomerId });
      const d = await open({ name: 'd', amount: 7_000, currency: 'JPY', pipelineId });
      const e = await open({ name: 'e' });
      clock.advance(60_000);
      expect((await call('POST', `/opportunities/${a}/stage`, { stage: 'closing' })).status).toBe(200);
      clock.advance(60_000);
      expect((await call('POST', `/opportunities/${e}/close`, { outcome: 'lost', reason: 'no budget' })).status).toBe(200);
      await eventually(
        () => items(`team=${team}&status=lost`),
        (list) => list.length === 1,
      );
      const ids = async (query: string) => (await items(`team=${team}&${query}`)).map((i) => [a, b, c, d, e].indexOf(String(i.opportunityId)));
      expect(await ids('sort=-updatedAt')).toEqual([4, 0, 3, 2, 1]);
      expect((await items(`team=${team}&owner=budi`)).map((i) => i.opportunityId)).toEqual([b]);
      expect(await ids('owner=sari&sort=updatedAt')).toEqual([2, 3, 0, 4]);
      expect(await ids('stage=closing,qualify&sort=updatedAt')).toEqual([3, 0]);
      expect(await ids(`pipelineId=${pipelineId}`)).toEqual([3]);
      expect(await ids(`customerId=${otherCustomerId}`)).toEqual([2]);
      expect(await ids('closeFrom=2026-04-15&closeTo=2026-06-01&sort=closeDate')).toEqual([1, 2]);
      expect(await ids('currency=EUR&amountMin=20000&amountMax=50000&sort=-amount')).toEqual([1, 2]);
      expect(await ids('status=lost')).toEqual([4]);
      expect(await ids('status=open,won&sort=closeDate')).toEqual([0, 1, 2, 3]);
      const [first] = await items(`team=${team}&owner=budi`);
      expect(first).toMatchObject({
        name: `${team} b`,
        pipelineId: DEFAULT_PIPELINE_ID,
        stage: 'lead-generation',
        probability: 5,
        amount: 500_00,
        currency: 'EUR',
        expectedCloseDate: '2026-05-01',
        status: 'open',
        team,
        competitors: [],
        interactions: 0,
      });
      // pages of two, together the whole list in its order, for every sort
      for (const sort of ['closeDate', '-closeDate', 'amount', '-amount', 'updatedAt', '-updatedAt']) {
        const whole = (await items(`team=${team}&sort=${sort}`)).map((i) => i.opportunityId);
        const paged: unknown[] = [];
        let cursor: string | undefined;
        do {
          const page = await call('GET', `/opportunities?team=${team}&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          paged.push(...(page.body.items as { opportunityId: string }[]).map((i) => i.opportunityId));
          cursor = page.body.nextCursor as string | undefined;
        } while (cursor);
        expect(paged).toEqual(whole);
      }
    });

    it('bad queries are a 400 naming the field: garbage cursors, a range without its currency, dates that are not dates', async () => {
      const otherSort = (await call('GET', '/opportunities?sort=amount&limit=1')).body.nextCursor as string | undefined;
      for (const [query, field] of [
        ['cursor=garbage', 'cursor'],
        [`cursor=${Buffer.from('["opportunities","-updatedAt",5,"x"]').toString('base64url')}`, 'cursor'],
        [`cursor=${Buffer.from('["leads","-updatedAt","x","y"]').toString('base64url')}`, 'cursor'],
        ...(otherSort ? [[`cursor=${otherSort}&sort=closeDate`, 'cursor']] : []),
        ['cursor=%00', 'cursor'],
        ['amountMin=100', 'amountMin'],
        ['currency=EUR&amountMin=-1', 'amountMin'],
        ['currency=EUR&amountMax=1.5', 'amountMax'],
        ['currency=EUR&amountMin=10&amountMax=5', 'amountMax'],
        ['currency=euro', 'currency'],
        ['closeFrom=2026-13-01', 'closeFrom'],
        ['closeTo=tomorrow', 'closeTo'],
        ['closeFrom=2026-06-01&closeTo=2026-05-01', 'closeTo'],
        ['status=pending', 'status'],
        ['stage=Closing%20Now', 'stage'],
        ['pipelineId=default', 'pipelineId'],
        ['customerId=1', 'customerId'],
        ['team=A%20B', 'team'],
        ['owner=a%00b', 'owner'],
        ['sort=random', 'sort'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
      ] as [string, string][]) {
        await expectProblem(await call('GET', `/opportunities?${query}`), 400, field);
      }
      const surrogate = await call('GET', '/opportunities?owner=%ED%A0%80'); // a lone surrogate, UTF-8 encoded the only way it can be: replaced, or refused
      expect(surrogate.status === 200 || surrogate.status === 400).toBe(true);
    });
  });

  describe('GET /pipeline', () => {
    it('by stage: count, amount and probability-weighted amount, per owner or team; asOf answers what it said then', async () => {
      const team = `r-${randomUUID().slice(0, 8)}`;
      const open = async (body: Record<string, unknown>) =>
        String((await call('POST', '/opportunities', { customerId, name: `${team}`, team, ...body })).body.episodeId);
      const x = await open({ amount: 100_000, currency: 'EUR' });
      await open({ amount: 50_001, currency: 'EUR', owner: 'budi' });
      await open({}); // no amount: counted, worth nothing yet
      const report = async (query: string) => (await call('GET', `/pipeline?team=${team}&${query}`)).body;
      await eventually(
        () => report(''),
        (r) => (r.rows as unknown[] | undefined)?.length === 2,
      );
      await new Promise((r) => setTimeout(r, 20));
      const before = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      expect((await call('POST', `/opportunities/${x}/stage`, { stage: 'proposal-creation' })).status).toBe(200);
      await eventually(
        () => report(''),
        (r) => (r.rows as unknown[] | undefined)?.length === 3,
      );
      const now = await report('groupBy=team');
      expect(now.groupBy).toBe('team');
      expect(now.rows).toEqual([
        {
          pipelineId: DEFAULT_PIPELINE_ID,
          pipelineName: 'Sales process',
          stage: 'lead-generation',
          stageName: 'Lead generation',
          team,
          currency: 'EUR',
          count: 1,
          amount: 50_001,
          weightedAmount: 2_500,
        },
        {
          pipelineId: DEFAULT_PIPELINE_ID,
          pipelineName: 'Sales process',
          stage: 'lead-generation',
          stageName: 'Lead generation',
          team,
          currency: null,
          count: 1,
          amount: 0,
          weightedAmount: 0,
        },
        {
          pipelineId: DEFAULT_PIPELINE_ID,
          pipelineName: 'Sales process',
          stage: 'proposal-creation',
          stageName: 'Proposal creation',
          team,
          currency: 'EUR',
          count: 1,
          amount: 100_000,
          weightedAmount: 40_000,
        },
      ]);
      const then = await report(`groupBy=owner&asOf=${encodeURIComponent(before)}`);
      expect(then.asOf).toBe(before);
      expect(then.rows).toEqual([
        expect.objectContaining({ stage: 'lead-generation', owner: 'budi', currency: 'EUR', count: 1, amount: 50_001, weightedAmount: 2_500 }),
        expect.objectContaining({ stage: 'lead-generation', owner: 'sari', currency: 'EUR', count: 1, amount: 100_000, weightedAmount: 5_000 }),
        expect.objectContaining({ stage: 'lead-generation', owner: 'sari', currency: null, count: 1, amount: 0, weightedAmount: 0 }),
      ]);
      expect((await report('asOf=2000-01-01T00:00:00Z')).rows).toEqual([]);
      for (const [query, field] of [
        ['asOf=yesterday', 'asOf'],
        ['asOf=20260301', 'asOf'],
        ['groupBy=region', 'groupBy'],
        ['pipelineId=x', 'pipelineId'],
      ]) {
        await expectProblem(await call('GET', `/pipeline?${query}`), 400, field);
      }
    });
  });

  it('who may: sales and management staff; service staff and partners never (403); no token 401; an agent never changes pipelines', async () => {
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['manager'] });
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: ['manager'] });
    const admin = await mint.mint({ kind: 'staff', subject: 'ana', department: 'management', roles: ['admin'] });
    const managementAgent = await mint.mint({ kind: 'staff', subject: 'eko', department: 'management', roles: [] });
    const id = String((await call('POST', '/opportunities', { customerId, name: 'Access' })).body.episodeId);
    const routes: [string, string, unknown][] = [
      ['GET', '/opportunities', undefined],
      ['POST', '/opportunities', { customerId, name: 'x' }],
      ['GET', `/opportunities/${id}`, undefined],
      ['PATCH', `/opportunities/${id}`, { owner: 'x' }],
      ['POST', `/opportunities/${id}/stage`, { stage: 'closing' }],
      ['POST', `/opportunities/${id}/close`, { outcome: 'lost', reason: 'x' }],
      ['POST', `/opportunities/${id}/interactions`, { channel: 'phone', direction: 'inbound', action: 'x' }],
      ['GET', '/pipelines', undefined],
      ['GET', `/pipelines/${DEFAULT_PIPELINE_ID}`, undefined],
      ['POST', '/pipelines', { name: 'X', stages: renewalStages }],
      ['PUT', `/pipelines/${DEFAULT_PIPELINE_ID}`, { name: 'X', stages: renewalStages }],
      ['GET', '/pipeline', undefined],
    ];
    for (const [method, url, body] of routes) {
      for (const bearer of [service, partner]) await expectProblem(await call(method, url, body, {}, bearer), 403);
      const anonymous = await fetch(`${base}${url}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await expectProblem(anonymous, 401);
    }
    for (const bearer of [agent, managementAgent]) {
      await expectProblem(await call('POST', '/pipelines', { name: 'X', stages: renewalStages }, {}, bearer), 403);
      await expectProblem(await call('PUT', `/pipelines/${DEFAULT_PIPELINE_ID}`, { name: 'X', stages: renewalStages }, {}, bearer), 403);
      expect((await call('GET', '/pipelines', undefined, {}, bearer)).status).toBe(200);
    }
    expect((await call('GET', `/opportunities/${id}`, undefined, {}, admin)).status).toBe(200);
    const defaults = (await call('GET', `/pipelines/${DEFAULT_PIPELINE_ID}`, undefined, {}, admin)).body as {
      stages: { stageId: string; name: string; probability: number }[];
    };
    const reweighted = defaults.stages.map((s) => (s.stageId === 'closing' ? { ...s, probability: 85 } : s));
    const changed = await call('PUT', `/pipelines/${DEFAULT_PIPELINE_ID}`, { name: 'Sales process', stages: reweighted }, { 'if-match': '"0"' }, admin);
    expect(changed.status).toBe(200);
    expect(changed.etag).toBe('"1"');
    // opportunities moving into closing from now on take the new default
    expect((await call('POST', `/opportunities/${id}/stage`, { stage: 'closing' })).status).toBe(200);
    expect((await call('GET', `/opportunities/${id}`)).body).toMatchObject({ stage: 'closing', probability: 85 });
  });

  it('documents every route in OpenAPI with its response schema and its errors', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    };
    const expected: [string, string, string[]][] = [
      ['/opportunities', 'get', ['200', '400', '401', '403']],
      ['/opportunities', 'post', ['201', '400', '401', '403', '415', '422']],
      ['/opportunities/{id}', 'get', ['200', '400', '401', '403', '404']],
      ['/opportunities/{id}', 'patch', ['200', '400', '401', '403', '404', '409', '412', '415', '422']],
      ['/opportunities/{id}/stage', 'post', ['200', '400', '404', '412', '422']],
      ['/opportunities/{id}/close', 'post', ['200', '400', '404', '412', '422']],
      ['/pipelines', 'get', ['200', '401', '403']],
      ['/pipelines', 'post', ['201', '400', '401', '403', '415', '422']],
      ['/pipelines/{id}', 'get', ['200', '400', '404']],
      ['/pipelines/{id}', 'put', ['200', '400', '404', '412', '415', '422']],
      ['/pipeline', 'get', ['200', '400', '401', '403']],
    ];
    for (const [path, method, statuses] of expected) {
      const operation = doc.paths[path]?.[method];
      expect({ path, method, statuses: Object.keys(operation?.responses ?? {}) }).toEqual({ path, method, statuses: expect.arrayContaining(statuses) });
    }
    for (const [path, method, status] of [
      ['/opportunities', 'get', '200'],
      ['/opportunities/{id}', 'get', '200'],
      ['/opportunities/{id}/stage', 'post', '200'],
      ['/opportunities/{id}/close', 'post', '200'],
      ['/opportunities/{id}/interactions', 'post', '201'],
      ['/pipelines', 'get', '200'],
      ['/pipeline', 'get', '200'],
    ])
      expect(doc.paths[path][method].responses[status].content?.['application/json']?.schema).toBeDefined();
  });
});
