import DataLoader from 'dataloader';

/** How a service answers for customers' names: a page of the directory by id, and one customer alone. */
export interface CustomerNameSource {
  /** `GET /customers?ids=…&limit=…` (at most 200 ids). */
  list(ids: string[]): Promise<{ customerId: string; name: string }[]>;
  /** `GET /customers/{id}`: a merged id answers with its survivor's record. */
  one(id: string): Promise<string | undefined>;
}

/**
 * Customers' names, asked for together: the names every row of a list wants in one tick go out as one
 * `GET /customers?ids=…` (up to 200), not a request per row. An id the directory does not list
 * (merged into a survivor) is asked for alone. TanStack Query caches the answers (the loader does not).
 */
export function customerNameLoader(source: CustomerNameSource): DataLoader<string, string | null> {
  return new DataLoader<string, string | null>(
    async (ids) => {
      const names = new Map((await source.list([...ids])).map((c) => [c.customerId, c.name]));
      return Promise.all(ids.map(async (id) => names.get(id) ?? (await source.one(id)) ?? null));
    },
    { maxBatchSize: 200, cache: false },
  );
}
