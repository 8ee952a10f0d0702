import { customerNameLoader } from './customer-names';

describe('customerNameLoader', () => {
  it('asks for the names a list wants in one tick in one request, and for a merged id (not listed) alone', async () => {
    const listed: string[][] = [];
    const alone: string[] = [];
    const loader = customerNameLoader({
      list: async (ids) => {
        listed.push(ids);
        return ids.filter((id) => id !== 'merged' && id !== 'gone').map((customerId) => ({ customerId, name: `Name of ${customerId}` }));
      },
      one: async (id) => {
        alone.push(id);
        return id === 'merged' ? 'Its survivor' : undefined;
      },
    });
    const names = await Promise.all(['a', 'b', 'merged', 'gone'].map((id) => loader.load(id)));
    expect(names).toEqual(['Name of a', 'Name of b', 'Its survivor', null]);
    expect(listed).toEqual([['a', 'b', 'merged', 'gone']]);
    expect(alone).toEqual(['merged', 'gone']);
  });

  it('never asks for more than 200 ids at once', async () => {
    const sizes: number[] = [];
    const loader = customerNameLoader({
      list: async (ids) => (sizes.push(ids.length), ids.map((customerId) => ({ customerId, name: customerId }))),
      one: async () => undefined,
    });
    await Promise.all(Array.from({ length: 450 }, (_, i) => loader.load(`c${i}`)));
    expect(sizes).toEqual([200, 200, 50]);
  });
});
