/**
 * Typed clients of the five services' APIs (openapi-fetch, typed by the types generated from each
 * service's OpenAPI document: `npm run generate:console-client`). The browser calls them through the
 * console's server at `/api/<service>/…`, one origin; every request carries the signed-in person's
 * bearer token, and each service checks it as for any other caller. `$sales.useQuery(...)` etc. are
 * the same clients bound to TanStack Query (openapi-react-query).
 */
import createClient, { type Middleware } from 'openapi-fetch';
import createQueryHooks from 'openapi-react-query';
import type { paths as SalesPaths, components as SalesComponents } from './generated/sales';
import type { paths as ServicePaths, components as ServiceComponents } from './generated/service';
import type { paths as MarketingPaths, components as MarketingComponents } from './generated/marketing';
import type { paths as PartnerPaths, components as PartnerComponents } from './generated/partner-portal';
import type { paths as AnalyticsPaths, components as AnalyticsComponents } from './generated/analytics';
import { session } from '../auth/session-store';

export type SalesSchema<N extends keyof SalesComponents['schemas']> = SalesComponents['schemas'][N];
export type ServiceSchema<N extends keyof ServiceComponents['schemas']> = ServiceComponents['schemas'][N];
export type MarketingSchema<N extends keyof MarketingComponents['schemas']> = MarketingComponents['schemas'][N];
export type PartnerSchema<N extends keyof PartnerComponents['schemas']> = PartnerComponents['schemas'][N];
export type AnalyticsSchema<N extends keyof AnalyticsComponents['schemas']> = AnalyticsComponents['schemas'][N];

/** Bearer token on every request; a 401 ends the session (the sign-in page then says why). */
const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && session.token()) session.expire();
    return response;
  },
};

function client<Paths extends object>(service: string) {
  const c = createClient<Paths>({ baseUrl: `${window.location.origin}/api/${service}` });
  c.use(auth);
  return c;
}

export const sales = client<SalesPaths>('sales');
export const service = client<ServicePaths>('service');
export const marketing = client<MarketingPaths>('marketing');
export const partnerPortal = client<PartnerPaths>('partner-portal');
export const analytics = client<AnalyticsPaths>('analytics');

export const $sales = createQueryHooks(sales);
export const $service = createQueryHooks(service);
export const $marketing = createQueryHooks(marketing);
export const $partner = createQueryHooks(partnerPortal);
export const $analytics = createQueryHooks(analytics);

/** An RFC 9457 problem the CRM answered (`errors` names each invalid field). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** Raised by `must()` for an error answer: its status and problem, for the page to explain. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** The data of an openapi-fetch answer, or an `ApiError` with the problem the CRM answered. */
export function must<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.error !== undefined || !answer.response.ok) throw new ApiError(answer.response.status, (answer.error ?? {}) as Problem);
  return answer.data as T;
}
