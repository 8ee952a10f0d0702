import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiNotFoundResponse, type ApiHeaderOptions } from '@nestjs/swagger';
import { ApiProblem } from './api-problem';

/** The `If-Match` request header in general words (a route may name what the ETag is of, and give an example). */
export const IF_MATCH_HEADER: ApiHeaderOptions = {
  name: 'if-match',
  required: false,
  description: 'The ETag last read ("<revision>"): a stale one is a 412 before any rule is judged',
};

/** The 412 every If-Match route answers when the ETag names an older revision. */
export const STALE_DESCRIPTION = 'Precondition Failed: If-Match names an older revision';
/** The 409 of a change raced by another without If-Match (the store's optimistic append lost). */
export const CONFLICT_DESCRIPTION = 'Conflict: changed by someone else at the same time (without If-Match)';
/** The 415 of a body that is not JSON. */
export const UNSUPPORTED_DESCRIPTION = 'Unsupported Media Type: a body that is not JSON';

export interface IfMatchCommandErrorsOptions {
  /** The `If-Match` request header as the route documents it (what it names, an example ETag); absent: not documented. */
  ifMatch?: ApiHeaderOptions;
  /**
   * The 404: a description alone (`ApiNotFoundResponse`), or a problem with its description and an
   * example (`ApiProblem(404, …)`); absent: the route has no 404.
   */
  notFound?: string | { problem: string; example?: Record<string, unknown> };
  /** The 412: its description (default `STALE_DESCRIPTION`) and an example `detail`. */
  stale?: { description?: string; detail?: string };
  /** Document the 409 of a raced change (default true). */
  conflict?: boolean;
  /** Document the 415 of a body that is not JSON (default true). */
  unsupported?: boolean;
}

/**
 * The error answers a command route shares — the `If-Match` header, 404, 412 stale, 409 raced, 415
 * not JSON — as one decorator, so each route states only what is its own (body, answer, 400 and 422
 * examples). Controllers usually bind the options once: `const caseErrors = () => IfMatchCommandErrors({ … })`.
 * The OpenAPI document is the same as with the decorators written out one by one.
 */
export function IfMatchCommandErrors(options: IfMatchCommandErrorsOptions): MethodDecorator {
  const { ifMatch, notFound, stale = {}, conflict = true, unsupported = true } = options;
  const decorators: MethodDecorator[] = [];
  if (ifMatch) decorators.push(ApiHeader(ifMatch));
  if (typeof notFound === 'string') decorators.push(ApiNotFoundResponse({ description: notFound }));
  else if (notFound) decorators.push(ApiProblem(404, notFound.problem, notFound.example));
  decorators.push(ApiProblem(412, stale.description ?? STALE_DESCRIPTION, stale.detail === undefined ? {} : { detail: stale.detail }));
  if (conflict) decorators.push(ApiProblem(409, CONFLICT_DESCRIPTION));
  if (unsupported) decorators.push(ApiProblem(415, UNSUPPORTED_DESCRIPTION));
  return applyDecorators(...decorators);
}
