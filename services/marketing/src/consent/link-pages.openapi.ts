import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiProblem } from '@crm/service-kit';

/** An answer that is an HTML page: the public link pages answer a person, errors included. */
export function ApiHtmlPage(status: number, description: string): MethodDecorator {
  return ApiResponse({ status, description, content: { 'text/html': { schema: { type: 'string' } } } });
}

export interface LinkPageErrorsOptions {
  /** The 404 page: what the link names is no longer there. */
  notFound: string;
  /** The 400 problem (default: no token). */
  badRequest?: { description: string; example: Record<string, unknown> };
  /** The route takes a form: document the 415 of a body that is neither form-encoded nor JSON. */
  form?: boolean;
}

/**
 * The errors every signed-link page (preference centre, double opt-in confirmation) lists: a 400
 * problem without a token, a 403 page for a link that is not valid, a 404 page, and for a form its
 * 415 — as one decorator. The OpenAPI document is the same as with them written out.
 */
export function LinkPageErrors({ notFound, badRequest, form = false }: LinkPageErrorsOptions): MethodDecorator {
  const decorators: MethodDecorator[] = [
    badRequest
      ? ApiProblem(400, badRequest.description, badRequest.example)
      : ApiProblem(400, 'No token', { errors: [{ field: 't', message: 't should not be empty' }] }),
    ApiHtmlPage(403, 'The link is not valid (an HTML page)'),
    ApiHtmlPage(404, notFound),
  ];
  if (form) decorators.push(ApiProblem(415, 'A body that is not form-encoded (or JSON)'));
  return applyDecorators(...decorators);
}
