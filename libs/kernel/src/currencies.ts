/**
 * ISO 4217 currencies, for money held in integer minor units (cents, sen, fils…) — no floating-point
 * money anywhere.
 *
 * The codes are those `Intl.supportedValuesOf('currency')` listed on Node 20 (ICU 7x, withdrawn codes
 * such as HRK included, so historical orders stay importable), frozen here so that what an event
 * accepted once it accepts on every later runtime too, plus ISO's fund codes ICU does not list
 * (CLF, UYI…). Codes ISO 4217 gives no minor unit (XDR, XSU, metals, test codes) are left out: no
 * amount in minor units can be stated in them. The exponent is ISO 4217's minor unit, not CLDR's
 * display digits (CLDR shows IDR and HUF without decimals; ISO 4217, and so every amount here,
 * counts them in hundredths).
 */
const RUNTIME_CODES = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'ANG',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BHD',
  'BIF',
  'BMD',
  'BND',
  'BOB',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHF',
  'CLP',
  'CNY',
  'COP',
  'CRC',
  'CUC',
  'CUP',
  'CVE',
  'CZK',
  'DJF',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GNF',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HRK',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IQD',
  'IRR',
  'ISK',
  'JMD',
  'JOD',
  'JPY',
  'KES',
  'KGS',
  'KHR',
  'KMF',
  'KPW',
  'KRW',
  'KWD',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'LYD',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'OMR',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'PYG',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'RWF',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SLL',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SVC',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TND',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'UGX',
  'USD',
  'UYU',
  'UZS',
  'VES',
  'VND',
  'VUV',
  'WST',
  'XAF',
  'XCD',
  'XCG',
  'XOF',
  'XPF',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
  'ZWL',
] as const;

/** Fund codes of ISO 4217 that ICU does not list. */
const FUND_CODES = ['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW'] as const;

export type CurrencyCode = (typeof RUNTIME_CODES)[number] | (typeof FUND_CODES)[number];

/** The ISO 4217 codes money may be in, sorted. */
export const CURRENCY_CODES: readonly CurrencyCode[] = [...new Set<CurrencyCode>([...RUNTIME_CODES, ...FUND_CODES])].sort();

const CODES: ReadonlySet<string> = new Set(CURRENCY_CODES);

/** ISO 4217 List One codes with 0, 3 or 4 minor-unit digits; every other code has 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(
    ['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'].map((c) => [c, 0]),
  ),
  ...Object.fromEntries(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'].map((c) => [c, 3])),
  CLF: 4,
  UYW: 4,
};

/**
 * An exchange rate as text (`"0.9231"`): 1–12 integer digits, optionally a point and 1–12 fraction
 * digits — what sales records (`ExchangeRatesSet`) and the published contract accepts: one rule for both.
 */
export const EXCHANGE_RATE_PATTERN = /^\d{1,12}(\.\d{1,12})?$/;

export function isCurrencyCode(value: unknown): value is CurrencyCode {
  return typeof value === 'string' && CODES.has(value);
}

/** Digits after the decimal point in the currency's minor unit (EUR 2, JPY 0, KWD 3, CLF 4). */
export function currencyExponent(currency: string): number {
  if (!CODES.has(currency)) throw new RangeError(`${currency} is not an ISO 4217 currency code`);
  return EXPONENTS[currency] ?? 2;
}

const KNOWN = CODES;

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

/** An amount in minor units as a decimal string in major units: 123450 EUR → "1234.50", 500 JPY → "500", -5 KWD → "-0.005". */
export function minorUnitsToDecimal(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const digits = BigInt(Math.abs(minor))
    .toString()
    .padStart(exponent + 1, '0');
  const sign = minor < 0 ? '-' : '';
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
