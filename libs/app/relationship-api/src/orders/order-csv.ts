import type { Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { isInstant } from '@crm/contracts';
import { decimalToMinorUnits, isCurrencyCode } from '@crm/kernel';
import { MAX_ORDER_LINES, type OrderLineInput } from '@crm/relationship';
import { inspectInput } from '@crm/service-kit';

/**
 * The historical order CSV: a header naming the columns (any order and case; `order_id` works too),
 * then one row per order — or per order line, several rows with one `orderId` being one order.
 * Required: customerExternalId, orderId, orderDate, amount, currency. Optional: productId, quantity,
 * unitPrice (an order line; the three together), productName, customerName (for a customer the
 * import registers).
 */
export const ORDER_CSV_COLUMNS = [
  'customerExternalId',
  'orderId',
  'orderDate',
  'amount',
  'currency',
  'productId',
  'quantity',
  'unitPrice',
  'productName',
  'customerName',
] as const;
export type OrderCsvColumn = (typeof ORDER_CSV_COLUMNS)[number];
const REQUIRED: readonly OrderCsvColumn[] = ['customerExternalId', 'orderId', 'orderDate', 'amount', 'currency'];
const LINE_COLUMNS: readonly OrderCsvColumn[] = ['productId', 'quantity', 'unitPrice'];
/** The order's own values: every row of one order must repeat them. */
const ORDER_COLUMNS: readonly OrderCsvColumn[] = ['customerExternalId', 'orderDate', 'amount', 'currency', 'customerName'];
const MAX_TEXT = 200;

export interface ImportLineError {
  /** The line of the file (1 is the header); a record spread over several lines names its last. */
  line: number;
  /** The column (or `line`, `header`, `orderId` for an order refused as a whole). */
  field: string;
  reason: string;
}

/** One order as the file gives it, its values read and converted (amounts in minor units). */
export interface CsvOrder {
  externalOrderId: string;
  customerExternalId: string;
  customerName?: string;
  /** An ISO 8601 instant or date, as the file wrote it. */
  orderDate: string;
  currency: string;
  /** The order's total as the other system recorded it. */
  amount: number;
  lines: OrderLineInput[];
  /** The file lines it was read from. */
  fileLines: number[];
}

/** The whole file is refused (no header, an unknown or missing column): a 400 naming `field`. */
export class OrderCsvRefusedError extends Error {
  override readonly name = 'OrderCsvRefusedError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Why an order was not imported, and where: reported on its first line, its other lines referring to it. */
export class OrderRefusedError extends Error {
  override readonly name = 'OrderRefusedError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface OrderCsvCallbacks {
  /** One complete order (its rows read and valid). Throws OrderRefusedError for an order refused as a whole; anything else stops the import. */
  order(order: CsvOrder): Promise<void>;
  /** A line that was not imported (counted once per line). */
  lineFailed(error: ImportLineError): void;
  /** An order that was not imported: one of its lines has an error, or `order` refused it. */
  orderFailed?(externalOrderId: string): void;
  /** After each data line: how many lines were read, and the bytes of the body so far. */
  progress?(lines: number, bytesRead: number): void | Promise<void>;
}

const normalise = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const COLUMN_BY_NAME = new Map<string, OrderCsvColumn>(ORDER_CSV_COLUMNS.map((c) => [normalise(c), c]));

type Row = Partial<Record<OrderCsvColumn, string>>;

/** One row's values checked and converted; the first problem names its column. */
function readRow(
  values: Row,
  hasLineColumns: boolean,
): { ok: true; order: Omit<CsvOrder, 'lines' | 'fileLines'>; line?: OrderLineInput } | { ok: false; field: string; reason: string } {
  const v = (c: OrderCsvColumn) => values[c]?.trim() ?? '';
  const bad = (field: string, reason: string) => ({ ok: false as const, field, reason });
  for (const c of ['customerExternalId', 'orderId'] as const) {
    if (!v(c)) return bad(c, `${c} is required`);
    if (v(c).length > MAX_TEXT) return bad(c, `${c} is longer than ${MAX_TEXT} characters`);
  }
  if (!isInstant(v('orderDate'))) return bad('orderDate', 'orderDate must be an ISO 8601 date such as 2024-03-01 (or an instant such as 2024-03-01T09:00:00Z)');
  const currency = v('currency').toUpperCase();
  if (!isCurrencyCode(currency)) return bad('currency', 'currency must be an ISO 4217 code such as EUR');
  const amount = decimalToMinorUnits(v('amount'), currency);
  if (!amount.ok) return bad('amount', `amount ${amount.reason}`);
  const customerName = v('customerName');
  if (customerName.length > MAX_TEXT) return bad('customerName', `customerName is longer than ${MAX_TEXT} characters`);
  const order = {
    externalOrderId: v('orderId'),
    customerExternalId: v('customerExternalId'),
    ...(customerName && { customerName }),
    orderDate: v('orderDate'),
    currency,
    amount: amount.minor,
  };
  if (!hasLineColumns || LINE_COLUMNS.every((c) => !v(c))) return { ok: true, order };
  const missing = LINE_COLUMNS.find((c) => !v(c));
  if (missing) return bad(missing, `${missing} is required on a line with a product (productId, quantity and unitPrice go together)`);
  if (v('productId').length > MAX_TEXT) return bad('productId', `productId is longer than ${MAX_TEXT} characters`);
  if (!/^\d{1,9}$/.test(v('quantity')) || Number(v('quantity')) < 1) return bad('quantity', 'quantity must be a whole number from 1 to 999999999');
  const unitPrice = decimalToMinorUnits(v('unitPrice'), currency);
  if (!unitPrice.ok) return bad('unitPrice', `unitPrice ${unitPrice.reason}`);
  const productName = v('productName');
  if (productName.length > MAX_TEXT) return bad('productName', `productName is longer than ${MAX_TEXT} characters`);
  return {
    ok: true,
    order,
    line: { productId: v('productId'), ...(productName && { productName }), quantity: Number(v('quantity')), unitPrice: unitPrice.minor },
  };
}

/**
 * Reads the order CSV as it arrives (csv-parse, one record at a time: the upload is paused while an
 * order is placed, so the file is never held in memory, whatever its size) and hands each complete
 * order to `callbacks.order`. The rows of one order must follow each other; an order is complete
 * when a row of another order (or the end) comes. A bad row fails its whole order (its other rows
 * are reported too, naming it) and the import goes on. The file is refused as a whole only for its
 * header or for a CSV that cannot be read.
 */
export async function readOrderCsv(body: Readable, callbacks: OrderCsvCallbacks): Promise<{ lines: number; bytesRead: number }> {
  let bytesRead = 0;
  let columns: (OrderCsvColumn | undefined)[] | undefined;
  let hasLineColumns = false;
  const parser = parse({ info: true, bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 64 * 1024 });
  body.on('data', (chunk: Buffer) => {
    bytesRead += chunk.length;
  });
  body.pipe(parser);
  let lines = 0;
  // csv-parse counts a CRLF inside a quoted value as two lines: take those back off its count.
  let crlfInValues = 0;

  /** The order being gathered: its rows so far, those without an error of their own, and the first that had one. */
  let current: { order: CsvOrder; goodLines: number[]; failed?: number } | undefined;
  const failGoodLines = (group: NonNullable<typeof current>, cause: string) => {
    for (const line of group.goodLines)
      callbacks.lineFailed({ line, field: 'orderId', reason: `order ${group.order.externalOrderId} was not imported: ${cause}` });
  };
  const flush = async () => {
    const group = current;
    current = undefined;
    if (!group) return;
    if (group.failed !== undefined) {
      callbacks.orderFailed?.(group.order.externalOrderId);
      return failGoodLines(group, `line ${group.failed} has an error`);
    }
    try {
      await callbacks.order(group.order);
    } catch (error) {
      if (!(error instanceof OrderRefusedError)) throw error;
      callbacks.orderFailed?.(group.order.externalOrderId);
      const [first, ...others] = group.goodLines;
      callbacks.lineFailed({ line: first, field: error.field, reason: error.message });
      failGoodLines({ ...group, goodLines: others }, `see line ${first}`);
    }
  };

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      for (const value of record) crlfInValues += value.split('\r\n').length - 1;
      const line = info.lines - crlfInValues;
      if (columns === undefined) {
        columns = record.map((name) => COLUMN_BY_NAME.get(normalise(name)));
        const unknown = record.filter((_, i) => columns![i] === undefined);
        if (unknown.length > 0)
          throw new OrderCsvRefusedError(
            'header',
            `unknown column(s) ${unknown.map((u) => JSON.stringify(u.slice(0, 50))).join(', ')}; the columns are ${ORDER_CSV_COLUMNS.join(', ')}`,
          );
        if (new Set(columns).size !== columns.length) throw new OrderCsvRefusedError('header', 'a column is named twice');
        const missing = REQUIRED.filter((c) => !columns!.includes(c));
        if (missing.length > 0) throw new OrderCsvRefusedError('header', `the header must name the column(s) ${missing.join(', ')}`);
        const lineColumns = LINE_COLUMNS.filter((c) => columns!.includes(c));
        if (lineColumns.length !== 0 && lineColumns.length !== LINE_COLUMNS.length)
          throw new OrderCsvRefusedError('header', 'productId, quantity and unitPrice come together: name all three or none');
        hasLineColumns = lineColumns.length > 0;
        continue;
      }
      lines += 1;
      const values = Object.fromEntries(columns.map((c, i) => [c, record[i]])) as Row;
      const orderId = values.orderId?.trim() ?? '';
      if (current && orderId !== current.order.externalOrderId) await flush();
      let problem: { field: string; reason: string } | undefined;
      let read: ReturnType<typeof readRow> | undefined;
      if (record.length !== columns.length) problem = { field: 'line', reason: `${record.length} values for ${columns.length} columns` };
      else {
        const hostile = inspectInput(values, 'line');
        // Bytes that are not UTF-8 (a lone surrogate's, a Latin-1 file's) were decoded as U+FFFD.
        const undecodable = columns.find((c, i) => c !== undefined && record[i].includes('\uFFFD'));
        read =
          hostile.length > 0
            ? { ok: false, field: hostile[0].field.replace(/^line\./, ''), reason: hostile[0].message }
            : undecodable
              ? { ok: false, field: undecodable, reason: `${undecodable} is not valid UTF-8 (the file must be UTF-8)` }
              : readRow(values, hasLineColumns);
        if (!read.ok) problem = { field: read.field, reason: read.reason };
      }
      if (!problem && read?.ok && current && current.failed === undefined) {
        const differs = ORDER_COLUMNS.find((c) => read.order[c as keyof typeof read.order] !== current!.order[c as keyof CsvOrder]);
        if (differs)
          problem = {
            field: differs,
            reason: `${differs} differs from the first line of order ${orderId} (line ${current.order.fileLines[0]}): every line of one order repeats its ${ORDER_COLUMNS.join(', ')}`,
          };
        else if (read.line && current.order.lines.length >= MAX_ORDER_LINES)
          problem = { field: 'line', reason: `order ${orderId} has more than ${MAX_ORDER_LINES} lines` };
      }
      if (!orderId) {
        // No order to gather it into: the line fails on its own.
        callbacks.lineFailed({ line, ...(problem ?? { field: 'orderId', reason: 'orderId is required' }) });
      } else {
        current ??= { order: read?.ok && !problem ? { ...read.order, lines: [], fileLines: [] } : placeholder(orderId), goodLines: [] };
        current.order.fileLines.push(line);
        if (problem) {
          callbacks.lineFailed({ line, ...problem });
          current.failed ??= line;
        } else {
          current.goodLines.push(line);
          if (read?.ok && read.line) current.order.lines.push(read.line);
        }
      }
      await callbacks.progress?.(lines, bytesRead);
    }
    await flush();
  } catch (error) {
    body.unpipe(parser);
    if ((error as { code?: string }).code?.startsWith('CSV_')) throw new OrderCsvRefusedError('body', `the CSV cannot be read: ${(error as Error).message}`);
    throw error;
  }
  if (columns === undefined) throw new OrderCsvRefusedError('header', 'the file is empty: the first line must name the columns');
  return { lines, bytesRead };
}

/** The order a bad first row belongs to: gathered only to fail its other rows with it. */
function placeholder(externalOrderId: string): CsvOrder {
  return { externalOrderId, customerExternalId: '', orderDate: '', currency: '', amount: 0, lines: [], fileLines: [] };
}
