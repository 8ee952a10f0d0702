import { copyText, type BulkColumn } from './bulk-insert';

interface Row {
  id: string;
  note: string | null | undefined;
  flag: boolean;
  doc: unknown;
}
const columns: BulkColumn<keyof Row>[] = [
  { name: 'id', type: 'text' },
  { name: 'note', type: 'text' },
  { name: 'flag', type: 'boolean' },
  { name: 'doc', type: 'jsonb' },
];

describe('copyText (COPY text format)', () => {
  it('separates columns by tabs and rows by newlines, in the columns’ order', () => {
    expect(copyText(columns, [{ doc: { a: 1 }, flag: true, note: 'x', id: '1' }])).toBe('1\tx\tt\t{"a":1}\n');
  });

  it('writes null and undefined as \\N, and false as f', () => {
    expect(
      copyText(columns, [
        { id: '1', note: null, flag: false, doc: null },
        { id: '2', note: undefined, flag: false, doc: [] },
      ]),
    ).toBe('1\t\\N\tf\t\\N\n2\t\\N\tf\t[]\n');
  });

  it('escapes backslashes, tabs, newlines and carriage returns of text', () => {
    expect(copyText(columns, [{ id: 'a\\b', note: 'one\ttwo\nthree\rfour', flag: true, doc: {} }])).toBe('a\\\\b\tone\\ttwo\\nthree\\rfour\tt\t{}\n');
  });

  it("writes jsonb as its JSON with JSON's own escapes doubled (the server reads them back)", () => {
    const doc = { text: 'say "hi"\n\tC:\\dir', emoji: '👋', nested: [{ k: 'é' }] };
    const line = copyText(columns, [{ id: '1', note: 'n', flag: true, doc }]);
    const field = line.slice(0, -1).split('\t')[3];
    // COPY undoes the doubling; what it then parses as jsonb is the value's JSON.
    expect(JSON.parse(field.replace(/\\(.)/g, (_, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c] ?? c))).toEqual(doc);
    expect(field).not.toMatch(/[\t\n\r]/);
  });

  it('gives nothing for no rows (an empty line would be a row)', () => {
    expect(copyText(columns, [])).toBe('');
  });
});
