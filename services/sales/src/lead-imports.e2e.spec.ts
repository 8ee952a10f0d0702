import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
import { DEFAULT_IMPORT_LIMITS } from './leads/lead-imports/lead-import';
import { createSalesApp, SalesConfig } from './sales';

// POST /leads/imports: a CSV streamed in, one capture per line, per-line errors, idempotent by external id.
describe('lead imports (CSV)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  const call = httpCaller(
    () => base,
    () => token,
  );
  const upload = (body: string | Buffer | ReadableStream, contentType = 'text/csv', bearer: string | null = token) =>
    fetch(`${base}/leads/imports`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(bearer && { authorization: `Bearer ${bearer}` }) },
      body,
      ...(typeof body === 'object' && !(body instanceof Buffer) && { duplex: 'half' }),
    } as RequestInit);
  const answer = async (r: Response) => ({ status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Record<string, unknown> });
  /** What of a successful import's answer the service's own OpenAPI document does not promise (`[]`: all of it). */
  const undocumented = (r: { status: number; body: unknown }) => servedResponseProblems(base, 'post', '/leads/imports', r.status, r.body);

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-lead-imports', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'maya', department: 'marketing', roles: [] });
  });
  afterAll(async () => {
    await stop?.();
  });

  it('imports each good line, lists each bad one with its line and field, and a re-import creates nothing new', async () => {
    const tag = randomUUID().slice(0, 8);
    const csv = [
      'External_ID,Name,Company,Email,Phone,Country,Budget,Currency,Authority,Need,Timeline',
      `${tag}-1,Rina Kartika,CV Sinar,rina-${tag}@sinar.example,,ID,50000000,IDR,yes,ten vans,2026-06-30`,
      `${tag}-2,"Budi, Santoso",,budi-${tag}@mail.example,+62 21 555,,,,,,`,
      `${tag}-3,No Contact,,,,,,,,,`, // no e-mail, no phone: a rule of the domain
      `${tag}-4,Bad Mail,,not-an-email,,,,,,,`,
      `,Missing Id,,x-${tag}@x.example,,,,,,,`,
      `${tag}-6,Bad Budget,,b-${tag}@x.example,,,-5,,,,`,
      `${tag}-7,Too,Few`,
      `${tag}-8,"Multi`,
      `line name",,m-${tag}@x.example,,,,,,,`,
      `${tag}-9,Bad Country,,c-${tag}@x.example,,Indonesia,,,,,`,
      '',
      `${tag}-10,Ani \u0000,,a-${tag}@x.example,,,,,,,`,
    ].join('\r\n');
    const first = await answer(await upload(csv));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      created: 3,
      duplicates: 0,
      failed: 7,
      errors: [
        { line: 4, field: 'line', reason: 'a lead needs an e-mail address or a phone number to be reached' },
        { line: 5, field: 'email', reason: 'email must be an email' },
        { line: 6, field: 'externalId', reason: 'externalId is required: it makes the import idempotent' },
        { line: 7, field: 'qualification.budget', reason: expect.stringContaining('budget') },
        { line: 8, field: 'line', reason: '3 values for 11 columns' },
        { line: 11, field: 'country', reason: expect.stringContaining('ISO 3166-1') },
        { line: 13, field: 'name', reason: expect.stringContaining('NUL') },
      ],
    });
    expect(await undocumented(first)).toEqual([]);
    const again = await answer(await upload(csv));
    expect(again.body).toMatchObject({ created: 0, duplicates: 3, failed: 7 });
    expect(await undocumented(again)).toEqual([]);

    const lead = await call('GET', `/leads?q=${tag}&sort=name`);
    const names = async () => ((await call('GET', `/leads?q=${tag}&sort=name`)).body.items as { name: string }[]).map((i) => i.name);
    for (let i = 0; i < 100 && (await names()).length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await names()).toEqual(['Budi, Santoso', 'Multi\r\nline name', 'Rina Kartika']);
    expect(lead.status).toBe(200);
    const rina = ((await call('GET', `/leads?q=rina-${tag}`)).body.items as { leadId: string; source: string }[])[0];
    expect(rina.source).toBe('import');
    expect((await call('GET', `/leads/${rina.leadId}`)).body).toMatchObject({
      company: 'CV Sinar',
      country: 'ID',
      status: 'qualified',
      qualification: { budget: 50000000, currency: 'IDR', authority: true, need: 'ten vans', timeline: '2026-06-30' },
    });
  });

  it('reads the body as it arrives (a chunked upload, split mid-line)', async () => {
    const tag = randomUUID().slice(0, 8);
    const lines = ['externalId,name,email\n', `${tag}-a,Streamed A,a-${tag}@x.example\n${tag}-b,Str`, `eamed B,b-${tag}@x.example\n`];
    const stream = Readable.toWeb(Readable.from(lines.map((l) => Buffer.from(l)))) as ReadableStream;
    const r = await answer(await upload(stream));
    expect(r.body).toEqual({ created: 2, duplicates: 0, failed: 0, errors: [] });
    expect(await undocumented(r)).toEqual([]);
  });

  it('refuses the file as a whole for its header, its size or its type: a 4xx problem naming the field', async () => {
    for (const [csv, field, status] of [
      ['', 'header', 400],
      ['name,email\nX,x@y.example', 'header', 400], // no externalId column
      ['externalId,name,favourite colour\n1,X,blue', 'header', 400],
      ['externalId,name,name\n1,X,Y', 'header', 400],
      ['externalId,name,email\n1,"unterminated,x@y.example\n', 'body', 400],
    ] as const) {
      const r = await answer(await upload(csv));
      expect(r.status).toBe(status);
      expect(r.type).toContain('application/problem+json');
      expect((r.body.errors as { field: string }[]).map((e) => e.field)).toContain(field);
    }
    const tag = randomUUID().slice(0, 8);
    const tooMany = ['externalId,name,email', ...Array.from({ length: DEFAULT_IMPORT_LIMITS.maxLines + 1 }, (_, i) => `${tag}-${i},N ${i},not-an-email`)].join(
      '\n',
    );
    const limited = await answer(await upload(tooMany));
    expect(limited.status).toBe(413);
    expect(limited.type).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ errors: [{ field: 'body' }], failed: DEFAULT_IMPORT_LIMITS.maxLines });
    for (const [body, type] of [
      ['{"externalId":"1"}', 'application/json'],
      ['externalId,name\n1,X', 'text/plain'],
      ['x', 'application/x-www-form-urlencoded'],
    ])
      expect((await answer(await upload(body, type))).status).toBe(415);
    const noType = await fetch(`${base}/leads/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new Uint8Array(Buffer.from('externalId,name\n')),
    });
    expect(noType.status).toBe(415);
  });

  it('who may: staff of sales, marketing, management; never partners, service staff or no token', async () => {
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: [] });
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: [] });
    const csv = 'externalId,name,email\n1,X,x@y.example\n';
    for (const bearer of [partner, service]) expect((await upload(csv, 'text/csv', bearer)).status).toBe(403);
    expect((await upload(csv, 'text/csv', null)).status).toBe(401);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> }>>;
    };
    const op = doc.paths['/leads/imports'].post;
    expect(Object.keys(op.requestBody?.content ?? {})).toEqual(['text/csv']);
    expect(op.responses['413']).toBeDefined();
  });
});
