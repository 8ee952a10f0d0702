import { hashUnit, inHoldOut, seededRandom } from './random';

describe('deterministic randomness', () => {
  it('repeats a seed and differs between seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(seededRandom(2)()).not.toBe(first[0]);
    for (const v of first) expect(v >= 0 && v < 1).toBe(true);
  });

  it('splits ids into a hold-out of about the share asked for, the same way every time', () => {
    const ids = Array.from({ length: 10000 }, (_, i) => `customer-${i}`);
    const held = ids.filter((id) => inHoldOut(id, 0.3, 42));
    expect(held.length).toBeGreaterThan(2800);
    expect(held.length).toBeLessThan(3200);
    expect(ids.filter((id) => inHoldOut(id, 0.3, 42))).toEqual(held);
    expect(hashUnit('x', 1)).not.toBe(hashUnit('x', 2));
  });
});
