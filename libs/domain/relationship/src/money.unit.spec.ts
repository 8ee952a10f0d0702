import { applyRate, formatMoney, formatRate, isCalendarDate, isIso4217Currency, minorUnitDigits } from './money';

describe('money in minor units', () => {
  it('knows ISO 4217 codes from a real list, upper case only', () => {
    expect(['EUR', 'IDR', 'JPY', 'USD'].every(isIso4217Currency)).toBe(true);
    for (const code of ['eur', 'XYZ', 'EURO', 'E1R', '', 42]) expect(isIso4217Currency(code)).toBe(false);
  });

  it('rounds a rate half away from zero to a whole minor unit, on bigint', () => {
    expect(applyRate(1000n, 1250)).toBe(125n); // exact
    expect(applyRate(5n, 1000)).toBe(1n); // 0.5 → 1
    expect(applyRate(15n, 1000)).toBe(2n); // 1.5 → 2
    expect(applyRate(25n, 1000)).toBe(3n); // 2.5 → 3 (not banker's 2)
    expect(applyRate(14n, 1000)).toBe(1n); // 1.4 → 1
    expect(applyRate(-25n, 1000)).toBe(-3n); // away from zero
    expect(applyRate(333n, 3333)).toBe(111n); // 110.9889 → 111
    expect(applyRate(0n, 10000)).toBe(0n);
    // far beyond a double's exact range, still exact
    expect(applyRate(9_007_199_254_740_993n * 3n, 5000)).toBe(13_510_798_882_111_490n);
  });

  it('shows amounts with the currency minor unit, never through floating point', () => {
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('BHD')).toBe(3);
    expect(formatMoney(123456, 'EUR')).toBe('EUR 1,234.56');
    expect(formatMoney(5, 'EUR')).toBe('EUR 0.05');
    expect(formatMoney(-1999, 'EUR')).toBe('EUR -19.99');
    expect(formatMoney(1234567, 'JPY')).toBe('JPY 1,234,567');
    expect(formatMoney(1001, 'BHD')).toBe('BHD 1.001');
    expect(formatMoney(9_007_199_254_740_991, 'EUR')).toBe('EUR 90,071,992,547,409.91');
    expect(formatRate(1250)).toBe('12.5 %');
    expect(formatRate(1100)).toBe('11 %');
    expect(formatRate(5)).toBe('0.05 %');
  });

  it('takes calendar days that exist', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2028-02-29')).toBe(true);
    for (const d of ['2026-02-29', '2026-13-01', '2026-1-01', '2026-01-01T00:00:00Z', '', 20260101]) expect(isCalendarDate(d)).toBe(false);
  });
});
