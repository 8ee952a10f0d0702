import { STATUS_CODES } from 'node:http';

/** One problem with one field of the request, e.g. `{ field: 'contacts.0.email', message: 'email must be an email' }`. */
export interface ProblemFieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem details body (`application/problem+json`). */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: ProblemFieldError[];
  /** Extension members. */
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Problem type URIs of the problems the kit itself produces (`about:blank` for the others). */
export const ProblemTypes = {
  validation: 'urn:crm:problem:validation-failed',
  unauthorized: 'urn:crm:problem:unauthorized',
  forbidden: 'urn:crm:problem:forbidden',
  notFound: 'urn:crm:problem:not-found',
  conflict: 'urn:crm:problem:concurrency-conflict',
  duplicate: 'urn:crm:problem:duplicate',
  preconditionFailed: 'urn:crm:problem:precondition-failed',
  domainRuleViolation: 'urn:crm:problem:domain-rule-violation',
  notReady: 'urn:crm:problem:not-ready',
  tooManyRequests: 'urn:crm:problem:too-many-requests',
  internal: 'urn:crm:problem:internal-error',
} as const;

export interface HttpProblemOptions {
  /** Default: the HTTP reason phrase of `status`. */
  title?: string;
  /** A URI identifying the problem type. Default `about:blank`. */
  type?: string;
  errors?: ProblemFieldError[];
  /** Response headers to set (e.g. `WWW-Authenticate`). */
  headers?: Record<string, string>;
  /** Extension members added to the body. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * Throw it from a controller, guard or service to answer with an RFC 9457 problem:
 * `throw new HttpProblem(404, 'Opportunity 42 does not exist')`.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly title: string;
  readonly type: string;
  readonly errors?: ProblemFieldError[];
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly status: number,
    readonly detail?: string,
    options: HttpProblemOptions = {},
  ) {
    super(detail ?? statusTitle(status), { cause: options.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new RangeError(`HttpProblem status ${status} is not 4xx/5xx`);
    this.title = options.title ?? statusTitle(status);
    this.type = options.type ?? 'about:blank';
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }

  /** The body, `instance` being the request path. */
  toProblemDetails(instance?: string): ProblemDetails {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(instance === undefined ? {} : { instance }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
