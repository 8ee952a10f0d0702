import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { HttpProblem, ProblemTypes } from '../errors/http-problem';
import { inboundMailOf, type InboundMail } from './inbound-mail-form';
import { readMultipartFields } from './multipart-form';

/** The media types inbound-parse providers post (SendGrid: multipart; Mailgun: either): a route taking them is a `StreamRoute`. */
export const INBOUND_MAIL_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded'] as const;
/** One e-mail with its attachments (which are not kept): 25 MB, as much as the common providers post. */
export const MAX_INBOUND_MAIL_BYTES = 25 * 1024 * 1024;

export type InboundMailRequest = Readable & { headers: IncomingHttpHeaders; body?: unknown };

/** An inbound-parse post's text fields, multipart (read as it streams) or a form. */
export async function readInboundMailFields(req: InboundMailRequest): Promise<Record<string, string>> {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  return type.startsWith('multipart/form-data')
    ? readMultipartFields(req, { fieldBytes: 1024 * 1024, totalBytes: MAX_INBOUND_MAIL_BYTES, fields: 200 })
    : readForm(req);
}

/**
 * An inbound-parse post as one e-mail (SendGrid Inbound Parse or Mailgun fields, see
 * `inboundMailOf`); a field the CRM needs missing, or a NUL / lone surrogate in any, is a 400 naming it.
 */
export async function readInboundMail(req: InboundMailRequest): Promise<InboundMail> {
  const mail = inboundMailOf(await readInboundMailFields(req));
  if (Array.isArray(mail))
    throw new HttpProblem(400, `the request is invalid: ${mail.map((p) => p.field).join(', ')}`, { type: ProblemTypes.validation, errors: mail });
  return mail;
}

/**
 * A form-encoded post (Mailgun without attachments). The app's form parser (there when the service
 * has form routes) has read it already when it is small enough (16 kB; above, 413); else it is read here.
 */
async function readForm(req: InboundMailRequest): Promise<Record<string, string>> {
  if (req.body && typeof req.body === 'object')
    return Object.fromEntries(Object.entries(req.body as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 2 * 1024 * 1024) throw new HttpProblem(413, 'the message is too large: a form of more than 2 MB', { type: 'urn:crm:problem:payload-too-large' });
    chunks.push(chunk as Buffer);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
