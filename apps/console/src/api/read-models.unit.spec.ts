import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { refetchUntil } from './read-models';

/** A read model that shows the command's effect from its `catchesUpAt`-th answer on. */
function readModel(catchesUpAt: number) {
  let asked = 0;
  return {
    asked: () => asked,
    fetch: async () => {
      asked += 1;
      return { items: asked >= catchesUpAt ? [{ id: 'lead-1', status: 'accepted' }] : [{ id: 'lead-1', status: 'offered' }] };
    },
  };
}
type Page = Awaited<ReturnType<ReturnType<typeof readModel>['fetch']>>;
const accepted = (page: Page) => page.items.some((o) => o.id === 'lead-1' && o.status === 'accepted');

describe('refetchUntil', () => {
  let client: QueryClient;
  const unsubscribe: (() => void)[] = [];
  beforeEach(() => {
    client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  });
  afterEach(() => {
    unsubscribe.splice(0).forEach((u) => u());
    client.clear();
  });
  /** A query as a mounted page holds it: an observer subscribed to it, its first answer in. */
  async function mount(key: readonly unknown[], fetch: () => Promise<Page>) {
    const observer = new QueryObserver(client, { queryKey: key, queryFn: fetch });
    unsubscribe.push(observer.subscribe(() => undefined));
    await client.fetchQuery({ queryKey: key, queryFn: fetch });
  }

  it('asks again while the mounted list still shows the state before the command, and stops once it shows it', async () => {
    const model = readModel(4);
    await mount(['get', '/leads', { status: 'all' }], model.fetch); // answer 1: still offered
    expect(await refetchUntil(client, ['get', '/leads'], accepted, { intervalMs: 1 })).toBe(true);
    expect(model.asked()).toBe(4);
    expect(accepted(client.getQueryData<Page>(['get', '/leads', { status: 'all' }])!)).toBe(true);
  });

  it('asks once when the first answer after the command already shows it', async () => {
    const model = readModel(2);
    await mount(['get', '/leads', {}], model.fetch);
    expect(await refetchUntil(client, ['get', '/leads'], accepted, { intervalMs: 1 })).toBe(true);
    expect(model.asked()).toBe(2);
  });

  it('gives up after the timeout, answering false, and leaves the query invalidated', async () => {
    const model = readModel(Number.POSITIVE_INFINITY);
    await mount(['get', '/leads', {}], model.fetch);
    expect(await refetchUntil(client, ['get', '/leads'], accepted, { intervalMs: 5, timeoutMs: 30 })).toBe(false);
    expect(model.asked()).toBeGreaterThanOrEqual(2); // asked again at least once, however slow the machine
    expect(client.getQueryState(['get', '/leads', {}])?.isInvalidated).toBe(true);
  });

  it('does not wait for a query nobody shows: it is marked stale and fetched on its next use', async () => {
    const model = readModel(Number.POSITIVE_INFINITY);
    await client.fetchQuery({ queryKey: ['get', '/leads', {}], queryFn: model.fetch }); // cached, not mounted
    expect(await refetchUntil(client, ['get', '/leads'], accepted, { intervalMs: 1 })).toBe(true);
    expect(model.asked()).toBe(1);
    expect(client.getQueryState(['get', '/leads', {}])?.isInvalidated).toBe(true);
  });

  it('keeps asking through a failed answer (a restarting service) instead of throwing', async () => {
    let asked = 0;
    const fetch = async (): Promise<Page> => {
      asked += 1;
      if (asked === 2) throw new Error('503');
      return { items: [{ id: 'lead-1', status: asked >= 3 ? 'accepted' : 'offered' }] };
    };
    await mount(['get', '/leads', {}], fetch);
    expect(await refetchUntil(client, ['get', '/leads'], accepted, { intervalMs: 1 })).toBe(true);
    expect(asked).toBe(3);
  });
});
