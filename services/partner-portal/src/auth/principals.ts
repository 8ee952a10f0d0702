import { HttpProblem, ProblemTypes, type PartnerPrincipal, type Principal, type StaffPrincipal } from '@crm/service-kit';

/**
 * The caller as the kind the route admits. The guard already refused other kinds (`@RequireKind`);
 * this only narrows the type, and fails closed if a route ever lost its decorator.
 */
export function asPartner(principal: Principal | undefined): PartnerPrincipal {
  if (principal?.kind !== 'partner') throw new HttpProblem(403, 'this operation is for partner users', { type: ProblemTypes.forbidden });
  return principal;
}

export function asStaff(principal: Principal | undefined): StaffPrincipal {
  if (principal?.kind !== 'staff') throw new HttpProblem(403, 'this operation is for staff users', { type: ProblemTypes.forbidden });
  return principal;
}
