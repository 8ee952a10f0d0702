/** An e-mail as an inbound-parse webhook delivers it, reduced to what the CRM keeps. */
export interface InboundMail {
  messageId?: string;
  from: string;
  subject: string;
  text: string;
  inReplyTo?: string;
  references: string[];
}

/** The Message-IDs in a header value (`<a@x> <b@y>`), in order. */
export function messageIds(value: string | undefined): string[] {
  return value ? [...value.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]) : [];
}

/** `<ABC@x>` and ` <ABC@x> ` are one Message-ID; the angle brackets are added when missing. */
export function normaliseMessageId(id: string): string {
  const t = id.trim();
  return t.startsWith('<') && t.endsWith('>') ? t : `<${t.replace(/^<|>$/g, '')}>`;
}

/** The address of `Name <addr>` or `addr`, lower-case; undefined when there is none. */
export function addressOf(value: string): string | undefined {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /([^\s<>,;"]+@[^\s<>,;"]+)/.exec(value);
  return m?.[1].toLowerCase();
}

/** A raw header block (SendGrid's `headers`): continuation lines unfolded, names lower-cased; the first of a repeated header wins. */
export function parseHeaderBlock(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const unfolded = block.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}

const stripHtml = (html: string) =>
  html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();

/** The largest text the CRM keeps of one e-mail (characters); the rest is cut with a note. */
export const MAX_MAIL_TEXT = 20_000;

export type InboundFieldProblem = { field: string; message: string };

/**
 * An inbound-parse webhook's fields as one e-mail: SendGrid Inbound Parse (`from`, `subject`,
 * `text`, `html`, `headers` — the raw header block with Message-ID, In-Reply-To, References) or
 * Mailgun's routes (`sender`/`from`, `subject`, `body-plain`, `Message-Id`, `In-Reply-To`,
 * `References`). Returns the problems instead when a field the CRM needs is missing.
 */
export function inboundMailOf(fields: Record<string, string>): InboundMail | InboundFieldProblem[] {
  const headers = parseHeaderBlock(fields.headers ?? '');
  const header = (name: string) => fields[name] ?? fields[name.toLowerCase()] ?? headers[name.toLowerCase()];
  const from = fields.from ?? fields.sender ?? headers.from;
  const problems: InboundFieldProblem[] = [];
  if (!from?.trim()) problems.push({ field: 'from', message: 'from (or sender) must name the sender' });
  for (const [name, value] of Object.entries(fields))
    if (/[\u0000]/.test(value) || /\p{Surrogate}/u.test(value)) problems.push({ field: name, message: `${name} must not contain NUL or lone surrogates` });
  if (problems.length) return problems;
  let text = fields.text ?? fields['body-plain'] ?? (fields.html ? stripHtml(fields.html) : '');
  if (text.length > MAX_MAIL_TEXT) text = `${text.slice(0, MAX_MAIL_TEXT)}\n[… cut: the e-mail was longer]`;
  const messageId = messageIds(header('Message-Id') ?? header('Message-ID'))[0];
  return {
    ...(messageId && { messageId }),
    from: from!.trim().slice(0, 500),
    subject: (fields.subject ?? headers.subject ?? '').trim().slice(0, 500),
    text,
    ...(messageIds(header('In-Reply-To'))[0] && { inReplyTo: messageIds(header('In-Reply-To'))[0] }),
    references: messageIds(header('References')).slice(-50),
  };
}
