import {
  customerDecider,
  decideCustomer,
  evolveCustomer,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerRegisteredData,
  type CustomerState,
  type ParentCandidate,
} from './customer';
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
    given([])
      .when({ type: 'RegisterCustomer', data: { ...registered, kind: 'person' } })
      .thenBreaks('person-has-no-contacts');
    const person: CustomerEvent[] = [{ type: 'CustomerRegistered', data: { ...registered, kind: 'person', contacts: [] } }];
    given(person)
      .when({ type: 'AddContact', data: { customerId: 'c1', contact: { contactId: 'k2', name: 'Budi' } } })
      .thenBreaks('person-has-no-contacts');
  });
  it('refuses a duplicate identity at registration and ignores a known one later', () => {
    const twice = {
      ...registered,
      identities: [
        { kind: 'email' as const, value: 'A@x.io' },
        { kind: 'email' as const, value: 'a@x.io' },
      ],
    };
    given([]).when({ type: 'RegisterCustomer', data: twice }).thenBreaks('duplicate-identity');
    given(history)
      .when({ type: 'AddIdentity', data: { customerId: 'c1', identity: { kind: 'email', value: 'INFO@maju.co.id' } } })
      .thenNothingHappens();
  });
  it('refuses any command on an unknown customer', () => {
    given([])
      .when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'advocate' } })
      .thenBreaks('unknown-customer');
  });
  it('records journey stage and relationship phase changes with where they came from', () => {
    given(history)
      .when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'first-time-customer' } })
      .then([{ type: 'CustomerJourneyStageChanged', data: { customerId: 'c1', from: 'prospect', to: 'first-time-customer' } }]);
    given(history)
      .when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'prospect' } })
      .thenNothingHappens();
  });
  it('restarts a dissolved relationship only at awareness', () => {
    const dissolved: CustomerEvent[] = [
      ...history,
      { type: 'CustomerRelationshipPhaseChanged', data: { customerId: 'c1', from: 'exploration', to: 'dissolution' } },
    ];
    given(dissolved)
      .when({ type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'commitment' } })
      .thenBreaks('dissolved-restarts-at-awareness');
    expect(decide(dissolved, { type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'awareness' } })).toHaveLength(1);
  });
  it('evolves contacts and identities', () => {
    const s = stateOf([...history, { type: 'CustomerContactAdded', data: { customerId: 'c1', contact: { contactId: 'k2', name: 'Budi' } } }]);
    expect(s?.contacts.map((c) => c.contactId)).toEqual(['k1', 'k2']);
  });

  describe('editing the record', () => {
    const org: ParentCandidate = { id: 'g1', kind: 'organisation', ancestors: [] };
    it('changes name, owner, tags and parent; only what differs is recorded; null clears', () => {
      given(history)
        .when({
          type: 'ChangeCustomerDetails',
          data: { customerId: 'c1', name: 'PT Maju Jaya', owner: 'sari', tags: ['key-account', 'key-account', 'jakarta'] },
        })
        .then([{ type: 'CustomerDetailsChanged', data: { customerId: 'c1', name: 'PT Maju Jaya', owner: 'sari', tags: ['key-account', 'jakarta'] } }]);
      const owned: CustomerEvent[] = [...history, { type: 'CustomerDetailsChanged', data: { customerId: 'c1', owner: 'sari', tags: ['vip'] } }];
      given(owned)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', owner: 'sari', tags: ['vip'], name: 'PT Maju' } })
        .thenNothingHappens();
      given(owned)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', owner: null } })
        .then([{ type: 'CustomerDetailsChanged', data: { customerId: 'c1', owner: null } }]);
      expect(stateOf([...owned, { type: 'CustomerDetailsChanged', data: { customerId: 'c1', owner: null } }])?.owner).toBeUndefined();
      given(history)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', name: '  ' } })
        .thenBreaks('customer-needs-name');
    });
    it('keeps the account hierarchy a tree of organisations', () => {
      given(history)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', parentId: 'g1' }, parent: org })
        .then([{ type: 'CustomerDetailsChanged', data: { customerId: 'c1', parentId: 'g1' } }]);
      given(history)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', parentId: 'c1' }, parent: { ...org, id: 'c1' } })
        .thenBreaks('parent-cycle');
      // g1's own parent is c1: making g1 the parent of c1 would close a loop
      given(history)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', parentId: 'g1' }, parent: { ...org, ancestors: ['x', 'c1'] } })
        .thenBreaks('parent-cycle');
      given(history)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', parentId: 'g1' }, parent: { ...org, kind: 'person' } })
        .thenBreaks('parent-must-be-organisation');
      given(history)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', parentId: 'g1' } })
        .thenBreaks('unknown-parent');
      given([])
        .when({ type: 'RegisterCustomer', data: { ...registered, parentId: 'g1' }, parent: org })
        .then([{ type: 'CustomerRegistered', data: { ...registered, parentId: 'g1' } }]);
    });
    it('changes and removes contacts', () => {
      const budi = { contactId: 'k1', name: 'Sari', role: 'buyer', roles: ['decision-maker' as const] };
      given(history)
        .when({ type: 'ChangeContact', data: { customerId: 'c1', contact: budi } })
        .then([{ type: 'CustomerContactChanged', data: { customerId: 'c1', contact: budi } }]);
      given(history)
        .when({ type: 'ChangeContact', data: { customerId: 'c1', contact: { contactId: 'k1', name: 'Sari', role: 'buyer' } } })
        .thenNothingHappens();
      given(history)
        .when({ type: 'ChangeContact', data: { customerId: 'c1', contact: { ...budi, contactId: 'k9' } } })
        .thenBreaks('unknown-contact');
      given(history)
        .when({ type: 'RemoveContact', data: { customerId: 'c1', contactId: 'k1' } })
        .then([{ type: 'CustomerContactRemoved', data: { customerId: 'c1', contactId: 'k1' } }]);
      given(history)
        .when({ type: 'RemoveContact', data: { customerId: 'c1', contactId: 'k9' } })
        .thenNothingHappens();
      expect(stateOf([...history, { type: 'CustomerContactRemoved', data: { customerId: 'c1', contactId: 'k1' } }])?.contacts).toEqual([]);
    });
    it('changes a contact’s postal address; the same address again records nothing; an erasure keeps none', () => {
      const sari = {
        contactId: 'k1',
        name: 'Sari',
        role: 'buyer',
        address: { lines: ['Jl. Merdeka 5'], postalCode: '10110', locality: 'Jakarta', country: 'ID' },
      };
      const changed: CustomerEvent = { type: 'CustomerContactChanged', data: { customerId: 'c1', contact: sari } };
      given(history)
        .when({ type: 'ChangeContact', data: { customerId: 'c1', contact: sari } })
        .then([changed]);
      given([...history, changed])
        .when({ type: 'ChangeContact', data: { customerId: 'c1', contact: sari } })
        .thenNothingHappens();
      expect(stateOf([...history, changed])?.contacts[0].address).toEqual(sari.address);
      const erased: CustomerEvent = { type: 'CustomerPersonalDataErased', data: { customerId: 'c1', erasedAt: '2026-05-01T10:00:00.000Z' } };
      expect(stateOf([...history, changed, erased])?.contacts).toEqual([]);
    });
    it('gives a person its own postal address: registered with it, changed, the same again records nothing, null removes it, an erasure keeps none', () => {
      const home = { lines: ['Jl. Braga 3'], locality: 'Bandung', country: 'ID' };
      const person: CustomerRegisteredData = { ...registered, kind: 'person', name: 'Sari', contacts: [], address: home };
      const born: CustomerEvent = { type: 'CustomerRegistered', data: person };
      given([]).when({ type: 'RegisterCustomer', data: person }).then([born]);
      expect(stateOf([born])?.address).toEqual(home);
      // The parts the request left out are not recorded as empty keys, and their order does not make a change.
      const moved = { country: 'ID', locality: 'Bandung', postalCode: '40111', region: undefined, lines: ['Jl. Asia Afrika 8'] };
      const changed: CustomerEvent = {
        type: 'CustomerDetailsChanged',
        data: { customerId: 'c1', address: { lines: ['Jl. Asia Afrika 8'], postalCode: '40111', locality: 'Bandung', country: 'ID' } },
      };
      given([born])
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', address: moved } })
        .then([changed]);
      given([born, changed])
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', address: moved } })
        .thenNothingHappens();
      const removed: CustomerEvent = { type: 'CustomerDetailsChanged', data: { customerId: 'c1', address: null } };
      given([born, changed])
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', address: null } })
        .then([removed]);
      expect(stateOf([born, changed, removed])?.address).toBeUndefined();
      given([born, changed, removed])
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', address: null } })
        .thenNothingHappens();
      const erased: CustomerEvent = { type: 'CustomerPersonalDataErased', data: { customerId: 'c1', erasedAt: '2026-05-01T10:00:00.000Z' } };
      expect(stateOf([born, changed, erased])?.address).toBeUndefined();
      // An address recorded after an erasure is erased again.
      given([born, erased, changed])
        .when({ type: 'ErasePersonalData', data: { customerId: 'c1', erasedAt: '2026-05-02T10:00:00.000Z' } })
        .then([{ type: 'CustomerPersonalDataErased', data: { customerId: 'c1', erasedAt: '2026-05-02T10:00:00.000Z' } }]);
    });
    it('removes an identity as it was recorded, whatever its case', () => {
      given(history)
        .when({ type: 'RemoveIdentity', data: { customerId: 'c1', identity: { kind: 'email', value: 'INFO@MAJU.co.id' } } })
        .then([{ type: 'CustomerIdentityRemoved', data: { customerId: 'c1', identity: { kind: 'email', value: 'info@maju.co.id' } } }]);
      given(history)
        .when({ type: 'RemoveIdentity', data: { customerId: 'c1', identity: { kind: 'phone', value: '1' } } })
        .thenNothingHappens();
    });
    it('a manual move back in the journey or the relationship needs a reason; a derived one does not', () => {
      const loyal: CustomerEvent[] = [...history, { type: 'CustomerJourneyStageChanged', data: { customerId: 'c1', from: 'prospect', to: 'loyal-customer' } }];
      given(loyal)
        .when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'repeat-customer' } })
        .thenBreaks('backward-move-needs-reason');
      given(loyal)
        .when({
          type: 'ChangeJourneyStage',
          data: { customerId: 'c1', to: 'repeat-customer', reason: ' moved half its spend to a competitor ', source: 'manual' },
        })
        .then([
          {
            type: 'CustomerJourneyStageChanged',
            data: { customerId: 'c1', from: 'loyal-customer', to: 'repeat-customer', reason: 'moved half its spend to a competitor', source: 'manual' },
          },
        ]);
      given(loyal)
        .when({ type: 'ChangeJourneyStage', data: { customerId: 'c1', to: 'repeat-customer', source: 'derived' } })
        .then([{ type: 'CustomerJourneyStageChanged', data: { customerId: 'c1', from: 'loyal-customer', to: 'repeat-customer', source: 'derived' } }]);
      const committed: CustomerEvent[] = [
        ...history,
        { type: 'CustomerRelationshipPhaseChanged', data: { customerId: 'c1', from: 'exploration', to: 'commitment' } },
      ];
      given(committed)
        .when({ type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'exploration' } })
        .thenBreaks('backward-move-needs-reason');
      // dissolution may follow any phase without a reason
      given(committed)
        .when({ type: 'ChangeRelationshipPhase', data: { customerId: 'c1', to: 'dissolution' } })
        .then([{ type: 'CustomerRelationshipPhaseChanged', data: { customerId: 'c1', from: 'commitment', to: 'dissolution' } }]);
    });
  });

  describe('merging', () => {
    const merge = { customerId: 'c1', survivorId: 's1', mergeId: 'm1' };
    const live = { exists: true };
    it('merges a live customer into a live survivor, once; then refuses its commands until undone', () => {
      given(history)
        .when({ type: 'MergeCustomer', data: merge, survivor: live })
        .then([{ type: 'CustomerMerged', data: merge }]);
      const merged: CustomerEvent[] = [...history, { type: 'CustomerMerged', data: merge }];
      given(merged)
        .when({ type: 'MergeCustomer', data: { ...merge, mergeId: 'm2' }, survivor: live })
        .thenBreaks('customer-merged');
      given(merged)
        .when({ type: 'ChangeCustomerDetails', data: { customerId: 'c1', name: 'X' } })
        .thenBreaks('customer-merged');
      expect(stateOf(merged)?.mergedInto).toEqual({ survivorId: 's1', mergeId: 'm1' });
    });
    it('never into itself, an unknown customer or a customer that is itself merged', () => {
      given(history)
        .when({ type: 'MergeCustomer', data: { ...merge, survivorId: 'c1' }, survivor: live })
        .thenBreaks('merge-into-itself');
      given(history)
        .when({ type: 'MergeCustomer', data: merge, survivor: { exists: false } })
        .thenBreaks('unknown-survivor');
      given(history)
        .when({ type: 'MergeCustomer', data: merge, survivor: { exists: true, mergedInto: 'x' } })
        .thenBreaks('survivor-merged');
    });
    it('undoes only the merge in force', () => {
      const merged: CustomerEvent[] = [...history, { type: 'CustomerMerged', data: merge }];
      given(merged)
        .when({ type: 'UnmergeCustomer', data: { customerId: 'c1', mergeId: 'm1' } })
        .then([{ type: 'CustomerUnmerged', data: merge }]);
      given(merged)
        .when({ type: 'UnmergeCustomer', data: { customerId: 'c1', mergeId: 'other' } })
        .thenBreaks('not-merged');
      given(history)
        .when({ type: 'UnmergeCustomer', data: { customerId: 'c1', mergeId: 'm1' } })
        .thenBreaks('not-merged');
      expect(stateOf([...merged, { type: 'CustomerUnmerged', data: merge }])?.mergedInto).toBeUndefined();
    });
  });
});

describe('customer personal data erasure', () => {
  const history: CustomerEvent[] = [{ type: 'CustomerRegistered', data: registered }];
  const erasure = { customerId: 'c1', erasedAt: '2026-11-26T08:00:00.000Z' };

  it('records the erasure; the state keeps nothing personal but what is not', () => {
    given(history)
      .when({ type: 'ErasePersonalData', data: erasure })
      .then([{ type: 'CustomerPersonalDataErased', data: erasure }]);
    const after = stateOf([...history, { type: 'CustomerPersonalDataErased', data: erasure }]);
    expect(after).toMatchObject({ name: '[erased]', contacts: [], identities: [], journeyStage: 'prospect', relationshipPhase: 'exploration' });
  });
  it('records nothing new when erased already and nothing personal was recorded since', () => {
    given([...history, { type: 'CustomerPersonalDataErased', data: erasure }])
      .when({ type: 'ErasePersonalData', data: { ...erasure, erasedAt: '2026-11-27T08:00:00.000Z' } })
      .then([]);
  });
  it('erases again what was recorded after an erasure', () => {
    const since: CustomerEvent[] = [
      ...history,
      { type: 'CustomerPersonalDataErased', data: erasure },
      { type: 'CustomerDetailsChanged', data: { customerId: 'c1', name: 'New name' } },
    ];
    given(since)
      .when({ type: 'ErasePersonalData', data: { ...erasure, erasedAt: '2026-11-27T08:00:00.000Z' } })
      .then([{ type: 'CustomerPersonalDataErased', data: { ...erasure, erasedAt: '2026-11-27T08:00:00.000Z' } }]);
  });
  it('erases a merged customer too (it is erased with its survivor)', () => {
    const merged: CustomerEvent[] = [...history, { type: 'CustomerMerged', data: { customerId: 'c1', survivorId: 'c2', mergeId: 'm1' } }];
    given(merged)
      .when({ type: 'ErasePersonalData', data: erasure })
      .then([{ type: 'CustomerPersonalDataErased', data: erasure }]);
  });
  it('refuses an unknown customer', () => {
    given([]).when({ type: 'ErasePersonalData', data: erasure }).thenBreaks('unknown-customer');
  });
});

// Analytics' derivation (issue 11 §4): only forward for stages, never over a person's recent change.
describe('customer: derived journey stage and relationship phase', () => {
  const history: CustomerEvent[] = [{ type: 'CustomerRegistered', data: registered }];
  const at = '2026-06-01T00:00:00.000Z';
  const derive = (
    stage?: { to: 'first-time-customer' | 'repeat-customer' | 'prospect'; rule: string },
    phase?: { to: 'expansion' | 'awareness' | 'commitment'; rule: string },
    when = at,
  ): CustomerCommand => ({
    type: 'ApplyDerivedJourney',
    data: { customerId: 'c1', at: when, ...(stage && { stage }), ...(phase && { phase }) },
  });

  it('records the stage and the phase with the rule that fired, as derived', () => {
    given(history)
      .when(derive({ to: 'repeat-customer', rule: 'repeat-order' }, { to: 'expansion', rule: 'repeat-purchases' }))
      .then([
        {
          type: 'CustomerJourneyStageChanged',
          data: { customerId: 'c1', from: 'prospect', to: 'repeat-customer', source: 'derived', rule: 'repeat-order', changedAt: at },
        },
        {
          type: 'CustomerRelationshipPhaseChanged',
          data: { customerId: 'c1', from: 'exploration', to: 'expansion', source: 'derived', rule: 'repeat-purchases', changedAt: at },
        },
      ]);
  });

  it('appends nothing for what is already so (a re-delivery), and never moves a stage back', () => {
    const repeat: CustomerEvent[] = [
      ...history,
      {
        type: 'CustomerJourneyStageChanged',
        data: { customerId: 'c1', from: 'prospect', to: 'repeat-customer', source: 'derived', rule: 'repeat-order', changedAt: at },
      },
    ];
    given(repeat)
      .when(derive({ to: 'repeat-customer', rule: 'repeat-order' }))
      .thenNothingHappens();
    given(repeat)
      .when(derive({ to: 'first-time-customer', rule: 'first-order' }))
      .thenNothingHappens();
    given(repeat)
      .when(derive({ to: 'prospect', rule: 'x' }))
      .thenNothingHappens();
  });

  it(`holds off for 180 days after a person's change, then derives again`, () => {
    const manual: CustomerEvent[] = [
      ...history,
      { type: 'CustomerJourneyStageChanged', data: { customerId: 'c1', from: 'prospect', to: 'first-time-customer', source: 'manual', changedAt: at } },
      { type: 'CustomerRelationshipPhaseChanged', data: { customerId: 'c1', from: 'exploration', to: 'commitment', source: 'manual', changedAt: at } },
    ];
    const day179 = '2026-11-27T23:59:59.000Z';
    const day180 = '2026-11-28T00:00:00.000Z';
    given(manual)
      .when(derive({ to: 'repeat-customer', rule: 'repeat-order' }, { to: 'expansion', rule: 'repeat-purchases' }, day179))
      .thenNothingHappens();
    expect(
      decide(manual, derive({ to: 'repeat-customer', rule: 'repeat-order' }, { to: 'expansion', rule: 'repeat-purchases' }, day180)).map((e) => e.type),
    ).toEqual(['CustomerJourneyStageChanged', 'CustomerRelationshipPhaseChanged']);
    // A derived change ends nothing of the hold on the other; a manual change without a time (recorded before) holds nothing.
    const untimed: CustomerEvent[] = [
      ...history,
      { type: 'CustomerJourneyStageChanged', data: { customerId: 'c1', from: 'prospect', to: 'first-time-customer', source: 'manual' } },
    ];
    expect(decide(untimed, derive({ to: 'repeat-customer', rule: 'repeat-order' }))).toHaveLength(1);
    // the person's changes record when (the application layer sets changedAt)
    expect(stateOf(manual)).toMatchObject({ journeyStageSetManuallyAt: at, relationshipPhaseSetManuallyAt: at });
  });

  it('leaves a dissolved relationship only to awareness, and a merged customer alone', () => {
    const dissolved: CustomerEvent[] = [
      ...history,
      { type: 'CustomerRelationshipPhaseChanged', data: { customerId: 'c1', from: 'exploration', to: 'dissolution', source: 'derived', rule: 'lapsed' } },
    ];
    given(dissolved)
      .when(derive(undefined, { to: 'commitment', rule: 'tenure-and-regularity' }))
      .thenNothingHappens();
    expect(decide(dissolved, derive(undefined, { to: 'awareness', rule: 'restart-after-dissolution' }))).toHaveLength(1);
    const merged: CustomerEvent[] = [...history, { type: 'CustomerMerged', data: { customerId: 'c1', survivorId: 'c2', mergeId: 'm1' } }];
    given(merged)
      .when(derive({ to: 'repeat-customer', rule: 'repeat-order' }))
      .thenNothingHappens();
  });
});
