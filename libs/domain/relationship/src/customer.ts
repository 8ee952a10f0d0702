import { DomainRuleViolation, type Decider, type Department, type JourneyStage, type RelationshipPhase } from '@crm/kernel';

/** Customer aggregate: a person or an organisation (with its contacts) and its identities. */

export interface Contact {
  readonly contactId: string;
  readonly name: string;
  readonly role?: string;
  readonly email?: string;
  readonly phone?: string;
}

export type IdentityKind = 'email' | 'phone' | 'external-id';
export interface Identity {
  readonly kind: IdentityKind;
  readonly value: string;
  /** For external ids: which system issued it (ERP, web shop, a partner's system...). */
  readonly system?: string;
}

export interface CustomerRegisteredData {
  customerId: string;
  kind: 'person' | 'organisation';
  name: string;
  contacts: Contact[];
  identities: Identity[];
  journeyStage: JourneyStage;
  relationshipPhase: RelationshipPhase;
  registeredBy: Department | 'partner';
}

export type CustomerEvent =
  | { type: 'CustomerRegistered'; data: CustomerRegisteredData }
  | { type: 'CustomerContactAdded'; data: { customerId: string; contact: Contact } }
  | { type: 'CustomerIdentityAdded'; data: { customerId: string; identity: Identity } }
  | { type: 'CustomerJourneyStageChanged'; data: { customerId: string; from: JourneyStage; to: JourneyStage } }
  | { type: 'CustomerRelationshipPhaseChanged'; data: { customerId: string; from: RelationshipPhase; to: RelationshipPhase } };

export interface Customer {
  readonly customerId: string;
  readonly kind: 'person' | 'organisation';
  readonly name: string;
  readonly contacts: readonly Contact[];
  readonly identities: readonly Identity[];
  readonly journeyStage: JourneyStage;
  readonly relationshipPhase: RelationshipPhase;
}

export type CustomerState = Customer | undefined;

export type CustomerCommand =
  | { type: 'RegisterCustomer'; data: CustomerRegisteredData }
  | { type: 'AddContact'; data: { customerId: string; contact: Contact } }
  | { type: 'AddIdentity'; data: { customerId: string; identity: Identity } }
  | { type: 'ChangeJourneyStage'; data: { customerId: string; to: JourneyStage } }
  | { type: 'ChangeRelationshipPhase'; data: { customerId: string; to: RelationshipPhase } };

export const customerStream = (customerId: string) => `customer-${customerId}`;

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered':
      return { ...event.data };
    case 'CustomerContactAdded':
      return state && { ...state, contacts: [...state.contacts, event.data.contact] };
    case 'CustomerIdentityAdded':
      return state && { ...state, identities: [...state.identities, event.data.identity] };
    case 'CustomerJourneyStageChanged':
      return state && { ...state, journeyStage: event.data.to };
    case 'CustomerRelationshipPhaseChanged':
      return state && { ...state, relationshipPhase: event.data.to };
  }
}

const sameIdentity = (a: Identity, b: Identity) => a.kind === b.kind && a.value.toLowerCase() === b.value.toLowerCase() && (a.system ?? '') === (b.system ?? '');

export function decideCustomer(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  if (command.type === 'RegisterCustomer') {
    if (state) throw new DomainRuleViolation('customer-exists', `customer ${command.data.customerId} is already registered`);
    if (command.data.kind === 'person' && command.data.contacts.length > 0) {
      throw new DomainRuleViolation('person-has-no-contacts', 'contacts belong to organisations; a person is its own contact');
    }
    const ids = command.data.identities;
    if (ids.some((a, i) => ids.findIndex((b) => sameIdentity(a, b)) !== i)) throw new DomainRuleViolation('duplicate-identity', 'the same identity is listed twice');
    return [{ type: 'CustomerRegistered', data: command.data }];
  }
  if (!state) throw new DomainRuleViolation('unknown-customer', `customer ${command.data.customerId} is not registered`);
  switch (command.type) {
    case 'AddContact':
      if (state.kind !== 'organisation') throw new DomainRuleViolation('person-has-no-contacts', 'contacts belong to organisations');
      if (state.contacts.some((c) => c.contactId === command.data.contact.contactId)) throw new DomainRuleViolation('duplicate-contact', 'contact already exists');
      return [{ type: 'CustomerContactAdded', data: command.data }];
    case 'AddIdentity':
      if (state.identities.some((i) => sameIdentity(i, command.data.identity))) return []; // already known: nothing happened
      return [{ type: 'CustomerIdentityAdded', data: command.data }];
    case 'ChangeJourneyStage':
      if (state.journeyStage === command.data.to) return [];
      return [{ type: 'CustomerJourneyStageChanged', data: { customerId: state.customerId, from: state.journeyStage, to: command.data.to } }];
    case 'ChangeRelationshipPhase':
      if (state.relationshipPhase === 'dissolution' && command.data.to !== 'dissolution') {
        // A dissolved relationship starts again from awareness, not mid-way.
        if (command.data.to !== 'awareness') throw new DomainRuleViolation('dissolved-restarts-at-awareness', 'a dissolved relationship can only restart at awareness');
      }
      if (state.relationshipPhase === command.data.to) return [];
      return [{ type: 'CustomerRelationshipPhaseChanged', data: { customerId: state.customerId, from: state.relationshipPhase, to: command.data.to } }];
  }
}

/** The customer aggregate, as the application layer runs it. */
export const customerDecider: Decider<CustomerState, CustomerCommand, CustomerEvent> = { decide: decideCustomer, evolve: evolveCustomer, initialState: undefined };
