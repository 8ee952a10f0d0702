import {
  DomainRuleViolation,
  ERASED,
  JOURNEY_STAGES,
  RELATIONSHIP_PHASES,
  type ChangeSource,
  type ContactRole,
  type Decider,
  type Department,
  type JourneyStage,
  type RelationshipPhase,
} from '@crm/kernel';

/**
 * Customer aggregate: a person or an organisation (with its contacts), its identities, who owns the
 * account, its tags and its place in an account hierarchy, and where it stands in the customer
 * journey and the relationship. Every change is an event of the customer's own history.
 */

/** Where letters reach a contact or the customer itself (the mail channel's print list). `country`: ISO 3166-1 alpha-2. */
export interface PostalAddress {
  /** Street, building, PO box…: 1–4 lines as printed. */
  readonly lines: readonly string[];
  readonly postalCode?: string;
  readonly locality: string;
  readonly region?: string;
  readonly country: string;
}

export interface Contact {
  readonly contactId: string;
  readonly name: string;
  /** Free text as the organisation calls it ("head of procurement"). */
  readonly role?: string;
  /** The parts the contact plays in buying decisions. */
  readonly roles?: readonly ContactRole[];
  readonly email?: string;
  readonly phone?: string;
  readonly address?: PostalAddress;
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
  /** The account manager (a staff subject). */
  owner?: string;
  tags?: string[];
  /** The parent organisation in an account hierarchy. */
  parentId?: string;
  /** The customer's own postal address: a person's (who has no contacts), an organisation's office. */
  address?: PostalAddress;
}

/** A change of the record's own fields; `null` clears one, an absent field stays as it is. */
export interface CustomerDetailsChangedData {
  customerId: string;
  name?: string;
  owner?: string | null;
  tags?: string[];
  parentId?: string | null;
  /** The whole new address; `null` removes it. */
  address?: PostalAddress | null;
}

export interface StageChange<T> {
  customerId: string;
  from: T;
  to: T;
  /** Why it changed; required for a manual move backwards. */
  reason?: string;
  /** `manual` (a person) or `derived` (analytics from behaviour); absent in events before v1.1 = manual. */
  source?: ChangeSource;
  /** Derived changes: the rule that fired (`repeat-order`, `tenure-and-regularity`…, docs/analytics.md). */
  rule?: string;
  /** When it was changed (recorded since issue 11: how long a manual change holds off the automation). */
  changedAt?: string;
}

export type CustomerEvent =
  | { type: 'CustomerRegistered'; data: CustomerRegisteredData }
  | { type: 'CustomerDetailsChanged'; data: CustomerDetailsChangedData }
  | { type: 'CustomerContactAdded'; data: { customerId: string; contact: Contact } }
  | { type: 'CustomerContactChanged'; data: { customerId: string; contact: Contact } }
  | { type: 'CustomerContactRemoved'; data: { customerId: string; contactId: string } }
  | { type: 'CustomerIdentityAdded'; data: { customerId: string; identity: Identity } }
  | { type: 'CustomerIdentityRemoved'; data: { customerId: string; identity: Identity } }
  | { type: 'CustomerDuplicateSuspected'; data: { customerId: string; otherCustomerId: string; reason: string } }
  /** Recorded on the duplicate's stream: from now on it is read and written as its survivor. */
  | { type: 'CustomerMerged'; data: { customerId: string; survivorId: string; mergeId: string } }
  /** Undoes that merge: the duplicate is itself again, with what was recorded on it before. */
  | { type: 'CustomerUnmerged'; data: { customerId: string; survivorId: string; mergeId: string } }
  | { type: 'CustomerJourneyStageChanged'; data: StageChange<JourneyStage> }
  | { type: 'CustomerRelationshipPhaseChanged'; data: StageChange<RelationshipPhase> }
  /** The customer's keys are destroyed: its personal data reads as erased from now on. */
  | { type: 'CustomerPersonalDataErased'; data: PersonalDataErasure };

export interface PersonalDataErasure {
  customerId: string;
  erasedAt: string;
  /** On a survivor: the customers merged into it, erased with it. */
  mergedCustomerIds?: string[];
}

export interface Customer {
  readonly customerId: string;
  readonly kind: 'person' | 'organisation';
  readonly name: string;
  readonly contacts: readonly Contact[];
  readonly identities: readonly Identity[];
  readonly journeyStage: JourneyStage;
  readonly relationshipPhase: RelationshipPhase;
  readonly owner?: string;
  readonly tags: readonly string[];
  readonly parentId?: string;
  /** The customer's own postal address (personal data: dropped by an erasure). */
  readonly address?: PostalAddress;
  /** Set while this customer is merged into another (its survivor). */
  readonly mergedInto?: { readonly survivorId: string; readonly mergeId: string };
  /** When its personal data was last erased. */
  readonly erasedAt?: string;
  /** When a person last set the journey stage / relationship phase (only changes that say when): the automation holds off for a while. */
  readonly journeyStageSetManuallyAt?: string;
  readonly relationshipPhaseSetManuallyAt?: string;
}

export type CustomerState = Customer | undefined;

/** The proposed parent, as the application layer found it: its kind and its own ancestors (nearest first). */
export interface ParentCandidate {
  id: string;
  kind: 'person' | 'organisation';
  ancestors: readonly string[];
}

export type CustomerCommand =
  | { type: 'RegisterCustomer'; data: CustomerRegisteredData; parent?: ParentCandidate }
  | { type: 'ChangeCustomerDetails'; data: CustomerDetailsChangedData; parent?: ParentCandidate }
  | { type: 'AddContact'; data: { customerId: string; contact: Contact } }
  | { type: 'ChangeContact'; data: { customerId: string; contact: Contact } }
  | { type: 'RemoveContact'; data: { customerId: string; contactId: string } }
  | { type: 'AddIdentity'; data: { customerId: string; identity: Identity } }
  | { type: 'RemoveIdentity'; data: { customerId: string; identity: Identity } }
  | { type: 'SuspectDuplicate'; data: { customerId: string; otherCustomerId: string; reason: string } }
  /**
   * Merge this customer (the duplicate) into `survivorId`. The application layer passes what it read
   * of the survivor: that it is live, and the chain of customers it is itself merged into (none for
   * a live one) — so a merge never closes a loop.
   */
  | { type: 'MergeCustomer'; data: { customerId: string; survivorId: string; mergeId: string }; survivor: { exists: boolean; mergedInto?: string } }
  | { type: 'UnmergeCustomer'; data: { customerId: string; mergeId: string } }
  | { type: 'ChangeJourneyStage'; data: { customerId: string; to: JourneyStage; reason?: string; source?: ChangeSource; changedAt?: string } }
  | { type: 'ChangeRelationshipPhase'; data: { customerId: string; to: RelationshipPhase; reason?: string; source?: ChangeSource; changedAt?: string } }
  /**
   * Analytics' derivation from behaviour (issue 11 §4): the stage and/or phase its rules reached,
   * each with the rule that fired, at `at`. Never refused: a move the automation may not make (a stage
   * backwards, over a recent manual change, out of dissolution other than to awareness) is no event.
   */
  | { type: 'ApplyDerivedJourney'; data: { customerId: string; at: string; stage?: DerivedMove<JourneyStage>; phase?: DerivedMove<RelationshipPhase> } }
  /** Erasure of the customer's personal data (also of a merged customer: it is erased with its survivor). */
  | { type: 'ErasePersonalData'; data: PersonalDataErasure };

export const customerStream = (customerId: string) => `customer-${customerId}`;

/** Where analytics' rules say a customer is, and which rule said it. */
export interface DerivedMove<T> {
  to: T;
  rule: string;
}

/** How long a person's change of stage or phase holds off the automation (docs/analytics.md, "Journey stage and relationship phase"). */
export const MANUAL_CHANGE_HOLD_DAYS = 180;

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { registeredBy: _by, tags, ...d } = event.data;
      return { ...d, tags: tags ?? [] };
    }
    case 'CustomerDetailsChanged': {
      if (!state) return state;
      const d = event.data;
      const next = { ...state, ...(d.name !== undefined && { name: d.name }), ...(d.tags !== undefined && { tags: d.tags }) };
      if (d.owner !== undefined) next.owner = d.owner ?? undefined;
      if (d.parentId !== undefined) next.parentId = d.parentId ?? undefined;
      if (d.address !== undefined) next.address = d.address ?? undefined;
      return next;
    }
    case 'CustomerContactAdded':
      return state && { ...state, contacts: [...state.contacts, event.data.contact] };
    case 'CustomerContactChanged':
      return state && { ...state, contacts: state.contacts.map((c) => (c.contactId === event.data.contact.contactId ? event.data.contact : c)) };
    case 'CustomerContactRemoved':
      return state && { ...state, contacts: state.contacts.filter((c) => c.contactId !== event.data.contactId) };
    case 'CustomerIdentityAdded':
      return state && { ...state, identities: [...state.identities, event.data.identity] };
    case 'CustomerIdentityRemoved':
      return state && { ...state, identities: state.identities.filter((i) => !sameIdentity(i, event.data.identity)) };
    case 'CustomerDuplicateSuspected':
      return state;
    case 'CustomerMerged':
      return state && { ...state, mergedInto: { survivorId: event.data.survivorId, mergeId: event.data.mergeId } };
    case 'CustomerUnmerged': {
      if (!state) return state;
      const { mergedInto: _merged, ...rest } = state;
      return rest;
    }
    case 'CustomerJourneyStageChanged': {
      if (!state) return state;
      const { journeyStageSetManuallyAt: _before, ...rest } = state;
      const manualAt = event.data.source !== 'derived' ? event.data.changedAt : undefined;
      return { ...rest, journeyStage: event.data.to, ...(manualAt && { journeyStageSetManuallyAt: manualAt }) };
    }
    case 'CustomerRelationshipPhaseChanged': {
      if (!state) return state;
      const { relationshipPhaseSetManuallyAt: _before, ...rest } = state;
      const manualAt = event.data.source !== 'derived' ? event.data.changedAt : undefined;
      return { ...rest, relationshipPhase: event.data.to, ...(manualAt && { relationshipPhaseSetManuallyAt: manualAt }) };
    }
    case 'CustomerPersonalDataErased': {
      // Contacts, identities and the postal address are personal through and through: nothing of them is kept.
      if (!state) return state;
      const { address: _erased, ...rest } = state;
      return { ...rest, name: ERASED, contacts: [], identities: [], erasedAt: event.data.erasedAt };
    }
  }
}

/** An address with only the parts it has, in one order (what is recorded, and compared). */
export function postalAddress(a: PostalAddress): PostalAddress {
  return {
    lines: [...a.lines],
    ...(a.postalCode !== undefined && { postalCode: a.postalCode }),
    locality: a.locality,
    ...(a.region !== undefined && { region: a.region }),
    country: a.country,
  };
}

/** The same address, part for part (no change to record). */
export const sameAddress = (a: PostalAddress | undefined, b: PostalAddress | undefined): boolean =>
  a === undefined || b === undefined ? a === b : JSON.stringify(postalAddress(a)) === JSON.stringify(postalAddress(b));

/** Identities compare case-insensitively, within their kind and issuing system. */
export const sameIdentity = (a: Identity, b: Identity) =>
  a.kind === b.kind && a.value.toLowerCase() === b.value.toLowerCase() && (a.system ?? '') === (b.system ?? '');

/** The parent must be another, live organisation that is not below this customer. */
function checkParent(customerId: string, parent: ParentCandidate | undefined, parentId: string): void {
  if (parentId === customerId) throw new DomainRuleViolation('parent-cycle', 'a customer cannot be its own parent');
  if (!parent || parent.id !== parentId) throw new DomainRuleViolation('unknown-parent', `parent ${parentId} is not registered`);
  if (parent.kind !== 'organisation') throw new DomainRuleViolation('parent-must-be-organisation', 'only an organisation can be a parent account');
  if (parent.ancestors.includes(customerId)) throw new DomainRuleViolation('parent-cycle', `${parentId} is below ${customerId} in the account hierarchy`);
}

function changeOf<T extends string>(
  order: readonly T[],
  customerId: string,
  from: T,
  command: { to: T; reason?: string; source?: ChangeSource; changedAt?: string },
): StageChange<T> {
  const reason = command.reason?.trim();
  // Moving back is a judgement a person makes and must explain; analytics re-derives freely.
  if (command.source !== 'derived' && order.indexOf(command.to) < order.indexOf(from) && !reason) {
    throw new DomainRuleViolation('backward-move-needs-reason', `moving back from ${from} to ${command.to} needs a reason`);
  }
  return {
    customerId,
    from,
    to: command.to,
    ...(reason && { reason }),
    ...(command.source && { source: command.source }),
    ...(command.changedAt && { changedAt: command.changedAt }),
  };
}

const HOLD_MS = MANUAL_CHANGE_HOLD_DAYS * 86_400_000;
/** A person's change holds off the automation for MANUAL_CHANGE_HOLD_DAYS after it. */
const heldByPerson = (setManuallyAt: string | undefined, at: string) => setManuallyAt !== undefined && Date.parse(at) - Date.parse(setManuallyAt) < HOLD_MS;

/**
 * The automation's moves: a stage only forward (the ladder of JOURNEY_STAGES); a phase anywhere
 * except out of dissolution other than to awareness (as a person's); neither within the hold of a
 * person's change.
 */
function deriveJourney(state: Customer, d: Extract<CustomerCommand, { type: 'ApplyDerivedJourney' }>['data']): CustomerEvent[] {
  const events: CustomerEvent[] = [];
  const stage = d.stage;
  if (stage && JOURNEY_STAGES.indexOf(stage.to) > JOURNEY_STAGES.indexOf(state.journeyStage) && !heldByPerson(state.journeyStageSetManuallyAt, d.at)) {
    events.push({
      type: 'CustomerJourneyStageChanged',
      data: { customerId: state.customerId, from: state.journeyStage, to: stage.to, source: 'derived', rule: stage.rule, changedAt: d.at },
    });
  }
  const phase = d.phase;
  if (
    phase &&
    phase.to !== state.relationshipPhase &&
    !(state.relationshipPhase === 'dissolution' && phase.to !== 'awareness') &&
    !heldByPerson(state.relationshipPhaseSetManuallyAt, d.at)
  ) {
    events.push({
      type: 'CustomerRelationshipPhaseChanged',
      data: { customerId: state.customerId, from: state.relationshipPhase, to: phase.to, source: 'derived', rule: phase.rule, changedAt: d.at },
    });
  }
  return events;
}

/** Relationship phases, in Dwyer's order; dissolution can follow any of them. */
const PHASES_IN_ORDER = RELATIONSHIP_PHASES.filter((p) => p !== 'dissolution');

export function decideCustomer(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  if (command.type === 'RegisterCustomer') {
    const d = command.data;
    if (state) throw new DomainRuleViolation('customer-exists', `customer ${d.customerId} is already registered`);
    if (d.kind === 'person' && d.contacts.length > 0) {
      throw new DomainRuleViolation('person-has-no-contacts', 'contacts belong to organisations; a person is its own contact');
    }
    const ids = d.identities;
    if (ids.some((a, i) => ids.findIndex((b) => sameIdentity(a, b)) !== i))
      throw new DomainRuleViolation('duplicate-identity', 'the same identity is listed twice');
    if (d.parentId !== undefined) checkParent(d.customerId, command.parent, d.parentId);
    const { address, ...rest } = d;
    return [{ type: 'CustomerRegistered', data: { ...rest, ...(address && { address: postalAddress(address) }) } }];
  }
  if (!state) throw new DomainRuleViolation('unknown-customer', `customer ${command.data.customerId} is not registered`);
  if (command.type === 'ErasePersonalData') {
    // Erasing again is harmless (the keys are gone already) but records nothing new, unless personal
    // data was recorded since: then it is erased too.
    const nothingSince =
      state.erasedAt !== undefined && state.name === ERASED && state.contacts.length === 0 && state.identities.length === 0 && state.address === undefined;
    if (nothingSince && !command.data.mergedCustomerIds?.length) return [];
    return [{ type: 'CustomerPersonalDataErased', data: { ...command.data, customerId: state.customerId } }];
  }
  if (command.type === 'UnmergeCustomer') {
    if (state.mergedInto?.mergeId !== command.data.mergeId)
      throw new DomainRuleViolation('not-merged', `merge ${command.data.mergeId} is not in force for ${state.customerId}`);
    return [{ type: 'CustomerUnmerged', data: { customerId: state.customerId, survivorId: state.mergedInto.survivorId, mergeId: command.data.mergeId } }];
  }
  // Analytics derives survivors; a derivation for a customer merged since is simply no longer due.
  if (command.type === 'ApplyDerivedJourney' && state.mergedInto) return [];
  // A merged customer is read and written as its survivor: the application layer sends its
  // commands there; one that arrives here anyway is refused rather than lost in a merged record.
  if (state.mergedInto) throw new DomainRuleViolation('customer-merged', `customer ${state.customerId} is merged into ${state.mergedInto.survivorId}`);
  switch (command.type) {
    case 'MergeCustomer': {
      const { survivorId } = command.data;
      if (survivorId === state.customerId) throw new DomainRuleViolation('merge-into-itself', 'a customer cannot be merged into itself');
      if (!command.survivor.exists) throw new DomainRuleViolation('unknown-survivor', `customer ${survivorId} is not registered`);
      if (command.survivor.mergedInto)
        throw new DomainRuleViolation('survivor-merged', `customer ${survivorId} is itself merged into ${command.survivor.mergedInto}: merge into that one`);
      return [{ type: 'CustomerMerged', data: command.data }];
    }
    case 'ChangeCustomerDetails': {
      const d = command.data;
      if (d.name !== undefined && !d.name.trim()) throw new DomainRuleViolation('customer-needs-name', 'a customer needs a name');
      if (d.parentId) checkParent(state.customerId, command.parent, d.parentId);
      const change: CustomerDetailsChangedData = { customerId: state.customerId };
      if (d.name !== undefined && d.name !== state.name) change.name = d.name;
      if (d.owner !== undefined && (d.owner ?? undefined) !== state.owner) change.owner = d.owner;
      if (d.tags !== undefined) {
        const tags = [...new Set(d.tags)];
        if (tags.length !== state.tags.length || tags.some((t, i) => t !== state.tags[i])) change.tags = tags;
      }
      if (d.parentId !== undefined && (d.parentId ?? undefined) !== state.parentId) change.parentId = d.parentId;
      if (d.address !== undefined && !sameAddress(d.address ?? undefined, state.address)) change.address = d.address === null ? null : postalAddress(d.address);
      return Object.keys(change).length > 1 ? [{ type: 'CustomerDetailsChanged', data: change }] : [];
    }
    case 'AddContact':
      if (state.kind !== 'organisation') throw new DomainRuleViolation('person-has-no-contacts', 'contacts belong to organisations');
      if (state.contacts.some((c) => c.contactId === command.data.contact.contactId))
        throw new DomainRuleViolation('duplicate-contact', 'contact already exists');
      return [{ type: 'CustomerContactAdded', data: command.data }];
    case 'ChangeContact': {
      const current = state.contacts.find((c) => c.contactId === command.data.contact.contactId);
      if (!current) throw new DomainRuleViolation('unknown-contact', `contact ${command.data.contact.contactId} is not a contact of ${state.customerId}`);
      if (JSON.stringify(current) === JSON.stringify(command.data.contact)) return [];
      return [{ type: 'CustomerContactChanged', data: command.data }];
    }
    case 'RemoveContact':
      if (!state.contacts.some((c) => c.contactId === command.data.contactId)) return []; // already gone
      return [{ type: 'CustomerContactRemoved', data: command.data }];
    case 'AddIdentity':
      if (state.identities.some((i) => sameIdentity(i, command.data.identity))) return []; // already known: nothing happened
      return [{ type: 'CustomerIdentityAdded', data: command.data }];
    case 'RemoveIdentity': {
      const known = state.identities.find((i) => sameIdentity(i, command.data.identity));
      if (!known) return []; // already gone
      return [{ type: 'CustomerIdentityRemoved', data: { customerId: state.customerId, identity: known } }];
    }
    case 'SuspectDuplicate':
      if (command.data.otherCustomerId === state.customerId) return [];
      return [{ type: 'CustomerDuplicateSuspected', data: command.data }];
    case 'ChangeJourneyStage':
      if (state.journeyStage === command.data.to) return [];
      return [{ type: 'CustomerJourneyStageChanged', data: changeOf(JOURNEY_STAGES, state.customerId, state.journeyStage, command.data) }];
    case 'ApplyDerivedJourney':
      return deriveJourney(state, command.data);
    case 'ChangeRelationshipPhase': {
      const { to } = command.data;
      if (state.relationshipPhase === to) return [];
      // A dissolved relationship starts again from awareness, not mid-way.
      if (state.relationshipPhase === 'dissolution' && to !== 'awareness')
        throw new DomainRuleViolation('dissolved-restarts-at-awareness', 'a dissolved relationship can only restart at awareness');
      // Dissolution may follow any phase, and a restart at awareness after it is not a move back.
      const order = to === 'dissolution' || state.relationshipPhase === 'dissolution' ? [state.relationshipPhase, to] : PHASES_IN_ORDER;
      return [{ type: 'CustomerRelationshipPhaseChanged', data: changeOf(order, state.customerId, state.relationshipPhase, command.data) }];
    }
  }
}

/** The customer aggregate, as the application layer runs it. */
export const customerDecider: Decider<CustomerState, CustomerCommand, CustomerEvent> = {
  decide: decideCustomer,
  evolve: evolveCustomer,
  initialState: undefined,
};
