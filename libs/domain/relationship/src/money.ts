/**
 * Money in the catalogue and in quotes: integer amounts in the minor unit of an ISO 4217 currency
 * (cents for EUR, yen for JPY), never floating point. Rates (discounts, taxes) are integer basis
 * points (1 bp = 0.01 %). Arithmetic runs on bigint and every stored amount must be a safe integer.
 *
 * Rounding rule (documented in docs/quotes.md): a rate applied to an amount is rounded to the minor
 * unit half away from zero — `round(amount × bp / 10 000)` — once per line; totals are the sums of
 * the rounded line amounts, so the lines always add up to the totals exactly.
 */

/** Every currency this runtime's ICU knows as current ISO 4217 (`Intl.supportedValuesOf('currency')`). */
export const ISO_4217_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** An upper-case ISO 4217 code of a currency in use (EUR, IDR, JPY…). */
export const isIso4217Currency = (code: unknown): code is string => typeof code === 'string' && /^[A-Z]{3}$/.test(code) && ISO_4217_CURRENCIES.has(code);

/** 100 % in basis points. */
export const FULL_RATE_BASIS_POINTS = 10_000;

/**
 * How many digits the minor unit has (EUR 2, JPY 0, BHD 3), as CLDR (Intl) counts them — used only
 * to show amounts; every amount is stored and computed in minor units whatever this says.
 */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `amount × basisPoints / 10 000`, rounded half away from zero to a whole minor unit. */
export function applyRate(amount: bigint, basisPoints: number): bigint {
  const product = amount * BigInt(basisPoints);
  const divisor = BigInt(FULL_RATE_BASIS_POINTS);
  const half = divisor / 2n;
  return product >= 0n ? (product + half) / divisor : -((-product + half) / divisor);
}

/** Whether a bigint amount fits a JSON number exactly. */
export const isSafeAmount = (amount: bigint) => amount <= BigInt(Number.MAX_SAFE_INTEGER) && amount >= BigInt(Number.MIN_SAFE_INTEGER);

/** An amount in minor units as people read it: `EUR 1,234.56` (no floating point on the way). */
export function formatMoney(amount: number | bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  const value = BigInt(amount);
  const negative = value < 0n;
  const text = (negative ? -value : value).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+$)/g, ',');
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${currency} ${negative ? '-' : ''}${whole}${fraction}`;
}

/** A rate in basis points as a percentage: 1250 → `12.5 %`. */
export function formatRate(basisPoints: number): string {
  const whole = Math.trunc(basisPoints / 100);
  const rest = basisPoints % 100;
  return `${whole}${rest === 0 ? '' : `.${String(rest).padStart(2, '0').replace(/0$/, '')}`} %`;
}

/** A calendar day, `YYYY-MM-DD`, that exists (2026-02-30 does not). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The UTC calendar day of an instant: quotes and price books are dated in UTC days. */
export const calendarDayOf = (instant: Date) => instant.toISOString().slice(0, 10);
