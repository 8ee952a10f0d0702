import hyp2f1 from '@stdlib/math-base-special-hyp2f1';
import { logAddExp, logHyp2f1, logHyp2f1Series } from './special';

// log ₂F₁(a, b; c; z) from mpmath with 40 digits, in the region the BG/NBD predictions use:
// a = r + x, b = b + x, c = a + b + x − 1 for CDNOW-like parameters and x up to 200.
const REFERENCE: [number, number, number, number, number][] = [
  [0.243, 2.426, 2.219, 0.5, 0.18821830926204305],
  [0.243, 2.426, 2.219, 0.99, 1.4759662591470994],
  [5.243, 7.426, 7.219, 0.9, 12.487336857948606],
  [30.243, 32.426, 32.219, 0.95, 91.207471678720446],
  [200.243, 202.426, 202.219, 0.99, 923.10434761345004],
  [2.5, 1.4, 3.4, 0.95, 2.5545039567617736],
  [31.5, 30.4, 32.4, 0.5, 20.476462818608364],
  // ₂F₁(1, 1; 2; z) = −ln(1−z)/z, so at z = ½ it is 2 ln 2.
  [1, 1, 2, 0.5, Math.log(2 * Math.LN2)],
];

describe('logAddExp', () => {
  it('is log(e^a + e^b) where that is representable', () => {
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
  });
  it('does not overflow or underflow where e^a does', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(-1000, -1001)).toBeCloseTo(-1000 + Math.log1p(Math.exp(-1)), 12);
    expect(logAddExp(-Infinity, 5)).toBe(5);
  });
});

describe('log ₂F₁', () => {
  it.each(REFERENCE)('series: log 2F1(%p, %p; %p; %p) = %p', (a, b, c, z, expected) => {
    expect(Math.abs(logHyp2f1Series(a, b, c, z) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });

  it.each(REFERENCE)('logHyp2f1(%p, %p; %p; %p) = %p', (a, b, c, z, expected) => {
    expect(Math.abs(logHyp2f1(a, b, c, z) - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });

  it('stdlib overflows for a customer with ~200 purchases near z = 1, where the series still answers', () => {
    expect(hyp2f1(200.243, 202.426, 202.219, 0.99)).toBe(Infinity);
    expect(logHyp2f1(200.243, 202.426, 202.219, 0.99)).toBeCloseTo(923.10434761345004, 9);
  });

  it('uses Euler’s transformation when it converges faster and agrees with the direct series', () => {
    // c < a + b with c − a, c − b > 0: the transformed branch; compare with mpmath: log 2F1(1.5, 2; 3; 0.97).
    expect(logHyp2f1Series(1.5, 2, 3, 0.97)).toBeCloseTo(Math.log(hyp2f1(1.5, 2, 3, 0.97)), 12);
  });

  it('refuses arguments outside its region instead of answering wrongly', () => {
    expect(() => logHyp2f1Series(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => logHyp2f1Series(1, 1, -0.5, 0.5)).toThrow(RangeError);
  });
});
