import { partnerDecider, decidePartner, evolvePartner, type PartnerCommand, type PartnerEvent, type PartnerState } from './partner';
import { DeciderSpecification } from '@crm/kernel/testing';

const stateOf = (events: PartnerEvent[]): PartnerState => events.reduce(evolvePartner, undefined);
const decide = (given: PartnerEvent[], command: PartnerCommand) => decidePartner(command, stateOf(given));
const given = DeciderSpecification.for(partnerDecider);
const registered: PartnerEvent[] = [{ type: 'PartnerRegistered', data: { partnerId: 'p1', name: 'Distributor A', partnerKind: 'distributor' } }];
const share = { partnerId: 'p1', customerId: 'c1', sharedAt: '2026-11-01T00:00:00Z', sharedBy: 'alice' };
const shared: PartnerEvent[] = [...registered, { type: 'CustomerSharedWithPartner', data: share }];

describe('partner decide', () => {
  it('shares a known customer once', () => {
    given(registered)
      .when({ type: 'ShareCustomer', data: share, customerExists: true })
      .then([{ type: 'CustomerSharedWithPartner', data: share }]);
    given(shared).when({ type: 'ShareCustomer', data: share, customerExists: true }).thenNothingHappens();
  });
  it('refuses to share an unknown customer', () => {
    given(registered).when({ type: 'ShareCustomer', data: share, customerExists: false }).thenBreaks('unknown-customer');
  });
  it('revokes only a current share, and a revoked share can be granted again', () => {
    const revoke = { partnerId: 'p1', customerId: 'c1', revokedAt: '2026-11-02T00:00:00Z', revokedBy: 'alice' };
    given(registered).when({ type: 'RevokeShare', data: revoke }).thenBreaks('not-shared');
    const revoked = [...shared, ...decide(shared, { type: 'RevokeShare', data: revoke })];
    expect(stateOf(revoked)?.sharedCustomerIds).toEqual([]);
    expect(decide(revoked, { type: 'ShareCustomer', data: share, customerExists: true })).toHaveLength(1);
  });
  it('refuses commands for an unknown partner and a second registration', () => {
    given([])
      .when({ type: 'AddPartnerUser', data: { partnerId: 'p1', userId: 'u1', name: 'U', email: 'u@a.io' } })
      .thenBreaks('unknown-partner');
    given(registered)
      .when({ type: 'RegisterPartner', data: { partnerId: 'p1', name: 'x', partnerKind: 'supplier' } })
      .thenBreaks('partner-exists');
  });
  it('issues and revokes credentials', () => {
    const issued = decide(registered, {
      type: 'IssueCredential',
      data: { partnerId: 'p1', clientId: 'cl1', secretHash: 'h', issuedAt: '2026-11-01T00:00:00Z' },
    });
    const s = [...registered, ...issued];
    given(s)
      .when({ type: 'IssueCredential', data: { partnerId: 'p1', clientId: 'cl1', secretHash: 'h', issuedAt: '2026-11-01T00:00:00Z' } })
      .thenBreaks('duplicate-credential');
    expect(decide(s, { type: 'RevokeCredential', data: { partnerId: 'p1', clientId: 'cl1', revokedAt: '2026-11-02T00:00:00Z' } })).toHaveLength(1);
  });
  it('keeps the hash of each active credential, and forgets it when revoked', () => {
    const issued: PartnerEvent = {
      type: 'PartnerCredentialIssued',
      data: { partnerId: 'p1', clientId: 'cl1', secretHash: 'h1', issuedAt: '2026-11-01T00:00:00Z' },
    };
    const revokedCredential: PartnerEvent = { type: 'PartnerCredentialRevoked', data: { partnerId: 'p1', clientId: 'cl1', revokedAt: '2026-11-02T00:00:00Z' } };
    expect(stateOf([...registered, issued])?.secretHashes).toEqual({ cl1: 'h1' });
    expect(stateOf([...registered, issued, revokedCredential])?.secretHashes).toEqual({});
  });
});

// Lead distribution (issue 14 §4): the routing profile, recorded whole and normalised.
describe('partner routing profile', () => {
  const profile = {
    territories: [{ country: 'my' }, { country: 'ID', regions: ['java-west', 'bali', 'bali'] }],
    products: ['VAN', 'BUS', 'VAN'],
    tier: 'gold' as const,
    capacity: 5,
    active: true,
  };
  const set = (p = profile) => ({
    type: 'SetPartnerRoutingProfile' as const,
    data: { partnerId: 'p1', profile: p, setAt: '2026-11-01T00:00:00Z', setBy: 'rudi' },
  });
  const recorded: PartnerEvent = {
    type: 'PartnerRoutingProfileSet',
    data: {
      partnerId: 'p1',
      partnerKind: 'distributor',
      territories: [{ country: 'ID', regions: ['bali', 'java-west'] }, { country: 'MY' }],
      products: ['BUS', 'VAN'],
      tier: 'gold',
      capacity: 5,
      active: true,
      setAt: '2026-11-01T00:00:00Z',
      setBy: 'rudi',
    },
  };

  it("records the whole profile normalised, with the partner's kind; the same profile again records nothing", () => {
    given(registered).when(set()).then([recorded]);
    given([...registered, recorded])
      .when(set())
      .thenNothingHappens();
    given([...registered, recorded])
      .when(set({ ...profile, capacity: 6 }))
      .then([{ ...recorded, data: { ...recorded.data, capacity: 6 } } as PartnerEvent]);
    expect(stateOf([...registered, recorded])?.routingProfile).toEqual({
      territories: [{ country: 'ID', regions: ['bali', 'java-west'] }, { country: 'MY' }],
      products: ['BUS', 'VAN'],
      tier: 'gold',
      capacity: 5,
      active: true,
    });
  });

  it('refuses an unknown partner and a capacity that is not a whole number of leads', () => {
    given([]).when(set()).thenBreaks('unknown-partner');
    given(registered)
      .when(set({ ...profile, capacity: 1.5 }))
      .thenBreaks('invalid-capacity');
    given(registered)
      .when(set({ ...profile, capacity: -1 }))
      .thenBreaks('invalid-capacity');
  });
});
