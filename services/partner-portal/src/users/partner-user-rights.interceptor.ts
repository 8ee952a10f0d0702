import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { PartnerUserRole } from '@crm/relationship';
import { HttpProblem, principalOf, ProblemTypes, type HttpRequestLike } from '@crm/service-kit';
import { PartnerScope } from '../portal/partner-scope';

/**
 * What each partner user role may call (issue 14 §1), by the portal's path. Every role reads the
 * customers shared with the partner and works its own episodes — which episode types, the command
 * judges (`PartnerScope.assertShared`: a sales user opens no return, a service user no partner deal).
 * A path not listed is for admins only, so a route added later is closed to sales and service users
 * until it is given to them here. Organisation credentials (no user) keep every right.
 */
const RIGHTS: ReadonlyArray<{ path: RegExp; roles: readonly PartnerUserRole[] }> = [
  { path: /^\/customers(\/|$)/, roles: ['admin', 'sales', 'service'] },
  { path: /^\/episodes(\/|$)/, roles: ['admin', 'sales', 'service'] },
  { path: /^\/(deal-registrations|sell-through|sell-through\.csv|share-requests|leads)(\/|$)/, roles: ['admin', 'sales'] },
  { path: /^\/repairs(\/|$)/, roles: ['admin', 'service'] },
];

export function rolesFor(path: string): readonly PartnerUserRole[] {
  return RIGHTS.find((r) => r.path.test(path))?.roles ?? ['admin'];
}

/**
 * Runs after the authentication guard, before the pipes and the handler. For every partner token:
 * its standing now (a revoked credential, a removed user or an ended partnership: 401). For a partner
 * user's token also the user's role now, from the partner aggregate (so a changed role holds from
 * the next request), refusing a route the role does not open (403 with code `role-not-allowed`).
 * Staff and public routes pass untouched.
 */
@Injectable()
export class PartnerUserRightsInterceptor implements NestInterceptor {
  constructor(private readonly scope: PartnerScope) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<ReturnType<CallHandler['handle']>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequestLike & { path?: string }>();
    const principal = principalOf(request);
    if (principal?.kind !== 'partner') return next.handle();
    // Every partner token's standing (credential not revoked, user not removed, partnership not
    // ended) is judged here, before the body is validated or anything is looked up: such a token is
    // a 401 on every route alike, never a 400 or a 404 that depends on the route.
    const partner = await this.scope.partnerOf(principal);
    if (principal.userId === undefined) return next.handle();
    const role = this.scope.roleOf(partner, principal);
    const path = request.path ?? (request.originalUrl ?? request.url).split('?')[0];
    if (!role || !rolesFor(path).includes(role)) {
      throw new HttpProblem(403, `a partner user with the role ${role ?? '(none)'} may not call ${request.method} ${path}`, {
        type: ProblemTypes.forbidden,
        extensions: { code: 'role-not-allowed' },
      });
    }
    return next.handle();
  }
}
