import { stringify } from 'csv-stringify/sync';
import { MAX_ADDRESS_LINES, type PrintListEntry } from '../campaign-lists';

export const PRINT_LIST_COLUMNS = [
  'message_id',
  'customer_id',
  'step_id',
  'variant_id',
  'name',
  ...Array.from({ length: MAX_ADDRESS_LINES }, (_, i) => `address_line_${i + 1}`),
  'text',
];

/**
 * A cell a spreadsheet will not run: a value starting with `=`, `+`, `-` or `@` (or a tab or carriage
 * return, which some spreadsheets skip before reading a formula) is prefixed with `'` (OWASP CSV injection).
 * Names and addresses come from customers; a print house opens the file in a spreadsheet.
 */
export function csvSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Rows of the print list CSV (with the header row when `header`), every cell formula-safe. */
export function printListCsv(entries: readonly PrintListEntry[], header: boolean): string {
  const rows = entries.map((e) =>
    [e.messageId, e.customerId, e.stepId, e.variantId ?? '', e.name, ...Array.from({ length: MAX_ADDRESS_LINES }, (_, i) => e.address[i] ?? ''), e.text].map(
      csvSafe,
    ),
  );
  return stringify(header ? [PRINT_LIST_COLUMNS, ...rows] : rows, { eof: true, record_delimiter: 'windows' });
}
