import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Department, Principal, PrincipalKind } from './principal';
import { principalOf, type HttpRequestLike } from './request';

export const IS_PUBLIC_KEY = 'crm:auth:public';
export const REQUIRED_KIND_KEY = 'crm:auth:kind';
export const REQUIRED_DEPARTMENTS_KEY = 'crm:auth:departments';
export const REQUIRED_ROLES_KEY = 'crm:auth:roles';
/** OpenAPI extension `Public()` marks operations with; `setupOpenApi` turns it into `security: []`. */
export const OPENAPI_PUBLIC_EXTENSION = 'x-crm-public';
/** OpenAPI extension `RequireKind()` marks operations with; `setupOpenApi` picks the security scheme by it (partner: OAuth client credentials). */
export const OPENAPI_KIND_EXTENSION = 'x-crm-principal-kind';

/** No bearer token needed (health, OpenAPI, partner token exchange). On a controller or a handler. */
export function Public(): ClassDecorator & MethodDecorator {
  return applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(OPENAPI_PUBLIC_EXTENSION, true));
}

/** Only principals of this kind (403 otherwise). A handler's requirement replaces its controller's. */
export function RequireKind(kind: PrincipalKind): ClassDecorator & MethodDecorator {
  return applyDecorators(SetMetadata(REQUIRED_KIND_KEY, kind), ApiExtension(OPENAPI_KIND_EXTENSION, kind));
}

/** Only staff of one of these departments (403 otherwise, and for partners). A handler's requirement replaces its controller's. */
export function RequireDepartment(...departments: Department[]): ClassDecorator & MethodDecorator {
  return SetMetadata(REQUIRED_DEPARTMENTS_KEY, departments);
}

/** Only principals holding at least one of these roles (403 otherwise). A handler's requirement replaces its controller's. */
export function RequireRoles(...roles: string[]): ClassDecorator & MethodDecorator {
  return SetMetadata(REQUIRED_ROLES_KEY, roles);
}

/**
 * The authenticated principal: `handler(@CurrentPrincipal() who: Principal)`. Undefined only on a
 * `@Public()` route.
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal | undefined =>
  principalOf(context.switchToHttp().getRequest<HttpRequestLike>()),
);
