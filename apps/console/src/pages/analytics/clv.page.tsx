import { Alert, Card, List, Stack, Table, Text, Title } from '@mantine/core';
import { BarChart } from '@mantine/charts';
import { useQuery } from '@tanstack/react-query';
import { $analytics, analytics } from '../../api/clients';
import type { paths } from '../../api/generated/analytics';
import { formatDateTime, formatMoney, formatNumber, locale, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { allPages, cursorPages } from '../../api/pages';
import { ChartTable } from './shared';

type RankingPage = paths['/customers/ranking']['get']['responses'][200]['content']['application/json'];
type Ranked = NonNullable<RankingPage['items']>[number];

export const TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
const TIER_COLOURS: Record<(typeof TIERS)[number], string> = { platinum: 'indigo.8', gold: 'yellow.6', silver: 'gray.5', bronze: 'orange.8' };
const BINS = 10;

/** The smallest 1, 2, 2.5 or 5 × 10ⁿ at least `x`: bin widths a reader can add up. */
function niceStep(x: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, x)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= x) ?? 10 * p;
}

/** Every valued customer (all pages of the ranking). */
export function useValuedCustomers() {
  return useQuery({
    queryKey: ['analytics', 'ranking', 'all'],
    queryFn: () => allPages((cursor) => analytics.GET('/customers/ranking', { params: { query: { limit: 500, cursor } } }), cursorPages<Ranked>()),
  });
}

export function ClvPage() {
  const query = useValuedCustomers();
  const model = $analytics.useQuery('get', '/models/clv', {});
  return (
    <Stack>
      <Title order={1}>{t('analytics.clv.title')}</Title>
      <QueryState query={query}>
        {({ first, items }) => {
          const currency = first.reportingCurrency ?? 'EUR';
          const compact = new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
          const digits = new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
          const short = (minor: number) => compact.format(minor / 10 ** digits);
          const clvs = items.map((c) => c.clv ?? 0);
          const min = Math.min(0, ...clvs);
          const max = Math.max(1, ...clvs);
          const step = niceStep((max - min) / BINS);
          const start = Math.floor(min / step) * step;
          const count = Math.max(1, Math.ceil((max - start + 1) / step));
          const bins = Array.from({ length: count }, (_, i) => ({
            range: `${short(start + i * step)}–${short(start + (i + 1) * step)}`,
            ...Object.fromEntries(TIERS.map((tier) => [tier, 0])),
          })) as ({ range: string } & Record<(typeof TIERS)[number], number>)[];
          for (const c of items) {
            const i = Math.min(count - 1, Math.floor(((c.clv ?? 0) - start) / step));
            const tier = (c.tier ?? 'bronze') as (typeof TIERS)[number];
            bins[i][tier] += 1;
          }
          const tiers = TIERS.map((tier) => {
            const of = items.filter((c) => c.tier === tier).map((c) => c.clv ?? 0);
            return {
              tier,
              customers: of.length,
              total: of.reduce((a, b) => a + b, 0),
              lowest: of.length ? Math.min(...of) : 0,
              highest: of.length ? Math.max(...of) : 0,
            };
          });
          const summary = t('analytics.clv.histogramSummary', {
            count: items.length,
            bins: count,
            min: formatMoney(Math.min(...clvs, 0), currency),
            max: formatMoney(max, currency),
          });
          return (
            <Stack gap="xl">
              <Text c="dimmed">{t('analytics.clv.intro', { currency })}</Text>
              <section aria-labelledby="clv-histogram">
                <Title order={2} id="clv-histogram" mb="xs">
                  {t('analytics.clv.histogram')}
                </Title>
                <Text size="sm" mb="sm">
                  {summary}
                </Text>
                <BarChart
                  h={320}
                  data={bins}
                  dataKey="range"
                  type="stacked"
                  withLegend
                  xAxisLabel={t('analytics.clv.range')}
                  yAxisLabel={t('analytics.clv.customers')}
                  series={TIERS.map((tier) => ({ name: tier, label: t(`analytics.clv.tierNames.${tier}`), color: TIER_COLOURS[tier] }))}
                  // The table below is its text alternative: the picture is hidden from assistive technology, out of the tab order.
                  barChartProps={{ accessibilityLayer: false, tabIndex: -1 }}
                  aria-hidden
                  data-testid="clv-histogram"
                />
                <ChartTable
                  title={summary}
                  head={[t('analytics.clv.range'), ...TIERS.map((tier) => t(`analytics.clv.tierNames.${tier}`)), t('analytics.clv.customers')]}
                  rows={bins.map((b) => [b.range, ...TIERS.map((tier) => formatNumber(b[tier])), formatNumber(TIERS.reduce((a, tier) => a + b[tier], 0))])}
                />
              </section>
              <section aria-labelledby="clv-tiers">
                <Title order={2} id="clv-tiers" mb="sm">
                  {t('analytics.clv.tiers')}
                </Title>
                <Table.ScrollContainer minWidth={520}>
                  <Table striped aria-labelledby="clv-tiers">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('analytics.clv.tier')}</Table.Th>
                        <Table.Th ta="right">{t('analytics.clv.customers')}</Table.Th>
                        <Table.Th ta="right">{t('analytics.clv.total')}</Table.Th>
                        <Table.Th ta="right">{t('analytics.clv.lowest')}</Table.Th>
                        <Table.Th ta="right">{t('analytics.clv.highest')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {tiers.map((r) => (
                        <Table.Tr key={r.tier}>
                          <Table.Th scope="row">{t(`analytics.clv.tierNames.${r.tier}`)}</Table.Th>
                          <Table.Td ta="right">{formatNumber(r.customers)}</Table.Td>
                          <Table.Td ta="right">{formatMoney(r.total, currency)}</Table.Td>
                          <Table.Td ta="right">{formatMoney(r.lowest, currency)}</Table.Td>
                          <Table.Td ta="right">{formatMoney(r.highest, currency)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </section>
              <section aria-labelledby="clv-model">
                <Title order={2} id="clv-model" mb="sm">
                  {t('analytics.clv.model')}
                </Title>
                <QueryState query={model}>
                  {(m) => (
                    <Card withBorder>
                      <Stack gap={4}>
                        <Text size="sm">
                          {t('analytics.clv.calibration', {
                            date: m.calibrationEnd ?? '',
                            customers: formatNumber(m.customers ?? 0),
                            repeaters: formatNumber(m.repeaters ?? 0),
                            unit: m.unit ?? '',
                            fittedAt: m.fittedAt ? formatDateTime(m.fittedAt) : '',
                          })}
                        </Text>
                        <Text size="sm">
                          {t('analytics.clv.bgnbd', {
                            r: formatNumber(m.bgnbd?.r ?? 0, 4),
                            alpha: formatNumber(m.bgnbd?.alpha ?? 0, 4),
                            a: formatNumber(m.bgnbd?.a ?? 0, 4),
                            b: formatNumber(m.bgnbd?.b ?? 0, 4),
                          })}
                        </Text>
                        <Text size="sm">
                          {t('analytics.clv.gammaGamma', {
                            p: formatNumber(m.gammaGamma?.p ?? 0, 4),
                            q: formatNumber(m.gammaGamma?.q ?? 0, 4),
                            gamma: formatNumber(m.gammaGamma?.gamma ?? 0, 2),
                          })}
                        </Text>
                        {(m.warnings ?? []).length > 0 && (
                          <Alert color="yellow" title={t('analytics.clv.warnings')} styles={{ title: { color: 'var(--mantine-color-text)' } }}>
                            <List size="sm">
                              {(m.warnings ?? []).map((w) => (
                                <List.Item key={w}>{w}</List.Item>
                              ))}
                            </List>
                          </Alert>
                        )}
                      </Stack>
                    </Card>
                  )}
                </QueryState>
              </section>
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
