import type { Clock } from '@crm/kernel';
import type { PartnerKind } from '@crm/relationship';
import { HttpProblem, ProblemTypes, type StaffPrincipal } from '@crm/service-kit';

/**
 * Who may share a customer with a partner (and decide its requests): channel managers and
 * administrators of management or sales — sharing opens a customer to another company — and, for a
 * repair provider (`service-provider`) only, any staff of the service department: a return's
 * repair needs the provider to see the customer, and service staff run returns.
 */
export function assertMayShare(staff: StaffPrincipal, partnerKind: PartnerKind | undefined): void {
  if ((staff.department === 'management' || staff.department === 'sales') && staff.roles.some((r) => r === 'channel-manager' || r === 'admin')) return;
  if (staff.department === 'service' && partnerKind === 'service-provider') return;
  throw new HttpProblem(403, 'sharing with this partner needs a channel manager or administrator (service staff: repair providers only)', {
    type: ProblemTypes.forbidden,
  });
}

/** Whether the staff member may use the share routes at all (before the partner is known): the guard's job, per department. */
export function mayShareAtAll(staff: StaffPrincipal): boolean {
  return (
    staff.department === 'service' ||
    ((staff.department === 'management' || staff.department === 'sales') && staff.roles.some((r) => r === 'channel-manager' || r === 'admin'))
  );
}

/** 400 naming `field` unless `expiresAt` is after the clock's now (the DTO checked its format). */
export function assertFutureExpiry(expiresAt: string | undefined, clock: Clock, field = 'expiresAt'): void {
  if (expiresAt === undefined) return;
  if (Date.parse(expiresAt) > clock.now().getTime()) return;
  const message = `${field} must be in the future`;
  throw new HttpProblem(400, `the request is invalid: ${field}`, { type: ProblemTypes.validation, errors: [{ field, message }] });
}
