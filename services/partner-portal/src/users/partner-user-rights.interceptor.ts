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
 * Runs after the authentication guard, before the handler: for a partner user's token, reads the
 * user's role NOW from the partner aggregate (so a changed role or a removed user holds from the next
 * request — a removed user is a 401 here already) and refuses a route the role does not open (403
 * with code `role-not-allowed`). Staff, public routes and organisation credentials pass untouched.
 */
@Injectable()
export class PartnerUserRightsInterceptor implements NestInterceptor {
  constructor(private readonly scope: PartnerScope) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<ReturnType<CallHandler['handle']>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequestLike & { path?: string }>();
    const principal = principalOf(request);
    if (principal?.kind !== 'partner' || principal.userId === undefined) return next.handle();
    const role = this.scope.roleOf(await this.scope.partnerOf(principal), principal);
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
