import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The reporting exchange rates sales sets (`ExchangeRatesSet`), one row per reporting currency,
 * currency and effective day: in force from that day until the pair's next. A rate set again for the
 * same day replaces the row, as in sales' own table (`evolveExchangeRates`).
 */
@Entity({ name: 'exchange_rates' })
export class ExchangeRateRow {
  @PrimaryColumn({ type: 'text', name: 'reporting_currency' }) reportingCurrency!: string;
  @PrimaryColumn({ type: 'text' }) currency!: string;
  /** `YYYY-MM-DD`. */
  @PrimaryColumn({ type: 'text', name: 'effective_date' }) effectiveDate!: string;
  /** Units of the reporting currency per unit of `currency`: the exact decimal as sales recorded it (text, never a float). */
  @Column({ type: 'text' }) rate!: string;
  @Column({ type: 'text', name: 'set_by' }) setBy!: string;
  @Column({ type: 'timestamptz', name: 'set_at' }) setAt!: Date;
}

export const EXCHANGE_RATE_ENTITIES = [ExchangeRateRow];
