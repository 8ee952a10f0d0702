import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService, type HttpReply } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// Activities over HTTP (embedded mode): plan, read, reschedule, reassign, cancel, complete — the
// interaction landing on the episode —, the lists, who may call what, and bad input.
describe('activities: scheduling contact with customers', () => {
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let sari: string; // an agent
  let budi: string; // another agent
  let mira: string; // a sales manager
  let partner: string;
  let service: string;
  let customerId: string;
  let otherCustomerId: string;
  let token = '';
  const call = httpCaller(
    () => base,
    () => token,
  );
  const as = (bearer: string) =>
    httpCaller(
      () => base,
      () => bearer,
    );
  const raw = (method: string, url: string, body: string, contentType = 'application/json', headers: Record<string, string> = {}) =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${sari}`, 'content-type': contentType, ...headers }, body });
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  async function expectProblem(r: Response | HttpReply, status: number, field?: string): Promise<Record<string, unknown>> {
    expect(r.status).toBe(status);
    const type = r instanceof Response ? (r.headers.get('content-type') ?? '') : r.type;
    expect(type).toContain('application/problem+json');
    const body = r instanceof Response ? ((await r.json()) as Record<string, unknown>) : r.body;
    if (field) expect(fields(body)).toContain(field);
    return body;
  }
  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 10_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const plan = async (body: Record<string, unknown>, bearer = sari) => {
    const r = await as(bearer)('POST', '/activities', { kind: 'call', customerId, subject: 'Fleet renewal: budget', dueAt: '2026-03-02T09:00:00Z', ...body });
    expect(r.status).toBe(201);
    return r;
  };
  const items = async (query: string, bearer = sari) => ((await as(bearer)('GET', `/activities?${query}`)).body.items ?? []) as Record<string, unknown>[];

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-activities', SalesConfig, (c, p, h) => createSalesApp(c, p, { ...h, clock }), crmRegistry()));
    const mint = app.app.get(TokenMint);
    sari = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    budi = await mint.mint({ kind: 'staff', subject: 'budi', department: 'sales', roles: ['agent'] });
    mira = await mint.mint({ kind: 'staff', subject: 'mira', department: 'sales', roles: ['manager'] });
    partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: [] });
    service = await mint.mint({ kind: 'staff', subject: 'sam', department: 'service', roles: ['manager'] });
    token = sari;
    customerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'PT Maju' })).body.customerId);
    otherCustomerId = String((await call('POST', '/customers', { kind: 'organisation', name: 'CV Lain' })).body.customerId);
  });
  afterAll(async () => {
    await stop?.();
  });

  it('plans a call on an opportunity, reads it, reschedules, reassigns; completing records the interaction on the opportunity', async () => {
    const opp = String((await call('POST', '/opportunities', { customerId, name: 'Fleet renewal' })).body.episodeId);
    const planned = await plan({ episodeId: opp, customerId: undefined, reminderMinutesBefore: 15, notes: 'ask for the decision date' });
    const id = String(planned.body.activityId);
    expect(planned.location).toBe(`/activities/${id}`);
    expect(planned.etag).toBe('"0"');
    const got = await call('GET', `/activities/${id}`);
    expect(got.etag).toBe('"0"');
    expect(got.body).toMatchObject({
      activityId: id,
      kind: 'call',
      customerId, // the episode's customer
      episodeId: opp,
      subject: 'Fleet renewal: budget',
      notes: 'ask for the decision date',
      owner: 'sari',
      status: 'open',
      dueAt: '2026-03-02T09:00:00.000Z',
      remindAt: '2026-03-02T08:45:00.000Z',
      overdue: false,
      schedule: 1,
      plannedBy: 'sari',
      plannedAt: '2026-03-01T09:00:00.000Z',
      revision: '0',
    });

    const moved = await call('PUT', `/activities/${id}/schedule`, { dueAt: '2026-03-03T16:00:00+07:00', reminderMinutesBefore: 30 }, { 'if-match': '"0"' });
    expect(moved.status).toBe(200);
    expect(moved.etag).toBe('"1"');
    expect(moved.body).toMatchObject({ dueAt: '2026-03-03T09:00:00.000Z', remindAt: '2026-03-03T08:30:00.000Z', schedule: 2 });
    // a stale If-Match is a 412, before any rule
    await expectProblem(await call('PUT', `/activities/${id}/schedule`, { dueAt: '2026-03-04T09:00:00Z', durationMinutes: 5 }, { 'if-match': '"0"' }), 412);

    const reassigned = await call('POST', `/activities/${id}/assignment`, { owner: 'budi' }, { 'if-match': '"1"' });
    expect(reassigned.status).toBe(200);
    expect(reassigned.body).toEqual({ activityId: id, owner: 'budi' });
    expect(reassigned.etag).toBe('"2"');

    clock.set('2026-03-03T09:20:00.000Z');
    const done = await as(budi)('POST', `/activities/${id}/completion`, { response: 'budget confirmed, decision in April' }, { 'if-match': '"2"' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ activityId: id, recordedOn: 'episode' });
    const interactionId = String(done.body.interactionId);
    // completing again: nothing new
    const again = await as(budi)('POST', `/activities/${id}/completion`, {});
    expect(again.status).toBe(200);
    expect(again.body).toEqual(done.body);
    expect((await call('GET', `/activities/${id}`)).body).toMatchObject({
      status: 'completed',
      completedBy: 'budi',
      completedAt: '2026-03-03T09:20:00.000Z',
      interaction: {
        interactionId,
        channel: 'phone',
        direction: 'outbound',
        actor: { kind: 'staff', id: 'budi' },
        response: 'budget confirmed, decision in April',
      },
    });
    // the interaction is on the opportunity, once, as the timeline shows it
    const interactionsOf = async () =>
      (
        ((await call('GET', `/customers/${customerId}/timeline?limit=200`)).body.episodes ?? []) as {
          episodeId: string;
          interactions: { interactionId: string }[];
        }[]
      )
        .filter((e) => e.episodeId === opp)
        .flatMap((e) => e.interactions.map((i) => i.interactionId));
    expect(await eventually(interactionsOf, (ids) => ids.length > 0)).toEqual([interactionId]);
    // a completed activity is closed
    const closed = await as(budi)('PUT', `/activities/${id}/schedule`, { dueAt: '2026-03-05T09:00:00Z' });
    expect((await expectProblem(closed, 422)).code).toBe('activity-closed');
    clock.set('2026-03-01T09:00:00.000Z');
  });

  it('against the customer alone the interaction stays on the relationship; on an episode closed since, too; a task records none', async () => {
    const onCustomer = String((await plan({ kind: 'meeting', durationMinutes: 45 })).body.activityId);
    expect((await call('POST', `/activities/${onCustomer}/completion`, { response: 'met', channel: 'web' })).body).toMatchObject({
      recordedOn: 'relationship',
    });
    expect((await call('GET', `/activities/${onCustomer}`)).body).toMatchObject({ interaction: { channel: 'web', action: 'planned meeting held' } });

    const opp = String((await call('POST', '/opportunities', { customerId, name: 'Spare parts' })).body.episodeId);
    const onEpisode = String((await plan({ episodeId: opp })).body.activityId);
    expect((await call('POST', `/opportunities/${opp}/close`, { outcome: 'lost', reason: 'price' })).status).toBe(200);
    expect((await call('POST', `/activities/${onEpisode}/completion`, { response: 'too late' })).body).toMatchObject({ recordedOn: 'relationship' });
    // and nothing more is planned in a closed episode
    expect(
      (await expectProblem(await call('POST', '/activities', { kind: 'task', episodeId: opp, subject: 'x', dueAt: '2026-03-05T00:00:00Z' }), 422)).code,
    ).toBe('episode-closed');

    const task = String((await plan({ kind: 'task', subject: 'Prepare the proposal' })).body.activityId);
    expect((await call('POST', `/activities/${task}/completion`, {})).body).toEqual({ activityId: task });
  });

  it('cancels (again: nothing), and a cancelled activity is not completed; rules of the domain are 422 with their code', async () => {
    const id = String((await plan({})).body.activityId);
    const cancelled = await call('POST', `/activities/${id}/cancellation`, { reason: 'customer on leave' }, { 'if-match': '"0"' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.etag).toBe('"1"');
    expect((await call('POST', `/activities/${id}/cancellation`, {})).status).toBe(200);
    expect((await expectProblem(await call('POST', `/activities/${id}/completion`, {}), 422)).code).toBe('activity-closed');
    // If-Match stale: 412 before the rule that would say 422
    await expectProblem(await call('POST', `/activities/${id}/completion`, {}, { 'if-match': '"0"' }), 412);

    for (const [body, code] of [
      [{ kind: 'meeting' }, 'meeting-needs-duration'],
      [{ durationMinutes: 30 }, 'duration-only-for-meetings'],
      [{ subject: '   ' }, 'activity-needs-subject'],
      [{ customerId: randomUUID() }, 'unknown-customer'],
    ] as const) {
      const valid: Record<string, unknown> = { kind: 'call', customerId, subject: 's', dueAt: '2026-03-02T09:00:00Z' };
      expect((await expectProblem(await call('POST', '/activities', { ...valid, ...body }), 422)).code).toBe(code);
    }
    const opp = String((await call('POST', '/opportunities', { customerId: otherCustomerId, name: 'Other' })).body.episodeId);
    expect(
      (await expectProblem(await call('POST', '/activities', { kind: 'call', customerId, episodeId: opp, subject: 's', dueAt: '2026-03-02T09:00:00Z' }), 422))
        .code,
    ).toBe('episode-of-another-customer');
    await expectProblem(await call('POST', '/activities', { kind: 'call', episodeId: randomUUID(), subject: 's', dueAt: '2026-03-02T09:00:00Z' }), 404);
    await expectProblem(await call('GET', `/activities/${randomUUID()}`), 404);
    await expectProblem(await call('POST', `/activities/${randomUUID()}/cancellation`, {}), 404);
    // a retried plan with its activity id is recorded once
    const activityId = randomUUID();
    const body = { activityId, kind: 'email', customerId, subject: 'Send the brochure', dueAt: '2026-03-02T09:00:00Z' };
    expect((await call('POST', '/activities', body)).status).toBe(201);
    expect((await call('POST', '/activities', body)).etag).toBe('"0"');
    expect((await expectProblem(await call('POST', '/activities', { ...body, kind: 'task' }), 422)).code).toBe('activity-exists');
  });

  it('who may: an agent changes only their own activities, a manager anyone’s; an agent plans only for themselves; partners, other departments and no token never', async () => {
    const mine = String((await plan({})).body.activityId);
    for (const [method, url, body] of [
      ['PUT', `/activities/${mine}/schedule`, { dueAt: '2026-03-04T09:00:00Z' }],
      ['POST', `/activities/${mine}/assignment`, { owner: 'budi' }],
      ['POST', `/activities/${mine}/cancellation`, {}],
      ['POST', `/activities/${mine}/completion`, {}],
    ] as const) {
      const refused = await as(budi)(method, url, body);
      expect((await expectProblem(refused, 403)).code).toBe('not-owner');
      // a stale If-Match from someone who may not change it is still a 403 (access is judged first)
      expect((await as(budi)(method, url, body, { 'if-match': '"9"' })).status).toBe(403);
    }
    expect((await call('GET', `/activities/${mine}`)).body).toMatchObject({ status: 'open', owner: 'sari' }); // nothing changed
    // budi may read it
    expect((await as(budi)('GET', `/activities/${mine}`)).status).toBe(200);
    // a manager may change it
    expect((await as(mira)('POST', `/activities/${mine}/completion`, { response: 'done by the manager' })).status).toBe(200);
    // planning for someone else: managers only
    expect(
      (
        await expectProblem(
          await as(budi)('POST', '/activities', { kind: 'call', customerId, subject: 's', dueAt: '2026-03-02T09:00:00Z', owner: 'sari' }),
          403,
        )
      ).code,
    ).toBe('plan-for-others');
    const forSari = await plan({ owner: 'sari' }, mira);
    expect((await call('GET', `/activities/${String(forSari.body.activityId)}`)).body).toMatchObject({ owner: 'sari', plannedBy: 'mira' });
    // the owner hands it on
    expect((await call('POST', `/activities/${String(forSari.body.activityId)}/assignment`, { owner: 'budi' })).status).toBe(200);

    const routes: [string, string, unknown?][] = [
      ['POST', '/activities', { kind: 'call', customerId, subject: 's', dueAt: '2026-03-02T09:00:00Z' }],
      ['GET', '/activities'],
      ['GET', '/activities/due'],
      ['GET', '/activities/overdue'],
      ['GET', `/activities/${mine}`],
      ['PUT', `/activities/${mine}/schedule`, { dueAt: '2026-03-04T09:00:00Z' }],
      ['POST', `/activities/${mine}/assignment`, { owner: 'budi' }],
      ['POST', `/activities/${mine}/cancellation`, {}],
      ['POST', `/activities/${mine}/completion`, {}],
      ['POST', '/calendar/feed-token'],
      ['DELETE', '/calendar/feed-token'],
    ];
    for (const [method, url, body] of routes) {
      for (const bearer of [partner, service]) await expectProblem(await as(bearer)(method, url, body), 403);
      const anonymous = await fetch(`${base}${url}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await expectProblem(anonymous, 401);
    }
  });

  it('lists: filters, soonest due first, cursor pages; due and overdue per owner by the clock, the caller’s own unless a manager asks', async () => {
    const c = String((await call('POST', '/customers', { kind: 'person', name: 'Dewi Lists' })).body.customerId);
    const opp = String((await call('POST', '/opportunities', { customerId: c, name: 'Lists' })).body.episodeId);
    const at = (day: number, hour = 9) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
    const ids: string[] = [];
    for (const [kind, day, extra] of [
      ['call', 1, {}],
      ['meeting', 2, { durationMinutes: 30, episodeId: opp }],
      ['email', 3, {}],
      ['task', 10, {}],
    ] as const) {
      ids.push(String((await plan({ kind, customerId: c, dueAt: at(day, 8), ...extra })).body.activityId));
    }
    ids.push(String((await plan({ customerId: c, dueAt: at(2, 12), owner: 'budi' }, mira)).body.activityId));
    await call('POST', `/activities/${ids[2]}/cancellation`, {});
    const all = await eventually(
      () => items(`customerId=${c}`),
      (l) => l.length === 5 && l.some((i) => i.status === 'cancelled'),
    );
    expect(all.map((i) => i.activityId)).toEqual([ids[0], ids[1], ids[4], ids[2], ids[3]]);
    expect(all[1]).toMatchObject({ kind: 'meeting', episodeId: opp, durationMinutes: 30, endsAt: '2026-03-02T08:30:00.000Z', owner: 'sari', status: 'open' });
    expect((await items(`customerId=${c}&owner=budi`)).map((i) => i.activityId)).toEqual([ids[4]]);
    expect((await items(`customerId=${c}&kind=meeting,email`)).map((i) => i.activityId)).toEqual([ids[1], ids[2]]);
    expect((await items(`customerId=${c}&status=cancelled`)).map((i) => i.activityId)).toEqual([ids[2]]);
    expect((await items(`episodeId=${opp}`)).map((i) => i.activityId)).toEqual([ids[1]]);
    expect((await items(`customerId=${c}&dueFrom=${at(2, 0)}&dueTo=${at(3, 0)}`)).map((i) => i.activityId)).toEqual([ids[1], ids[4]]);
    const paged: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/activities?customerId=${c}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...(page.body.items as { activityId: string }[]).map((i) => i.activityId));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    expect(paged).toEqual(all.map((i) => i.activityId));

    // by the clock: 2 March 10:00 — the call (1 March) and the meeting (2 March 08:00) are overdue
    clock.set(at(2, 10));
    const mineIn = (list: Record<string, unknown>[]) => list.filter((i) => i.customerId === c).map((i) => [i.activityId, i.overdue]);
    expect(mineIn((await call('GET', '/activities/overdue')).body.items as Record<string, unknown>[])).toEqual([
      [ids[0], true],
      [ids[1], true],
    ]);
    // due: the next 24 hours, overdue ones first; the cancelled e-mail is not due
    expect(mineIn((await call('GET', '/activities/due')).body.items as Record<string, unknown>[])).toEqual([
      [ids[0], true],
      [ids[1], true],
    ]);
    expect(mineIn((await call('GET', `/activities/due?until=${at(11)}`)).body.items as Record<string, unknown>[])).toEqual([
      [ids[0], true],
      [ids[1], true],
      [ids[3], false],
    ]);
    // someone else's work list: managers only
    expect((await expectProblem(await call('GET', '/activities/due?owner=budi'), 403)).code).toBe('not-your-list');
    await expectProblem(await call('GET', '/activities/overdue?owner=budi'), 403);
    expect(mineIn((await as(mira)('GET', '/activities/due?owner=budi')).body.items as Record<string, unknown>[])).toEqual([[ids[4], false]]);
    expect(mineIn((await as(budi)('GET', '/activities/due')).body.items as Record<string, unknown>[])).toEqual([[ids[4], false]]);
    clock.set('2026-03-01T09:00:00.000Z');
  });

  describe('bad input is a 4xx problem+json naming the field, and nothing is stored', () => {
    const valid = () => ({ kind: 'call', customerId, subject: 'Fleet', dueAt: '2026-03-02T09:00:00Z' });
    let id: string;
    beforeAll(async () => {
      id = String((await plan({})).body.activityId);
    });

    it.each([
      ['subject', { subject: [[]] }],
      ['notes', { notes: [{}] }],
      ['customerId', { customerId: [[]] }],
      ['kind', { kind: ['call'] }],
      ['reminderMinutesBefore', { reminderMinutesBefore: [15] }],
      ['owner', { owner: { id: 'sari' } }],
    ])('an array or object where a value belongs (%s)', async (field, body) => {
      const activityId = randomUUID();
      await expectProblem(await call('POST', '/activities', { ...valid(), ...body, activityId }), 400, field);
      expect((await call('GET', `/activities/${activityId}`)).status).toBe(404);
    });

    it.each(['tomorrow', '20260302', '2026-W09', '2026-03-02T09', '-2026-03-02', '2026-02-30T09:00:00Z', '2026-03-02T09:00:00+15:00', 1772442000000])(
      'a due time that is not an ISO instant (%s)',
      async (dueAt) => {
        await expectProblem(await call('POST', '/activities', { ...valid(), dueAt }), 400, 'dueAt');
        await expectProblem(await call('PUT', `/activities/${id}/schedule`, { dueAt }), 400, 'dueAt');
      },
    );

    it('NUL characters and lone surrogates, in the body and in the query', async () => {
      await expectProblem(await raw('POST', '/activities', JSON.stringify({ ...valid(), subject: 'Fle\u0000et' })), 400, 'subject');
      await expectProblem(
        await raw('POST', '/activities', `{"kind":"call","customerId":"${customerId}","subject":"\\ud800","dueAt":"2026-03-02T09:00:00Z"}`),
        400,
        'subject',
      );
      await expectProblem(await raw('POST', `/activities/${id}/completion`, '{"response":"a\\udfff"}'), 400, 'response');
      await expectProblem(await raw('POST', `/activities/${id}/cancellation`, '{"reason":"x\\u0000"}'), 400, 'reason');
      await expectProblem(await raw('POST', `/activities/${id}/assignment`, '{"owner":"\\udc00"}'), 400, 'owner');
      await expectProblem(await call('GET', '/activities?owner=%00'), 400, 'owner');
      await expectProblem(await call('GET', '/activities/due?owner=%00'), 400, 'owner');
      expect((await call('GET', `/activities/${id}`)).body).toMatchObject({ status: 'open', owner: 'sari' });
    });

    it('a body that is not JSON is 415', async () => {
      await expectProblem(await raw('POST', '/activities', 'kind=call', 'text/plain'), 415);
      await expectProblem(await raw('PUT', `/activities/${id}/schedule`, '<dueAt/>', 'application/xml'), 415);
      await expectProblem(await raw('POST', `/activities/${id}/completion`, 'done', 'text/plain'), 415);
      await expectProblem(await raw('POST', `/activities/${id}/assignment`, 'owner=budi', 'application/x-www-form-urlencoded'), 415);
      await expectProblem(await raw('POST', `/activities/${id}/cancellation`, 'x', 'text/csv'), 415);
    });

    it('a malformed path id is a 400 naming it', async () => {
      await expectProblem(await call('GET', '/activities/not-a-uuid'), 400, 'id');
      for (const [method, path, body] of [
        ['PUT', 'schedule', { dueAt: '2026-03-04T09:00:00Z' }],
        ['POST', 'assignment', { owner: 'budi' }],
        ['POST', 'cancellation', {}],
        ['POST', 'completion', {}],
      ] as const) {
        await expectProblem(await call(method, `/activities/1234/${path}`, body), 400, 'id');
      }
    });

    it('garbage cursors, filters and limits are a 400 naming the parameter', async () => {
      for (const url of ['/activities', '/activities/due', '/activities/overdue']) {
        for (const cursor of [
          'garbage',
          '%00',
          Buffer.from('["activities","yesterday","x"]').toString('base64url'),
          Buffer.from('["leads","name","x","y",1]').toString('base64url'),
          'a.b',
        ]) {
          await expectProblem(await call('GET', `${url}?cursor=${cursor}`), 400, 'cursor');
        }
        await expectProblem(await call('GET', `${url}?limit=0`), 400, 'limit');
        await expectProblem(await call('GET', `${url}?limit=abc`), 400, 'limit');
        await expectProblem(await call('GET', `${url}?surprise=1`), 400, 'surprise');
      }
      for (const [query, field] of [
        ['kind=telepathy', 'kind'],
        ['status=overdue', 'status'],
        ['customerId=nope', 'customerId'],
        ['episodeId=1', 'episodeId'],
        ['dueFrom=yesterday', 'dueFrom'],
        ['dueTo=2026-W09', 'dueTo'],
        ['owner=a&owner=b', 'owner'],
      ]) {
        await expectProblem(await call('GET', `/activities?${query}`), 400, field);
      }
      await expectProblem(await call('GET', '/activities/due?until=soon'), 400, 'until');
    });

    it('fields the DTO does not know, values out of range and wrong enums are a 400 naming them', async () => {
      for (const [body, field] of [
        [{ surprise: 1 }, 'surprise'],
        [{ kind: 'visit' }, 'kind'],
        [{ reminderMinutesBefore: -1 }, 'reminderMinutesBefore'],
        [{ reminderMinutesBefore: 40_321 }, 'reminderMinutesBefore'],
        [{ reminderMinutesBefore: 1.5 }, 'reminderMinutesBefore'],
        [{ kind: 'meeting', durationMinutes: 0 }, 'durationMinutes'],
        [{ customerId: undefined }, 'customerId'],
        [{ customerId: 'x' }, 'customerId'],
        [{ episodeId: 'x' }, 'episodeId'],
        [{ activityId: 'x' }, 'activityId'],
        [{ subject: '' }, 'subject'],
        [{ subject: 'x'.repeat(501) }, 'subject'],
      ] as const) {
        await expectProblem(await call('POST', '/activities', { ...valid(), ...body }), 400, field);
      }
      await expectProblem(await call('POST', `/activities/${id}/completion`, { channel: 'telepathy' }), 400, 'channel');
      await expectProblem(await call('POST', `/activities/${id}/completion`, { direction: 'sideways' }), 400, 'direction');
      await expectProblem(await call('POST', `/activities/${id}/assignment`, {}), 400, 'owner');
      await expectProblem(await call('POST', `/activities/${id}/assignment`, { owner: '' }), 400, 'owner');
      await expectProblem(
        await call('PUT', `/activities/${id}/schedule`, { dueAt: '2026-03-04T09:00:00Z', reminderMinutesBefore: '15' }),
        400,
        'reminderMinutesBefore',
      );
      await expectProblem(await call('PUT', `/activities/${id}/schedule`, { dueAt: '2026-03-04T09:00:00Z' }, { 'if-match': 'seven' }), 400);
      expect((await call('GET', `/activities/${id}`)).body).toMatchObject({ status: 'open', schedule: 1, owner: 'sari', dueAt: '2026-03-02T09:00:00.000Z' });
    });
  });

  it('is in the OpenAPI document: each route with its response schema, errors and examples', async () => {
    type Operation = {
      security?: unknown[];
      responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
      parameters?: { name: string }[];
    };
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> };
    };
    const expected: [string, string, string[]][] = [
      ['/activities', 'post', ['201', '400', '401', '403', '404', '422']],
      ['/activities', 'get', ['200', '400', '401', '403']],
      ['/activities/due', 'get', ['200', '400', '401', '403']],
      ['/activities/overdue', 'get', ['200', '400', '401', '403']],
      ['/activities/{id}', 'get', ['200', '400', '401', '403', '404']],
      ['/activities/{id}/schedule', 'put', ['200', '400', '401', '403', '404', '409', '412', '422']],
      ['/activities/{id}/assignment', 'post', ['200', '400', '401', '403', '404', '412', '422']],
      ['/activities/{id}/cancellation', 'post', ['200', '400', '401', '403', '404', '412', '422']],
      ['/activities/{id}/completion', 'post', ['200', '400', '401', '403', '404', '412', '422']],
      ['/calendar/feed-token', 'post', ['201', '401', '403']],
      ['/calendar/feed-token', 'delete', ['204', '401', '403']],
      ['/calendar/{userId}.ics', 'get', ['200', '400', '401']],
    ];
    for (const [path, method, statuses] of expected) {
      const operation = doc.paths[path]?.[method];
      expect({ path, method, statuses: Object.keys(operation?.responses ?? {}).filter((s) => statuses.includes(s)) }).toEqual({ path, method, statuses });
    }
    expect(doc.paths['/calendar/{userId}.ics'].get.security).toEqual([]);
    expect(doc.paths['/calendar/{userId}.ics'].get.responses['200'].content?.['text/calendar']?.example).toContain('BEGIN:VCALENDAR');
    expect(doc.paths['/activities'].get.responses['200'].content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/ActivityListPageDto' });
    expect(doc.paths['/activities/{id}/completion'].post.parameters?.map((p) => p.name)).toContain('if-match');
    expect(doc.components.schemas.PlanActivityDto.properties.dueAt.example).toBe('2026-03-02T09:00:00Z');
    expect(doc.components.schemas.ActivityDto.properties.interaction.example).toBeDefined();
  });

  it('the service is still healthy after all of it', async () => {
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
