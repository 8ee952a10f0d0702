import { decidePartner, evolvePartner, type PartnerCommand, type PartnerEvent, type PartnerState } from './partner';
import { violatedRule } from './spec-helpers';

const stateOf = (events: PartnerEvent[]): PartnerState => events.reduce(evolvePartner, undefined);
const decide = (given: PartnerEvent[], command: PartnerCommand) => decidePartner(command, stateOf(given));
const rule = violatedRule;
const registered: PartnerEvent[] = [{ type: 'PartnerRegistered', data: { partnerId: 'p1', name: 'Distributor A', partnerKind: 'distributor' } }];
const share = { partnerId: 'p1', customerId: 'c1', sharedAt: '2026-11-01T00:00:00Z', sharedBy: 'alice' };
const shared: PartnerEvent[] = [...registered, { type: 'CustomerSharedWithPartner', data: share }];

describe('partner decide', () => {
  it('shares a known customer once', () => {
    expect(decide(registered, { type: 'ShareCustomer', data: share, customerExists: true })).toEqual([{ type: 'CustomerSharedWithPartner', data: share }]);
    expect(decide(shared, { type: 'ShareCustomer', data: share, customerExists: true })).toEqual([]);
  });
  it('refuses to share an unknown customer', () => {
    expect(rule(() => decide(registered, { type: 'ShareCustomer', data: share, customerExists: false }))).toBe('unknown-customer');
  });
  it('revokes only a current share, and a revoked share can be granted again', () => {
    const revoke = { partnerId: 'p1', customerId: 'c1', revokedAt: '2026-11-02T00:00:00Z', revokedBy: 'alice' };
    expect(rule(() => decide(registered, { type: 'RevokeShare', data: revoke }))).toBe('not-shared');
    const revoked = [...shared, ...decide(shared, { type: 'RevokeShare', data: revoke })];
    expect(stateOf(revoked)?.sharedCustomerIds).toEqual([]);
    expect(decide(revoked, { type: 'ShareCustomer', data: share, customerExists: true })).toHaveLength(1);
  });
  it('refuses commands for an unknown partner and a second registration', () => {
    expect(rule(() => decide([], { type: 'AddPartnerUser', data: { partnerId: 'p1', userId: 'u1', name: 'U', email: 'u@a.io' } }))).toBe('unknown-partner');
    expect(rule(() => decide(registered, { type: 'RegisterPartner', data: { partnerId: 'p1', name: 'x', partnerKind: 'supplier' } }))).toBe('partner-exists');
  });
  it('issues and revokes credentials', () => {
    const issued = decide(registered, { type: 'IssueCredential', data: { partnerId: 'p1', clientId: 'cl1', secretHash: 'h', issuedAt: '2026-11-01T00:00:00Z' } });
    const s = [...registered, ...issued];
    expect(rule(() => decide(s, { type: 'IssueCredential', data: { partnerId: 'p1', clientId: 'cl1', secretHash: 'h', issuedAt: '2026-11-01T00:00:00Z' } }))).toBe('duplicate-credential');
    expect(decide(s, { type: 'RevokeCredential', data: { partnerId: 'p1', clientId: 'cl1', revokedAt: '2026-11-02T00:00:00Z' } })).toHaveLength(1);
  });
});
