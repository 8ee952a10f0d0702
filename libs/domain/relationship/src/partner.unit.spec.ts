import { partnerCallerStanding, partnerDecider, decidePartner, evolvePartner, type PartnerCommand, type PartnerEvent, type PartnerState } from './partner';
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
      .when({
        type: 'AddPartnerUser',
        data: { partnerId: 'p1', userId: 'u1', name: 'U', email: 'u@a.io', role: 'admin', addedAt: '2026-11-01T00:00:00Z', addedBy: 'alice' },
      })
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

describe('partner users (issue 14 §1)', () => {
  const at = '2026-11-01T00:00:00Z';
  const user = (userId: string, role: 'admin' | 'sales' | 'service') => ({
    partnerId: 'p1',
    userId,
    name: `N ${userId}`,
    email: `${userId}@a.io`,
    role,
    addedAt: at,
    addedBy: 'alice',
  });
  const added = (userId: string, role: 'admin' | 'sales' | 'service'): PartnerEvent => ({ type: 'PartnerUserAdded', data: user(userId, role) });
  const withAdmin = [...registered, added('u1', 'admin')];

  it('staff invite the first admin, and only the first', () => {
    given(registered)
      .when({ type: 'AddPartnerUser', data: user('u1', 'admin'), firstAdmin: true })
      .then([added('u1', 'admin')]);
    given(registered)
      .when({ type: 'AddPartnerUser', data: user('u1', 'sales'), firstAdmin: true })
      .thenBreaks('first-user-not-admin');
    given(withAdmin)
      .when({ type: 'AddPartnerUser', data: user('u2', 'admin'), firstAdmin: true })
      .thenBreaks('admin-exists');
  });
  it('an admin invites users with a role; a user id is never reused', () => {
    given(withAdmin)
      .when({ type: 'AddPartnerUser', data: user('u2', 'sales') })
      .then([added('u2', 'sales')]);
    const removed: PartnerEvent = { type: 'PartnerUserRemoved', data: { partnerId: 'p1', userId: 'u2', removedAt: at, removedBy: 'u1' } };
    given([...withAdmin, added('u2', 'sales'), removed])
      .when({ type: 'AddPartnerUser', data: user('u2', 'sales') })
      .thenBreaks('duplicate-user');
  });
  it('changes a role, and a change to the same role changes nothing', () => {
    const change = { partnerId: 'p1', userId: 'u2', role: 'service' as const, changedAt: at, changedBy: 'u1' };
    given([...withAdmin, added('u2', 'sales')])
      .when({ type: 'ChangePartnerUserRole', data: change })
      .then([{ type: 'PartnerUserRoleChanged', data: { partnerId: 'p1', userId: 'u2', from: 'sales', to: 'service', changedAt: at, changedBy: 'u1' } }]);
    given([...withAdmin, added('u2', 'service')])
      .when({ type: 'ChangePartnerUserRole', data: change })
      .thenNothingHappens();
    given(withAdmin).when({ type: 'ChangePartnerUserRole', data: change }).thenBreaks('unknown-user');
  });
  it('never leaves the partner without an admin', () => {
    given(withAdmin)
      .when({ type: 'ChangePartnerUserRole', data: { partnerId: 'p1', userId: 'u1', role: 'sales', changedAt: at, changedBy: 'u1' } })
      .thenBreaks('last-admin');
    given(withAdmin)
      .when({ type: 'RemovePartnerUser', data: { partnerId: 'p1', userId: 'u1', removedAt: at, removedBy: 'u1' } })
      .thenBreaks('last-admin');
    given([...withAdmin, added('u2', 'admin')])
      .when({ type: 'RemovePartnerUser', data: { partnerId: 'p1', userId: 'u1', removedAt: at, removedBy: 'u2' } })
      .then([{ type: 'PartnerUserRemoved', data: { partnerId: 'p1', userId: 'u1', removedAt: at, removedBy: 'u2' } }]);
  });
  it("binds a credential to a user; removing the user ends the user's credentials, not the organisation's", () => {
    given(withAdmin)
      .when({ type: 'IssueCredential', data: { partnerId: 'p1', clientId: 'p1.x', secretHash: 'h', issuedAt: at, userId: 'nobody' } })
      .thenBreaks('unknown-user');
    const s = stateOf([
      ...withAdmin,
      added('u2', 'sales'),
      { type: 'PartnerCredentialIssued', data: { partnerId: 'p1', clientId: 'p1.org', secretHash: 'h0', issuedAt: at } },
      { type: 'PartnerCredentialIssued', data: { partnerId: 'p1', clientId: 'p1.u2', secretHash: 'h2', issuedAt: at, userId: 'u2' } },
    ]);
    expect(partnerCallerStanding(s, 'p1.u2', 'u2')).toBe('active');
    expect(partnerCallerStanding(s, 'p1.org', 'u2')).toBe('credential-revoked');
    const after = evolvePartner(s, { type: 'PartnerUserRemoved', data: { partnerId: 'p1', userId: 'u2', removedAt: at, removedBy: 'u1' } });
    expect(after?.activeClientIds).toEqual(['p1.org']);
    expect(partnerCallerStanding(after, 'p1.u2', 'u2')).toBe('user-removed');
  });
  it('deactivation ends every credential and share in one append, and refuses anything after', () => {
    const s = [
      ...shared,
      added('u1', 'admin'),
      { type: 'PartnerCredentialIssued', data: { partnerId: 'p1', clientId: 'p1.org', secretHash: 'h0', issuedAt: at } },
    ] satisfies PartnerEvent[];
    const deactivate = { partnerId: 'p1', deactivatedAt: '2026-11-03T00:00:00Z', deactivatedBy: 'alice' };
    given(s)
      .when({ type: 'DeactivatePartner', data: deactivate })
      .then([
        { type: 'PartnerDeactivated', data: deactivate },
        { type: 'CustomerShareRevoked', data: { partnerId: 'p1', customerId: 'c1', revokedAt: deactivate.deactivatedAt, revokedBy: 'alice' } },
      ]);
    const ended = [...s, ...decide(s, { type: 'DeactivatePartner', data: deactivate })];
    expect(stateOf(ended)?.activeClientIds).toEqual([]);
    expect(stateOf(ended)?.sharedCustomerIds).toEqual([]);
    expect(partnerCallerStanding(stateOf(ended), 'p1.org', undefined)).toBe('deactivated');
    given(ended).when({ type: 'DeactivatePartner', data: deactivate }).thenNothingHappens();
    // A partner in lead distribution leaves it: its routing profile turns inactive in the same append.
    const profile = { territories: [{ country: 'ID' }], products: ['VAN'], tier: 'gold' as const, capacity: 3, active: true };
    const routed: PartnerEvent = {
      type: 'PartnerRoutingProfileSet',
      data: { partnerId: 'p1', partnerKind: 'distributor', ...profile, setAt: at, setBy: 'rudi' },
    };
    expect(decide([...s, routed], { type: 'DeactivatePartner', data: deactivate })).toContainEqual({
      type: 'PartnerRoutingProfileSet',
      data: { ...routed.data, active: false, setAt: deactivate.deactivatedAt, setBy: 'alice' },
    });
    given(ended)
      .when({ type: 'AddPartnerUser', data: user('u9', 'sales') })
      .thenBreaks('partner-deactivated');
    given(ended).when({ type: 'ShareCustomer', data: share, customerExists: true }).thenBreaks('partner-deactivated');
  });
});
