import { differenceInterval, twoProportionPValue, wilsonInterval } from './proportions';

// Reference values: Newcombe, "Two-sided confidence intervals for the single proportion" and
// "Interval estimation for the difference between independent proportions", Statistics in
// Medicine 17 (1998), tables I and II (method 3 resp. method 10), to the four decimals printed there.
const four = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 10_000) / 10_000);

describe('Wilson score interval', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: [%f, %f] as published', (x, n, lower, upper) => {
    const interval = wilsonInterval(x, n)!;
    expect([four(interval.lower), four(interval.upper)]).toEqual([lower, upper]);
  });

  it('stays inside [0, 1] where Wald would leave it, and widens with the confidence asked', () => {
    const all = wilsonInterval(10, 10)!;
    expect(all.upper).toBeCloseTo(1, 12);
    expect(all.upper).toBeLessThanOrEqual(1);
    expect(all.lower).toBeGreaterThan(0.65);
    const ninety = wilsonInterval(30, 100, 0.9)!;
    const ninetyNine = wilsonInterval(30, 100, 0.99)!;
    expect(ninetyNine.upper - ninetyNine.lower).toBeGreaterThan(ninety.upper - ninety.lower);
  });

  it('has no interval without trials and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });
});

describe("Newcombe's hybrid score interval for a difference", () => {
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
  ])('%i/%i − %i/%i: [%f, %f] as published', (x1, n1, x2, n2, lower, upper) => {
    const interval = differenceInterval(x1, n1, x2, n2)!;
    expect([four(interval.lower), four(interval.upper)]).toEqual([lower, upper]);
    expect(interval.difference).toBeCloseTo(x1 / n1 - x2 / n2, 12);
  });

  it('is undefined when a group is empty', () => {
    expect(differenceInterval(1, 10, 0, 0)).toBeUndefined();
  });
});

describe('two-proportion z test', () => {
  it('gives the pooled test p-value', () => {
    // pooled 104/150, se = 0.07547, z = 2.650 → p = 0.0080
    expect(twoProportionPValue(56, 70, 48, 80)).toBeCloseTo(0.008045, 5);
  });

  it('is 1 for equal rates and undefined when the pooled rate leaves nothing to test', () => {
    expect(twoProportionPValue(10, 100, 20, 200)).toBeCloseTo(1, 6);
    expect(twoProportionPValue(0, 10, 0, 20)).toBeUndefined();
    expect(twoProportionPValue(10, 10, 20, 20)).toBeUndefined();
  });
});
