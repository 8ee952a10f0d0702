import { DomainRuleViolation, type Decider, type PartnerKind } from '@crm/kernel';

/**
 * Partner aggregate: a separate company in the supply chain, its users, and the customers the
 * company has shared with it. A share is an explicit, revocable grant; partners read only what is
 * currently shared with them.
 */

export type PartnerEvent =
  | { type: 'PartnerRegistered'; data: { partnerId: string; name: string; partnerKind: PartnerKind } }
  | { type: 'PartnerUserAdded'; data: { partnerId: string; userId: string; name: string; email: string } }
  | { type: 'PartnerCredentialIssued'; data: { partnerId: string; clientId: string; secretHash: string; issuedAt: string } }
  | { type: 'PartnerCredentialRevoked'; data: { partnerId: string; clientId: string; revokedAt: string } }
  | { type: 'CustomerSharedWithPartner'; data: { partnerId: string; customerId: string; sharedAt: string; sharedBy: string } }
  | { type: 'CustomerShareRevoked'; data: { partnerId: string; customerId: string; revokedAt: string; revokedBy: string } };

export interface Partner {
  readonly partnerId: string;
  readonly name: string;
  readonly partnerKind: PartnerKind;
  readonly userIds: readonly string[];
  readonly activeClientIds: readonly string[];
  /** The scrypt hash of each active credential's secret, by client id (the token exchange checks it). */
  readonly secretHashes: Readonly<Record<string, string>>;
  readonly sharedCustomerIds: readonly string[];
}

export type PartnerState = Partner | undefined;

export type PartnerCommand =
  | { type: 'RegisterPartner'; data: { partnerId: string; name: string; partnerKind: PartnerKind } }
  | { type: 'AddPartnerUser'; data: { partnerId: string; userId: string; name: string; email: string } }
  | { type: 'IssueCredential'; data: { partnerId: string; clientId: string; secretHash: string; issuedAt: string } }
  | { type: 'RevokeCredential'; data: { partnerId: string; clientId: string; revokedAt: string } }
  | { type: 'ShareCustomer'; data: { partnerId: string; customerId: string; sharedAt: string; sharedBy: string }; customerExists: boolean }
  | { type: 'RevokeShare'; data: { partnerId: string; customerId: string; revokedAt: string; revokedBy: string } };

export const partnerStream = (partnerId: string) => `partner-${partnerId}`;

export function evolvePartner(state: PartnerState, event: PartnerEvent): PartnerState {
  switch (event.type) {
    case 'PartnerRegistered':
      return { ...event.data, userIds: [], activeClientIds: [], secretHashes: {}, sharedCustomerIds: [] };
    case 'PartnerUserAdded':
      return state && { ...state, userIds: [...state.userIds, event.data.userId] };
    case 'PartnerCredentialIssued':
      return (
        state && {
          ...state,
          activeClientIds: [...state.activeClientIds, event.data.clientId],
          secretHashes: { ...state.secretHashes, [event.data.clientId]: event.data.secretHash },
        }
      );
    case 'PartnerCredentialRevoked': {
      if (!state) return state;
      const { [event.data.clientId]: _revoked, ...secretHashes } = state.secretHashes;
      return { ...state, activeClientIds: state.activeClientIds.filter((c) => c !== event.data.clientId), secretHashes };
    }
    case 'CustomerSharedWithPartner':
      return state && { ...state, sharedCustomerIds: [...state.sharedCustomerIds, event.data.customerId] };
    case 'CustomerShareRevoked':
      return state && { ...state, sharedCustomerIds: state.sharedCustomerIds.filter((c) => c !== event.data.customerId) };
  }
}

export function decidePartner(command: PartnerCommand, state: PartnerState): PartnerEvent[] {
  if (command.type === 'RegisterPartner') {
    if (state) throw new DomainRuleViolation('partner-exists', `partner ${command.data.partnerId} is already registered`);
    return [{ type: 'PartnerRegistered', data: command.data }];
  }
  if (!state) throw new DomainRuleViolation('unknown-partner', `partner ${command.data.partnerId} is not registered`);
  switch (command.type) {
    case 'AddPartnerUser':
      if (state.userIds.includes(command.data.userId)) throw new DomainRuleViolation('duplicate-user', 'user already exists');
      return [{ type: 'PartnerUserAdded', data: command.data }];
    case 'IssueCredential':
      if (state.activeClientIds.includes(command.data.clientId)) throw new DomainRuleViolation('duplicate-credential', 'client id already issued');
      return [{ type: 'PartnerCredentialIssued', data: command.data }];
    case 'RevokeCredential':
      if (!state.activeClientIds.includes(command.data.clientId)) throw new DomainRuleViolation('unknown-credential', 'no such active credential');
      return [{ type: 'PartnerCredentialRevoked', data: command.data }];
    case 'ShareCustomer':
      if (!command.customerExists) throw new DomainRuleViolation('unknown-customer', `customer ${command.data.customerId} is not registered`);
      if (state.sharedCustomerIds.includes(command.data.customerId)) return []; // already shared
      return [{ type: 'CustomerSharedWithPartner', data: command.data }];
    case 'RevokeShare':
      if (!state.sharedCustomerIds.includes(command.data.customerId))
        throw new DomainRuleViolation('not-shared', `customer ${command.data.customerId} is not shared with ${state.partnerId}`);
      return [{ type: 'CustomerShareRevoked', data: command.data }];
  }
}

/** The partner aggregate, as the application layer runs it. */
export const partnerDecider: Decider<PartnerState, PartnerCommand, PartnerEvent> = { decide: decidePartner, evolve: evolvePartner, initialState: undefined };
