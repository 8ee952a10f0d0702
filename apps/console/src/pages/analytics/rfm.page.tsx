import { Alert, Badge, Box, Card, Group, Stack, Table, Text, Title, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { analytics, type AnalyticsSchema } from '../../api/clients';
import { formatDate, formatDateTime, formatMoney, formatNumber, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { allPages, cursorPages } from '../../api/pages';
import { CustomerLink } from './shared';

type Rfm = AnalyticsSchema<'CustomerRfmView'>;

const LEVELS = [1, 2, 3, 4, 5] as const;
/** Heat shades, lightest to darkest, each with a text colour that keeps WCAG AA contrast on it. */
const SHADES = [
  { bg: 'var(--mantine-color-gray-0)', fg: 'var(--mantine-color-black)' },
  { bg: 'var(--mantine-color-blue-1)', fg: 'var(--mantine-color-black)' },
  { bg: 'var(--mantine-color-blue-3)', fg: 'var(--mantine-color-black)' },
  { bg: 'var(--mantine-color-blue-5)', fg: 'var(--mantine-color-black)' },
  { bg: 'var(--mantine-color-blue-8)', fg: 'var(--mantine-color-white)' },
  { bg: 'var(--mantine-color-blue-9)', fg: 'var(--mantine-color-white)' },
];

/** Every scored customer (all pages): the grid's counts come with the answer, its money per cell from the customers. */
function useRfm() {
  return useQuery({
    queryKey: ['analytics', 'rfm', 'all'],
    queryFn: async () => {
      const { first, items } = await allPages((cursor) => analytics.GET('/rfm', { params: { query: { limit: 500, cursor } } }), cursorPages<Rfm>());
      return { ...first, items };
    },
  });
}

export function RfmPage() {
  const query = useRfm();
  const [params, setParams] = useSearchParams();
  const r = Number(params.get('r'));
  const f = Number(params.get('f'));
  const selected = LEVELS.includes(r as 1) && LEVELS.includes(f as 1) ? { r, f } : undefined;
  const select = (cell: { r: number; f: number }) => setParams({ r: String(cell.r), f: String(cell.f) }, { replace: true });
  return (
    <Stack>
      <Title order={1}>{t('analytics.rfm.title')}</Title>
      <Text c="dimmed">{t('analytics.rfm.intro')}</Text>
      <QueryState query={query}>
        {(data) => {
          const money = (minor: number) => formatMoney(minor, data.reportingCurrency);
          const monetary = LEVELS.map(() => LEVELS.map(() => 0));
          for (const c of data.items) monetary[c.scores.r - 1][c.scores.f - 1] += c.monetary;
          const max = Math.max(1, ...data.grid.flat());
          const shade = (count: number) => SHADES[count === 0 ? 0 : Math.min(SHADES.length - 1, 1 + Math.floor(((count - 1) / max) * (SHADES.length - 1)))];
          const inCell = selected ? data.items.filter((c) => c.scores.r === selected.r && c.scores.f === selected.f) : [];
          return (
            <Stack gap="xl">
              <Text size="sm" c="dimmed">
                {t('analytics.rfm.summary', {
                  count: formatNumber(data.customersScored),
                  asOf: formatDateTime(data.asOf),
                  days: data.periodDays,
                  currency: data.reportingCurrency,
                })}
              </Text>
              {data.unconverted.orders > 0 && (
                <Alert color="yellow" styles={{ message: { color: 'var(--mantine-color-text)' } }}>
                  {t('analytics.rfm.unconverted', {
                    orders: data.unconverted.orders,
                    currency: data.reportingCurrency,
                    currencies: data.unconverted.currencies.join(', '),
                  })}
                </Alert>
              )}
              <section aria-labelledby="rfm-grid">
                <Title order={2} id="rfm-grid" mb="sm">
                  {t('analytics.rfm.gridTitle')}
                </Title>
                <Table.ScrollContainer minWidth={640}>
                  <Table withTableBorder withColumnBorders layout="fixed" aria-labelledby="rfm-grid">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">{t('analytics.rfm.corner')}</Table.Th>
                        {LEVELS.map((fl) => (
                          <Table.Th key={fl} scope="col" ta="center">
                            F {fl}
                          </Table.Th>
                        ))}
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {[...LEVELS].reverse().map((rl) => (
                        <Table.Tr key={rl}>
                          <Table.Th scope="row">R {rl}</Table.Th>
                          {LEVELS.map((fl) => {
                            const count = data.grid[rl - 1]?.[fl - 1] ?? 0;
                            const { bg, fg } = shade(count);
                            const pressed = selected?.r === rl && selected.f === fl;
                            return (
                              <Table.Td key={fl} p={2}>
                                <UnstyledButton
                                  w="100%"
                                  p="xs"
                                  bg={bg}
                                  c={fg}
                                  style={{
                                    borderRadius: 'var(--mantine-radius-sm)',
                                    outline: pressed ? '3px solid var(--mantine-color-orange-8)' : undefined,
                                    outlineOffset: -3,
                                  }}
                                  aria-pressed={pressed}
                                  onClick={() => select({ r: rl, f: fl })}
                                >
                                  {/* The accessible name is the visible figures with what they are: "R 5, F 1: 3 customers, €1,234.00". */}
                                  <VisuallyHidden>{t('analytics.rfm.cellPosition', { r: rl, f: fl })} </VisuallyHidden>
                                  <Text fw={700} ta="center" inherit>
                                    {formatNumber(count)}
                                  </Text>
                                  <VisuallyHidden> {t('analytics.rfm.cellCount')} </VisuallyHidden>
                                  <Text size="xs" ta="center" c="inherit">
                                    {money(monetary[rl - 1][fl - 1])}
                                  </Text>
                                </UnstyledButton>
                              </Table.Td>
                            );
                          })}
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </section>

              <section aria-labelledby="rfm-cell">
                <Title order={2} id="rfm-cell" mb="sm">
                  {selected ? t('analytics.rfm.cellTitle', selected) : t('analytics.rfm.customers')}
                </Title>
                {!selected ? (
                  <Text c="dimmed">{t('analytics.rfm.chooseCell')}</Text>
                ) : inCell.length === 0 ? (
                  <Text c="dimmed">{t('analytics.rfm.emptyCell')}</Text>
                ) : (
                  <Table.ScrollContainer minWidth={640}>
                    <Table striped aria-labelledby="rfm-cell">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('analytics.rfm.customer')}</Table.Th>
                          <Table.Th>{t('analytics.rfm.lastPurchase')}</Table.Th>
                          <Table.Th ta="right">{t('analytics.rfm.frequencyCol')}</Table.Th>
                          <Table.Th ta="right">{t('analytics.rfm.monetary')}</Table.Th>
                          <Table.Th>{t('analytics.rfm.scores')}</Table.Th>
                          <Table.Th>{t('analytics.rfm.segment')}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {[...inCell]
                          .sort((a, b) => b.monetary - a.monetary)
                          .map((c) => (
                            <Table.Tr key={c.customerId}>
                              <Table.Td>
                                <CustomerLink id={c.customerId} />
                              </Table.Td>
                              <Table.Td>{formatDate(c.lastPurchaseDay)}</Table.Td>
                              <Table.Td ta="right">{formatNumber(c.frequency)}</Table.Td>
                              <Table.Td ta="right">{money(c.monetary)}</Table.Td>
                              <Table.Td>{c.cell}</Table.Td>
                              <Table.Td>{t(`analytics.rfm.segmentNames.${c.segment}`)}</Table.Td>
                            </Table.Tr>
                          ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                )}
              </section>

              <section aria-labelledby="rfm-segments">
                <Title order={2} id="rfm-segments" mb="sm">
                  {t('analytics.rfm.segments')}
                </Title>
                <Card withBorder>
                  <Group gap="xs">
                    {Object.entries(data.segments).map(([segment, count]) => (
                      <Badge key={segment} variant="light" size="lg" tt="none">
                        <Box component="span">
                          {t(`analytics.rfm.segmentNames.${segment as Rfm['segment']}`)}: {formatNumber(count)}
                        </Box>
                      </Badge>
                    ))}
                  </Group>
                </Card>
              </section>
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
