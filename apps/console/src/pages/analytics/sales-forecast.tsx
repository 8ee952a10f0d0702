import { Card, Text, Title } from '@mantine/core';
import { LineChart } from '@mantine/charts';
import { $analytics } from '../../api/clients';
import { formatMoney, formatNumber, locale, t } from '../../i18n/t';
import { QueryState } from '../../ui/query-state';
import { ChartTable } from './shared';

const HISTORY = 12;

/** Net sales per month (the last year) and the forecast the API's Holt–Winters model gives for the next months, with its back-test error. */
export function SalesForecast() {
  const query = $analytics.useQuery('get', '/forecast/sales', { params: { query: { period: 'month', horizon: 6 } } });
  return (
    <Card withBorder padding="md" component="article" aria-labelledby="sales-forecast" mt="md">
      <Title order={3} size="h5" id="sales-forecast">
        {t('analytics.forecast.title')}
      </Title>
      <QueryState query={query}>
        {(data) => {
          const currency = data.reportingCurrency ?? 'EUR';
          const history = (data.history ?? []).slice(-HISTORY);
          const forecast = data.forecast ?? [];
          const actualLabel = t('analytics.forecast.actual');
          const forecastLabel = t('analytics.forecast.forecast');
          const rows = new Map<string, { period: string; actual?: number; forecast?: number }>();
          for (const h of history) rows.set(h.period ?? '', { period: h.period ?? '', actual: (h.amount ?? 0) / 100 });
          for (const f of forecast) rows.set(f.period ?? '', { ...rows.get(f.period ?? ''), period: f.period ?? '', forecast: (f.amount ?? 0) / 100 });
          const chart = [...rows.values()].sort((a, b) => a.period.localeCompare(b.period));
          const compact = new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
          const money = (major: number | undefined) => (major === undefined ? '—' : formatMoney(Math.round(major * 100), currency));
          return (
            <>
              <Text size="sm" c="dimmed" mb="sm">
                {data.model && data.backtest
                  ? t('analytics.forecast.backtest', {
                      mae: formatMoney(Math.round(data.backtest.mae ?? 0), currency),
                      points: formatNumber(data.backtest.points ?? 0),
                    })
                  : (data.reason ?? t('analytics.forecast.noModel'))}
              </Text>
              {/* The table below is the chart's text alternative: the picture is hidden from assistive technology, out of the tab order. */}
              <LineChart
                h={240}
                data={chart}
                dataKey="period"
                curveType="linear"
                connectNulls={false}
                withLegend
                valueFormatter={(v) => compact.format(v)}
                series={[
                  { name: 'actual', label: actualLabel, color: 'blue.8' },
                  { name: 'forecast', label: forecastLabel, color: 'orange.8', strokeDasharray: '5 5' },
                ]}
                lineChartProps={{ accessibilityLayer: false, tabIndex: -1 }}
                aria-hidden
                data-testid="sales-forecast-chart"
              />
              <ChartTable
                title={t('analytics.forecast.title')}
                head={[t('analytics.kpis.period'), actualLabel, forecastLabel]}
                rows={chart.map((r) => [r.period, money(r.actual), money(r.forecast)])}
              />
            </>
          );
        }}
      </QueryState>
    </Card>
  );
}
