import type { Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { LeadSource } from '@crm/relationship';
import type { CaptureLeadInput } from '@crm/relationship-api';
import { fieldErrorsOf, inspectInput } from '@crm/service-kit';
import { CaptureLeadDto } from '../leads.dto';

/** The columns an import may have (the header row names them, in any order and case; `external_id` works too). */
export const IMPORT_COLUMNS = [
  'externalId',
  'name',
  'company',
  'email',
  'phone',
  'source',
  'country',
  'region',
  'budget',
  'currency',
  'authority',
  'need',
  'timeline',
] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

export interface ImportLineError {
  /** The line of the file (1 is the header); a record spread over several lines names its last. */
  line: number;
  field: string;
  reason: string;
}

export interface LeadImportResult {
  /** Lines that captured a new lead. */
  created: number;
  /** Lines whose external id was imported before: nothing new (an import never changes a lead). */
  duplicates: number;
  failed: number;
  errors: ImportLineError[];
}

/** The whole file is refused (no header, an unknown column, too large): a 4xx naming `field`. */
export class ImportRefusedError extends Error {
  override readonly name = 'ImportRefusedError';
  constructor(
    readonly status: 400 | 413,
    readonly field: string,
    message: string,
    readonly partial?: LeadImportResult,
  ) {
    super(message);
  }
}

export interface ImportLimits {
  /** Records after the header. */
  maxLines: number;
  maxBytes: number;
  /** Errors listed in the answer (all are counted). */
  maxErrors: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxLines: 5000, maxBytes: 10 * 1024 * 1024, maxErrors: 1000 };

const normalise = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const COLUMN_BY_NAME = new Map<string, Column>(IMPORT_COLUMNS.map((c) => [normalise(c), c]));

/** A line's values as a capture: numbers and yes/no answers converted, empty cells left out. */
function toCapture(values: Partial<Record<Column, string>>): Record<string, unknown> {
  const v = (c: Column) => (values[c] === undefined || values[c]!.trim() === '' ? undefined : values[c]!.trim());
  const qualification: Record<string, unknown> = {};
  const budget = v('budget');
  if (budget !== undefined) qualification.budget = /^\d+$/.test(budget) ? Number(budget) : budget;
  if (v('currency') !== undefined) qualification.currency = v('currency');
  const authority = v('authority')?.toLowerCase();
  if (authority !== undefined)
    qualification.authority = ['yes', 'true', '1', 'y'].includes(authority) ? true : ['no', 'false', '0', 'n'].includes(authority) ? false : authority;
  if (v('need') !== undefined) qualification.need = v('need');
  if (v('timeline') !== undefined) qualification.timeline = v('timeline');
  return {
    source: v('source') ?? 'import',
    name: v('name'),
    ...(v('company') !== undefined && { company: v('company') }),
    ...(v('email') !== undefined && { email: v('email') }),
    ...(v('phone') !== undefined && { phone: v('phone') }),
    externalId: v('externalId'),
    ...(v('country') !== undefined && { country: v('country') }),
    ...(v('region') !== undefined && { region: v('region') }),
    ...(Object.keys(qualification).length > 0 && { qualification }),
  };
}

/**
 * Reads a CSV of leads as it arrives (csv-parse, one record at a time, the upload paused while a
 * line is captured) and captures each line through `capture`. Idempotent by external id: a line
 * whose lead exists is a duplicate, not a second lead. A bad line is reported with its line number
 * and field and the import goes on; the file is refused as a whole only for its header or size.
 */
export async function importLeads(
  body: Readable,
  capture: (input: CaptureLeadInput) => Promise<{ created: boolean }>,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
): Promise<LeadImportResult> {
  const result: LeadImportResult = { created: 0, duplicates: 0, failed: 0, errors: [] };
  const fail = (line: number, field: string, reason: string) => {
    result.failed += 1;
    if (result.errors.length < limits.maxErrors) result.errors.push({ line, field, reason });
  };
  let bytes = 0;
  let columns: (Column | undefined)[] | undefined;
  const parser = parse({ info: true, bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 64 * 1024 });
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limits.maxBytes && !parser.destroyed) {
      body.unpipe(parser);
      parser.destroy(new ImportRefusedError(413, 'body', `the file is larger than ${limits.maxBytes} bytes`, result));
    }
  });
  body.pipe(parser);
  let records = 0;
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
          throw new ImportRefusedError(
            400,
            'header',
            `unknown column(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}; the columns are ${IMPORT_COLUMNS.join(', ')}`,
          );
        if (!columns.includes('name') || !columns.includes('externalId'))
          throw new ImportRefusedError(400, 'header', 'the header must name at least the columns name and externalId');
        if (new Set(columns).size !== columns.length) throw new ImportRefusedError(400, 'header', 'a column is named twice');
        continue;
      }
      records += 1;
      if (records > limits.maxLines) {
        throw new ImportRefusedError(
          413,
          'body',
          `at most ${limits.maxLines} lines per import; the lines before line ${line} were imported (a re-import skips them)`,
          result,
        );
      }
      if (record.length !== columns.length) {
        fail(line, 'line', `${record.length} values for ${columns.length} columns`);
        continue;
      }
      const values = Object.fromEntries(columns.map((c, i) => [c, record[i]])) as Partial<Record<Column, string>>;
      const hostile = inspectInput(values, 'line').map((f) => ({ field: f.field.replace(/^line\./, ''), message: f.message }));
      if (hostile.length > 0) {
        fail(line, hostile[0].field, hostile[0].message);
        continue;
      }
      const plain = toCapture(values);
      if (plain.externalId === undefined) {
        fail(line, 'externalId', 'externalId is required: it makes the import idempotent');
        continue;
      }
      const problems = fieldErrorsOf(await validate(plainToInstance(CaptureLeadDto, plain), { whitelist: true, forbidNonWhitelisted: true }));
      if (problems.length > 0) {
        fail(line, problems[0].field, problems.map((p) => p.message).join('; '));
        continue;
      }
      try {
        const r = await capture({ ...(plain as unknown as CaptureLeadInput), source: plain.source as LeadSource });
        if (r.created) result.created += 1;
        else result.duplicates += 1;
      } catch (error) {
        const rule = (error as { rule?: string; code?: string }).rule ?? (error as { code?: string }).code;
        if (rule === 'lead-exists') result.duplicates += 1;
        else if (error instanceof Error && ['DomainRuleViolation', 'ContractViolationError'].includes(error.name)) fail(line, 'line', error.message);
        else throw error;
      }
    }
  } catch (error) {
    body.unpipe(parser);
    if (error instanceof ImportRefusedError) throw error;
    if ((error as { code?: string }).code?.startsWith('CSV_'))
      throw new ImportRefusedError(400, 'body', `the CSV cannot be read: ${(error as Error).message}`, result);
    throw error;
  }
  if (columns === undefined) throw new ImportRefusedError(400, 'header', 'the file is empty: the first line must name the columns');
  return result;
}
