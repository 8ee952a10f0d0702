import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

type Timeline = { episodes: { episodeId: string; name: string; interactions: { action: string; position: string }[] }[] };

// Two records of one customer joined by one event, and parted again exactly as they were.
describe('merging duplicates, and undoing it', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;

  const call = httpCaller(
    () => base,
    () => token,
  );
  /** What is wrong with a body against the schema the service's OpenAPI document promises for it. */
  const undocumented = (method: string, path: string, status: number, body: unknown) => servedResponseProblems(base, method, path, status, body);
  const register = async (name: string) => String((await call('POST', '/customers', { kind: 'organisation', name })).body.customerId);
  const opportunity = async (customerId: string, name: string) => {
    const r = await call('POST', '/opportunities', { customerId, name });
    expect(r.status).toBe(201);
    const episodeId = String(r.body.episodeId);
    expect(
      (await call('POST', `/opportunities/${episodeId}/interactions`, { channel: 'phone', direction: 'outbound', action: `called about ${name}` })).status,
    ).toBe(201);
    return episodeId;
  };
  const timeline = async (customerId: string, query = '') => {
    const r = await call('GET', `/customers/${customerId}/timeline?limit=200${query}`);
    expect(r.status).toBe(200);
    expect(await undocumented('get', '/customers/{id}/timeline', 200, r.body)).toEqual([]);
    return r.body as unknown as Timeline;
  };
  const episodeNames = async (customerId: string, query = '') => (await timeline(customerId, query)).episodes.map((e) => e.name).sort();
  const eventually = (what: string, check: () => Promise<boolean>) => waitFor(check, 20000, what);

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-merge', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
  });
  afterAll(async () => {
    await stop?.();
  });

  it('merge, write after it, read both ways, undo: each customer is back with what was recorded on it', async () => {
    const a = await register('PT Maju Jaya');
    const b = await register('Maju Jaya (duplicate)');
    await opportunity(a, 'A1');
    await opportunity(b, 'B1');
    await opportunity(a, 'A2');
    await eventually('both timelines', async () => (await episodeNames(a)).length === 2 && (await episodeNames(b)).length === 1);
    const beforeMerge = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    const merged = await call('POST', `/customers/${a}/merges`, { duplicateId: b });
    expect(merged.status).toBe(201);
    expect(merged.body).toEqual({ mergeId: expect.any(String), survivorId: a, duplicateId: b });
    expect(await undocumented('post', '/customers/{id}/merges', 201, merged.body)).toEqual([]);
    const mergeId = String(merged.body.mergeId);
    expect(merged.location).toBe(`/customers/${a}/merges/${mergeId}`);

    // The survivor's timeline holds both histories, in the one global order.
    await eventually('the merged timeline', async () => (await episodeNames(a)).length === 3);
    const positions = (await timeline(a)).episodes.flatMap((e) => e.interactions.map((i) => i.position));
    const order = (p: string) => p.split('/').map(BigInt) as [bigint, bigint];
    const sorted = [...positions].sort((x, y) => (order(x)[0] === order(y)[0] ? Number(order(x)[1] - order(y)[1]) : Number(order(x)[0] - order(y)[0])));
    expect(positions).toEqual(sorted);
    // Reading the merged id answers with the survivor.
    const asDuplicate = await call('GET', `/customers/${b}`);
    expect(asDuplicate.status).toBe(200);
    expect(asDuplicate.body.customerId).toBe(a);
    expect(await episodeNames(b)).toEqual(['A1', 'A2', 'B1']);
    // Lists show the survivor only.
    expect(((await call('GET', '/customers?q=maju')).body.items as { customerId: string }[]).map((i) => i.customerId)).toEqual([a]);
    // A customer's opportunities and activities include the duplicate's, by either id.
    const opportunityNames = async (customerId: string) =>
      ((await call('GET', `/opportunities?customerId=${customerId}`)).body.items as { name: string }[]).map((i) => i.name).sort();
    await eventually('the merged opportunities list', async () => (await opportunityNames(a)).length === 3);
    expect(await opportunityNames(a)).toEqual(['A1', 'A2', 'B1']);
    expect(await opportunityNames(b)).toEqual(['A1', 'A2', 'B1']);
    expect(
      (await call('POST', '/activities', { kind: 'call', customerId: b, subject: 'call the duplicate', dueAt: new Date(Date.now() + 3_600_000).toISOString() }))
        .status,
    ).toBe(201);
    await eventually('the activity by the survivor', async () => ((await call('GET', `/activities?customerId=${a}`)).body.items as unknown[]).length === 1);
    // What was before the merge reads as it was.
    expect(await episodeNames(a, `&asOf=${encodeURIComponent(beforeMerge)}`)).toEqual(['A1', 'A2']);
    expect(await episodeNames(b, `&asOf=${encodeURIComponent(beforeMerge)}`)).toEqual(['B1']);
    expect((await call('GET', `/customers/${b}?asOf=${encodeURIComponent(beforeMerge)}`)).body).toMatchObject({ customerId: b, name: 'Maju Jaya (duplicate)' });

    // Writing the merged id writes the survivor.
    await opportunity(b, 'after merge');
    expect((await call('PATCH', `/customers/${b}`, { tags: ['merged'] })).status).toBe(200);
    await eventually('the write after the merge', async () => (await episodeNames(a)).includes('after merge'));
    expect((await call('GET', `/customers/${a}/changes`)).body.changes).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'CustomerDetailsChanged', data: { customerId: a, tags: ['merged'] } })]),
    );
    const beforeUndo = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Undo: both are back; what was recorded on the survivor in between stays with it.
    expect((await call('DELETE', `/customers/${a}/merges/${mergeId}`)).status).toBe(204);
    await eventually('the undone merge', async () => (await episodeNames(b)).length === 1);
    expect(await episodeNames(a)).toEqual(['A1', 'A2', 'after merge']);
    expect(await episodeNames(b)).toEqual(['B1']);
    expect((await call('GET', `/customers/${b}`)).body).toMatchObject({ customerId: b, name: 'Maju Jaya (duplicate)' });
    await eventually('the undone opportunities list', async () => (await opportunityNames(b)).length === 1);
    expect(await opportunityNames(b)).toEqual(['B1']);
    expect(await opportunityNames(a)).toEqual(['A1', 'A2', 'after merge']);
    // and reads as of the merged time still show it merged
    expect(await episodeNames(a, `&asOf=${encodeURIComponent(beforeUndo)}`)).toEqual(['A1', 'A2', 'B1', 'after merge']);
    expect((await call('DELETE', `/customers/${a}/merges/${mergeId}`)).status).toBe(404);
  });

  it('chains: A←B, then A←C; then A into D: all read as D', async () => {
    const [a, b, c, d] = [await register('Chain A'), await register('Chain B'), await register('Chain C'), await register('Chain D')];
    for (const [customer, name] of [
      [a, 'a'],
      [b, 'b'],
      [c, 'c'],
      [d, 'd'],
    ] as const)
      await opportunity(customer, name);
    expect((await call('POST', `/customers/${a}/merges`, { duplicateId: b })).status).toBe(201);
    expect((await call('POST', `/customers/${a}/merges`, { duplicateId: c })).status).toBe(201);
    await eventually('A with B and C', async () => (await episodeNames(a)).length === 3);
    // merging into a merged customer is refused: merge into its survivor
    const intoMerged = await call('POST', `/customers/${b}/merges`, { duplicateId: d });
    expect(intoMerged.status).toBe(422);
    expect(intoMerged.body.code).toBe('survivor-merged');
    expect((await call('POST', `/customers/${d}/merges`, { duplicateId: a })).status).toBe(201);
    await eventually('D with A, B and C', async () => (await episodeNames(d)).length === 4);
    expect((await call('GET', `/customers/${b}`)).body.customerId).toBe(d);
    expect(await episodeNames(c)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses what makes no sense; bad input and callers', async () => {
    const a = await register('Solo');
    const self = await call('POST', `/customers/${a}/merges`, { duplicateId: a });
    expect(self.status).toBe(422);
    expect(self.body.code).toBe('merge-into-itself');
    expect((await call('POST', `/customers/${randomUUID()}/merges`, { duplicateId: a })).body.code).toBe('unknown-survivor');
    expect((await call('POST', `/customers/${a}/merges`, { duplicateId: randomUUID() })).status).toBe(404);
    expect((await call('POST', `/customers/${a}/merges`, { duplicateId: 'x' })).status).toBe(400);
    expect((await call('POST', `/customers/${a}/merges`, { duplicateId: [[]] })).status).toBe(400);
    expect((await call('DELETE', `/customers/${a}/merges/${randomUUID()}`)).status).toBe(404);
    expect((await call('DELETE', `/customers/${a}/merges/not-a-uuid`)).status).toBe(400);
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: [] });
    const analyst = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    for (const bearer of [partner, analyst]) expect((await call('POST', `/customers/${a}/merges`, { duplicateId: randomUUID() }, {}, bearer)).status).toBe(403);
  });
});
