import { hashUnit, seededRandom, stratifiedHoldOut } from './random';

describe('deterministic randomness', () => {
  it('repeats a seed and differs between seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(seededRandom(2)()).not.toBe(first[0]);
    for (const v of first) expect(v >= 0 && v < 1).toBe(true);
  });

  it('hashes ids evenly over [0, 1), the same way every time', () => {
    const ids = Array.from({ length: 10000 }, (_, i) => `customer-${i}`);
    const below = ids.filter((id) => hashUnit(id, 42) < 0.3);
    expect(below.length).toBeGreaterThan(2800);
    expect(below.length).toBeLessThan(3200);
    expect(ids.filter((id) => hashUnit(id, 42) < 0.3)).toEqual(below);
    expect(hashUnit('x', 1)).not.toBe(hashUnit('x', 2));
  });

  describe('stratified hold-out', () => {
    // 31 customers, 8 of them churned: the demo data's shape, where a plain hash split of random ids
    // left 0 or 1 churner in the hold-out for about one seed in seven.
    const sample = (prefix: string) => Array.from({ length: 31 }, (_, i) => ({ id: `${prefix}-${i}`, label: i < 8 ? 1 : 0 }));

    it('holds out round(share × n) of each label, for any ids and seed', () => {
      for (let seed = 0; seed < 200; seed++) {
        const items = sample(`run${seed}`);
        const held = stratifiedHoldOut(items, 0.3, seed);
        const heldOf = (label: number) => items.filter((i) => i.label === label && held.has(i.id)).length;
        expect(heldOf(1)).toBe(2); // round(2.4)
        expect(heldOf(0)).toBe(7); // round(6.9)
      }
    });

    it('is the same split whatever the order of the items, and differs between seeds', () => {
      const items = sample('c');
      const held = [...stratifiedHoldOut(items, 0.3, 5)].sort();
      expect([...stratifiedHoldOut([...items].reverse(), 0.3, 5)].sort()).toEqual(held);
      expect([...stratifiedHoldOut(items, 0.3, 6)].sort()).not.toEqual(held);
    });

    it('keeps minPerSide of a label on each side when the label has enough, and splits a smaller one by the share', () => {
      const items = [
        ...Array.from({ length: 4 }, (_, i) => ({ id: `rare-${i}`, label: 'churned' })),
        ...Array.from({ length: 3 }, (_, i) => ({ id: `tiny-${i}`, label: 'other' })),
        ...Array.from({ length: 20 }, (_, i) => ({ id: `common-${i}`, label: 'retained' })),
      ];
      const held = stratifiedHoldOut(items, 0.1, 0, 2);
      const heldOf = (label: string) => items.filter((i) => i.label === label && held.has(i.id)).length;
      expect(heldOf('churned')).toBe(2); // round(0.4) = 0, nudged up to 2, leaving 2 to train on
      expect(heldOf('retained')).toBe(2); // round(2) = 2
      expect(heldOf('other')).toBe(0); // 3 < 2 × 2: the share alone, round(0.3) = 0
      expect(stratifiedHoldOut(items, 0.5, 0, 2).size).toBe(2 + 10 + 2); // round(1.5) = 2 of the 3
    });
  });
});
