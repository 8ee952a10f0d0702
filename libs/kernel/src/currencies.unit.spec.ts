import { CURRENCY_CODES, currencyExponent, decimalToMinorUnits, isCurrencyCode, minorUnitsToDecimal } from './currencies';

describe('currencies (ISO 4217)', () => {
  it('knows the codes of a real list, and nothing else', () => {
    // Every frozen code is one the runtime's ICU knows as a currency (Intl.supportedValuesOf).
    // (ISO's fund codes aside, which ICU does not list.)
    const intl = new Set(Intl.supportedValuesOf('currency'));
    const funds = ['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW'];
    expect(CURRENCY_CODES.filter((c) => !intl.has(c) && !funds.includes(c))).toEqual([]);
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

describe('ISO 4217 currencies', () => {
  it('knows the codes in use and refuses made-up ones, lower case and codes without a minor unit', () => {
    for (const code of ['EUR', 'USD', 'IDR', 'JPY', 'KWD', 'CLF', 'HRK']) expect(isCurrencyCode(code)).toBe(true);
    for (const code of ['eur', 'EURO', 'XYZ', 'ABC', '', 'XAU', 'XDR', 'XXX', 42]) expect(isCurrencyCode(code)).toBe(false);
    expect(CURRENCY_CODES.length).toBeGreaterThan(150);
    expect([...CURRENCY_CODES]).toEqual([...CURRENCY_CODES].sort());
  });

  it("takes the exponent from ISO 4217, not from CLDR's display digits", () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('IDR')).toBe(2); // CLDR shows IDR without decimals
    expect(currencyExponent('HUF')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
    expect(() => currencyExponent('XYZ')).toThrow(RangeError);
  });

  it('converts decimal text to minor units exactly, never through a float', () => {
    expect(decimalToMinorUnits('1234.50', 'EUR')).toEqual({ ok: true, minor: 123450 });
    expect(decimalToMinorUnits('0.1', 'EUR')).toEqual({ ok: true, minor: 10 });
    expect(decimalToMinorUnits('19.99', 'EUR')).toEqual({ ok: true, minor: 1999 }); // 19.99 * 100 is 1998.9999999999998 in floating point
    expect(decimalToMinorUnits('1.005', 'KWD')).toEqual({ ok: true, minor: 1005 });
    expect(decimalToMinorUnits('1500', 'JPY')).toEqual({ ok: true, minor: 1500 });
    expect(decimalToMinorUnits('10.500', 'EUR')).toEqual({ ok: true, minor: 1050 });
    expect(decimalToMinorUnits('007', 'EUR')).toEqual({ ok: true, minor: 700 });
    expect(decimalToMinorUnits('90071992547409.91', 'EUR')).toEqual({ ok: true, minor: 9007199254740991 });
  });

  it('refuses what it cannot convert exactly, saying why', () => {
    for (const [text, currency, reason] of [
      ['10.505', 'EUR', 'cannot be converted exactly'],
      ['1500.5', 'JPY', 'JPY has 0 decimals'],
      ['-5', 'EUR', 'decimal number'],
      ['1,5', 'EUR', 'decimal number'],
      ['1e3', 'EUR', 'decimal number'],
      ['1 000', 'EUR', 'decimal number'],
      ['', 'EUR', 'decimal number'],
      ['.5', 'EUR', 'decimal number'],
      ['90071992547409.92', 'EUR', 'too large'],
      ['1', 'XYZ', 'not an ISO 4217'],
    ]) {
      const r = decimalToMinorUnits(text, currency);
      expect(r.ok).toBe(false);
      expect(r.ok === false && r.reason).toContain(reason);
    }
  });

  it('writes minor units back as decimal text', () => {
    expect(minorUnitsToDecimal(123450, 'EUR')).toBe('1234.50');
    expect(minorUnitsToDecimal(5, 'EUR')).toBe('0.05');
    expect(minorUnitsToDecimal(-5, 'EUR')).toBe('-0.05');
    expect(minorUnitsToDecimal(1500, 'JPY')).toBe('1500');
    expect(minorUnitsToDecimal(1005, 'KWD')).toBe('1.005');
  });
});
