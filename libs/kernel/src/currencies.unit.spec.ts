import { CURRENCY_CODES, currencyExponent, isCurrencyCode, minorUnitsToDecimal } from './currencies';

describe('currencies (ISO 4217)', () => {
  it('knows the codes of a real list, and nothing else', () => {
    // Every frozen code is one the runtime's ICU knows as a currency (Intl.supportedValuesOf).
    const intl = new Set(Intl.supportedValuesOf('currency'));
    expect(CURRENCY_CODES.filter((c) => !intl.has(c))).toEqual([]);
    expect(isCurrencyCode('EUR')).toBe(true);
    expect(isCurrencyCode('IDR')).toBe(true);
    for (const bad of ['eur', 'EURO', 'XYZ', 'XXX', 'XDR', '', ' EUR', 'E\u0000R', 978, null]) expect(isCurrencyCode(bad)).toBe(false);
  });

  it('gives the minor-unit exponent of ISO 4217, not the display digits', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('IDR')).toBe(2); // shown without decimals, but ISO 4217 says 2
    expect(minorUnitsToDecimal(1234567, 'EUR')).toBe('12345.67');
    expect(minorUnitsToDecimal(5, 'EUR')).toBe('0.05');
    expect(minorUnitsToDecimal(500, 'JPY')).toBe('500');
    expect(minorUnitsToDecimal(1, 'KWD')).toBe('0.001');
    expect(minorUnitsToDecimal(-5, 'KWD')).toBe('-0.005');
  });
});
