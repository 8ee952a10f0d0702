import { DomainRuleViolation, type Decider } from '@crm/kernel';

/**
 * Deal registration (issue 14 §3): a partner claims a deal it is working — on a customer shared with
 * it, or on a prospect the company may not know yet — and a channel manager approves or rejects the
 * claim before `approvalDueAt`. An approved claim protects the deal for the partner until
 * `protectionEndsAt`; a claim nobody reviewed in time, or whose protection ran out, expires.
 *
 * What the registration conflicts with (an open opportunity on the customer, another partner's
 * active registration) and which existing customers a prospect may be are decided when it is
 * registered and recorded with it: they are for the company's staff only (the partner sees its
 * registration as `pending`, never what it collides with).
 *
 * Time is passed in (`now` on each command): the decider never reads a clock.
 */

export type DealRegistrationStatus = 'pending' | 'approved' | 'rejected' | 'expired';
export type DealExpiryReason = 'not-reviewed' | 'protection-ended';

/** A prospect the company may not know yet. Its contact is personal data (sealed with the lead's key). */
export interface DealProspect {
  company: string;
  contactName: string;
  contactEmail?: string;
}

/** What a registration collides with, found when it was registered (staff only). */
export interface DealConflict {
  kind: 'opportunity' | 'deal-registration';
  /** The opportunity's episode id, or the other registration's id. */
  id: string;
  /** The other registration's partner (kind `deal-registration`). */
  partnerId?: string;
}

export interface DealRegisteredData {
  registrationId: string;
  partnerId: string;
  /** The partner's user (client id or user) who registered it. */
  registeredBy: string;
  /** A customer shared with the partner … */
  customerId?: string;
  /** … or a prospect: the lead it is (or will be) recorded as, which is also the key its contact is sealed with. */
  leadId?: string;
  prospect?: DealProspect;
  products: string[];
  /** Integer minor units of `currency` (ISO 4217): no floating point in money. */
  estimatedValue: number;
  currency: string;
  /** YYYY-MM-DD */
  expectedCloseDate: string;
  registeredAt: string;
  approvalDueAt: string;
  conflicts: DealConflict[];
  possibleExistingCustomerIds: string[];
}

export type DealRegistrationEvent =
  | { type: 'DealRegistered'; data: DealRegisteredData }
  | {
      type: 'DealRegistrationApproved';
      data: {
        registrationId: string;
        partnerId: string;
        customerId?: string;
        approvedBy: string;
        approvedAt: string;
        protectionEndsAt: string;
        /** The partner-deal episode the approval opens (on a customer; a prospect has none until it is one). */
        episodeId?: string;
        /** The company's open opportunity the deal is part of: the episode opens linked to it. */
        opportunityId?: string;
      };
    }
  | {
      type: 'DealRegistrationRejected';
      data: { registrationId: string; partnerId: string; customerId?: string; rejectedBy: string; rejectedAt: string; reason: string };
    }
  | {
      type: 'DealRegistrationExpired';
      data: { registrationId: string; partnerId: string; customerId?: string; expiredAt: string; reason: DealExpiryReason };
    };

export interface DealRegistration extends DealRegisteredData {
  status: DealRegistrationStatus;
  approvedAt?: string;
  protectionEndsAt?: string;
  episodeId?: string;
  opportunityId?: string;
  decidedBy?: string;
  rejectionReason?: string;
  expiredAt?: string;
  expiryReason?: DealExpiryReason;
}

export type DealRegistrationState = DealRegistration | undefined;

export type DealRegistrationCommand =
  | { type: 'RegisterDeal'; data: DealRegisteredData }
  | {
      type: 'ApproveDealRegistration';
      data: { approvedBy: string; protectionDays: number; episodeId?: string };
      /** The opportunity the approver links the deal to, as the read side knows it (its customer, whether open; no customer: unknown). */
      opportunity?: { opportunityId: string; customerId?: string; open: boolean };
      now: string;
    }
  | { type: 'RejectDealRegistration'; data: { rejectedBy: string; reason: string }; now: string }
  | { type: 'ExpireDealRegistration'; now: string };

export const dealRegistrationStream = (registrationId: string) => `dealregistration-${registrationId}`;

const DAY_MS = 86_400_000;
const CURRENCY = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a registration still holds its claim: pending review, or approved and protected. */
export const isActiveDealRegistration = (s: DealRegistrationStatus) => s === 'pending' || s === 'approved';

export function evolveDealRegistration(state: DealRegistrationState, event: DealRegistrationEvent): DealRegistrationState {
  switch (event.type) {
    case 'DealRegistered':
      return { ...event.data, status: 'pending' };
    case 'DealRegistrationApproved':
      return (
        state && {
          ...state,
          status: 'approved',
          approvedAt: event.data.approvedAt,
          protectionEndsAt: event.data.protectionEndsAt,
          decidedBy: event.data.approvedBy,
          ...(event.data.episodeId !== undefined && { episodeId: event.data.episodeId }),
          ...(event.data.opportunityId !== undefined && { opportunityId: event.data.opportunityId }),
        }
      );
    case 'DealRegistrationRejected':
      return state && { ...state, status: 'rejected', decidedBy: event.data.rejectedBy, rejectionReason: event.data.reason };
    case 'DealRegistrationExpired':
      return state && { ...state, status: 'expired', expiredAt: event.data.expiredAt, expiryReason: event.data.reason };
  }
}

export function decideDealRegistration(command: DealRegistrationCommand, state: DealRegistrationState): DealRegistrationEvent[] {
  if (command.type === 'RegisterDeal') {
    if (state) {
      // A retried request (same id, same partner, same deal) changes nothing; anything else reuses an id.
      if (sameDeal(state, command.data)) return [];
      throw new DomainRuleViolation('registration-exists', `deal registration ${command.data.registrationId} already exists`);
    }
    assertRegistrable(command.data);
    return [{ type: 'DealRegistered', data: command.data }];
  }
  if (!state) throw new DomainRuleViolation('unknown-registration', 'no such deal registration');
  const who = { registrationId: state.registrationId, partnerId: state.partnerId, ...(state.customerId !== undefined && { customerId: state.customerId }) };
  switch (command.type) {
    case 'ApproveDealRegistration': {
      assertPending(state, 'approved');
      if (Date.parse(command.now) >= Date.parse(state.approvalDueAt))
        throw new DomainRuleViolation('approval-window-passed', `the registration had to be reviewed by ${state.approvalDueAt}`);
      if (!Number.isInteger(command.data.protectionDays) || command.data.protectionDays < 1)
        throw new DomainRuleViolation('invalid-protection', 'the protection window is a whole number of days, at least one');
      const protectionEndsAt = new Date(Date.parse(command.now) + command.data.protectionDays * DAY_MS).toISOString();
      const link = command.opportunity;
      if (link && link.customerId === undefined) throw new DomainRuleViolation('unknown-opportunity', `no opportunity ${link.opportunityId}`);
      if (link && (state.customerId === undefined || link.customerId !== state.customerId))
        throw new DomainRuleViolation('opportunity-of-another-customer', `opportunity ${link.opportunityId} is not one of the registration's customer`);
      if (link && !link.open) throw new DomainRuleViolation('opportunity-closed', `opportunity ${link.opportunityId} is closed`);
      return [
        {
          type: 'DealRegistrationApproved',
          data: {
            ...who,
            approvedBy: command.data.approvedBy,
            approvedAt: command.now,
            protectionEndsAt,
            // Only a customer's deal becomes an episode now: a prospect has no customer to hold it yet.
            ...(state.customerId !== undefined && command.data.episodeId !== undefined && { episodeId: command.data.episodeId }),
            ...(link && { opportunityId: link.opportunityId }),
          },
        },
      ];
    }
    case 'RejectDealRegistration':
      assertPending(state, 'rejected');
      if (!command.data.reason.trim()) throw new DomainRuleViolation('reason-required', 'a rejection says why');
      return [
        { type: 'DealRegistrationRejected', data: { ...who, rejectedBy: command.data.rejectedBy, rejectedAt: command.now, reason: command.data.reason } },
      ];
    case 'ExpireDealRegistration': {
      // Nothing to do when it is not (yet) due: the expiry tick may run it any number of times.
      const now = Date.parse(command.now);
      if (state.status === 'pending' && now >= Date.parse(state.approvalDueAt))
        return [{ type: 'DealRegistrationExpired', data: { ...who, expiredAt: command.now, reason: 'not-reviewed' } }];
      if (state.status === 'approved' && state.protectionEndsAt && now >= Date.parse(state.protectionEndsAt))
        return [{ type: 'DealRegistrationExpired', data: { ...who, expiredAt: command.now, reason: 'protection-ended' } }];
      return [];
    }
  }
}

/** The same claim registered again (a client's retry): what it says, not when or under which new lead id. */
function sameDeal(a: DealRegisteredData, b: DealRegisteredData): boolean {
  return (
    a.partnerId === b.partnerId &&
    a.customerId === b.customerId &&
    a.prospect?.company === b.prospect?.company &&
    a.estimatedValue === b.estimatedValue &&
    a.currency === b.currency &&
    a.expectedCloseDate === b.expectedCloseDate &&
    a.products.join('\n') === b.products.join('\n')
  );
}

function assertPending(state: DealRegistration, to: string): void {
  if (state.status !== 'pending') throw new DomainRuleViolation('not-pending', `a ${state.status} registration cannot be ${to}`);
}

function assertRegistrable(d: DealRegisteredData): void {
  if ((d.customerId === undefined) === (d.prospect === undefined))
    throw new DomainRuleViolation('customer-or-prospect', 'a deal is registered on a shared customer or on a prospect, not both or neither');
  if (d.prospect && !d.leadId) throw new DomainRuleViolation('prospect-without-lead', 'a prospect is recorded as a lead');
  if (!Number.isSafeInteger(d.estimatedValue) || d.estimatedValue < 0)
    throw new DomainRuleViolation('invalid-amount', 'the estimated value is a non-negative integer of minor units');
  if (!CURRENCY.test(d.currency)) throw new DomainRuleViolation('invalid-currency', 'the currency is an ISO 4217 code');
  if (d.products.length === 0) throw new DomainRuleViolation('no-products', 'a deal names at least one product');
  if (!DATE.test(d.expectedCloseDate) || Number.isNaN(Date.parse(d.expectedCloseDate)))
    throw new DomainRuleViolation('invalid-close-date', 'the expected close date is a date (YYYY-MM-DD)');
  if (d.expectedCloseDate < d.registeredAt.slice(0, 10)) throw new DomainRuleViolation('close-date-in-past', 'the expected close date has passed');
}

/** The deal registration aggregate, as the application layer runs it. */
export const dealRegistrationDecider: Decider<DealRegistrationState, DealRegistrationCommand, DealRegistrationEvent> = {
  decide: decideDealRegistration,
  evolve: evolveDealRegistration,
  initialState: undefined,
};
