import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { ExchangeRateEntry, ExchangeRates } from '@crm/relationship';
import type { EntityManager } from 'typeorm';
import { EXCHANGE_RATE_ENTITIES, ExchangeRateRow } from './exchange-rates.entities';

export type ExchangeRatesEvent = CrmIntegrationEvent<'ExchangeRatesSet'>;

/**
 * `<owner>.exchange-rates`: the reporting exchange rates sales publishes, so analytics converts the
 * purchase history with the rates in force on each order's day (docs/analytics.md). An upsert per
 * rate: a re-delivery or a rate set again for the same day leaves one row, the latest.
 */
export function exchangeRatesProjection(owner: string): Projection<ExchangeRatesEvent> {
  return {
    name: `${owner}.exchange-rates`,
    entities: EXCHANGE_RATE_ENTITIES,
    handles: ['ExchangeRatesSet'],
    async apply(event, m) {
      const d = event.data;
      const table = m.getRepository(ExchangeRateRow).metadata.tablePath;
      for (const r of d.rates) {
        await m.query(
          `INSERT INTO ${table} (reporting_currency, currency, effective_date, rate, set_by, set_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (reporting_currency, currency, effective_date) DO UPDATE SET rate = EXCLUDED.rate, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
          [d.reportingCurrency, r.currency, d.effectiveDate, r.rate, d.setBy, d.setAt],
        );
      }
    },
  };
}

/**
 * The rates to `reportingCurrency` as the domain's table (`ExchangeRates` of `@crm/relationship`),
 * so conversions go through its one rule (`convertOn`: the rate in force on a day, exact, rounded
 * half away from zero to the reporting currency's minor unit).
 */
export async function loadExchangeRates(m: EntityManager, reportingCurrency: string): Promise<ExchangeRates> {
  const rows = await m.getRepository(ExchangeRateRow).find({ where: { reportingCurrency }, order: { currency: 'ASC', effectiveDate: 'ASC' } });
  // Built directly (oldest first per currency, one entry per day: what evolveExchangeRates keeps) — years of daily rates load in one pass.
  const table = new Map<string, ExchangeRateEntry[]>();
  for (const r of rows) {
    const entries = table.get(r.currency) ?? [];
    entries.push({ currency: r.currency, rate: r.rate, reportingCurrency, effectiveDate: r.effectiveDate, setBy: r.setBy, setAt: r.setAt.toISOString() });
    table.set(r.currency, entries);
  }
  return new Map([[reportingCurrency, table]]);
}
