import {
  convertMinorUnits,
  convertOn,
  decideExchangeRates,
  evolveExchangeRates,
  exchangeRatesDecider,
  parseRate,
  rateOn,
  ratesOn,
  type ExchangeRateCommand,
  type ExchangeRates,
} from './exchange-rates';

const set = (effectiveDate: string, rates: { currency: string; rate: string }[], reportingCurrency = 'EUR'): ExchangeRateCommand => ({
  type: 'SetExchangeRates',
  data: { reportingCurrency, effectiveDate, rates, setBy: 'mira', setAt: '2026-03-01T09:00:00.000Z' },
});
const apply = (state: ExchangeRates, command: ExchangeRateCommand) => decideExchangeRates(command, state).reduce(evolveExchangeRates, state);
const rule = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { rule?: string }).rule;
  }
  return undefined;
};

describe('exchange rates', () => {
  describe('convertMinorUnits: exact, to the minor unit of the reporting currency, half away from zero', () => {
    it.each([
      [10_000, 'USD', 'EUR', '0.9231', 9_231n], // 100.00 USD → 92.31 EUR
      [1_000, 'JPY', 'EUR', '0.0061', 610n], // 1000 yen → 6.10 EUR (exponents 0 → 2)
      [123_456, 'EUR', 'JPY', '163.27', 201_567n], // 1234.56 EUR × 163.27 = 201566.6112 → 201567 yen (exponents 2 → 0)
      [1, 'EUR', 'USD', '0.5', 1n], // 0.005 USD: a half rounds up
      [1, 'EUR', 'USD', '0.4999', 0n],
      [-1, 'EUR', 'USD', '0.5', -1n], // half away from zero for refunds too
      [1_000, 'KWD', 'EUR', '2.98', 298n], // 1.000 KWD (3 decimals) → 2.98 EUR
      [250, 'EUR', 'KWD', '0.335', 838n], // 2.50 EUR → 0.8375 KWD → 0.838
      [0, 'USD', 'EUR', '0.9', 0n],
    ])('%d %s → %s at %s is %d', (amount, from, to, rate, expected) => {
      expect(convertMinorUnits(amount, from, to, rate)).toBe(expected);
    });

    it('stays exact where floating point would not (amounts past 2^53 in the product, tenths of a cent)', () => {
      expect(convertMinorUnits(9_007_199_254_740_991n, 'EUR', 'USD', '1.000000000001')).toBe(9_007_199_254_749_998n);
      expect(convertMinorUnits(3, 'EUR', 'USD', '0.1')).toBe(0n); // 0.003 USD
      expect(convertMinorUnits(5, 'EUR', 'USD', '0.1')).toBe(1n); // 0.005 USD rounds up exactly
    });

    it('refuses rates that are not positive exact decimals', () => {
      for (const bad of ['0', '0.000', '-1', '1e3', '1,5', '', ' 1', '1.', '.5', '1234567890123', '0.1234567890123', 'NaN'])
        expect(rule(() => parseRate(bad))).toMatch(/^rate-(format|positive)$/);
      expect(parseRate('0.9231')).toEqual({ numerator: 9231n, scale: 4 });
    });
  });

  describe('the rates table: by reporting currency, in force from an effective day', () => {
    let state: ExchangeRates = exchangeRatesDecider.initialState;
    beforeAll(() => {
      state = apply(
        state,
        set('2026-01-01', [
          { currency: 'USD', rate: '0.90' },
          { currency: 'JPY', rate: '0.0062' },
        ]),
      );
      state = apply(state, set('2026-03-01', [{ currency: 'USD', rate: '0.92' }]));
      state = apply(state, set('2026-02-01', [{ currency: 'USD', rate: '0.91' }]));
      state = apply(state, set('2026-01-01', [{ currency: 'EUR', rate: '163' }], 'JPY'));
    });

    it('the rate of a day is the one with the latest effective day on or before it', () => {
      expect(rateOn(state, 'USD', 'EUR', '2025-12-31')).toBeUndefined();
      expect(rateOn(state, 'USD', 'EUR', '2026-01-01')?.rate).toBe('0.90');
      expect(rateOn(state, 'USD', 'EUR', '2026-02-15')?.rate).toBe('0.91');
      expect(rateOn(state, 'USD', 'EUR', '2026-12-31')?.rate).toBe('0.92');
      expect(rateOn(state, 'JPY', 'EUR', '2026-12-31')?.rate).toBe('0.0062');
      expect(ratesOn(state, '2026-02-15').map((r) => [r.reportingCurrency, r.currency, r.rate])).toEqual([
        ['EUR', 'JPY', '0.0062'],
        ['EUR', 'USD', '0.91'],
        ['JPY', 'EUR', '163'],
      ]);
      expect(ratesOn(state, '2026-02-15', 'JPY')).toHaveLength(1);
    });

    it('converts on a day: the same currency as is, no rate yet is undefined (never a guess)', () => {
      expect(convertOn(state, 10_000, 'USD', 'EUR', '2026-02-15')).toBe(9_100n);
      expect(convertOn(state, 10_000, 'EUR', 'EUR', '2020-01-01')).toBe(10_000n);
      expect(convertOn(state, 10_000, 'USD', 'EUR', '2025-01-01')).toBeUndefined();
      expect(convertOn(state, 10_000, 'GBP', 'EUR', '2026-02-15')).toBeUndefined();
      // the other way round is its own rate, not an inverse
      expect(convertOn(state, 100, 'EUR', 'JPY', '2026-02-15')).toBe(163n);
    });

    it('setting the same rates again records nothing; a changed rate for the same day replaces it', () => {
      expect(decideExchangeRates(set('2026-02-01', [{ currency: 'USD', rate: '0.910' }]), state)).toEqual([]);
      const events = decideExchangeRates(
        set('2026-02-01', [
          { currency: 'USD', rate: '0.915' },
          { currency: 'JPY', rate: '0.0062' },
        ]),
        state,
      );
      expect(events).toHaveLength(1);
      expect(events[0].data.rates).toEqual([
        { currency: 'USD', rate: '0.915' },
        { currency: 'JPY', rate: '0.0062' },
      ]);
      const after = events.reduce(evolveExchangeRates, state);
      expect(rateOn(after, 'USD', 'EUR', '2026-02-15')?.rate).toBe('0.915');
      expect(after.get('EUR')?.get('USD')).toHaveLength(3);
    });

    it.each([
      [set('2026-01-01', [{ currency: 'EURO', rate: '1' }]), 'unknown-currency'],
      [set('2026-01-01', [{ currency: 'USD', rate: '1' }], 'XXQ'), 'unknown-currency'],
      [set('2026-01-01', [{ currency: 'EUR', rate: '1' }]), 'rate-to-itself'],
      [
        set('2026-01-01', [
          { currency: 'USD', rate: '1' },
          { currency: 'USD', rate: '2' },
        ]),
        'currencies-unique',
      ],
      [set('2026-01-01', [{ currency: 'USD', rate: '0' }]), 'rate-positive'],
      [set('2026-01-01', [{ currency: 'USD', rate: '1.5e2' }]), 'rate-format'],
      [set('2026-02-30', [{ currency: 'USD', rate: '1' }]), 'effective-date-format'],
      [set('2026-1-01', [{ currency: 'USD', rate: '1' }]), 'effective-date-format'],
      [set('2026-01-01', []), 'rates-needed'],
    ])('refuses case %#', (command, expected) => {
      expect(rule(() => decideExchangeRates(command, state))).toBe(expected);
    });
  });
});
