/**
 * ISO 4217 currencies and money in integer minor units (no floating-point money anywhere).
 *
 * The codes are the runtime's own list (`Intl.supportedValuesOf('currency')`, ICU's ISO 4217 data,
 * withdrawn codes such as HRK included so historical orders stay importable) plus ISO's fund codes,
 * without the codes ISO gives no minor unit (special drawing rights, unit codes: `N.A.` in List One).
 * The exponent is ISO 4217's minor unit, not CLDR's display digits (CLDR shows IDR and HUF without
 * decimals; ISO 4217, and so every amount here, counts them in hundredths).
 */

/** ISO 4217 List One codes with 0, 3 or 4 minor-unit digits; every other code has 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map((c) => [c, 0]),
  ),
  ...Object.fromEntries(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((c) => [c, 3])),
  CLF: 4,
  UYW: 4,
};

/** Fund codes of ISO 4217 that ICU does not list. */
const FUND_CODES = ['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW'];

/** Codes without a minor unit in ISO 4217 (metals, SDR, test and "no currency" codes): not money an order can be in. */
const NO_MINOR_UNIT = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);

function runtimeCodes(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('currency') ?? [];
}

/** The ISO 4217 codes money may be in, sorted. */
export const CURRENCY_CODES: readonly string[] = [...new Set([...runtimeCodes(), ...FUND_CODES])].filter((c) => !NO_MINOR_UNIT.has(c)).sort();

const KNOWN = new Set(CURRENCY_CODES);

export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && KNOWN.has(value);
}

/** Digits after the decimal point in the currency's minor unit (EUR 2, JPY 0, KWD 3, CLF 4). */
export function currencyExponent(currency: string): number {
  if (!KNOWN.has(currency)) throw new RangeError(`${currency} is not an ISO 4217 currency code`);
  return EXPONENTS[currency] ?? 2;
}

/** The outcome of reading a decimal amount: minor units, or why not. */
export type MinorUnitsResult = { ok: true; minor: number } | { ok: false; reason: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * `"1234.50"` EUR → 123450, exactly (string arithmetic, no float): a plain non-negative decimal with
 * a point, no sign, no thousands separators, no exponent. More decimals than the currency has are
 * refused unless they are zeros (`"10.500"` EUR is 1050; `"10.505"` EUR is refused, never rounded).
 * The result stays a safe integer.
 */
export function decimalToMinorUnits(text: string, currency: string): MinorUnitsResult {
  if (!KNOWN.has(currency)) return { ok: false, reason: `${JSON.stringify(currency)} is not an ISO 4217 currency code` };
  const m = DECIMAL.exec(text);
  if (!m) return { ok: false, reason: 'must be a decimal number such as 1234.50 (a point for decimals, no sign, no thousands separators)' };
  const exponent = currencyExponent(currency);
  const fraction = m[2] ?? '';
  if (fraction.length > exponent && /[^0]/.test(fraction.slice(exponent))) {
    return { ok: false, reason: `${currency} has ${exponent} decimal${exponent === 1 ? '' : 's'}: the amount cannot be converted exactly` };
  }
  const minor = BigInt(m[1] + fraction.slice(0, exponent).padEnd(exponent, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'is too large' };
  return { ok: true, minor: Number(minor) };
}

/** 123450 EUR → `"1234.50"`: for display and for files. */
export function minorUnitsToDecimal(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const digits = BigInt(Math.abs(minor))
    .toString()
    .padStart(exponent + 1, '0');
  const sign = minor < 0 ? '-' : '';
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
