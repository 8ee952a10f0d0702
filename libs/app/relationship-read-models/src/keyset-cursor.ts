/**
 * Opaque keyset cursors, the one way every list writes and reads them: a JSON array of the list's
 * name, its sort (where it has more than one) and the keys of the last row, as base64url. A cursor
 * is read back only if every position is what this list wrote there; anything else (garbage, another
 * list's cursor, a tampered key) is an `InvalidCursorError`, which the routes answer with the same
 * 400 problem naming `cursor` (`badCursor` in service-kit).
 */

/** A cursor that does not decode to what this list wrote (a 400 for the caller). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

/** The refusal of a cursor this list did not write. */
export const CURSOR_NOT_GIVEN_OUT = 'cursor is not one this list gave out';
/** The refusal of a cursor this list wrote for another sort (its keys compare another column). */
export const CURSOR_OF_ANOTHER_SORT = 'cursor was given out for another sort';

/** One position of a cursor: what it accepts there, and what a refusal says (default `CURSOR_NOT_GIVEN_OUT`). */
export interface CursorPart<T> {
  readonly accepts: (value: unknown) => value is T;
  readonly refusal?: string;
}

export interface CursorTextOptions {
  /** Default 0. */
  min?: number;
  /** Default 1000: a cursor is caller input, and a key longer than any this list writes is not one it gave out. */
  max?: number;
  pattern?: RegExp;
  /** A further check of the text (a date that parses, say). */
  valid?: (text: string) => boolean;
}

/** The positions a cursor is made of; `decodeCursor` checks them in order and answers with the first refusal. */
export const cursorParts = {
  /** The list's name, so one list's cursor is refused by another. */
  list: <L extends string>(name: L): CursorPart<L> => ({ accepts: (v): v is L => v === name }),
  /** The sort the cursor was given out for: a cursor of another sort is refused with its own message. */
  sort: <S extends string>(sort: S, refusal: string = CURSOR_OF_ANOTHER_SORT): CursorPart<S> => ({ accepts: (v): v is S => v === sort, refusal }),
  text: ({ min = 0, max = 1000, pattern, valid }: CursorTextOptions = {}): CursorPart<string> => ({
    accepts: (v): v is string =>
      typeof v === 'string' && v.length >= min && v.length <= max && (pattern === undefined || pattern.test(v)) && (valid === undefined || valid(v)),
  }),
  integer: (): CursorPart<number> => ({ accepts: (v): v is number => Number.isSafeInteger(v) }),
  number: (): CursorPart<number> => ({ accepts: (v): v is number => typeof v === 'number' }),
  /** Either of two parts (a sort key that is text for one sort and a number for another). */
  either: <A, B>(a: CursorPart<A>, b: CursorPart<B>): CursorPart<A | B> => ({ accepts: (v): v is A | B => a.accepts(v) || b.accepts(v) }),
};

/** The values a cursor of these parts holds, position by position. */
export type CursorValues<P extends readonly CursorPart<unknown>[]> = { -readonly [K in keyof P]: P[K] extends CursorPart<infer T> ? T : never };

/** The cursor for the next page: `values` as base64url JSON (decode it with the same parts). */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The values of a cursor this list gave out; any other throws `InvalidCursorError`. */
export function decodeCursor<const P extends readonly CursorPart<unknown>[]>(cursor: string, parts: P): CursorValues<P> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(CURSOR_NOT_GIVEN_OUT);
  }
  if (!Array.isArray(parsed) || parsed.length !== parts.length) throw new InvalidCursorError(CURSOR_NOT_GIVEN_OUT);
  parts.forEach((part, i) => {
    if (!part.accepts(parsed[i])) throw new InvalidCursorError(part.refusal ?? CURSOR_NOT_GIVEN_OUT);
  });
  return parsed as CursorValues<P>;
}

/**
 * The keyset condition "after the cursor's row" in a list sorted on `sort.expr` (descending when
 * `sort.desc`), ties broken by `idColumn` ascending: `(expr < key OR (expr = key AND id > lastId))`.
 * `key` and `id` are placeholders; `sort.cast` (`::text`, `::bigint`) is appended to the key.
 */
export function keysetAfter(sort: { expr: string; cast?: string; desc: boolean }, idColumn: string, key: string, id: string): string {
  const k = `${key}${sort.cast ?? ''}`;
  return `(${sort.expr} ${sort.desc ? '<' : '>'} ${k} OR (${sort.expr} = ${k} AND ${idColumn} > ${id}))`;
}
