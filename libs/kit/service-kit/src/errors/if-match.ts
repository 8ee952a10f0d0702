import { HttpProblem } from './http-problem';

/**
 * The expected stream revision an `If-Match` header states, for optimistic concurrency with the
 * ETag `"<revision>"` (see `etagForRevision`). Accepts `"7"` and `W/"7"`; `*` and an absent header
 * give `undefined` (no revision expected). Anything else, or a list of several ETags, is a 400
 * problem. A `ConcurrencyConflictError` of a request that carried `If-Match` answers 412.
 */
export function expectedRevisionFromIfMatch(header: string | readonly string[] | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const value = (typeof header === 'string' ? header : header.join(',')).trim();
  if (value === '' || value === '*') return undefined;
  const match = /^(?:W\/)?"(\d{1,19})"$/.exec(value);
  if (!match) throw new HttpProblem(400, 'If-Match must be one ETag of the form "<revision>"');
  return BigInt(match[1]);
}

/** The ETag of a resource at a stream revision: `"7"`. */
export function etagForRevision(revision: bigint | number): string {
  return `"${revision.toString()}"`;
}

/** The one thing controllers need of the HTTP response (with `@Res({ passthrough: true })`). */
export interface HeaderResponse {
  setHeader(name: string, value: string): void;
}

/** Answers the stream revision after a change as the ETag the next `If-Match` sends back. */
export function setEtag(res: HeaderResponse, revision: bigint | undefined): void {
  if (revision !== undefined) res.setHeader('ETag', etagForRevision(revision));
}
