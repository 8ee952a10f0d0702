import { DomainRuleViolation, type Decider, type EpisodeType, type PartnerKind } from '@crm/kernel';
import type { PartnerRoutingProfile } from './lead-routing';

/**
 * Partner aggregate: a separate company in the supply chain, its users, and the customers the
 * company has shared with it. A share is an explicit, revocable grant; partners read only what is
 * currently shared with them.
 *
 * A share names its scope (issue 14 §2): which episode types of the customer's history the partner
 * sees, whether it may write (open its own episodes, record interactions) or only read, and when it
 * ends. A share recorded without a scope (every share before scopes existed) means what it always
 * meant: every type, read-write, no end. Changing a scope is sharing again with the new scope.
 * Expiry needs no event: whoever reads compares `expiresAt` with its clock (`shareInForce`).
 */

/** Read-write: the partner may open its own episodes and record interactions on the customer; read: GET only. */
export const SHARE_ACCESS = ['read', 'read-write'] as const;
export type ShareAccess = (typeof SHARE_ACCESS)[number];

export interface ShareScope {
  /** The episode types of the customer's history the partner sees (absent: every type); its own episodes always. */
  episodeTypes?: EpisodeType[];
  /** Absent: read-write (the meaning of a share before scopes). */
  access?: ShareAccess;
  /** When the share ends (absent: never); from this instant on, the customer reads as unshared. */
  expiresAt?: string;
}

export interface PartnerShare extends ShareScope {
  customerId: string;
  sharedAt: string;
  sharedBy: string;
}

export const SHARE_REQUEST_STATUSES = ['pending', 'approved', 'refused'] as const;
export type ShareRequestStatus = (typeof SHARE_REQUEST_STATUSES)[number];

export interface ShareRequest {
  requestId: string;
  customerId: string;
  reason: string;
  status: ShareRequestStatus;
}

/**
 * A partner user's role (issue 14 §1): `sales` works deals (partner deals, deal registrations,
 * sell-through, share requests), `service` works returns and repairs, `admin` does both and manages
 * the organisation's users. Every role reads the customers shared with the partner.
 */
export const PARTNER_USER_ROLES = ['admin', 'sales', 'service'] as const;
export type PartnerUserRole = (typeof PARTNER_USER_ROLES)[number];

export interface PartnerUser {
  userId: string;
  /** Absent only on a user added before roles existed (none was: no route added users): such a user has no rights. */
  role?: PartnerUserRole;
}

/** Who added, changed or removed a user: a staff member's subject or a partner admin's user id. */
interface UserChange {
  partnerId: string;
  userId: string;
}

export type PartnerEvent =
  | { type: 'PartnerRegistered'; data: { partnerId: string; name: string; partnerKind: PartnerKind } }
  | {
      type: 'PartnerUserAdded';
      // name and email are the employee's personal data (sealed with the user's own key); role, addedAt, addedBy: optional additions to v1
      data: UserChange & { name: string; email: string; role?: PartnerUserRole; addedAt?: string; addedBy?: string };
    }
  | { type: 'PartnerUserRoleChanged'; data: UserChange & { from?: PartnerUserRole; to: PartnerUserRole; changedAt: string; changedBy: string } }
  | { type: 'PartnerUserRemoved'; data: UserChange & { removedAt: string; removedBy: string } }
  | { type: 'PartnerDeactivated'; data: { partnerId: string; deactivatedAt: string; deactivatedBy: string } }
  | { type: 'PartnerCredentialIssued'; data: { partnerId: string; clientId: string; secretHash: string; issuedAt: string; userId?: string } }
  | { type: 'PartnerCredentialRevoked'; data: { partnerId: string; clientId: string; revokedAt: string } }
  | { type: 'CustomerSharedWithPartner'; data: { partnerId: string; customerId: string; sharedAt: string; sharedBy: string } & ShareScope }
  | { type: 'CustomerShareRevoked'; data: { partnerId: string; customerId: string; revokedAt: string; revokedBy: string } }
  | {
      type: 'PartnerShareRequested';
      data: { partnerId: string; requestId: string; customerId: string; reason: string; requestedAt: string; requestedBy: string };
    }
  | {
      type: 'PartnerShareRequestApproved';
      data: { partnerId: string; requestId: string; customerId: string; approvedAt: string; approvedBy: string } & ShareScope;
    }
  | {
      type: 'PartnerShareRequestRefused';
      data: { partnerId: string; requestId: string; customerId: string; reason: string; refusedAt: string; refusedBy: string };
    }
  /** Lead distribution (issue 14 §4): where, what and how many leads the partner takes (lead-routing.ts). */
  | { type: 'PartnerRoutingProfileSet'; data: PartnerRoutingProfileSetData };

/** The routing profile as recorded: the whole profile (it replaces the last one), with the partner's kind for the readers that route. */
export interface PartnerRoutingProfileSetData extends PartnerRoutingProfile {
  partnerId: string;
  partnerKind: PartnerKind;
  setAt: string;
  setBy: string;
}

export interface Partner {
  readonly partnerId: string;
  readonly name: string;
  readonly partnerKind: PartnerKind;
  /** The users not removed (every user ever added, removed or not, is in `knownUserIds`). */
  readonly userIds: readonly string[];
  /** The users not removed, with their roles, by user id. */
  readonly users: Readonly<Record<string, PartnerUser>>;
  readonly knownUserIds: readonly string[];
  /** The user each active user credential is bound to, by client id (organisation credentials are not here). */
  readonly credentialUsers: Readonly<Record<string, string>>;
  /** Set once a channel manager ended the partnership: no credential, user or share works any more. */
  readonly deactivatedAt?: string;
  readonly activeClientIds: readonly string[];
  /** The scrypt hash of each active credential's secret, by client id (the token exchange checks it). */
  readonly secretHashes: Readonly<Record<string, string>>;
  /** Every customer shared and not revoked — expired ones too: whether a share is in force is the reader's clock's question (`shareInForce`). */
  readonly sharedCustomerIds: readonly string[];
  /** Each share's scope, by customer id. */
  readonly shares: Readonly<Record<string, PartnerShare>>;
  /** The partner's share requests, by request id. */
  readonly requests: Readonly<Record<string, ShareRequest>>;
  /** Where, what and how many leads it takes (absent: never set, it is offered no leads). */
  readonly routingProfile?: PartnerRoutingProfile;
}

export type PartnerState = Partner | undefined;

export type PartnerCommand =
  | { type: 'RegisterPartner'; data: { partnerId: string; name: string; partnerKind: PartnerKind } }
  | {
      type: 'AddPartnerUser';
      data: UserChange & { name: string; email: string; role: PartnerUserRole; addedAt: string; addedBy: string };
      firstAdmin?: boolean;
    }
  | { type: 'ChangePartnerUserRole'; data: UserChange & { role: PartnerUserRole; changedAt: string; changedBy: string } }
  | { type: 'RemovePartnerUser'; data: UserChange & { removedAt: string; removedBy: string } }
  | { type: 'DeactivatePartner'; data: { partnerId: string; deactivatedAt: string; deactivatedBy: string } }
  | { type: 'IssueCredential'; data: { partnerId: string; clientId: string; secretHash: string; issuedAt: string; userId?: string } }
  | { type: 'RevokeCredential'; data: { partnerId: string; clientId: string; revokedAt: string } }
  | { type: 'ShareCustomer'; data: { partnerId: string; customerId: string; sharedAt: string; sharedBy: string } & ShareScope; customerExists: boolean }
  | { type: 'RevokeShare'; data: { partnerId: string; customerId: string; revokedAt: string; revokedBy: string } }
  | {
      type: 'RequestShare';
      data: { partnerId: string; requestId: string; customerId: string; reason: string; requestedAt: string; requestedBy: string };
    }
  | {
      type: 'ApproveShareRequest';
      data: { partnerId: string; requestId: string; approvedAt: string; approvedBy: string; scope: ShareScope };
      customerExists: boolean;
    }
  | { type: 'RefuseShareRequest'; data: { partnerId: string; requestId: string; reason: string; refusedAt: string; refusedBy: string } }
  | { type: 'SetPartnerRoutingProfile'; data: { partnerId: string; profile: PartnerRoutingProfile; setAt: string; setBy: string } };

/** The share of `customerId` if it is in force at `now`: shared, not revoked, not expired. */
export function shareInForce(partner: Partner | undefined, customerId: string, now: Date): PartnerShare | undefined {
  if (!partner?.sharedCustomerIds.includes(customerId)) return undefined;
  const share = partner.shares[customerId] ?? { customerId, sharedAt: '', sharedBy: '' };
  if (share.expiresAt && Date.parse(share.expiresAt) <= now.getTime()) return undefined;
  return share;
}

/** The scope as recorded: only what was given (absent fields keep the old meaning), types de-duplicated and sorted. */
export function normaliseScope(scope: ShareScope): ShareScope {
  return {
    ...(scope.episodeTypes ? { episodeTypes: [...new Set(scope.episodeTypes)].sort() } : {}),
    ...(scope.access ? { access: scope.access } : {}),
    ...(scope.expiresAt ? { expiresAt: new Date(scope.expiresAt).toISOString() } : {}),
  };
}

const sameScope = (a: ShareScope, b: ShareScope): boolean => JSON.stringify(normaliseScope(a)) === JSON.stringify(normaliseScope(b));

function checkExpiry(scope: ShareScope, now: string): void {
  if (scope.expiresAt && Date.parse(scope.expiresAt) <= Date.parse(now))
    throw new DomainRuleViolation('expiry-in-past', `expiresAt ${scope.expiresAt} is not after ${now}`);
}

export const partnerStream = (partnerId: string) => `partner-${partnerId}`;

export function evolvePartner(state: PartnerState, event: PartnerEvent): PartnerState {
  switch (event.type) {
    case 'PartnerRegistered':
      return {
        ...event.data,
        userIds: [],
        users: {},
        knownUserIds: [],
        credentialUsers: {},
        activeClientIds: [],
        secretHashes: {},
        sharedCustomerIds: [],
        shares: {},
        requests: {},
      };
    case 'PartnerUserAdded': {
      if (!state) return state;
      const { userId, role } = event.data;
      return {
        ...state,
        userIds: [...state.userIds, userId],
        knownUserIds: [...state.knownUserIds, userId],
        users: { ...state.users, [userId]: { userId, ...(role && { role }) } },
      };
    }
    case 'PartnerUserRoleChanged': {
      const user = state?.users[event.data.userId];
      if (!state || !user) return state;
      return { ...state, users: { ...state.users, [user.userId]: { ...user, role: event.data.to } } };
    }
    case 'PartnerUserRemoved': {
      if (!state) return state;
      const { [event.data.userId]: _removed, ...users } = state.users;
      // A removed user's credentials end with the user: its tokens are refused from the next request.
      return withoutCredentials({ ...state, users, userIds: state.userIds.filter((u) => u !== event.data.userId) }, (_c, u) => u === event.data.userId);
    }
    case 'PartnerDeactivated':
      // Every credential ends; the shares end by the CustomerShareRevoked events of the same append.
      return state && withoutCredentials({ ...state, deactivatedAt: event.data.deactivatedAt }, () => true);
    case 'PartnerCredentialIssued':
      return (
        state && {
          ...state,
          activeClientIds: [...state.activeClientIds, event.data.clientId],
          secretHashes: { ...state.secretHashes, [event.data.clientId]: event.data.secretHash },
          ...(event.data.userId && { credentialUsers: { ...state.credentialUsers, [event.data.clientId]: event.data.userId } }),
        }
      );
    case 'PartnerCredentialRevoked':
      return state && withoutCredentials(state, (c) => c === event.data.clientId);
    case 'CustomerSharedWithPartner': {
      if (!state) return state;
      const { partnerId: _p, ...share } = event.data;
      const ids = state.sharedCustomerIds.includes(share.customerId) ? state.sharedCustomerIds : [...state.sharedCustomerIds, share.customerId];
      return { ...state, sharedCustomerIds: ids, shares: { ...state.shares, [share.customerId]: share } };
    }
    case 'CustomerShareRevoked': {
      if (!state) return state;
      const { [event.data.customerId]: _revoked, ...shares } = state.shares;
      return { ...state, sharedCustomerIds: state.sharedCustomerIds.filter((c) => c !== event.data.customerId), shares };
    }
    case 'PartnerShareRequested': {
      if (!state) return state;
      const { requestId, customerId, reason } = event.data;
      return { ...state, requests: { ...state.requests, [requestId]: { requestId, customerId, reason, status: 'pending' } } };
    }
    case 'PartnerShareRequestApproved':
    case 'PartnerShareRequestRefused': {
      const request = state?.requests[event.data.requestId];
      if (!state || !request) return state;
      const status = event.type === 'PartnerShareRequestApproved' ? 'approved' : 'refused';
      return { ...state, requests: { ...state.requests, [request.requestId]: { ...request, status } } };
    }
    case 'PartnerRoutingProfileSet': {
      if (!state) return state;
      const { partnerId: _p, partnerKind: _k, setAt: _at, setBy: _by, ...routingProfile } = event.data;
      return { ...state, routingProfile };
    }
  }
}

function withoutCredentials(state: Partner, ends: (clientId: string, userId: string | undefined) => boolean): Partner {
  const ending = state.activeClientIds.filter((c) => ends(c, state.credentialUsers[c]));
  if (ending.length === 0) return state;
  const keep = <T>(record: Readonly<Record<string, T>>) => Object.fromEntries(Object.entries(record).filter(([c]) => !ending.includes(c)));
  return {
    ...state,
    activeClientIds: state.activeClientIds.filter((c) => !ending.includes(c)),
    secretHashes: keep(state.secretHashes),
    credentialUsers: keep(state.credentialUsers),
  };
}

const adminCount = (state: Partner) => Object.values(state.users).filter((u) => u.role === 'admin').length;

function activeUser(state: Partner, userId: string): PartnerUser {
  const user = state.users[userId];
  if (!user) throw new DomainRuleViolation('unknown-user', `user ${userId} of partner ${state.partnerId} not found`);
  return user;
}

/**
 * Whether a token of the portal still stands for someone (read on every request): its credential
 * active, its user (if any) not removed, the partner not deactivated. `subject` is the token's
 * client id; `userId` the user it names.
 */
export function partnerCallerStanding(
  partner: Partner | undefined,
  subject: string,
  userId: string | undefined,
): 'active' | 'unknown-partner' | 'deactivated' | 'credential-revoked' | 'user-removed' {
  if (!partner) return 'unknown-partner';
  if (partner.deactivatedAt) return 'deactivated';
  if (userId !== undefined) {
    if (!partner.users[userId]) return 'user-removed';
    if (partner.credentialUsers[subject] !== userId) return 'credential-revoked';
  }
  return 'active';
}

export function decidePartner(command: PartnerCommand, state: PartnerState): PartnerEvent[] {
  if (command.type === 'RegisterPartner') {
    if (state) throw new DomainRuleViolation('partner-exists', `partner ${command.data.partnerId} is already registered`);
    return [{ type: 'PartnerRegistered', data: command.data }];
  }
  if (!state) throw new DomainRuleViolation('unknown-partner', `partner ${command.data.partnerId} is not registered`);
  if (state.deactivatedAt) {
    // Ending a partnership twice changes nothing; anything else on an ended one is refused.
    if (command.type === 'DeactivatePartner') return [];
    throw new DomainRuleViolation('partner-deactivated', `partner ${state.partnerId} was deactivated at ${state.deactivatedAt}`);
  }
  switch (command.type) {
    case 'AddPartnerUser': {
      if (state.knownUserIds.includes(command.data.userId)) throw new DomainRuleViolation('duplicate-user', 'user already exists');
      // Staff invite the first admin only; from then on the partner's own admins manage its users.
      if (command.firstAdmin && command.data.role !== 'admin') throw new DomainRuleViolation('first-user-not-admin', 'the first user staff invite is an admin');
      if (command.firstAdmin && adminCount(state) > 0)
        throw new DomainRuleViolation('admin-exists', 'the partner has an admin already: its admins invite users');
      return [{ type: 'PartnerUserAdded', data: command.data }];
    }
    case 'ChangePartnerUserRole': {
      const { role, ...rest } = command.data;
      const user = activeUser(state, rest.userId);
      if (user.role === role) return [];
      if (user.role === 'admin' && adminCount(state) === 1) throw new DomainRuleViolation('last-admin', 'the last admin cannot stop being admin');
      return [{ type: 'PartnerUserRoleChanged', data: { ...rest, ...(user.role && { from: user.role }), to: role } }];
    }
    case 'RemovePartnerUser': {
      const user = activeUser(state, command.data.userId);
      if (user.role === 'admin' && adminCount(state) === 1) throw new DomainRuleViolation('last-admin', 'the last admin cannot be removed');
      return [{ type: 'PartnerUserRemoved', data: command.data }];
    }
    case 'DeactivatePartner': {
      const { partnerId, deactivatedAt, deactivatedBy } = command.data;
      // One append: the end of the partnership and the end of each share (what the read models of every service know).
      return [
        { type: 'PartnerDeactivated', data: command.data },
        ...state.sharedCustomerIds.map((customerId): PartnerEvent => ({
          type: 'CustomerShareRevoked',
          data: { partnerId, customerId, revokedAt: deactivatedAt, revokedBy: deactivatedBy },
        })),
        // Lead distribution (issue 14 §4) ranks from the published routing profiles: an inactive one
        // takes the partner out of it (the deactivation itself is private to this stream).
        ...(state.routingProfile?.active
          ? [
              {
                type: 'PartnerRoutingProfileSet',
                data: {
                  partnerId,
                  partnerKind: state.partnerKind,
                  ...normaliseRoutingProfile(state.routingProfile),
                  active: false,
                  setAt: deactivatedAt,
                  setBy: deactivatedBy,
                },
              } satisfies PartnerEvent,
            ]
          : []),
      ];
    }
    case 'IssueCredential':
      if (state.activeClientIds.includes(command.data.clientId)) throw new DomainRuleViolation('duplicate-credential', 'client id already issued');
      if (command.data.userId !== undefined) activeUser(state, command.data.userId);
      return [{ type: 'PartnerCredentialIssued', data: command.data }];
    case 'RevokeCredential':
      if (!state.activeClientIds.includes(command.data.clientId)) throw new DomainRuleViolation('unknown-credential', 'no such active credential');
      return [{ type: 'PartnerCredentialRevoked', data: command.data }];
    case 'ShareCustomer': {
      if (!command.customerExists) throw new DomainRuleViolation('unknown-customer', `customer ${command.data.customerId} is not registered`);
      const { partnerId, customerId, sharedAt, sharedBy, ...scope } = command.data;
      checkExpiry(scope, sharedAt);
      // Sharing again with the same scope changes nothing; with another scope it records the new one.
      const current = shareInForce(state, customerId, new Date(sharedAt));
      if (current && sameScope(current, scope)) return [];
      return [{ type: 'CustomerSharedWithPartner', data: { partnerId, customerId, sharedAt, sharedBy, ...normaliseScope(scope) } }];
    }
    case 'RevokeShare':
      if (!state.sharedCustomerIds.includes(command.data.customerId))
        throw new DomainRuleViolation('not-shared', `customer ${command.data.customerId} is not shared with ${state.partnerId}`);
      return [{ type: 'CustomerShareRevoked', data: command.data }];
    case 'RequestShare':
      // Recorded whether or not the customer exists or is shared already: the partner is told nothing either way.
      if (state.requests[command.data.requestId]) return [];
      return [{ type: 'PartnerShareRequested', data: command.data }];
    case 'ApproveShareRequest': {
      const request = pendingRequest(state, command.data.requestId);
      if (!command.customerExists) throw new DomainRuleViolation('unknown-customer', `customer ${request.customerId} is not registered`);
      const { partnerId, requestId, approvedAt, approvedBy } = command.data;
      const scope = normaliseScope(command.data.scope);
      checkExpiry(scope, approvedAt);
      // One append on the partner's stream: the decision and the share it grants.
      return [
        { type: 'PartnerShareRequestApproved', data: { partnerId, requestId, customerId: request.customerId, approvedAt, approvedBy, ...scope } },
        { type: 'CustomerSharedWithPartner', data: { partnerId, customerId: request.customerId, sharedAt: approvedAt, sharedBy: approvedBy, ...scope } },
      ];
    }
    case 'RefuseShareRequest': {
      const request = pendingRequest(state, command.data.requestId);
      return [{ type: 'PartnerShareRequestRefused', data: { ...command.data, customerId: request.customerId } }];
    }
    case 'SetPartnerRoutingProfile': {
      const profile = normaliseRoutingProfile(command.data.profile);
      if (profile.capacity < 0 || !Number.isInteger(profile.capacity))
        throw new DomainRuleViolation('invalid-capacity', 'capacity is a whole number of leads, 0 or more');
      // The same profile again: nothing new.
      if (state.routingProfile && JSON.stringify(normaliseRoutingProfile(state.routingProfile)) === JSON.stringify(profile)) return [];
      const { partnerId, setAt, setBy } = command.data;
      return [{ type: 'PartnerRoutingProfileSet', data: { partnerId, partnerKind: state.partnerKind, ...profile, setAt, setBy } }];
    }
  }
}

/** A profile as recorded: countries upper case, territories by country, regions and products de-duplicated and sorted. */
export function normaliseRoutingProfile(p: PartnerRoutingProfile): PartnerRoutingProfile {
  const territories = [...p.territories]
    .map((t) => ({ country: t.country.toUpperCase(), ...(t.regions?.length ? { regions: [...new Set(t.regions)].sort() } : {}) }))
    .sort((a, b) => a.country.localeCompare(b.country));
  return { territories, products: [...new Set(p.products)].sort(), tier: p.tier, capacity: p.capacity, active: p.active };
}

function pendingRequest(state: Partner, requestId: string): ShareRequest {
  const request = state.requests[requestId];
  if (!request) throw new DomainRuleViolation('unknown-request', `share request ${requestId} not found`);
  if (request.status !== 'pending') throw new DomainRuleViolation('request-decided', `share request ${requestId} is already ${request.status}`);
  return request;
}

/** The partner aggregate, as the application layer runs it. */
export const partnerDecider: Decider<PartnerState, PartnerCommand, PartnerEvent> = { decide: decidePartner, evolve: evolvePartner, initialState: undefined };
