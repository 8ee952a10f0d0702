import { daysBetween, quintileScores, RFM_SEGMENTS, rfGrid, rfmInputs, scoreRfm, segmentCounts, segmentOf, type Score } from './rfm-scoring';

describe('RFM scoring', () => {
  describe('quintileScores (mid-rank)', () => {
    it('gives each fifth of distinct values one score: 10 values, two of each', () => {
      // percentiles (i + 0.5) / 10 = .05 .15 .25 … .95 → 1 + ⌊5p⌋ = 1 1 2 2 3 3 4 4 5 5
      expect(quintileScores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
      // the order of the input does not matter
      expect(quintileScores([100, 10, 55, 30])).toEqual([5, 1, 4, 2]);
    });

    it('gives ties one score, in the middle of the band the tie spans', () => {
      // six 1s of ten: percentile (0 + 6/2)/10 = .3 → 2; 2: (6 + .5)/10 = .65 → 4; 3 and 3: (7 + 1)/10 = .8 → 5; 9: .95 → 5
      expect(quintileScores([1, 1, 1, 1, 1, 1, 2, 3, 3, 9])).toEqual([2, 2, 2, 2, 2, 2, 4, 5, 5, 5]);
      // all equal: percentile .5 → 3 (nobody is better or worse than anybody)
      expect(quintileScores([7, 7, 7])).toEqual([3, 3, 3]);
      expect(quintileScores([42])).toEqual([3]);
      expect(quintileScores([])).toEqual([]);
    });

    it('three values: .167 .5 .833 → 1 3 5; two: .25 .75 → 2 4', () => {
      expect(quintileScores([5, 1, 3])).toEqual([5, 1, 3]);
      expect(quintileScores([0, 1])).toEqual([2, 4]);
    });
  });

  describe('rfmInputs', () => {
    const occasions = [
      { customerId: 'a', day: '2025-12-31', amount: 1_000 },
      { customerId: 'a', day: '2026-01-01', amount: 200 },
      { customerId: 'a', day: '2026-06-30', amount: 300 },
      { customerId: 'a', day: '2027-01-01', amount: 99_999 }, // after the as-of day
      { customerId: 'b', day: '2025-03-01', amount: 500 }, // before the period only
      { customerId: 'c', day: '2027-02-01', amount: 500 }, // only after the as-of day: no RFM
    ];

    it('counts F and M over the periodDays days ending on the as-of day, R from the last occasion by then', () => {
      expect(rfmInputs(occasions, '2026-12-31', 365)).toEqual([
        // 2026-01-01 … 2026-12-31 is the period; 2025-12-31 is not in it
        { customerId: 'a', lastPurchaseDay: '2026-06-30', recencyDays: 184, frequency: 2, monetary: 500 },
        { customerId: 'b', lastPurchaseDay: '2025-03-01', recencyDays: 670, frequency: 0, monetary: 0 },
      ]);
      expect(rfmInputs(occasions, '2026-12-31', 366)[0]).toMatchObject({ frequency: 3, monetary: 1_500 });
      expect(rfmInputs(occasions, '2026-06-30', 1)).toEqual([
        { customerId: 'a', lastPurchaseDay: '2026-06-30', recencyDays: 0, frequency: 1, monetary: 300 },
        { customerId: 'b', lastPurchaseDay: '2025-03-01', recencyDays: 486, frequency: 0, monetary: 0 },
      ]);
    });

    it('refuses a period that is not a whole number of days ≥ 1', () => {
      for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => rfmInputs(occasions, '2026-12-31', bad)).toThrow(RangeError);
    });

    it('counts days across a leap day', () => {
      expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
      expect(daysBetween('2026-03-29', '2026-03-30')).toBe(1);
    });
  });

  describe('segmentOf', () => {
    it('maps the R × F grid, M only telling lost from hibernating', () => {
      const s = (r: number, f: number, m = 3) => segmentOf(r as Score, f as Score, m as Score);
      expect([s(5, 5), s(5, 4), s(4, 5), s(3, 4), s(4, 4)]).toEqual(['champions', 'champions', 'loyal', 'loyal', 'loyal']);
      expect([s(5, 2), s(4, 3), s(5, 1), s(4, 1)]).toEqual(['potential-loyalist', 'potential-loyalist', 'new', 'promising']);
      expect([s(3, 3), s(3, 2), s(3, 1)]).toEqual(['need-attention', 'about-to-sleep', 'about-to-sleep']);
      expect([s(2, 5), s(1, 5), s(2, 3), s(1, 4)]).toEqual(['cant-lose', 'cant-lose', 'at-risk', 'at-risk']);
      expect([s(2, 2), s(1, 2), s(1, 1, 3), s(1, 1, 2), s(1, 1, 1)]).toEqual(['hibernating', 'hibernating', 'hibernating', 'lost', 'lost']);
    });

    it('gives every one of the 125 cells a segment, and uses every segment', () => {
      const seen = new Set<string>();
      for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(segmentOf(r as Score, f as Score, m as Score));
      expect([...seen].sort()).toEqual([...RFM_SEGMENTS].sort());
    });
  });

  it('scores a small population by hand: cells, segments, counts and the R × F grid', () => {
    const inputs = [
      { customerId: 'a', lastPurchaseDay: '', recencyDays: 1, frequency: 9, monetary: 90_000 },
      { customerId: 'b', lastPurchaseDay: '', recencyDays: 10, frequency: 4, monetary: 30_000 },
      { customerId: 'c', lastPurchaseDay: '', recencyDays: 100, frequency: 1, monetary: 500 },
      { customerId: 'd', lastPurchaseDay: '', recencyDays: 300, frequency: 1, monetary: 100 },
      { customerId: 'e', lastPurchaseDay: '', recencyDays: 5, frequency: 1, monetary: 2_000 },
    ];
    // R on −days: 1 → .9 → 5; 5 → .7 → 4; 10 → .5 → 3; 100 → .3 → 2; 300 → .1 → 1
    // F: three 1s → (0 + 1.5)/5 = .3 → 2; 4 → .7 → 4; 9 → .9 → 5
    // M: 100 → 1, 500 → 2, 2000 → 3, 30000 → 4, 90000 → 5
    const scored = scoreRfm(inputs);
    expect(scored.map((s) => [s.customerId, s.cell, s.segment])).toEqual([
      ['a', '555', 'champions'],
      ['b', '344', 'loyal'],
      ['c', '222', 'hibernating'],
      ['d', '121', 'hibernating'],
      ['e', '423', 'potential-loyalist'],
    ]);
    expect(segmentCounts(scored)).toMatchObject({ champions: 1, loyal: 1, hibernating: 2, 'potential-loyalist': 1, lost: 0 });
    expect(Object.keys(segmentCounts(scored))).toEqual([...RFM_SEGMENTS]);
    expect(rfGrid(scored)).toEqual([
      [0, 1, 0, 0, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 1, 0],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
  });
});
