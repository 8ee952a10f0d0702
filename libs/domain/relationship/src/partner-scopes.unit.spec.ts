import { DeciderSpecification } from '@crm/kernel/testing';
import { decidePartner, evolvePartner, partnerDecider, shareInForce, type PartnerCommand, type PartnerEvent, type PartnerState } from './partner';

// Shares with a scope, an expiry, requests and approvals (issue 14 §2).
const stateOf = (events: PartnerEvent[]): PartnerState => events.reduce(evolvePartner, undefined);
const decide = (given: PartnerEvent[], command: PartnerCommand) => decidePartner(command, stateOf(given));
const given = DeciderSpecification.for(partnerDecider);
const registered: PartnerEvent[] = [{ type: 'PartnerRegistered', data: { partnerId: 'p1', name: 'Repairs Co', partnerKind: 'service-provider' } }];
const now = '2026-11-01T00:00:00.000Z';
const base = { partnerId: 'p1', customerId: 'c1', sharedAt: now, sharedBy: 'alice' };
const scoped = { ...base, episodeTypes: ['return-repair' as const, 'case' as const], access: 'read' as const, expiresAt: '2026-12-01T00:00:00.000Z' };
const request = { partnerId: 'p1', requestId: 'r1', customerId: 'c1', reason: 'the customer asked us', requestedAt: now, requestedBy: 'client-1' };

describe('partner shares with a scope', () => {
  it('records the scope (types de-duplicated and sorted, expiry as an ISO instant)', () => {
    given(registered)
      .when({ type: 'ShareCustomer', data: { ...scoped, episodeTypes: ['return-repair', 'case', 'case'] }, customerExists: true })
      .then([
        {
          type: 'CustomerSharedWithPartner',
          data: { ...base, episodeTypes: ['case', 'return-repair'], access: 'read', expiresAt: '2026-12-01T00:00:00.000Z' },
        },
      ]);
  });

  it('sharing again: the same scope changes nothing, another scope is recorded and replaces it', () => {
    const first = [...registered, ...decide(registered, { type: 'ShareCustomer', data: scoped, customerExists: true })];
    given(first)
      .when({ type: 'ShareCustomer', data: { ...scoped, sharedAt: '2026-11-02T00:00:00.000Z' }, customerExists: true })
      .thenNothingHappens();
    const widened = decide(first, { type: 'ShareCustomer', data: { ...base, access: 'read-write' }, customerExists: true });
    expect(widened).toEqual([{ type: 'CustomerSharedWithPartner', data: { ...base, access: 'read-write' } }]);
    const state = stateOf([...first, ...widened]);
    expect(state?.sharedCustomerIds).toEqual(['c1']);
    expect(state?.shares.c1).toEqual({ customerId: 'c1', sharedAt: now, sharedBy: 'alice', access: 'read-write' });
  });

  it('refuses an expiry that is not after now', () => {
    given(registered)
      .when({ type: 'ShareCustomer', data: { ...base, expiresAt: now }, customerExists: true })
      .thenBreaks('expiry-in-past');
  });

  it('a share is in force until its expiry, judged by the reader’s clock; an old share (no scope) forever', () => {
    const state = stateOf([...registered, { type: 'CustomerSharedWithPartner', data: scoped }]);
    expect(shareInForce(state, 'c1', new Date('2026-11-30T23:59:59.999Z'))?.access).toBe('read');
    expect(shareInForce(state, 'c1', new Date('2026-12-01T00:00:00.000Z'))).toBeUndefined();
    expect(shareInForce(state, 'c2', new Date(now))).toBeUndefined();
    const old = stateOf([...registered, { type: 'CustomerSharedWithPartner', data: base }]);
    expect(shareInForce(old, 'c1', new Date('2099-01-01T00:00:00.000Z'))).toEqual({ customerId: 'c1', sharedAt: now, sharedBy: 'alice' });
  });

  it('an expired share can be shared again with a new expiry', () => {
    const expired = [...registered, { type: 'CustomerSharedWithPartner' as const, data: { ...base, expiresAt: '2026-10-01T00:00:00.000Z' } }];
    expect(decide(expired, { type: 'ShareCustomer', data: { ...base, expiresAt: '2027-01-01T00:00:00.000Z' }, customerExists: true })).toHaveLength(1);
  });

  it('a revoke forgets the scope', () => {
    const revoked = stateOf([
      ...registered,
      { type: 'CustomerSharedWithPartner', data: scoped },
      { type: 'CustomerShareRevoked', data: { partnerId: 'p1', customerId: 'c1', revokedAt: now, revokedBy: 'alice' } },
    ]);
    expect(revoked?.shares).toEqual({});
    expect(revoked?.sharedCustomerIds).toEqual([]);
  });
});

describe('share requests', () => {
  const requested = [...registered, ...decide(registered, { type: 'RequestShare', data: request })];
  const approve = { partnerId: 'p1', requestId: 'r1', approvedAt: now, approvedBy: 'rudi', scope: { access: 'read' as const } };

  it('records a request whatever the customer is (the partner learns nothing), once per id', () => {
    expect(requested[1]).toEqual({ type: 'PartnerShareRequested', data: request });
    given(requested).when({ type: 'RequestShare', data: request }).thenNothingHappens();
    expect(stateOf(requested)?.requests.r1.status).toBe('pending');
  });

  it('an approval records the decision and the share in one append', () => {
    given(requested)
      .when({ type: 'ApproveShareRequest', data: approve, customerExists: true })
      .then([
        {
          type: 'PartnerShareRequestApproved',
          data: { partnerId: 'p1', requestId: 'r1', customerId: 'c1', approvedAt: now, approvedBy: 'rudi', access: 'read' },
        },
        { type: 'CustomerSharedWithPartner', data: { partnerId: 'p1', customerId: 'c1', sharedAt: now, sharedBy: 'rudi', access: 'read' } },
      ]);
  });

  it('refuses to approve an unknown customer, an unknown request, or one already decided', () => {
    given(requested).when({ type: 'ApproveShareRequest', data: approve, customerExists: false }).thenBreaks('unknown-customer');
    given(registered).when({ type: 'ApproveShareRequest', data: approve, customerExists: true }).thenBreaks('unknown-request');
    const refuse = { partnerId: 'p1', requestId: 'r1', reason: 'not yours', refusedAt: now, refusedBy: 'rudi' };
    const refused = [...requested, ...decide(requested, { type: 'RefuseShareRequest', data: refuse })];
    expect(refused[2]).toEqual({ type: 'PartnerShareRequestRefused', data: { ...refuse, customerId: 'c1' } });
    expect(stateOf(refused)?.requests.r1.status).toBe('refused');
    given(refused).when({ type: 'ApproveShareRequest', data: approve, customerExists: true }).thenBreaks('request-decided');
    given(refused).when({ type: 'RefuseShareRequest', data: refuse }).thenBreaks('request-decided');
  });

  it('refuses an approval whose expiry is not after now', () => {
    given(requested)
      .when({ type: 'ApproveShareRequest', data: { ...approve, scope: { expiresAt: '2026-10-01T00:00:00.000Z' } }, customerExists: true })
      .thenBreaks('expiry-in-past');
  });
});
