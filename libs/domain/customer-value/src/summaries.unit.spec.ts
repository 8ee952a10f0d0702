import { dayNumber, summariseOccasions } from './summaries';

describe('summariseOccasions', () => {
  const occasions = [
    { customerId: 'a', day: '2026-01-01', amount: 100 },
    { customerId: 'a', day: '2026-01-08', amount: 30 },
    { customerId: 'a', day: '2026-01-08', amount: 20 }, // same day: one occasion of 50
    { customerId: 'a', day: '2026-01-22', amount: 10 },
    { customerId: 'a', day: '2026-03-01', amount: 999 }, // after the calibration end
    { customerId: 'b', day: '2026-01-15', amount: 40 },
  ];

  it('counts repeat occasions, excludes the first purchase from the mean spend, and measures from the first purchase', () => {
    const [a, b] = summariseOccasions(occasions, '2026-01-29', 'week');
    expect(a).toEqual({ customerId: 'a', firstDay: '2026-01-01', x: 2, tx: 3, T: 4, monetary: 30, totalAmount: 160 });
    expect(b).toEqual({ customerId: 'b', firstDay: '2026-01-15', x: 0, tx: 0, T: 2, monetary: 0, totalAmount: 40 });
  });

  it('in days', () => {
    const [a] = summariseOccasions(occasions, '2026-01-29', 'day');
    expect(a).toMatchObject({ x: 2, tx: 21, T: 28 });
  });

  it('leaves out customers whose first purchase is after the calibration end', () => {
    expect(summariseOccasions(occasions, '2026-01-10', 'day').map((s) => s.customerId)).toEqual(['a']);
  });

  it('refuses days that do not exist', () => {
    expect(() => summariseOccasions(occasions, '2026-02-30', 'day')).toThrow(/2026-02-30/);
    expect(() => dayNumber('2026-1-1')).toThrow(RangeError);
    expect(dayNumber('1970-01-02')).toBe(1);
  });
});
