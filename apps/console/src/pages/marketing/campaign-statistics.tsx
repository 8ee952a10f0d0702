import { useState } from 'react';
import { BarChart, FunnelChart } from '@mantine/charts';
import { Badge, Card, Group, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData } from '@tanstack/react-query';
import { $marketing } from '../../api/clients';
import { formatMoney, formatNumber, formatPercent, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { badgeProps } from './labels';

type Rate = { count?: number; of?: number; rate?: number; interval?: { lower?: number; upper?: number } };
type Uplift = { difference?: number; lower?: number; upper?: number };

const STAGES = ['sent', 'delivered', 'opened', 'clicked', 'responded', 'converted'] as const;
const COLORS = ['blue.8', 'indigo.8', 'violet.8', 'grape.8', 'teal.8', 'green.9'];
const pct = (v: number | undefined) => (v === undefined ? '—' : formatPercent(v, 1));
const signedPct = (v: number | undefined) => (v === undefined ? '—' : `${v > 0 ? '+' : ''}${formatPercent(v, 1)}`);

function rateText(r: Rate | undefined): string {
  if (!r || r.rate === undefined) return '—';
  return `${pct(r.rate)} (${formatNumber(r.count ?? 0)}/${formatNumber(r.of ?? 0)})`;
}

function upliftText(u: Uplift | undefined): string {
  if (!u || u.difference === undefined) return '—';
  return `${signedPct(u.difference)} [${t('marketing.statistics.interval', { lower: signedPct(u.lower), upper: signedPct(u.upper) })}]`;
}

/** The campaign's funnel (sent → converted) and its variants against the control group, with the uplift's interval at a chosen confidence. */
export function CampaignStatistics({ campaignId }: { campaignId: string }) {
  const [confidence, setConfidence] = useState<'0.9' | '0.95' | '0.99'>('0.95');
  const stats = $marketing.useQuery(
    'get',
    '/campaigns/{id}/statistics',
    { params: { path: { id: campaignId }, query: { confidence } } },
    { placeholderData: keepPreviousData },
  );
  return (
    <section aria-labelledby="campaign-statistics">
      <Group justify="space-between" mb="sm">
        <Title order={2} id="campaign-statistics">
          {t('marketing.statistics.title')}
        </Title>
        <Select
          label={t('marketing.statistics.confidence')}
          data={['0.9', '0.95', '0.99'].map((v) => ({ value: v, label: formatPercent(Number(v)) }))}
          value={confidence}
          onChange={(v) => v && setConfidence(v as typeof confidence)}
          allowDeselect={false}
          w={160}
        />
      </Group>
      <QueryState query={stats}>
        {(s) => {
          const funnel = s.funnel ?? {};
          const values: Record<(typeof STAGES)[number], number> = {
            sent: funnel.sent ?? 0,
            delivered: funnel.delivered ?? 0,
            opened: funnel.opened ?? 0,
            clicked: funnel.clicked ?? 0,
            responded: funnel.responded ?? 0,
            converted: s.treated?.converted?.count ?? 0,
          };
          const currency = s.currency ?? 'EUR';
          const variants = (s.byStep ?? []).flatMap((step) =>
            (step.byVariant ?? []).map((v) => ({ ...v, label: (s.byStep?.length ?? 0) > 1 ? `${step.stepId} · ${v.variantId}` : (v.variantId ?? '') })),
          );
          const bars = [
            ...variants.map((v) => ({ group: t('marketing.statistics.variant') + ' ' + v.label, rate: (v.converted?.rate ?? 0) * 100 })),
            ...(s.control ? [{ group: t('marketing.statistics.control'), rate: (s.control.converted?.rate ?? 0) * 100 }] : []),
          ];
          return (
            <Stack gap="lg">
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
                <Card withBorder component="figure" m={0} aria-labelledby="funnel-title">
                  <Title order={3} size="h4" id="funnel-title">
                    {t('marketing.statistics.funnel')}
                  </Title>
                  <Group justify="center" my="sm" role="img" aria-label={t('marketing.statistics.funnelLabel')}>
                    <FunnelChart
                      data={STAGES.map((stage, i) => ({ name: t(`marketing.statistics.stages.${stage}`), value: values[stage], color: COLORS[i]! }))}
                      size={260}
                      withLabels
                      labelsPosition="right"
                      labelColor="dark.9"
                      valueFormatter={(v) => formatNumber(v)}
                      withTooltip
                    />
                  </Group>
                  <Table aria-labelledby="funnel-title" data-testid="funnel-table">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('marketing.statistics.stage')}</Table.Th>
                        <Table.Th>{t('marketing.statistics.count')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {STAGES.map((stage) => (
                        <Table.Tr key={stage}>
                          <Table.Td>{t(`marketing.statistics.stages.${stage}`)}</Table.Td>
                          <Table.Td>{formatNumber(values[stage])}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Card>
                <Card withBorder component="figure" m={0} aria-labelledby="variants-chart-title">
                  <Title order={3} size="h4" id="variants-chart-title">
                    {t('marketing.statistics.conversionRate')}
                  </Title>
                  <div role="img" aria-label={t('marketing.statistics.variantsLabel')}>
                    <BarChart
                      h={260}
                      mt="sm"
                      data={bars}
                      dataKey="group"
                      series={[{ name: 'rate', label: t('marketing.statistics.conversionRate'), color: 'blue.8' }]}
                      valueFormatter={(v) => `${formatNumber(v, 1)} %`}
                      withBarValueLabel
                    />
                  </div>
                  <SimpleGrid cols={2} mt="md">
                    <Money label={t('marketing.statistics.revenue')} value={formatMoney(s.revenue ?? 0, currency)} />
                    <Money label={t('marketing.statistics.cost')} value={formatMoney(s.cost ?? 0, currency)} />
                    <Money label={t('marketing.statistics.roi')} value={s.roi === undefined ? '—' : formatPercent(s.roi)} />
                    <Money label={t('marketing.statistics.incrementalRoi')} value={s.incrementalRoi === undefined ? '—' : formatPercent(s.incrementalRoi)} />
                  </SimpleGrid>
                </Card>
              </SimpleGrid>

              <Stack gap="xs">
                <Title order={3} id="variant-comparison">
                  {t('marketing.statistics.variants')}
                </Title>
                {!s.control && <Text c="dimmed">{t('marketing.statistics.noControl')}</Text>}
                <Table.ScrollContainer minWidth={760} scrollAreaProps={{ viewportProps: { tabIndex: 0 } }}>
                  <Table striped aria-labelledby="variant-comparison">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('marketing.statistics.variant')}</Table.Th>
                        <Table.Th>{t('marketing.statistics.recipients')}</Table.Th>
                        <Table.Th>{t('marketing.statistics.openRate')}</Table.Th>
                        <Table.Th>{t('marketing.statistics.clickRate')}</Table.Th>
                        <Table.Th>{t('marketing.statistics.conversion')}</Table.Th>
                        <Table.Th>{t('marketing.statistics.uplift')}</Table.Th>
                        <Table.Th>{t('marketing.statistics.pValue')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {variants.map((v) => (
                        <Table.Tr key={v.label}>
                          <Table.Th scope="row">{v.label}</Table.Th>
                          <Table.Td>{formatNumber(v.recipients ?? 0)}</Table.Td>
                          <Table.Td>{rateText(v.openRate)}</Table.Td>
                          <Table.Td>{rateText(v.clickRate)}</Table.Td>
                          <Table.Td>{rateText(v.converted)}</Table.Td>
                          <Table.Td>{upliftText(v.uplift)}</Table.Td>
                          <Table.Td>
                            <PValue p={v.pValue} confidence={Number(confidence)} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                      {s.treated && (
                        <Table.Tr>
                          <Table.Th scope="row">{t('marketing.statistics.allTreated')}</Table.Th>
                          <Table.Td>{formatNumber(s.treated.recipients ?? 0)}</Table.Td>
                          <Table.Td>—</Table.Td>
                          <Table.Td>—</Table.Td>
                          <Table.Td>{rateText(s.treated.converted)}</Table.Td>
                          <Table.Td>{upliftText(s.treated.uplift)}</Table.Td>
                          <Table.Td>
                            <PValue p={s.treated.pValue} confidence={Number(confidence)} />
                          </Table.Td>
                        </Table.Tr>
                      )}
                      {s.control && (
                        <Table.Tr>
                          <Table.Th scope="row">{t('marketing.statistics.control')}</Table.Th>
                          <Table.Td>{formatNumber(s.control.recipients ?? 0)}</Table.Td>
                          <Table.Td>—</Table.Td>
                          <Table.Td>—</Table.Td>
                          <Table.Td>{rateText(s.control.converted)}</Table.Td>
                          <Table.Td>—</Table.Td>
                          <Table.Td>—</Table.Td>
                        </Table.Tr>
                      )}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </Stack>
            </Stack>
          );
        }}
      </QueryState>
    </section>
  );
}

function Money({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </div>
  );
}

function PValue({ p, confidence }: { p: number | undefined; confidence: number }) {
  if (p === undefined) return <>—</>;
  const significant = p < 1 - confidence;
  return (
    <Group gap={6} wrap="nowrap">
      <span>{formatNumber(p, 3)}</span>
      <Badge {...badgeProps(significant ? 'green' : 'gray')} size="sm">
        {t(significant ? 'marketing.statistics.significant' : 'marketing.statistics.notSignificant')}
      </Badge>
    </Group>
  );
}
