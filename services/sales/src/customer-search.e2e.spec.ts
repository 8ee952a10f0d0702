import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

type Item = { customerId: string; name: string; kind: string; owner: string | null; tags: string[]; journeyStage: string; lastInteractionAt: string | null };

// GET /customers: find a customer by any name, contact, e-mail, phone or external id, however it
// is typed, and page through a filtered list in a stable order.
describe('customer search and list', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;
  const run = randomUUID().slice(0, 8); // a tag only this run's customers carry
  const ids: Record<string, string> = {};

  const call = httpCaller(
    () => base,
    () => token,
  );
  const list = async (query: string) => {
    const r = await call('GET', `/customers?${query}`);
    expect(r.status).toBe(200);
    return r.body as { items: Item[]; nextCursor?: string };
  };
  const names = async (query: string) => (await list(`tag=${run}&${query}`)).items.map((i) => i.name);

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-search', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
    const register = async (key: string, body: Record<string, unknown>) => {
      const r = await call('POST', '/customers', { tags: [run], ...body });
      expect(r.status).toBe(201);
      ids[key] = String(r.body.customerId);
    };
    await register('maju', {
      kind: 'organisation',
      name: 'PT Maju Jaya',
      owner: 'sari',
      contacts: [{ name: 'Ánh Nguyễn', email: 'anh@majujaya.example', phone: '+62 812-5550-1234' }],
      identities: [{ kind: 'external-id', value: 'ERP-77123', system: 'erp' }],
      journeyStage: 'repeat-customer',
    });
    await register('sinar', { kind: 'organisation', name: 'CV Sinar Abadi', owner: 'budi', journeyStage: 'prospect' });
    await register('dewi', { kind: 'person', name: 'Dewi Lestari', identities: [{ kind: 'email', value: 'dewi.lestari@example.com' }] });
    await register('zoe', { kind: 'person', name: 'Zoë Ångström' });
    await register('maju2', { kind: 'organisation', name: 'Maju Motor', parentId: ids.maju });
    await waitFor(async () => (await list(`tag=${run}&limit=10`)).items.length === 5, 20000, 'the directory to show every customer');
  });
  afterAll(async () => {
    await stop?.();
  });

  it('finds by name, case and accents ignored, and by the beginning of a word', async () => {
    expect(await names('q=maju')).toEqual(expect.arrayContaining(['PT Maju Jaya', 'Maju Motor']));
    expect(await names('q=ZOE%20angstrom')).toEqual(['Zoë Ångström']);
    expect(await names('q=sin')).toEqual(['CV Sinar Abadi']);
    expect(await names('q=lestari%20dewi')).toEqual(['Dewi Lestari']); // words in any order
  });

  it('finds by contact name, e-mail, phone (as typed or as digits) and external id', async () => {
    expect(await names('q=anh%20nguyen')).toEqual(['PT Maju Jaya']);
    expect(await names('q=anh%40majujaya')).toEqual(['PT Maju Jaya']);
    expect(await names('q=6281255501234')).toEqual(['PT Maju Jaya']);
    expect(await names('q=erp-77123')).toEqual(['PT Maju Jaya']);
    expect(await names('q=dewi.lestari%40example.com')).toEqual(['Dewi Lestari']);
  });

  it('tolerates a typo, and ranks the closest first', async () => {
    const found = await names('q=maju%20jya');
    expect(found[0]).toBe('PT Maju Jaya');
    expect(await names('q=lestary')).toEqual(['Dewi Lestari']);
    expect(await names('q=qqqxxx')).toEqual([]);
  });

  it('filters by kind, journey stage, owner, tag, parent and registration time', async () => {
    expect(await names('kind=person&sort=name')).toEqual(['Dewi Lestari', 'Zoë Ångström']);
    expect(await names('journeyStage=repeat-customer')).toEqual(['PT Maju Jaya']);
    expect((await names('journeyStage=prospect')).length).toBe(4); // the default stage
    expect(await names('owner=sari')).toEqual(['PT Maju Jaya']);
    expect(await names(`parentId=${ids.maju}`)).toEqual(['Maju Motor']);
    expect(await names('registeredFrom=2000-01-01T00:00:00Z&registeredTo=2000-01-02T00:00:00Z')).toEqual([]);
    expect((await names('registeredFrom=2000-01-01T00:00:00Z')).length).toBe(5);
  });

  it('pages in a stable order: every customer once, whatever the page size', async () => {
    for (const sort of ['name', 'registered-at', 'last-interaction', 'relevance']) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(`tag=${run}&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.customerId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(Object.values(ids).sort());
    }
    expect(await names('sort=name')).toEqual(['CV Sinar Abadi', 'Dewi Lestari', 'Maju Motor', 'PT Maju Jaya', 'Zoë Ångström']);
  });

  it('shows edits: a renamed customer is found by its new name, with its new owner and tags', async () => {
    expect((await call('PATCH', `/customers/${ids.sinar}`, { name: 'CV Sinar Terang', owner: 'sari', tags: [run, 'vip'] })).status).toBe(200);
    await waitFor(async () => (await names('q=terang')).length === 1, 20000, 'the rename to reach the directory');
    const [item] = (await list(`tag=vip&q=terang`)).items;
    expect(item).toMatchObject({ name: 'CV Sinar Terang', owner: 'sari', tags: [run, 'vip'] });
    expect(await names('q=abadi')).toEqual([]);
    const directory = await call('GET', `/customers/${ids.sinar}`);
    expect(directory.body).toMatchObject({ name: 'CV Sinar Terang', owner: 'sari' });
  });

  it('GET /customers/duplicates: recorded suspicions first, then similar names of the same kind in the same organisation', async () => {
    const email = `dup-${run}@example.com`;
    const first = await call('POST', '/customers', { kind: 'person', name: 'Rina Kartika', identities: [{ kind: 'email', value: email }] });
    const forced = await call('POST', '/customers?force=true', { kind: 'person', name: 'R. Kartika', identities: [{ kind: 'email', value: email }] });
    const similar = await call('POST', '/customers', { kind: 'organisation', name: 'PT. Maju Jaya' });
    const [a, b, c] = [first, forced, similar].map((r) => String(r.body.customerId));
    await waitFor(async () => ((await call('GET', '/customers/duplicates')).body as unknown as unknown[]).length >= 2, 20000, 'the candidates');
    const pairs = (await call('GET', '/customers/duplicates')).body as unknown as { customerIds: string[]; score: number; reason: string }[];
    expect(await servedResponseProblems(base, 'get', '/customers/duplicates', 200, pairs)).toEqual([]);
    expect(pairs[0].score).toBe(1);
    const recorded = pairs.find((p) => p.customerIds.includes(a));
    expect(recorded).toMatchObject({ score: 1, reason: expect.stringMatching(/shares an identity/) });
    expect(recorded?.customerIds.sort()).toEqual([a, b].sort());
    const names = pairs.find((p) => p.customerIds.includes(c));
    expect(names?.customerIds).toContain(ids.maju);
    expect(names?.reason).toMatch(/similar names/);
    // Maju Motor has a parent, PT Maju Jaya none: not the same organisation, not a candidate
    expect(pairs.some((p) => p.customerIds.includes(ids.maju2))).toBe(false);
    // "PT. Maju Jaya" and "PT Maju Jaya" have the same trigrams: as sure as a shared identity
    expect(((await call('GET', '/customers/duplicates?minScore=1')).body as unknown as unknown[]).length).toBe(2);
    expect((await call('GET', '/customers/duplicates?limit=0')).status).toBe(400);
    expect((await call('GET', '/customers/duplicates?minScore=2')).status).toBe(400);
  });

  it('ids: exactly the customers named, comma-separated or repeated, in any case, with the other filters', async () => {
    const only = async (query: string) => (await list(query)).items.map((i) => i.customerId).sort();
    expect(await only(`ids=${ids.maju},${ids.dewi}`)).toEqual([ids.maju, ids.dewi].sort());
    expect(await only(`ids=${ids.maju}&ids=${ids.dewi.toUpperCase()}&ids=${ids.zoe}`)).toEqual([ids.maju, ids.dewi, ids.zoe].sort());
    expect(await only(`ids=${ids.maju},${ids.dewi}&kind=person`)).toEqual([ids.dewi]);
    // an id no customer has is simply not there
    expect(await only(`ids=${randomUUID()}`)).toEqual([]);
    // one page of rows' names in one request: every id of a full page
    const page = await list(`tag=${run}&limit=5`);
    expect(await only(`limit=5&ids=${page.items.map((i) => i.customerId).join(',')}`)).toEqual(page.items.map((i) => i.customerId).sort());
    expect(await servedResponseProblems(base, 'get', '/customers', 200, await list(`ids=${ids.maju}`))).toEqual([]);
  });

  it('bad filters and cursors are a 400 naming them', async () => {
    for (const [query, field] of [
      ['cursor=garbage!', 'cursor'],
      ['cursor=Z2FyYmFnZQ', 'cursor'],
      ['limit=0', 'limit'],
      ['limit=x', 'limit'],
      ['kind=robot', 'kind'],
      ['sort=random', 'sort'],
      ['tag=Not%20Lower', 'tag'],
      ['registeredFrom=20260101', 'registeredFrom'],
      ['parentId=1', 'parentId'],
      ['q=%00', 'q'],
      ['ids=not-an-id', 'ids'],
      [`ids=${ids.maju},`, 'ids'],
      [`ids=${Array.from({ length: 201 }, () => randomUUID()).join(',')}`, 'ids'],
      ['ids[a]=b', 'ids[a]'],
    ]) {
      const r = await call('GET', `/customers?${query}`);
      expect(r.status).toBe(400);
      expect(((r.body.errors as { field: string }[]) ?? []).map((e) => e.field)).toContain(field);
    }
    // a cursor of one sort given to another
    const page = await list(`tag=${run}&sort=name&limit=1`);
    expect((await call('GET', `/customers?tag=${run}&sort=registered-at&cursor=${page.nextCursor}`)).status).toBe(400);
  });

  it('partners may not use the staff list; no token is a 401', async () => {
    const partner = await mint.mint({ kind: 'partner', subject: 'p.bob', partnerId: randomUUID(), roles: [] });
    expect((await call('GET', '/customers', undefined, {}, partner)).status).toBe(403);
    expect((await fetch(`${base}/customers`)).status).toBe(401);
  });
});
