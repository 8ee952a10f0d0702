import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { headerValue, requestPath, type HttpRequestLike } from '../auth/request';
import { HttpProblem, PROBLEM_CONTENT_TYPE, ProblemTypes, type ProblemDetails } from './http-problem';

/**
 * Global exception filter (registered by `ServiceKitModule`): every error becomes an RFC 9457
 * `application/problem+json` response.
 *
 * - `HttpProblem` → as thrown (validation errors are `HttpProblem`s with `errors`)
 * - `ConcurrencyConflictError` / `IdempotencyViolationError` (`@crm/event-store`) → 409, or 412 when
 *   the request carried `If-Match`
 * - an error named `ContractViolationError` (an event that would break its contract) → 400 with the fields
 * - an error named `DomainRuleViolation` → 422, named `NotFoundError` → 404 (matched by `name`, so
 *   domain libraries need not import the kit; a string `code` on it is passed on as `code`)
 * - Nest `HttpException`s (incl. unknown routes, malformed JSON, too-large bodies) → their status
 * - anything else → 500 without details (logged)
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequestLike>();
    const response: unknown = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;

    const problem = this.toProblem(exception, request);
    // A 5xx HttpProblem thrown on purpose without a cause (e.g. "not ready") is an answer, not a fault.
    const cause = problem === exception ? problem.cause : exception;
    if (problem.status >= 500 && cause !== undefined) {
      this.logger.error(`${request.method} ${requestPath(request)} → ${problem.status}: ${describe(cause)}`, stackOf(cause));
    }
    if (adapter.isHeadersSent(response)) return;
    for (const [name, value] of Object.entries(problem.headers)) adapter.setHeader(response, name, value);
    adapter.setHeader(response, 'Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    adapter.reply(response, problem.toProblemDetails(requestPath(request)) satisfies ProblemDetails, problem.status);
  }

  private toProblem(exception: unknown, request: HttpRequestLike): HttpProblem {
    if (exception instanceof HttpProblem) return exception;
    const name = exception instanceof Error ? exception.name : undefined;
    const message = exception instanceof Error ? exception.message : undefined;
    if (name === 'ConcurrencyConflictError' || name === 'IdempotencyViolationError') {
      return headerValue(request, 'if-match') !== undefined
        ? new HttpProblem(412, 'the resource has changed since the ETag in If-Match; read it again and retry', {
            type: ProblemTypes.preconditionFailed,
            cause: exception,
          })
        : new HttpProblem(409, 'the resource was changed by someone else at the same time; read it again and retry', {
            type: ProblemTypes.conflict,
            cause: exception,
          });
    }
    if (name === 'ContractViolationError') {
      // The request would have recorded an event no consumer could apply: its fields are the request's.
      const problems = (exception as { problems?: { path: string; message: string }[] }).problems ?? [];
      return new HttpProblem(400, message, { type: ProblemTypes.validation, errors: problems.map((p) => ({ field: p.path, message: p.message })) });
    }
    if (name === 'ConflictError') {
      const details = (exception as { details?: Record<string, unknown> }).details ?? {};
      return new HttpProblem(409, message, { type: ProblemTypes.duplicate, extensions: { ...codeOf(exception), ...details } });
    }
    if (name === 'DomainRuleViolation') return new HttpProblem(422, message, { type: ProblemTypes.domainRuleViolation, extensions: codeOf(exception) });
    if (name === 'NotFoundError') return new HttpProblem(404, message, { type: ProblemTypes.notFound, extensions: codeOf(exception) });
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return new HttpProblem(status >= 400 && status <= 599 ? status : 500, detailOf(exception), { cause: exception });
    }
    return new HttpProblem(500, 'an unexpected error occurred', { type: ProblemTypes.internal, cause: exception });
  }
}

function detailOf(exception: HttpException): string | undefined {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message || undefined;
}

function codeOf(exception: unknown): Record<string, unknown> {
  const code = (exception as { code?: unknown }).code;
  return typeof code === 'string' ? { code } : {};
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}
