import { HttpProblem } from '@crm/service-kit';
import { messagePage } from './consent-pages';

/** The bits of the HTTP response a page is written to. */
export interface HtmlResponse {
  setHeader(name: string, value: string): void;
  status(code: number): HtmlResponse;
  send(body: string): void;
}

/**
 * A page to a customer's browser: never cached (it shows the customer's permissions), never framed,
 * no script, and no Referer carrying the link's token anywhere.
 */
export function sendHtml(res: HtmlResponse, status: number, html: string): void {
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.status(status).send(html);
}

/**
 * A signed link that does not verify, shown as a page (the customer followed it from a message):
 * 403 not valid, 410 expired; anything else is thrown on to the problem+json filter.
 */
export function linkProblemPage(res: HtmlResponse, error: unknown, expiredText: string): void {
  if (!(error instanceof HttpProblem) || (error.status !== 403 && error.status !== 410)) throw error;
  if (error.status === 410) sendHtml(res, 410, messagePage('This link has expired', [expiredText]));
  else sendHtml(res, 403, messagePage('This link is not valid', ['Please use the link exactly as it came in our message.']));
}
