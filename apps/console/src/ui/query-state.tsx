import type { ReactNode } from 'react';
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { ApiError } from '../api/clients';
import { t } from '../i18n/t';

/** The message of an error from a query or mutation: the CRM's problem (with each invalid field) or a network failure. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.problem.errors?.map((e) => t('problem.field', { field: e.field, message: e.message })).join('; ');
    return [error.problem.detail ?? error.problem.title ?? t('problem.status', { status: error.status }), fields].filter(Boolean).join(' — ');
  }
  const p = error as { detail?: string; title?: string; status?: number; errors?: { field: string; message: string }[] } | undefined;
  if (p && typeof p === 'object' && (p.detail || p.title)) {
    const fields = p.errors?.map((e) => t('problem.field', { field: e.field, message: e.message })).join('; ');
    return [p.detail ?? p.title, fields].filter(Boolean).join(' — ');
  }
  return error instanceof Error ? error.message : t('problem.network');
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Alert color="red" title={t('error')} role="alert">
      <Stack gap="xs">
        <Text size="sm">{errorText(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="light" onClick={onRetry} w="fit-content">
            {t('retry')}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

/**
 * A read the CRM answers with 409 or 422 asks for something the data cannot give yet (a model not
 * trained, too little purchase history to fit one): a state of the data, said as a notice, not as a
 * failure. A refused (401/403) or failed (5xx, network) read stays an error.
 */
export const NOT_YET_STATUSES: readonly number[] = [409, 422];

export function notYet(error: unknown, statuses: readonly number[] = NOT_YET_STATUSES): boolean {
  const status = (error as { status?: number } | null)?.status;
  return status !== undefined && statuses.includes(status);
}

export function NotYetNotice({ error }: { error: unknown }) {
  return (
    <Alert color="blue" title={t('notYet')} role="status">
      <Text size="sm">{errorText(error)}</Text>
    </Alert>
  );
}

/** Loading, error, "not yet" (NOT_YET_STATUSES, or the caller's) or the content of a query. */
export function QueryState<T>({
  query,
  children,
  notYetStatuses = NOT_YET_STATUSES,
}: {
  query: { isPending: boolean; error: unknown; data?: T; refetch: () => unknown };
  children: (data: T) => ReactNode;
  notYetStatuses?: readonly number[];
}) {
  if (query.isPending)
    return (
      <Center p="lg">
        <Loader role="status" aria-label={t('loading')} />
      </Center>
    );
  if (query.error && notYet(query.error, notYetStatuses)) return <NotYetNotice error={query.error} />;
  if (query.error) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data as T)}</>;
}
