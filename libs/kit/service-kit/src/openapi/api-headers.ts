import { ApiHeader, type HeadersObject } from '@nestjs/swagger';

/**
 * The response headers routes document with `@ApiOkResponse({ headers: { ...ETAG_HEADER } })`, so
 * a generated client and a partner's developer know to keep them: `ETag` for the next `If-Match`,
 * `Location` of what a 201 created, `Retry-After` of a 429.
 */
export const ETAG_HEADER: HeadersObject = {
  ETag: { description: 'The revision now (`"<revision>"`): send it as `If-Match` with the next change', schema: { type: 'string', example: '"3"' } },
};
export const LOCATION_HEADER: HeadersObject = {
  Location: {
    description: 'The path of what was created',
    schema: { type: 'string', format: 'uri-reference', example: '/episodes/9b2f6c1e-4a7d-4f0b-8e3c-5d6a7b8c9d0e' },
  },
};
export const RETRY_AFTER_HEADER: HeadersObject = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1, example: 30 } },
};

/** The optional `If-Match` request header of a change (412 when it names an older revision). */
export function ApiIfMatch(
  description = 'The ETag last read (`"<revision>"`): a stale one is a 412 before any rule is judged',
): MethodDecorator & ClassDecorator {
  return ApiHeader({ name: 'If-Match', required: false, description, schema: { type: 'string', example: '"3"' } });
}
