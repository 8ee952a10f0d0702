import { Alert, Badge, Button, List, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { $analytics, type Problem } from '../../api/clients';
import { refetchUntil } from '../../api/read-models';
import { isStaff, usePrincipal } from '../../auth/use-session';
import { formatDateTime, formatMoney, formatNumber, formatPercent, t } from '../../i18n/t';
import { ErrorAlert, QueryState } from '../../ui/query-state';
import { TIERS } from './clv.page';
import { CustomerLink } from './shared';

/** The API's documented defaults (its generated type asks for each): a 90-day churn window, 30 % held out. */
const TRAINING = { windowDays: 90, holdOutShare: 0.3, l2: 1, seed: 0 };
const RANK_BY = ['clv', 'historicValue', 'expectedPurchases', 'expectedSpend', 'pAlive'] as const;
type RankBy = (typeof RANK_BY)[number];
type Tier = (typeof TIERS)[number];
const TIER_COLOURS: Record<Tier, string> = { platinum: 'indigo', gold: 'yellow', silver: 'gray', bronze: 'orange' };

function TierBadge({ tier }: { tier?: string }) {
  if (!tier || !TIERS.includes(tier as Tier)) return null;
  return (
    <Badge variant="light" color={TIER_COLOURS[tier as Tier]} tt="none" c="dark">
      {t(`analytics.clv.tierNames.${tier as Tier}`)}
    </Badge>
  );
}

function TopCustomers() {
  const [by, setBy] = useState<RankBy>('clv');
  const query = $analytics.useQuery('get', '/customers/ranking', { params: { query: { by, limit: 20 } } });
  return (
    <section aria-labelledby="top-customers">
      <Title order={2} id="top-customers" mb="sm">
        {t('analytics.customers.top')}
      </Title>
      <NativeSelect
        label={t('analytics.customers.rankBy')}
        value={by}
        onChange={(e) => setBy(e.currentTarget.value as RankBy)}
        data={RANK_BY.map((b) => ({ value: b, label: t(`analytics.customers.by.${b}`) }))}
        w={{ base: '100%', sm: 280 }}
        mb="sm"
      />
      <QueryState query={query}>
        {(data) => {
          const currency = data.reportingCurrency ?? 'EUR';
          const items = data.items ?? [];
          return items.length === 0 ? (
            <Text c="dimmed">{t('analytics.customers.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped aria-labelledby="top-customers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th ta="right">{t('analytics.customers.rank')}</Table.Th>
                    <Table.Th>{t('analytics.customers.customer')}</Table.Th>
                    <Table.Th>{t('analytics.customers.tier')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.customers.clv')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.customers.historicValue')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.customers.purchases')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.customers.pAlive')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <Table.Tr key={c.customerId}>
                      <Table.Td ta="right">{c.rank}</Table.Td>
                      <Table.Td>
                        <CustomerLink id={c.customerId ?? ''} />
                      </Table.Td>
                      <Table.Td>
                        <TierBadge tier={c.tier} />
                      </Table.Td>
                      <Table.Td ta="right">{formatMoney(c.clv ?? 0, currency)}</Table.Td>
                      <Table.Td ta="right">{formatMoney(c.historicValue ?? 0, currency)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(c.purchaseOccasions ?? 0)}</Table.Td>
                      <Table.Td ta="right">{formatPercent(c.pAlive ?? 0)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          );
        }}
      </QueryState>
    </section>
  );
}

function ChurnRisk() {
  const principal = usePrincipal();
  const mayTrain = isStaff(principal, 'analytics', 'management');
  const client = useQueryClient();
  const query = $analytics.useQuery('get', '/models/churn/at-risk', { params: { query: { limit: 20 } } });
  const model = $analytics.useQuery('get', '/models/churn', {}, { enabled: query.isSuccess });
  const train = $analytics.useMutation('post', '/models/churn/train', {
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['get', '/models/churn'] });
      // The trained model reaches the scores' read model a moment after the training answers: the
      // list answers "not trained" (409) until then, so it is asked again until it answers scores.
      await refetchUntil(client, ['get', '/models/churn/at-risk'], () => true, { timeoutMs: 30_000 });
    },
  });
  const notTrained = (query.error as Problem | null)?.status === 409;
  return (
    <section aria-labelledby="churn-risk">
      <Title order={2} id="churn-risk" mb="xs">
        {t('analytics.customers.churnTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('analytics.customers.churnIntro')}
      </Text>
      {notTrained ? (
        <Stack gap="sm">
          <Alert color="blue">
            {t('analytics.customers.notTrained')} {!mayTrain && t('analytics.customers.notTrainedOthers')}
          </Alert>
          {mayTrain && (
            <Button w="fit-content" loading={train.isPending} onClick={() => train.mutate({ body: TRAINING })}>
              {t('analytics.customers.train')}
            </Button>
          )}
          {train.error && <ErrorAlert error={train.error} />}
        </Stack>
      ) : (
        <QueryState query={query}>
          {(data) => {
            const items = data.items ?? [];
            return (
              <Stack gap="sm">
                {model.data && (
                  <Text size="sm">
                    {t('analytics.customers.churnModel', {
                      version: model.data.version ?? 0,
                      trainedAt: model.data.trainedAt ? formatDateTime(model.data.trainedAt) : '',
                      days: model.data.parameters?.windowDays ?? 0,
                      auc: formatNumber(model.data.evaluation?.auc ?? 0, 2),
                    })}
                  </Text>
                )}
                {mayTrain && (
                  <Button variant="light" w="fit-content" loading={train.isPending} onClick={() => train.mutate({ body: TRAINING })}>
                    {t('analytics.customers.train')}
                  </Button>
                )}
                {train.data && (
                  <Text size="sm" role="status">
                    {t('analytics.customers.trained', { version: train.data.version ?? 0, auc: formatNumber(train.data.evaluation?.auc ?? 0, 2) })}
                  </Text>
                )}
                {train.error && <ErrorAlert error={train.error} />}
                {items.length === 0 ? (
                  <Text c="dimmed">{t('analytics.customers.none')}</Text>
                ) : (
                  <Table.ScrollContainer minWidth={720}>
                    <Table striped aria-labelledby="churn-risk">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('analytics.customers.customer')}</Table.Th>
                          <Table.Th ta="right">{t('analytics.customers.probability')}</Table.Th>
                          <Table.Th ta="right">{t('analytics.customers.pAlive')}</Table.Th>
                          <Table.Th>{t('analytics.customers.reasons')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {items.map((c) => (
                          <Table.Tr key={c.customerId}>
                            <Table.Td>
                              <CustomerLink id={c.customerId ?? ''} />
                            </Table.Td>
                            <Table.Td ta="right">{formatPercent(c.probability ?? 0)}</Table.Td>
                            <Table.Td ta="right">{c.pAlive === null || c.pAlive === undefined ? '—' : formatPercent(c.pAlive)}</Table.Td>
                            <Table.Td>
                              <List size="sm">
                                {(c.reasons ?? []).map((r) => (
                                  <List.Item key={r.feature}>
                                    {t('analytics.customers.reason', { label: r.label ?? r.feature ?? '', value: formatNumber(r.value ?? 0, 2) })}
                                  </List.Item>
                                ))}
                              </List>
                            </Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                )}
              </Stack>
            );
          }}
        </QueryState>
      )}
    </section>
  );
}

function Lapsed() {
  const query = $analytics.useQuery('get', '/customers/at-risk', { params: { query: { limit: 20 } } });
  return (
    <section aria-labelledby="lapsed">
      <Title order={2} id="lapsed" mb="xs">
        {t('analytics.customers.lapsedTitle')}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t('analytics.customers.lapsedIntro')}
      </Text>
      <QueryState query={query}>
        {(data) => {
          const currency = data.reportingCurrency ?? 'EUR';
          const items = data.items ?? [];
          return items.length === 0 ? (
            <Text c="dimmed">{t('analytics.customers.none')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={640}>
              <Table striped aria-labelledby="lapsed">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('analytics.customers.customer')}</Table.Th>
                    <Table.Th>{t('analytics.customers.tier')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.customers.historicValue')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.customers.purchases')}</Table.Th>
                    <Table.Th ta="right">{t('analytics.customers.pAlive')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((c) => (
                    <Table.Tr key={c.customerId}>
                      <Table.Td>
                        <CustomerLink id={c.customerId ?? ''} />
                      </Table.Td>
                      <Table.Td>
                        <TierBadge tier={c.tier} />
                      </Table.Td>
                      <Table.Td ta="right">{formatMoney(c.historicValue ?? 0, currency)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(c.purchaseOccasions ?? 0)}</Table.Td>
                      <Table.Td ta="right">{formatPercent(c.pAlive ?? 0)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          );
        }}
      </QueryState>
    </section>
  );
}

export function AnalyticsCustomersPage() {
  return (
    <Stack gap="xl">
      <Title order={1}>{t('analytics.customers.title')}</Title>
      <TopCustomers />
      <ChurnRisk />
      <Lapsed />
    </Stack>
  );
}
