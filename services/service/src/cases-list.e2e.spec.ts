import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from './service';

interface Item {
  caseId: string;
  customerId: string;
  status: string;
  priority: string;
  severity: string;
  team: string | null;
  assigneeId: string | null;
  channel: string | null;
  category: string | null;
  productId: string | null;
  openedAt: string;
  lastActivityAt: string;
  resolvedAt: string | null;
  outcome: string | null;
  closedAt: string | null;
  reopenCount: number;
  interactions: number;
}

// `GET /cases` (the service.cases read model): filters, sorts, cursor paging, merged customers
// followed, and garbage in the query answered as 400 naming the parameter.
describe('service: the cases list (embedded)', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let dewi: string;
  let rina: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('service-cases-list', CustomerServiceConfig, createCustomerServiceApp, crmRegistry()));
    token = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] });
    dewi = String((await call('POST', '/customers', { kind: 'person', name: 'Dewi' })).body.customerId);
    rina = String((await call('POST', '/customers', { kind: 'person', name: 'Rina' })).body.customerId);
    const open = async (key: string, customerId: string, body: Record<string, unknown>) => {
      const r = await call('POST', '/cases', { customerId, name: key, ...body });
      expect(r.status).toBe(201);
      ids[key] = String(r.body.episodeId);
    };
    // opened in this order (openedAt ascending): a, b, c, d, e
    await open('a', dewi, { channel: 'phone', openedAt: '2026-03-01T09:00:00.000Z', priority: 'low', team: 'phones', category: 'charging', productId: 'x1' });
    await open('b', dewi, { channel: 'email', openedAt: '2026-03-01T10:00:00.000Z', priority: 'urgent', severity: 'critical', team: 'phones' });
    await open('c', rina, { channel: 'phone', openedAt: '2026-03-01T11:00:00.000Z', priority: 'high', team: 'cameras' });
    await open('d', rina, { channel: 'web', openedAt: '2026-03-01T12:00:00.000Z' });
    await open('e', dewi, { channel: 'phone', openedAt: '2026-03-01T13:00:00.000Z', priority: 'high', category: 'charging' });
    await call('POST', `/cases/${ids.a}/assignment`, { agentId: 'budi', reason: 'mine' });
    await call('POST', `/cases/${ids.c}/assignment`, { agentId: 'agent-7', reason: 'cameras expert' });
    await call('POST', `/cases/${ids.c}/status`, { status: 'waiting-on-partner', reason: 'the repair shop' });
    await call('POST', `/cases/${ids.d}/resolve`, { outcome: 'resolved' });
    await call('POST', `/cases/${ids.d}/reopen`, { reason: 'again' });
    await call('POST', `/cases/${ids.d}/interactions`, { channel: 'web', direction: 'inbound', action: 'wrote again' });
    await call('POST', `/cases/${ids.e}/resolve`, { outcome: 'unresolved' });
    await call('POST', `/cases/${ids.e}/status`, { status: 'closed' });
    await waitFor(
      async () => {
        const r = await call('GET', '/cases?limit=200');
        const items = (r.body.items as Item[] | undefined) ?? [];
        return items.length === 5 && items.find((i) => i.caseId === ids.e)?.status === 'closed' && items.find((i) => i.caseId === ids.d)?.interactions === 1;
      },
      30000,
      'the cases list to catch up',
    );
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  const names = async (query: string) => {
    const r = await call('GET', `/cases${query}`);
    expect(r.status).toBe(200);
    const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
    return (r.body.items as Item[]).map((i) => byId.get(i.caseId));
  };

  it('one row per case with what it is, where it stands and when', async () => {
    const items = (await call('GET', '/cases')).body.items as Item[];
    const byKey = (k: string) => items.find((i) => i.caseId === ids[k])!;
    expect(byKey('a')).toMatchObject({ customerId: dewi, status: 'assigned', priority: 'low', severity: 'minor', team: 'phones', assigneeId: 'budi' });
    expect(byKey('a')).toMatchObject({ channel: 'phone', category: 'charging', productId: 'x1', openedAt: '2026-03-01T09:00:00.000Z', interactions: 0 });
    expect(byKey('c')).toMatchObject({ status: 'waiting-on-partner', assigneeId: 'agent-7' });
    expect(byKey('d')).toMatchObject({ status: 'reopened', reopenCount: 1, resolvedAt: null, outcome: null, interactions: 1 });
    expect(byKey('e')).toMatchObject({ status: 'closed', outcome: 'unresolved' });
    expect(byKey('e').resolvedAt).not.toBeNull();
    expect(byKey('e').closedAt).not.toBeNull();
    expect(Date.parse(byKey('d').lastActivityAt)).toBeGreaterThan(Date.parse(byKey('d').openedAt));
  });

  it('filters by status (several), priority, severity, team, assignee (me), channel, category, product, customer', async () => {
    expect(await names('?status=new,assigned')).toEqual(['a', 'b']);
    expect(await names('?status=closed')).toEqual(['e']);
    expect(await names('?priority=high')).toEqual(['c', 'e']);
    expect(await names('?priority=low,urgent')).toEqual(['a', 'b']);
    expect(await names('?severity=critical')).toEqual(['b']);
    expect(await names('?team=phones')).toEqual(['a', 'b']);
    expect(await names('?assignee=me')).toEqual(['a']);
    expect(await names('?assignee=agent-7')).toEqual(['c']);
    expect(await names('?channel=phone')).toEqual(['a', 'c', 'e']);
    expect(await names('?category=charging')).toEqual(['a', 'e']);
    expect(await names('?productId=x1')).toEqual(['a']);
    expect(await names(`?customerId=${rina}`)).toEqual(['c', 'd']);
    expect(await names(`?customerId=${dewi}&channel=phone&status=assigned`)).toEqual(['a']);
    expect(await names(`?customerId=${randomUUID()}`)).toEqual([]);
  });

  it('sorts by openedAt, lastActivityAt and priority, either way', async () => {
    expect(await names('')).toEqual(['a', 'b', 'c', 'd', 'e']); // default: oldest first, as a queue is worked
    expect(await names('?sort=-openedAt')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect((await names('?sort=-priority')).slice(0, 1)).toEqual(['b']);
    expect((await names('?sort=priority')).slice(0, 1)).toEqual(['a']);
    expect(await names('?sort=-priority')).toEqual(['b', ...[ids.c, ids.e].sort().map((id) => Object.keys(ids).find((k) => ids[k] === id)), 'd', 'a']);
    const recent = await names('?sort=-lastActivityAt');
    expect(recent).toHaveLength(5);
    expect(new Set(recent)).toEqual(new Set(['a', 'b', 'c', 'd', 'e']));
  });

  it('pages with an opaque cursor in a stable order, for every sort', async () => {
    for (const sort of ['openedAt', '-openedAt', 'lastActivityAt', '-lastActivityAt', 'priority', '-priority']) {
      const all = await names(`?sort=${sort}`);
      const seen: (string | undefined)[] = [];
      let cursor: string | undefined;
      do {
        const r = await call('GET', `/cases?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(r.status).toBe(200);
        const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
        seen.push(...(r.body.items as Item[]).map((i) => byId.get(i.caseId)));
        cursor = r.body.nextCursor as string | undefined;
      } while (cursor);
      expect([sort, seen]).toEqual([sort, all]);
    }
  });

  it("a customer's cases include those of the customers merged into it", async () => {
    const merged = await call('POST', `/customers/${dewi}/merges`, { duplicateId: rina });
    expect(merged.status).toBe(201);
    await waitFor(async () => (await names(`?customerId=${dewi}`)).length === 5, 30000, 'the merge to reach the list filter');
    expect(await names(`?customerId=${rina}`)).toEqual(['a', 'b', 'c', 'd', 'e']); // the duplicate reads as its survivor
    const mergeId = String(merged.body.mergeId);
    expect((await call('DELETE', `/customers/${dewi}/merges/${mergeId}`)).status).toBe(204);
    await waitFor(async () => (await names(`?customerId=${dewi}`)).length === 3, 30000, 'the unmerge');
  });

  it.each([
    ['status', 'status=done'],
    ['status', 'status=new,,assigned'],
    ['priority', 'priority=asap'],
    ['severity', 'severity=1'],
    ['team', 'team=Phones%20Team'],
    ['channel', 'channel=pigeon'],
    ['category', 'category=%00'],
    ['customerId', 'customerId=nope'],
    ['sort', 'sort=name'],
    ['limit', 'limit=0'],
    ['limit', 'limit=abc'],
    ['limit', 'limit=201'],
    ['assignee', 'assignee=me%00'],
    ['productId', 'productId=a%00b'],
    ['cursor', 'cursor=garbage!'],
    ['cursor', 'cursor=Z2FyYmFnZQ'],
    ['cursor', `cursor=${Buffer.from(JSON.stringify(['opportunities', 'openedAt', 'x', 'y'])).toString('base64url')}`],
    ['cursor', `cursor=${Buffer.from(JSON.stringify(['cases', 'openedAt', "'; DROP TABLE x; --", 'y'])).toString('base64url')}`],
  ])('a garbage %s is a 400 naming it', async (field, query) => {
    const r = await call('GET', `/cases?${query}`);
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/problem+json');
    expect(fields(r.body)).toContain(field);
  });

  it('a cursor given out for one sort is refused for another', async () => {
    const first = await call('GET', '/cases?sort=priority&limit=1');
    const r = await call('GET', `/cases?sort=openedAt&cursor=${String(first.body.nextCursor)}`);
    expect(r.status).toBe(400);
    expect(fields(r.body)).toEqual(['cursor']);
  });

  it('an unknown SLA state is refused, naming it', async () => {
    const r = await call('GET', '/cases?slaState=breached-ish');
    expect(r.status).toBe(400);
    expect(fields(r.body)).toContain('slaState');
  });
});
