import { useQueries } from '@tanstack/react-query';
import { Anchor } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link } from 'react-router';
import { must, sales } from '../../api/clients';
import { customerNameLoader } from '../../api/customer-names';
import { t, type MessageKey } from '../../i18n/t';

/** A stage's name: the pipeline's own name for it, the English one of Buttle's stages, or its id. */
export function stageName(stageId: string, stages?: { stageId: string; name: string }[]): string {
  const own = stages?.find((s) => s.stageId === stageId)?.name;
  if (own) return own;
  const key = `sales.stages.${stageId}` as MessageKey;
  const text = t(key);
  return text === key ? stageId : text;
}

/** Customers' names from sales, one request per list (customerNameLoader). */
const customerNames = customerNameLoader({
  list: async (ids) => must(await sales.GET('/customers', { params: { query: { ids, limit: ids.length } } })).items,
  one: async (id) => (await sales.GET('/customers/{id}', { params: { path: { id }, query: {} } })).data?.name,
});

/** The names of these customers (the opportunity and activity lists carry only ids), asked for in one request per 200. */
export function useCustomerNames(ids: readonly string[]): Map<string, string> {
  const unique = [...new Set(ids)];
  const answers = useQueries({
    queries: unique.map((id) => ({ queryKey: ['sales', 'customer-name', id], queryFn: () => customerNames.load(id), staleTime: 300_000 })),
  });
  const names = new Map<string, string>();
  answers.forEach((a, i) => {
    if (a.data) names.set(unique[i]!, a.data);
  });
  return names;
}

/** A link to the customer 360 page, by name once known. */
export function CustomerLink({ id, name }: { id: string; name?: string }) {
  return (
    <Anchor component={Link} to={`/customers/${id}`} size="sm">
      {name ?? id.slice(0, 8)}
    </Anchor>
  );
}

/** The ETag an answer carried (for If-Match on the next change). */
export const etagOf = (response: Response) => response.headers.get('etag') ?? undefined;

/** Fetch one opportunity with its ETag (for If-Match). */
export async function opportunityWithEtag(id: string) {
  const answer = await sales.GET('/opportunities/{id}', { params: { path: { id } } });
  return { opportunity: must(answer), etag: etagOf(answer.response) };
}

/** A success notice (its close button labelled, as every control must be). */
export function notifySuccess(message: string): void {
  notifications.show({ color: 'green', message });
}
