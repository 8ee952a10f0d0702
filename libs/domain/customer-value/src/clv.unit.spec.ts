import { type BgNbdParams, conditionalExpectedPurchases } from './bgnbd';
import { customerLifetimeValue } from './clv';

const PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const customer = { x: 2, tx: 30.43, T: 38.86 };

describe('customerLifetimeValue', () => {
  it('without discounting is margin × spend × expected purchases over the whole horizon', () => {
    const clv = customerLifetimeValue(PAPER, customer, 20, { periods: 12, periodLength: 4.345, discountRate: 0, margin: 0.3 });
    expect(clv).toBeCloseTo(0.3 * 20 * conditionalExpectedPurchases(PAPER, customer, 12 * 4.345), 10);
  });

  it('discounts each period’s expected purchases at (1+d)^i', () => {
    // Three periods by hand.
    const e = [0, 1, 2, 3].map((i) => conditionalExpectedPurchases(PAPER, customer, i * 4));
    const d = 0.05;
    const expected = 50 * ((e[1] - e[0]) / (1 + d) + (e[2] - e[1]) / (1 + d) ** 2 + (e[3] - e[2]) / (1 + d) ** 3);
    expect(customerLifetimeValue(PAPER, customer, 50, { periods: 3, periodLength: 4, discountRate: d, margin: 1 })).toBeCloseTo(expected, 12);
  });

  it('is lower with a higher discount rate and zero over an empty horizon', () => {
    const options = { periods: 24, periodLength: 4.345, margin: 1 };
    const low = customerLifetimeValue(PAPER, customer, 20, { ...options, discountRate: 0.01 });
    const high = customerLifetimeValue(PAPER, customer, 20, { ...options, discountRate: 0.1 });
    expect(high).toBeLessThan(low);
    expect(customerLifetimeValue(PAPER, customer, 20, { ...options, periods: 0, discountRate: 0.01 })).toBe(0);
  });

  it('refuses a nonsensical horizon or rate', () => {
    expect(() => customerLifetimeValue(PAPER, customer, 1, { periods: -1, periodLength: 1, discountRate: 0, margin: 1 })).toThrow(/periods/);
    expect(() => customerLifetimeValue(PAPER, customer, 1, { periods: 1, periodLength: 0, discountRate: 0, margin: 1 })).toThrow(/periodLength/);
    expect(() => customerLifetimeValue(PAPER, customer, 1, { periods: 1, periodLength: 1, discountRate: -1, margin: 1 })).toThrow(/discountRate/);
  });
});
