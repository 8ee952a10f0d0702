import type { Principal } from './principal';

/** The part of an HTTP request (Express) the kit reads. */
export interface HttpRequestLike {
  method: string;
  url: string;
  originalUrl?: string;
  headers: Record<string, string | string[] | undefined>;
}

const PRINCIPAL = Symbol.for('crm.service-kit.principal');

/** The principal `JwtAuthGuard` attached to the request (undefined on public routes). */
export function principalOf(request: object): Principal | undefined {
  return (request as { [PRINCIPAL]?: Principal })[PRINCIPAL];
}

export function attachPrincipal(request: object, principal: Principal): void {
  (request as { [PRINCIPAL]?: Principal })[PRINCIPAL] = principal;
}

/** A header's single value (the first when repeated). */
export function headerValue(request: HttpRequestLike, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The request path without the query string, for a problem's `instance`. */
export function requestPath(request: HttpRequestLike): string {
  return (request.originalUrl ?? request.url).split('?')[0];
}
