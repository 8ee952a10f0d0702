import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HttpProblem, ProblemTypes } from '../errors/http-problem';
import { IS_PUBLIC_KEY, REQUIRED_DEPARTMENTS_KEY, REQUIRED_KIND_KEY, REQUIRED_ROLES_KEY } from './decorators';
import type { Department, Principal, PrincipalKind } from './principal';
import { attachPrincipal, headerValue, type HttpRequestLike } from './request';
import { InvalidTokenError, KeySourceUnavailableError, TokenVerifier } from './token-verifier';

const REALM = 'crm';

/**
 * Global guard (registered by `ServiceKitModule`): every route needs `Authorization: Bearer <jwt>`
 * unless it is `@Public()`; then `@RequireKind`, `@RequireDepartment` and `@RequireRoles` are
 * checked. 401 (with `WWW-Authenticate: Bearer`) for a missing or bad token, 403 for a principal
 * the route does not admit — both as problem+json.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets) === true) return true;

    const request = context.switchToHttp().getRequest<HttpRequestLike>();
    const principal = await this.authenticate(request);
    attachPrincipal(request, principal);

    const kind = this.reflector.getAllAndOverride<PrincipalKind | undefined>(REQUIRED_KIND_KEY, targets);
    if (kind !== undefined && principal.kind !== kind) throw forbidden(`this operation is for ${kind} users`);
    const departments = this.reflector.getAllAndOverride<Department[] | undefined>(REQUIRED_DEPARTMENTS_KEY, targets);
    if (departments !== undefined && (principal.kind !== 'staff' || !departments.includes(principal.department))) {
      throw forbidden(`this operation is for staff of ${departments.join(' or ')}`);
    }
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES_KEY, targets);
    if (roles !== undefined && !roles.some((role) => principal.roles.includes(role))) {
      throw forbidden(`this operation needs one of the roles ${roles.join(', ')}`);
    }
    return true;
  }

  private async authenticate(request: HttpRequestLike): Promise<Principal> {
    const header = headerValue(request, 'authorization');
    if (header === undefined || header.trim() === '') {
      throw new HttpProblem(401, 'a bearer token is required (Authorization: Bearer <token>)', {
        type: ProblemTypes.unauthorized,
        headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
      });
    }
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
    if (!match) throw invalidToken('the Authorization header is not "Bearer <token>"');
    try {
      return await this.verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw invalidToken(error.message);
      if (error instanceof KeySourceUnavailableError) throw new HttpProblem(503, 'authentication is temporarily unavailable', { cause: error });
      throw error;
    }
  }
}

function invalidToken(description: string): HttpProblem {
  return new HttpProblem(401, description, {
    type: ProblemTypes.unauthorized,
    headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${description.replace(/["\\]/g, "'")}"` },
  });
}

function forbidden(detail: string): HttpProblem {
  return new HttpProblem(403, detail, { type: ProblemTypes.forbidden });
}
