import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService, type HttpReply } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// GET /leads (the leads read model, fed from the store in embedded mode) and the assignment rules
// that assign a lead in the command that captures it.
describe('leads: list and assignment rules', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  const call = httpCaller(
    () => base,
    () => token,
  );
  const raw = (method: string, url: string, body: string, contentType = 'application/json', bearer = token) =>
    fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType }, body });
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  async function expectProblem(r: Response | HttpReply, status: number, field?: string): Promise<void> {
    expect(r.status).toBe(status);
    const type = r instanceof Response ? (r.headers.get('content-type') ?? '') : r.type;
    expect(type).toContain('application/problem+json');
    const body = r instanceof Response ? ((await r.json()) as Record<string, unknown>) : r.body;
    if (field) expect(fields(body)).toContain(field);
  }
  /** The read model follows the store: wait until it shows what was just captured. */
  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 10_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const items = async (query: string) => ((await call('GET', `/leads?${query}`)).body.items ?? []) as Record<string, unknown>[];
  /** What of a successful answer the service's own OpenAPI document does not promise (`[]`: all of it). */
  const undocumented = (method: string, path: string, r: HttpReply) => servedResponseProblems(base, method, path, r.status, r.body);

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-leads-list', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'mira', department: 'sales', roles: ['manager'] });
  });
  afterAll(async () => {
    await stop?.();
  });

  it('assigns new leads by the rules in the capture (territory, e-mail domain, round robin), naming the rule; lists them with filters', async () => {
    const none = await call('GET', '/lead-assignment-rules');
    expect(none.body).toEqual({ rules: [] });
    expect(await undocumented('get', '/lead-assignment-rules', none)).toEqual([]);
    const rules = [
      { ruleId: 'java', match: { countries: ['ID'], regions: ['java-west'] }, owner: 'sari' },
      { ruleId: 'sinar', match: { emailDomains: ['sinar.example'] }, owner: 'budi' },
      { ruleId: 'everyone-else', team: ['ani', 'dodi'] },
    ];
    const put = await call('PUT', '/lead-assignment-rules', { rules });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ rules, replacedBy: 'mira' });
    expect(await undocumented('put', '/lead-assignment-rules', put)).toEqual([]);
    // If-Match: a stale revision is 412
    expect((await call('PUT', '/lead-assignment-rules', { rules: [] }, { 'if-match': '"99"' })).status).toBe(412);
    const inForce = await call('GET', '/lead-assignment-rules');
    expect(inForce.etag).toBe(put.etag);
    expect(inForce.body).toEqual(put.body);
    expect(await undocumented('get', '/lead-assignment-rules', inForce)).toEqual([]);

    const tag = randomUUID().slice(0, 8);
    const capture = async (body: Record<string, unknown>) => {
      const r = await call('POST', '/leads', { source: 'web-form', ...body });
      expect(r.status).toBe(201);
      expect(await undocumented('post', '/leads', r)).toEqual([]); // with owner and assignedByRule when a rule assigned it
      return r.body as { leadId: string; owner?: string; assignedByRule?: string };
    };
    const java = await capture({ name: `Rina ${tag}`, email: `rina-${tag}@x.example`, country: 'id', region: 'java-west' });
    expect(java).toMatchObject({ owner: 'sari', assignedByRule: 'java' });
    expect(await capture({ name: `Citra ${tag}`, email: `citra-${tag}@mail.sinar.example` })).toMatchObject({ owner: 'budi', assignedByRule: 'sinar' });
    const turns = [];
    for (const n of [1, 2, 3]) turns.push((await capture({ name: `Eko ${n} ${tag}`, company: `Eko Jaya ${tag}`, phone: `+62 ${n}${Date.now()}` })).owner);
    expect(turns).toEqual(['ani', 'dodi', 'ani']);
    // the same capture again is no new lead and takes no turn
    expect((await call('POST', '/leads', { source: 'event', name: `Dup ${tag}`, email: `dup-${tag}@x.example`, externalId: `dup-${tag}` })).body.owner).toBe(
      'dodi',
    );
    expect(
      (await call('POST', '/leads', { source: 'event', name: `Dup ${tag}`, email: `dup-${tag}@x.example`, externalId: `dup-${tag}` })).body.owner,
    ).toBeUndefined();
    expect((await capture({ name: `Fajar ${tag}`, email: `fajar-${tag}@x.example` })).owner).toBe('ani');
    expect((await call('GET', `/leads/${java.leadId}`)).body).toMatchObject({ owner: 'sari', assignedByRule: 'java', country: 'ID' });

    const mine = await eventually(
      () => items(`q=${tag}&limit=200`),
      (list) => list.length === 7,
    );
    expect(mine).toHaveLength(7);
    expect(mine[mine.length - 1]).toMatchObject({
      leadId: java.leadId,
      name: `Rina ${tag}`,
      source: 'web-form',
      status: 'new',
      score: 0,
      owner: 'sari',
      assignedByRule: 'java',
      country: 'ID',
      region: 'java-west',
      company: null,
    });
    expect(typeof mine[0].capturedAt).toBe('string');
    expect((await items(`q=${tag}&owner=ani`)).map((i) => i.name)).toEqual([`Fajar ${tag}`, `Eko 3 ${tag}`, `Eko 1 ${tag}`]);
    expect((await items(`q=eko jaya ${tag}&sort=name`)).map((i) => i.name)).toEqual([`Eko 1 ${tag}`, `Eko 2 ${tag}`, `Eko 3 ${tag}`]);
    expect((await items(`q=${tag}&source=event`)).map((i) => i.name)).toEqual([`Dup ${tag}`]);
    // Eko's leads have a company and a phone: 0 points (reachable both ways needs an e-mail too)
    await call('PUT', `/leads/${java.leadId}/qualification`, { need: 'vans', authority: true });
    await eventually(
      () => items(`q=${tag}&scoreMin=45`),
      (list) => list.length === 1,
    );
    expect((await items(`q=${tag}&scoreMin=45&scoreMax=45`)).map((i) => i.leadId)).toEqual([java.leadId]);
    await call('POST', `/leads/${java.leadId}/disqualification`, { reason: 'no budget' });
    await eventually(
      () => items(`q=${tag}&status=disqualified`),
      (list) => list.length === 1,
    );
    expect((await items(`q=${tag}&status=new,qualified`)).length).toBe(6);
    expect((await items(`q=${tag}&capturedFrom=2000-01-01T00:00:00Z&capturedTo=2000-01-02T00:00:00Z`)).length).toBe(0);

    // paging: pages of two, together the whole list in its order
    const whole = (await items(`q=${tag}&sort=score`)).map((i) => i.leadId);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/leads?q=${tag}&sort=score&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...(page.body.items as { leadId: string }[]).map((i) => i.leadId));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    expect(paged).toEqual(whole);

    // rules off: no assignment
    expect(
      (await call('PUT', '/lead-assignment-rules', { rules: [] }, { 'if-match': String((await call('GET', '/lead-assignment-rules')).etag) })).status,
    ).toBe(200);
    expect((await capture({ name: `Gita ${tag}`, email: `gita-${tag}@sinar.example` })).owner).toBeUndefined();
  });

  it('bad queries and bad rules are a 400 naming the field; broken rules a 422 naming the rule', async () => {
    for (const [query, field] of [
      ['cursor=garbage', 'cursor'],
      [`cursor=${Buffer.from('["leads","name","x","y",1]').toString('base64url')}`, 'cursor'], // a cursor of another sort
      ['cursor=%00', 'cursor'],
      ['status=open', 'status'],
      ['source=telepathy', 'source'],
      ['scoreMin=-1', 'scoreMin'],
      ['scoreMax=abc', 'scoreMax'],
      ['capturedFrom=yesterday', 'capturedFrom'],
      ['sort=random', 'sort'],
      ['limit=0', 'limit'],
      ['unassigned=maybe', 'unassigned'],
      ['q=%ED%A0%80', 'q'], // a lone surrogate, UTF-8 encoded the only way it can be: replaced, or refused
      ['q=a%00b', 'q'],
    ] as const) {
      const r = await call('GET', `/leads?${query}`);
      if (query.startsWith('q=%ED')) {
        expect(r.status === 200 || r.status === 400).toBe(true);
        continue;
      }
      await expectProblem(r, 400, field);
    }
    for (const [body, field] of [
      [{ rules: [[]] }, 'rules'],
      [{ rules: {} }, 'rules'],
      [{ rules: [{ ruleId: 'x', owner: 'a', match: [[]] }] }, 'rules.0.match'],
      [{ rules: [{ ruleId: 'X Y', owner: 'a' }] }, 'rules.0.ruleId'],
      [{ rules: [{ ruleId: 'x', owner: 'a', match: { countries: ['Indonesia'] } }] }, 'rules.0.match.countries'],
      [{ rules: [{ ruleId: 'x', owner: 'a', match: { emailDomains: ['not a domain'] } }] }, 'rules.0.match.emailDomains'],
      [{ rules: [{ ruleId: 'x', team: [''] }] }, 'rules.0.team'],
      [{ rules: [{ ruleId: 'x', owner: 'a\u0000' }] }, 'rules.0.owner'],
      [{ rules: [{ ruleId: 'x', owner: 'a', extra: 1 }] }, 'rules.0.extra'],
    ] as const) {
      await expectProblem(await call('PUT', '/lead-assignment-rules', body), 400, field);
    }
    await expectProblem(await raw('PUT', '/lead-assignment-rules', '{"rules":[{"ruleId":"x","owner":"\\ud800"}]}'), 400, 'rules.0.owner');
    await expectProblem(await raw('PUT', '/lead-assignment-rules', '{"rules":' + '['.repeat(2000) + ']'.repeat(2000) + '}'), 400);
    await expectProblem(await raw('PUT', '/lead-assignment-rules', 'rules=x', 'text/plain'), 415);
    const broken = await call('PUT', '/lead-assignment-rules', {
      rules: [
        { ruleId: 'all', team: ['a'] },
        { ruleId: 'java', owner: 'b' },
      ],
    });
    expect(broken.status).toBe(422);
    expect(broken.body.code).toBe('assignment-rule-unreachable');
    expect((await call('PUT', '/lead-assignment-rules', { rules: [{ ruleId: 'x', owner: 'a', team: ['b'] }] })).body.code).toBe(
      'assignment-rule-needs-one-assignee',
    );
  });

  it('who may: staff of sales, marketing and management list; only sales and management replace the rules; partners and no token never', async () => {
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: [] });
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: [] });
    const marketing = await mint.mint({ kind: 'staff', subject: 'maya', department: 'marketing', roles: [] });
    for (const bearer of [partner, service]) {
      expect((await call('GET', '/leads', undefined, {}, bearer)).status).toBe(403);
      expect((await call('GET', '/lead-assignment-rules', undefined, {}, bearer)).status).toBe(403);
    }
    expect((await call('GET', '/leads', undefined, {}, marketing)).status).toBe(200);
    expect((await call('GET', '/lead-assignment-rules', undefined, {}, marketing)).status).toBe(200);
    await expectProblem(await call('PUT', '/lead-assignment-rules', { rules: [] }, {}, marketing), 403);
    for (const [method, path] of [
      ['GET', '/leads'],
      ['GET', '/lead-assignment-rules'],
      ['PUT', '/lead-assignment-rules'],
    ])
      expect(
        (await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'PUT' ? '{"rules":[]}' : undefined }))
          .status,
      ).toBe(401);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/leads'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/leads'].get.responses['400']).toBeDefined();
    expect(Object.keys(doc.paths['/lead-assignment-rules'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(doc.paths['/lead-assignment-rules'].put.responses['422']).toBeDefined();
  });
});
