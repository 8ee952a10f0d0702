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
