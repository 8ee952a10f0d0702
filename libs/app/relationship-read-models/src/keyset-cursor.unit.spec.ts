import { badCursor } from '@crm/service-kit';
import {
  CURSOR_NOT_GIVEN_OUT,
  CURSOR_OF_ANOTHER_SORT,
  cursorParts,
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  keysetAfter,
  type CursorPart,
} from './keyset-cursor';
import { sqlParameters } from './sql-parameters';

const { list, sort, text, integer, number, either } = cursorParts;
// The shape most lists use: name, sort, key, id.
const parts = (s: string, numeric = false) => [list('things'), sort(s), numeric ? integer() : text({ max: 100 }), text({ min: 1, max: 200 })] as const;
const raw = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const refusal = (cursor: string, of: readonly CursorPart<unknown>[]): string => {
  try {
    decodeCursor(cursor, of);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCursorError);
    return (error as Error).message;
  }
  throw new Error('the cursor was accepted');
};

describe('keyset cursors', () => {
  it('reads back what it wrote, position by position', () => {
    const cursor = encodeCursor(['things', 'name', 'Ada', 'id-1']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/); // opaque and safe in a query string
    expect(decodeCursor(cursor, parts('name'))).toEqual(['things', 'name', 'Ada', 'id-1']);
    expect(decodeCursor(encodeCursor(['things', 'amount', 1250, 'id-2']), parts('amount', true))).toEqual(['things', 'amount', 1250, 'id-2']);
  });

  it('refuses garbage: not base64url JSON, not an array', () => {
    for (const garbage of ['', '!!!', 'not-a-cursor', raw('{"a":1'), raw('\u0000'), raw({ sort: 'name' }), raw('"text"'), raw(42), raw(null)])
      expect(refusal(garbage, parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
  });

  it('refuses the wrong shape: too few or too many positions, wrong types, nested arrays, over-long keys', () => {
    expect(refusal(raw(['things', 'name', 'Ada']), parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
    expect(refusal(raw(['things', 'name', 'Ada', 'id-1', 'extra']), parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
    expect(refusal(raw(['things', 'name', 7, 'id-1']), parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
    expect(refusal(raw(['things', 'name', ['Ada'], 'id-1']), parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
    expect(refusal(raw(['things', 'name', 'Ada', '']), parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
    expect(refusal(raw(['things', 'name', 'A'.repeat(101), 'id-1']), parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
    expect(refusal(raw(['things', 'amount', 1.5, 'id-1']), parts('amount', true))).toBe(CURSOR_NOT_GIVEN_OUT);
    expect(refusal(raw(['things', 'amount', 2 ** 60, 'id-1']), parts('amount', true))).toBe(CURSOR_NOT_GIVEN_OUT);
  });

  it("refuses another list's cursor, and one of another sort with its own message", () => {
    expect(refusal(encodeCursor(['others', 'name', 'Ada', 'id-1']), parts('name'))).toBe(CURSOR_NOT_GIVEN_OUT);
    // Checked before the key: an amount cursor under a name sort says why, not merely that the key is wrong.
    expect(refusal(encodeCursor(['things', 'amount', 1250, 'id-1']), parts('name'))).toBe(CURSOR_OF_ANOTHER_SORT);
    expect(refusal(encodeCursor(['name', 'Ada']), [sort('-name', 'custom refusal'), text()])).toBe('custom refusal');
  });

  it('refuses a tampered cursor: a key edited to something this list never writes', () => {
    const timestamp = text({ pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/ });
    const given = encodeCursor(['things', '2026-01-02T03:04:05.123456', 'id-1']);
    expect(decodeCursor(given, [list('things'), timestamp, text()])[1]).toBe('2026-01-02T03:04:05.123456');
    const [name, , id] = JSON.parse(Buffer.from(given, 'base64url').toString('utf8')) as string[];
    const tampered = encodeCursor([name, "2026-01-02' OR 1=1 --", id]);
    expect(refusal(tampered, [list('things'), timestamp, text()])).toBe(CURSOR_NOT_GIVEN_OUT);
    // A flipped character breaks the JSON.
    expect(refusal(`x${given.slice(1)}`, [list('things'), timestamp, text()])).toBe(CURSOR_NOT_GIVEN_OUT);
  });

  it('text checks its bounds and a further rule; either takes one of two', () => {
    const date = text({ valid: (s) => !Number.isNaN(Date.parse(s)) });
    expect(decodeCursor(raw(['2026-01-01T00:00:00Z']), [date])).toEqual(['2026-01-01T00:00:00Z']);
    expect(refusal(raw(['yesterday']), [date])).toBe(CURSOR_NOT_GIVEN_OUT);
    const key = either(text(), number());
    expect(decodeCursor(raw([1.5]), [key])).toEqual([1.5]);
    expect(decodeCursor(raw(['a']), [key])).toEqual(['a']);
    expect(refusal(raw([true]), [key])).toBe(CURSOR_NOT_GIVEN_OUT);
  });

  it('every refusal becomes the same 400 problem naming `cursor`', () => {
    const problem = badCursor(refusal('garbage', parts('name')));
    expect(problem.status).toBe(400);
    expect(problem.toProblemDetails()).toMatchObject({ errors: [{ field: 'cursor', message: CURSOR_NOT_GIVEN_OUT }] });
  });

  it('the keyset condition: past the key in the sort direction, or at it and past the id; parameters numbered as added', () => {
    const { params, p } = sqlParameters();
    expect(p('x')).toBe('$1');
    const condition = keysetAfter({ expr: 'o.amount', cast: '::bigint', desc: true }, 'o.episode_id', p(1250), p('id-1'));
    expect(condition).toBe('(o.amount < $2::bigint OR (o.amount = $2::bigint AND o.episode_id > $3))');
    expect(params).toEqual(['x', 1250, 'id-1']);
    expect(keysetAfter({ expr: 'a.due_at', desc: false }, 'a.id', '$1', '$2')).toBe('(a.due_at > $1 OR (a.due_at = $1 AND a.id > $2))');
  });
});
