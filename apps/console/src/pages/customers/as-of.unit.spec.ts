import { endOfDay, stepAt } from './as-of';

describe('the as-of control', () => {
  const moments = ['2026-03-01T09:00:00.000Z', '2026-03-01T09:00:05.000Z', '2026-04-10T12:00:00.000Z'];

  it('steps to the last moment recorded before the instant', () => {
    expect(stepAt(moments, '2026-03-01T09:00:00.001Z')).toBe(0);
    expect(stepAt(moments, '2026-03-15T00:00:00.000Z')).toBe(1);
    expect(stepAt(moments, '2026-04-10T12:00:00.001Z')).toBe(2);
    expect(stepAt(moments, '2026-12-31T00:00:00.000Z')).toBe(2);
  });

  it('before the first moment is the first step (the page says the customer was not registered yet)', () => {
    expect(stepAt(moments, '2026-01-01T00:00:00.000Z')).toBe(0);
    expect(stepAt([], '2026-01-01T00:00:00.000Z')).toBe(0);
  });

  it("a day ends at its last millisecond where the browser is, whatever that place's offset", () => {
    const end = endOfDay('2026-03-29');
    expect([end.getFullYear(), end.getMonth(), end.getDate(), end.getHours(), end.getMinutes(), end.getSeconds(), end.getMilliseconds()]).toEqual([
      2026, 2, 29, 23, 59, 59, 999,
    ]);
    expect(new Date(end.getTime() + 1).getDate()).toBe(30);
  });
});
