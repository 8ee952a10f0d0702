import type { Actor } from '@crm/kernel';

/** The departments a staff member can belong to (`dept` claim). */
export const DEPARTMENTS = ['sales', 'service', 'marketing', 'analytics', 'management'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export type PrincipalKind = 'staff' | 'partner';

/** An employee, from a token with `crm_kind: 'staff'` (or no `crm_kind`) and a `dept` claim. */
export interface StaffPrincipal {
  kind: 'staff';
  subject: string;
  department: Department;
  roles: string[];
}

/** A user of a partner company, from a token with `crm_kind: 'partner'` and a `partner_id` claim. */
export interface PartnerPrincipal {
  kind: 'partner';
  subject: string;
  partnerId: string;
  roles: string[];
  /**
   * The partner user the token was issued for (issue 14 §1; claim `partner_user`): a credential bound
   * to a person. Absent for the organisation's own credentials. `subject` stays the client id.
   */
  userId?: string;
}

/** Who is calling: taken from a verified bearer token by `JwtAuthGuard`. */
export type Principal = StaffPrincipal | PartnerPrincipal;

/** The CRM-specific claims of a token (besides iss, aud, exp, iat, sub). */
export interface PrincipalClaims {
  sub: string;
  crm_kind: PrincipalKind;
  dept?: Department;
  partner_id?: string;
  partner_user?: string;
  roles: string[];
}

/** A token's claims did not describe a principal. */
export class InvalidPrincipalClaimsError extends Error {
  override readonly name = 'InvalidPrincipalClaimsError';
}

export function isDepartment(value: unknown): value is Department {
  return typeof value === 'string' && (DEPARTMENTS as readonly string[]).includes(value);
}

/** The claims `mintToken` writes for a principal (the inverse of `principalFromClaims`). */
export function principalToClaims(principal: Principal): PrincipalClaims {
  return principal.kind === 'staff'
    ? { sub: principal.subject, crm_kind: 'staff', dept: principal.department, roles: [...principal.roles] }
    : {
        sub: principal.subject,
        crm_kind: 'partner',
        partner_id: principal.partnerId,
        ...(principal.userId !== undefined && { partner_user: principal.userId }),
        roles: [...principal.roles],
      };
}

/**
 * Reads a principal from verified claims. `crm_kind` defaults to `staff` (tokens of a real identity
 * provider usually carry only `sub`, `dept` and `roles`); `roles` may be an array of strings or a
 * space-separated string and defaults to none.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const subject = claims['sub'];
  if (typeof subject !== 'string' || subject === '') throw new InvalidPrincipalClaimsError('token has no "sub" claim');
  const roles = rolesFrom(claims['roles']);
  const kind = claims['crm_kind'] ?? 'staff';
  if (kind === 'staff') {
    const department = claims['dept'];
    if (!isDepartment(department)) {
      throw new InvalidPrincipalClaimsError(`a staff token needs a "dept" claim, one of ${DEPARTMENTS.join(', ')}`);
    }
    return { kind: 'staff', subject, department, roles };
  }
  if (kind === 'partner') {
    const partnerId = claims['partner_id'];
    if (typeof partnerId !== 'string' || partnerId === '') throw new InvalidPrincipalClaimsError('a partner token needs a "partner_id" claim');
    const userId = claims['partner_user'];
    if (userId !== undefined && (typeof userId !== 'string' || userId === '')) throw new InvalidPrincipalClaimsError('"partner_user" must be a user id');
    return { kind: 'partner', subject, partnerId, roles, ...(userId !== undefined && { userId }) };
  }
  throw new InvalidPrincipalClaimsError('"crm_kind" must be "staff" or "partner"');
}

function rolesFrom(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value) && value.every((r): r is string => typeof r === 'string')) return [...value];
  throw new InvalidPrincipalClaimsError('"roles" must be an array of strings');
}

/** The event-store actor for a principal, for event metadata. */
export function actorFromPrincipal(principal: Principal): Actor {
  return principal.kind === 'staff'
    ? { type: 'staff', id: principal.subject, department: principal.department }
    : { type: 'partner-user', id: partnerActorId(principal), partnerId: principal.partnerId };
}

/** Who a partner's write records as the person acting: the user when the token names one, else the client id (the organisation's credential). */
export function partnerActorId(principal: PartnerPrincipal): string {
  return principal.userId ?? principal.subject;
}
