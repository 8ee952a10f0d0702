import { rocAuc } from './roc-auc';

describe('ROC AUC (Mann–Whitney)', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  it('counts the pairs a positive wins, by hand', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4, 0.9: 0.35 beats 0.1 (1); 0.8 beats 0.1 and 0.4 (2) → 3 / 6
    expect(rocAuc([0.1, 0.35, 0.4, 0.8, 0.9], [0, 1, 0, 1, 0])).toBe(0.5);
    // positives 0.9, 0.6; negatives 0.1, 0.7, 0.3: 0.9 beats all 3, 0.6 beats 2 → 5 / 6
    expect(rocAuc([0.9, 0.1, 0.6, 0.7, 0.3], [1, 0, 1, 0, 0])).toBeCloseTo(5 / 6, 15);
  });

  it('counts a tie as one half', () => {
    expect(rocAuc([0.5, 0.5], [1, 0])).toBe(0.5);
    // positive 0.5 vs negatives 0.5 (½) and 0.2 (1); positive 0.7 beats both (2) → 3.5 / 4
    expect(rocAuc([0.5, 0.5, 0.2, 0.7], [1, 0, 0, 1])).toBe(0.875);
    // every score equal: no information
    expect(rocAuc([1, 1, 1, 1, 1], [1, 0, 1, 0, 0])).toBe(0.5);
  });

  it('is undefined (null) without both classes', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
    expect(() => rocAuc([0.1], [])).toThrow(RangeError);
  });
});
