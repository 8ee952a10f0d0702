import type { Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { isInstant } from '@crm/contracts';
import { decimalToMinorUnits, isCurrencyCode } from '@crm/kernel';
import { inspectInput } from '@crm/service-kit';
import { MAX_SELL_THROUGH_LINES, type SellThroughLine, type SellThroughLineResult } from './sell-through-reporting';

/**
 * The sell-through CSV: a header naming the columns (any order and case; `external_id` works too),
 * then one row per sold line. Rows with one customerId and externalId are one order (they repeat its
 * orderDate and currency). Prices are decimals in the currency (12.50), converted exactly to minor
 * units by the currency's ISO 4217 exponent — the same reading as the sales order import
 * (libs/app/relationship-api/src/orders/order-csv.ts), parsed by the same library.
 */
export const SELL_THROUGH_CSV_COLUMNS = ['customerId', 'externalId', 'orderDate', 'productId', 'productName', 'quantity', 'unitPrice', 'currency'] as const;
type Column = (typeof SELL_THROUGH_CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['customerId', 'externalId', 'orderDate', 'productId', 'quantity', 'unitPrice', 'currency'];
/** 5 MB: 500 lines are far less; anything larger is not one report. */
export const MAX_SELL_THROUGH_CSV_BYTES = 5 * 1024 * 1024;
const MAX_TEXT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The file is refused as a whole (its header, its size, its number of lines, a CSV that cannot be read): `status` 400 or 413, naming `field`. */
export class SellThroughCsvRefusedError extends Error {
  override readonly name = 'SellThroughCsvRefusedError';
  constructor(
    readonly status: 400 | 413,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const normalise = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const COLUMN_BY_NAME = new Map<string, Column>(SELL_THROUGH_CSV_COLUMNS.map((c) => [normalise(c), c]));

/** One row checked and converted; the first problem names its column. */
function readRow(line: number, v: (c: Column) => string): { ok: true; line: SellThroughLine } | { ok: false; field: string; reason: string } {
  const bad = (field: string, reason: string) => ({ ok: false as const, field, reason });
  for (const c of REQUIRED) if (!v(c)) return bad(c, `${c} is required`);
  for (const c of ['externalId', 'productId', 'productName'] as const) if (v(c).length > MAX_TEXT) return bad(c, `${c} is longer than ${MAX_TEXT} characters`);
  if (!UUID.test(v('customerId'))) return bad('customerId', 'customerId must be a UUID (a customer shared with you)');
  if (!isInstant(v('orderDate'))) return bad('orderDate', 'orderDate must be an ISO 8601 date such as 2026-03-01 (or an instant such as 2026-03-01T09:00:00Z)');
  const currency = v('currency').toUpperCase();
  if (!isCurrencyCode(currency)) return bad('currency', 'currency must be an ISO 4217 code such as EUR');
  if (!/^\d{1,9}$/.test(v('quantity')) || Number(v('quantity')) < 1) return bad('quantity', 'quantity must be a whole number from 1 to 999999999');
  const unitPrice = decimalToMinorUnits(v('unitPrice'), currency);
  if (!unitPrice.ok) return bad('unitPrice', `unitPrice ${unitPrice.reason}`);
  return {
    ok: true,
    line: {
      line,
      customerId: v('customerId').toLowerCase(),
      externalId: v('externalId'),
      orderDate: v('orderDate'),
      productId: v('productId'),
      ...(v('productName') && { productName: v('productName') }),
      quantity: Number(v('quantity')),
      unitPrice: unitPrice.minor,
      currency,
    },
  };
}

/**
 * Reads a sell-through CSV (csv-parse, as it arrives). Returns the readable lines and the refused
 * rows, each naming its file line (1 is the header) and column. Throws SellThroughCsvRefusedError for
 * the file as a whole: past 5 MB (413), past 500 lines, a header without the required columns or
 * with an unknown one, or a CSV that cannot be read (400).
 */
export async function readSellThroughCsv(body: Readable): Promise<{ lines: SellThroughLine[]; refused: SellThroughLineResult[] }> {
  let bytesRead = 0;
  const parser = parse({ info: true, bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 64 * 1024 });
  body.on('data', (chunk: Buffer) => {
    bytesRead += chunk.length;
    if (bytesRead > MAX_SELL_THROUGH_CSV_BYTES)
      parser.destroy(new SellThroughCsvRefusedError(413, 'body', `a sell-through file is at most ${MAX_SELL_THROUGH_CSV_BYTES} bytes: send it in parts`));
  });
  body.pipe(parser);
  let columns: (Column | undefined)[] | undefined;
  const lines: SellThroughLine[] = [];
  const refused: SellThroughLineResult[] = [];
  let rows = 0;
  // csv-parse counts a CRLF inside a quoted value as two lines: take those back off its count.
  let crlfInValues = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      for (const value of record) crlfInValues += value.split('\r\n').length - 1;
      const line = info.lines - crlfInValues;
      if (columns === undefined) {
        columns = record.map((name) => COLUMN_BY_NAME.get(normalise(name)));
        const unknown = record.filter((_, i) => columns![i] === undefined);
        if (unknown.length > 0)
          throw new SellThroughCsvRefusedError(
            400,
            'header',
            `unknown column(s) ${unknown.map((u) => JSON.stringify(u.slice(0, 50))).join(', ')}; the columns are ${SELL_THROUGH_CSV_COLUMNS.join(', ')}`,
          );
        if (new Set(columns).size !== columns.length) throw new SellThroughCsvRefusedError(400, 'header', 'a column is named twice');
        const missing = REQUIRED.filter((c) => !columns!.includes(c));
        if (missing.length > 0) throw new SellThroughCsvRefusedError(400, 'header', `the header must name the column(s) ${missing.join(', ')}`);
        continue;
      }
      rows += 1;
      if (rows > MAX_SELL_THROUGH_LINES)
        throw new SellThroughCsvRefusedError(400, 'body', `a report holds at most ${MAX_SELL_THROUGH_LINES} lines: send the rest in another file`);
      const refuse = (field: string, reason: string) => refused.push({ line, status: 'refused', field, reason, code: 'invalid-line' });
      if (record.length !== columns.length) {
        refuse('line', `${record.length} values for ${columns.length} columns`);
        continue;
      }
      const values = Object.fromEntries(columns.map((c, i) => [c, record[i]])) as Partial<Record<Column, string>>;
      const hostile = inspectInput(values, 'line');
      if (hostile.length > 0) {
        refuse(hostile[0].field.replace(/^line\./, ''), hostile[0].message);
        continue;
      }
      // Bytes that are not UTF-8 (a lone surrogate's, a Latin-1 file's) were decoded as U+FFFD.
      const undecodable = columns.find((c, i) => c !== undefined && record[i].includes('\uFFFD'));
      if (undecodable) {
        refuse(undecodable, `${undecodable} is not valid UTF-8 (the file must be UTF-8)`);
        continue;
      }
      const read = readRow(line, (c) => values[c]?.trim() ?? '');
      if (read.ok) lines.push(read.line);
      else refuse(read.field, read.reason);
    }
  } catch (error) {
    body.unpipe(parser);
    if (error instanceof SellThroughCsvRefusedError) throw error;
    if ((error as { code?: string }).code?.startsWith('CSV_'))
      throw new SellThroughCsvRefusedError(400, 'body', `the CSV cannot be read: ${(error as Error).message}`);
    throw error;
  }
  if (columns === undefined) throw new SellThroughCsvRefusedError(400, 'header', 'the file is empty: the first line must name the columns');
  return { lines, refused };
}
