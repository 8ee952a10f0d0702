import { applyDecorators } from '@nestjs/common';
import { ApiProblem } from '@crm/service-kit';

/** The two wordings of the 401 the staff routes' documents have always shown. */
export const UNAUTHORISED = { invalid: 'No or an invalid bearer token', bad: 'No or a bad bearer token' } as const;

export interface StaffRouteErrorsOptions {
  /** The 403: who may not call the route. */
  forbidden: string;
  /** The 404: what is not there. */
  notFound: string;
  /** The 401 (default `UNAUTHORISED.invalid`). */
  unauthorised?: string;
}

/**
 * The 401, 403 and 404 problems a marketing staff route lists (statistics, print and call lists,
 * preference links, consent requests) as one decorator, so each route states only what is its own.
 * The OpenAPI document is the same as with the three written out.
 */
export function StaffRouteErrors({ forbidden, notFound, unauthorised = UNAUTHORISED.invalid }: StaffRouteErrorsOptions): MethodDecorator {
  return applyDecorators(ApiProblem(401, unauthorised), ApiProblem(403, forbidden), ApiProblem(404, notFound));
}
