import { decideCustomer, evolveCustomer, type CustomerCommand, type CustomerEvent, type CustomerRegisteredData, type CustomerState } from './customer';
import { violatedRule } from './spec-helpers';

const registered: CustomerRegisteredData = {
  customerId: 'c1',
  kind: 'organisation',
  name: 'PT Maju',
  contacts: [{ contactId: 'k1', name: 'Sari', role: 'buyer' }],
  identities: [{ kind: 'email', value: 'info@maju.co.id' }],
  journeyStage: 'prospect',
  relationshipPhase: 'exploration',
  registeredBy: 'sales',
};

const stateOf = (events: CustomerEvent[]): CustomerState => events.reduce(evolveCustomer, undefined);
const decide = (given: CustomerEvent[], command: CustomerCommand) => decideCustomer(command, stateOf(given));
const rule = violatedRule;

describe('customer decide', () => {
  const history: CustomerEvent[] = [{ type: 'CustomerRegistered', data: registered }];

  it('registers a new customer', () => {
    expect(decide([], { type: 'RegisterCustomer', data: registered })).toEqual(history);
  });
  it('refuses to register the same customer twice', () => {
    expect(rule(() => decide(history, { type: 'RegisterCustomer', data: registered }))).toBe('customer-exists');
  });
  it('gives contacts only to organisations', () => {
    expect(rule(() => decide([], { type: 'RegisterCustomer', data: { ...registered, kind: 'person' } }))).toBe('person-has-no-contacts');
    const person: CustomerEvent[] = [{ type: 'CustomerRegistered', data: { ...registered, kind: 'person', contacts: [] } }];
    expect(rule(() => decide(person, { type: 'AddContact', data: { customerId: 'c1', contact: { contactId: 'k2', name: 'Budi' } } }))).toBe('person-has-no-contacts');
  });
  it('refuses a duplicate identity at registration and ignores a known one later', () => {
    const twice = { ...registered, identities: [{ kind: 'email' as const, value: 'A@x.io' }, { kind: 'email' as const, value: 'a@x.io' }] };
    expect(rule(() => decide([], { type: 'RegisterCustomer', data: twice }))).toBe('duplicate-identity');
    expect(decide(history, { type: 'AddIdentity', data: { customerId: 'c1', identity: { kind: 'email', value: 'INFO@maju.co.id' } } })).toEqual([]);
  });
  it('refuses any command on an unknown customer', () => {
    expect(rule(() => decide([], { type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'advocate' } }))).toBe('unknown-customer');
  });
  it('records journey stage and relationship phase changes with where they came from', () => {
    expect(decide(history, { type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'first-time-customer' } })).toEqual([
      { type: 'CustomerJourneyStageChanged', data: { customerId: 'c1', from: 'prospect', to: 'first-time-customer' } },
    ]);
    expect(decide(history, { type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'prospect' } })).toEqual([]);
  });
  it('restarts a dissolved relationship only at awareness', () => {
    const dissolved: CustomerEvent[] = [...history, { type: 'CustomerRelationshipPhaseChanged', data: { customerId: 'c1', from: 'exploration', to: 'dissolution' } }];
    expect(rule(() => decide(dissolved, { type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'commitment' } }))).toBe('dissolved-restarts-at-awareness');
    expect(decide(dissolved, { type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'awareness' } })).toHaveLength(1);
  });
  it('evolves contacts and identities', () => {
    const s = stateOf([...history, { type: 'CustomerContactAdded', data: { customerId: 'c1', contact: { contactId: 'k2', name: 'Budi' } } }]);
    expect(s?.contacts.map((c) => c.contactId)).toEqual(['k1', 'k2']);
  });
});
