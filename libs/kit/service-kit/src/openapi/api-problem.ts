import { ApiResponse, type HeadersObject } from '@nestjs/swagger';
import { HttpProblem, PROBLEM_CONTENT_TYPE, ProblemTypes } from '../errors/http-problem';

const TYPES: Record<number, string> = {
  404: ProblemTypes.notFound,
  409: ProblemTypes.duplicate,
  412: ProblemTypes.preconditionFailed,
  413: 'urn:crm:problem:payload-too-large',
  415: 'urn:crm:problem:unsupported-media-type',
  422: ProblemTypes.domainRuleViolation,
  429: ProblemTypes.tooManyRequests,
};

/**
 * An error answer in the OpenAPI document: problem+json with the kit's `Problem` schema and an
 * example; `headers` it carries (a 429's `RETRY_AFTER_HEADER`).
 */
export function ApiProblem(
  status: number,
  description: string,
  example: Record<string, unknown> = {},
  headers?: HeadersObject,
): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status,
    description,
    ...(headers ? { headers } : {}),
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: '#/components/schemas/Problem' },
        example: { type: TYPES[status] ?? ProblemTypes.validation, title: description.split(':')[0], status, ...example },
      },
    },
  });
}

/** A cursor a list did not give out: 400 naming `cursor`, as every list answers. */
export function badCursor(message: string): HttpProblem {
  return new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field: 'cursor', message }] });
}
