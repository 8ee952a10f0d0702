import { createRequire } from 'node:module';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { HttpProblem, ProblemTypes } from '../errors/http-problem';

/** The part of busboy's API used here (it ships no types). */
interface Busboy {
  on(event: 'field', listener: (name: string, value: string, info: { nameTruncated: boolean; valueTruncated: boolean }) => void): this;
  on(event: 'file', listener: (name: string, stream: Readable & { truncated?: boolean }) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'partsLimit' | 'filesLimit' | 'fieldsLimit', listener: () => void): this;
}
type BusboyFactory = (options: { headers: IncomingHttpHeaders; limits: Record<string, number>; defParamCharset?: string }) => Busboy & NodeJS.WritableStream;
const busboy = createRequire(__filename)('busboy') as BusboyFactory;

export interface MultipartLimits {
  /** The largest text field (bytes). */
  fieldBytes: number;
  /** The whole body, attachments included (bytes): 413 above. */
  totalBytes: number;
  fields: number;
}

const tooLarge = (what: string) => new HttpProblem(413, `the message is too large: ${what}`, { type: 'urn:crm:problem:payload-too-large' });
const malformed = (message: string) =>
  new HttpProblem(400, `the request is invalid: ${message}`, { type: ProblemTypes.validation, errors: [{ field: 'body', message }] });

/**
 * A `multipart/form-data` body's text fields, read as it streams in; files (attachments) are read
 * and dropped (the CRM keeps no attachments yet) but count against `totalBytes`. A body that is not
 * well-formed multipart is a 400, one over a limit a 413 — never a 5xx.
 */
export function readMultipartFields(req: Readable & { headers: IncomingHttpHeaders }, limits: MultipartLimits): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let parser: Busboy & NodeJS.WritableStream;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fieldSize: limits.fieldBytes, fields: limits.fields, fileSize: limits.totalBytes, files: 50, parts: limits.fields + 50 },
      });
    } catch (error) {
      req.resume();
      reject(malformed(error instanceof Error ? error.message : 'not multipart/form-data'));
      return;
    }
    const fields: Record<string, string> = {};
    let total = 0;
    let failure: HttpProblem | undefined;
    const fail = (problem: HttpProblem) => {
      failure ??= problem;
    };
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limits.totalBytes) {
        fail(tooLarge(`more than ${limits.totalBytes} bytes`));
        req.unpipe(parser);
        req.resume();
        reject(failure);
      }
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(tooLarge(`the field ${name} is longer than ${limits.fieldBytes} bytes`));
      else if (info.nameTruncated) fail(malformed('a field name is too long'));
      else fields[name] = value;
    });
    parser.on('file', (_name, stream) => {
      stream.resume();
      stream.on('limit', () => fail(tooLarge(`an attachment is larger than ${limits.totalBytes} bytes`)));
    });
    parser.on('fieldsLimit', () => fail(tooLarge(`more than ${limits.fields} fields`)));
    parser.on('filesLimit', () => fail(tooLarge('more than 50 attachments')));
    parser.on('error', (error) => {
      req.unpipe(parser);
      req.resume();
      reject(failure ?? malformed(error.message));
    });
    parser.on('close', () => (failure ? reject(failure) : resolve(fields)));
    req.pipe(parser);
  });
}
