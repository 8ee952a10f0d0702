import { customerDecider, decideCustomer, evolveCustomer, type CustomerCommand, type CustomerEvent, type CustomerRegisteredData, type CustomerState } from './customer';
import { DeciderSpecification } from '@crm/kernel/testing';

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
const given = DeciderSpecification.for(customerDecider);

describe('customer decide', () => {
  const history: CustomerEvent[] = [{ type: 'CustomerRegistered', data: registered }];

  it('registers a new customer', () => {
    given([]).when({ type: 'RegisterCustomer', data: registered }).then(history);
  });
  it('refuses to register the same customer twice', () => {
    given(history).when({ type: 'RegisterCustomer', data: registered }).thenBreaks('customer-exists');
  });
  it('gives contacts only to organisations', () => {
    given([]).when({ type: 'RegisterCustomer', data: { ...registered, kind: 'person' } }).thenBreaks('person-has-no-contacts');
    const person: CustomerEvent[] = [{ type: 'CustomerRegistered', data: { ...registered, kind: 'person', contacts: [] } }];
    given(person).when({ type: 'AddContact', data: { customerId: 'c1', contact: { contactId: 'k2', name: 'Budi' } } }).thenBreaks('person-has-no-contacts');
  });
  it('refuses a duplicate identity at registration and ignores a known one later', () => {
    const twice = { ...registered, identities: [{ kind: 'email' as const, value: 'A@x.io' }, { kind: 'email' as const, value: 'a@x.io' }] };
    given([]).when({ type: 'RegisterCustomer', data: twice }).thenBreaks('duplicate-identity');
    given(history).when({ type: 'AddIdentity', data: { customerId: 'c1', identity: { kind: 'email', value: 'INFO@maju.co.id' } } }).thenNothingHappens();
  });
  it('refuses any command on an unknown customer', () => {
    given([]).when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'advocate' } }).thenBreaks('unknown-customer');
  });
  it('records journey stage and relationship phase changes with where they came from', () => {
    given(history).when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'first-time-customer' } }).then([
      { type: 'CustomerJourneyStageChanged', data: { customerId: 'c1', from: 'prospect', to: 'first-time-customer' } },
    ]);
    given(history).when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'prospect' } }).thenNothingHappens();
  });
  it('restarts a dissolved relationship only at awareness', () => {
    const dissolved: CustomerEvent[] = [...history, { type: 'CustomerRelationshipPhaseChanged', data: { customerId: 'c1', from: 'exploration', to: 'dissolution' } }];
    given(dissolved).when({ type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'commitment' } }).thenBreaks('dissolved-restarts-at-awareness');
    expect(decide(dissolved, { type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'awareness' } })).toHaveLength(1);
  });
  it('evolves contacts and identities', () => {
    const s = stateOf([...history, { type: 'CustomerContactAdded', data: { customerId: 'c1', contact: { contactId: 'k2', name: 'Budi' } } }]);
    expect(s?.contacts.map((c) => c.contactId)).toEqual(['k1', 'k2']);
  });
});
