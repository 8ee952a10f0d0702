import { currencyExponent, DomainRuleViolation, EXCHANGE_RATE_PATTERN, isCurrencyCode, type Decider } from '@crm/kernel';

/**
 * Exchange rates for reporting (issue 10 §6): how many units of a reporting currency one unit of
 * another currency is worth, in force from an effective day until the next rate of the same pair.
 * Sales managers set them; the forecast and the attainment convert with the rates in force on a day.
 *
 * A rate is an exact decimal kept as text (`"0.9231"`, at most 12 integer and 12 fraction digits,
 * greater than zero) and computed as a fraction of bigints — never a float. Rounding rule:
 * `amount × rate` is taken to the reporting currency's minor unit (the currencies' exponents
 * may differ: JPY 0, EUR 2, KWD 3) and rounded once, half away from zero, per converted amount.
 *
 * Every table lives in one stream (`sales-exchange-rates`), published as the integration event
 * `ExchangeRatesSet` (keyed by the reporting currency) so analytics converts with the same rates and
 * this same rule (`convertMinorUnits`, `convertOn`).
 */

export const EXCHANGE_RATES_STREAM = 'sales-exchange-rates';
export const MAX_RATES_PER_CHANGE = 200;
/** A rate as text: 1–12 integer digits, optionally a point and 1–12 fraction digits. */
export const RATE_PATTERN = EXCHANGE_RATE_PATTERN;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` naming a day that exists (no 2026-02-30). */
export const isCalendarDay = (day: string): boolean => {
  if (!DAY.test(day)) return false;
  const at = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day;
};

export interface ExchangeRate {
  /** The currency converted from. */
  currency: string;
  /** Units of the reporting currency per unit of `currency`, as an exact decimal. */
  rate: string;
}

export interface ExchangeRateEntry extends ExchangeRate {
  reportingCurrency: string;
  /** `YYYY-MM-DD`: in force from this day until the pair's next effective day. */
  effectiveDate: string;
  setBy: string;
  setAt: string;
}

export type ExchangeRateEvent = {
  type: 'ExchangeRatesSet';
  data: { reportingCurrency: string; effectiveDate: string; rates: ExchangeRate[]; setBy: string; setAt: string };
};
export type ExchangeRateCommand = { type: 'SetExchangeRates'; data: ExchangeRateEvent['data'] };

/** Per reporting currency, per currency: its rates by effective day, oldest first. */
export type ExchangeRates = ReadonlyMap<string, ReadonlyMap<string, readonly ExchangeRateEntry[]>>;

/** A decimal rate as an exact fraction `numerator / 10^scale`; refuses zero, signs, exponents. */
export function parseRate(rate: string): { numerator: bigint; scale: number } {
  if (!RATE_PATTERN.test(rate)) throw new DomainRuleViolation('rate-format', `${JSON.stringify(rate)} is not a decimal rate such as 0.9231`);
  const [whole, fraction = ''] = rate.split('.');
  const numerator = BigInt(whole + fraction);
  if (numerator === 0n) throw new DomainRuleViolation('rate-positive', 'a rate is greater than zero');
  return { numerator, scale: fraction.length };
}

/**
 * `amount` minor units of `from` in minor units of `to` at `rate` (units of `to` per unit of
 * `from`): exact, rounded once to the minor unit, half away from zero. 1000 JPY at 0.0061 EUR is
 * 610 cents; 1 cent at 0.5 is 0.5 → 1 cent.
 */
export function convertMinorUnits(amount: bigint | number, from: string, to: string, rate: string): bigint {
  const value = BigInt(amount);
  const { numerator, scale } = parseRate(rate);
  const top = value * numerator * 10n ** BigInt(currencyExponent(to));
  const bottom = 10n ** BigInt(scale + currencyExponent(from));
  const half = bottom / 2n;
  // bottom is a power of ten ≥ 1: when it is 1 there is nothing to round.
  if (bottom === 1n) return top;
  return top >= 0n ? (top + half) / bottom : -((-top + half) / bottom);
}

/** The rate of `currency` to `reportingCurrency` in force on `day` (`YYYY-MM-DD`); undefined: none set by then. */
export function rateOn(rates: ExchangeRates, currency: string, reportingCurrency: string, day: string): ExchangeRateEntry | undefined {
  const entries = rates.get(reportingCurrency)?.get(currency) ?? [];
  let found: ExchangeRateEntry | undefined;
  for (const e of entries) if (e.effectiveDate <= day) found = e;
  return found;
}

/** Every rate to `reportingCurrency` (or to each reporting currency) in force on `day`, by reporting currency then currency. */
export function ratesOn(rates: ExchangeRates, day: string, reportingCurrency?: string): ExchangeRateEntry[] {
  const out: ExchangeRateEntry[] = [];
  for (const [reporting, table] of [...rates].sort(([a], [b]) => a.localeCompare(b))) {
    if (reportingCurrency !== undefined && reporting !== reportingCurrency) continue;
    for (const currency of [...table.keys()].sort()) {
      const e = rateOn(rates, currency, reporting, day);
      if (e) out.push(e);
    }
  }
  return out;
}

/**
 * `amount` of `currency` in `reportingCurrency` with the rate in force on `day`: the amount itself
 * when the currencies are the same, undefined when no rate was set for that day.
 */
export function convertOn(rates: ExchangeRates, amount: bigint | number, currency: string, reportingCurrency: string, day: string): bigint | undefined {
  if (currency === reportingCurrency) return BigInt(amount);
  const entry = rateOn(rates, currency, reportingCurrency, day);
  return entry ? convertMinorUnits(amount, currency, reportingCurrency, entry.rate) : undefined;
}

export function evolveExchangeRates(state: ExchangeRates, event: ExchangeRateEvent): ExchangeRates {
  const d = event.data;
  const next = new Map(state);
  const table = new Map(state.get(d.reportingCurrency) ?? []);
  for (const r of d.rates) {
    const entry: ExchangeRateEntry = { ...r, reportingCurrency: d.reportingCurrency, effectiveDate: d.effectiveDate, setBy: d.setBy, setAt: d.setAt };
    // A rate set again for the same day replaces the earlier one.
    const kept = (table.get(r.currency) ?? []).filter((e) => e.effectiveDate !== d.effectiveDate);
    table.set(
      r.currency,
      [...kept, entry].sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate)),
    );
  }
  next.set(d.reportingCurrency, table);
  return next;
}

export function decideExchangeRates(command: ExchangeRateCommand, state: ExchangeRates): ExchangeRateEvent[] {
  const d = command.data;
  if (!isCurrencyCode(d.reportingCurrency)) throw new DomainRuleViolation('unknown-currency', `${d.reportingCurrency} is not an ISO 4217 currency`);
  if (!isCalendarDay(d.effectiveDate)) throw new DomainRuleViolation('effective-date-format', 'an effective date is a calendar day, YYYY-MM-DD');
  if (d.rates.length === 0) throw new DomainRuleViolation('rates-needed', 'at least one rate');
  if (d.rates.length > MAX_RATES_PER_CHANGE) throw new DomainRuleViolation('too-many-rates', `at most ${MAX_RATES_PER_CHANGE} rates at once`);
  const seen = new Set<string>();
  for (const r of d.rates) {
    if (!isCurrencyCode(r.currency)) throw new DomainRuleViolation('unknown-currency', `${r.currency} is not an ISO 4217 currency`);
    if (r.currency === d.reportingCurrency) throw new DomainRuleViolation('rate-to-itself', `${r.currency} is the reporting currency: its rate is always 1`);
    if (seen.has(r.currency)) throw new DomainRuleViolation('currencies-unique', `${r.currency} is given twice`);
    seen.add(r.currency);
    parseRate(r.rate);
  }
  // Only what differs from the rates already set for that day is recorded (a retried PUT adds nothing).
  const changed = d.rates.filter((r) => {
    const same = state
      .get(d.reportingCurrency)
      ?.get(r.currency)
      ?.find((e) => e.effectiveDate === d.effectiveDate);
    return !same || !sameRate(same.rate, r.rate);
  });
  return changed.length ? [{ type: 'ExchangeRatesSet', data: { ...d, rates: changed } }] : [];
}

/** Equal as numbers: "0.90" is "0.9". */
function sameRate(a: string, b: string): boolean {
  const x = parseRate(a);
  const y = parseRate(b);
  return x.numerator * 10n ** BigInt(y.scale) === y.numerator * 10n ** BigInt(x.scale);
}

export const exchangeRatesDecider: Decider<ExchangeRates, ExchangeRateCommand, ExchangeRateEvent> = {
  decide: decideExchangeRates,
  evolve: evolveExchangeRates,
  initialState: new Map(),
};
