import { DeciderSpecification } from '@crm/kernel/testing';
import { caseRoutingDecider, evolveCaseRouting, noCaseRouting, type CaseRoutingEvent } from './case-offers';

const given = DeciderSpecification.for(caseRoutingDecider);
const base = { episodeId: 'e1', customerId: 'c1' };
const offer = (offerId: string, agentId: string) => ({
  ...base,
  offerId,
  agentId,
  priority: 40.5,
  reason: 'skills billing≥3 (has 4); least loaded 0/3',
  offeredAt: '2026-03-01T09:00:00.000Z',
  expiresAt: '2026-03-01T09:01:00.000Z',
});
const offered = (offerId: string, agentId: string): CaseRoutingEvent => ({ type: 'CaseOffered', data: offer(offerId, agentId) });
const declined = (offerId: string, agentId: string): CaseRoutingEvent => ({
  type: 'CaseOfferDeclined',
  data: { ...base, offerId, agentId, declinedAt: '2026-03-01T09:00:30.000Z' },
});
const expired = (offerId: string, agentId: string): CaseRoutingEvent => ({
  type: 'CaseOfferExpired',
  data: { ...base, offerId, agentId, expiredAt: '2026-03-01T09:01:00.000Z' },
});

describe('case routing (offers) decide', () => {
  it('offers a case; the same offer again changes nothing; a second offer waits until the first is answered', () => {
    given([])
      .when({ type: 'OfferCase', data: offer('o1', 'dewi') })
      .then(offered('o1', 'dewi'));
    given(offered('o1', 'dewi'))
      .when({ type: 'OfferCase', data: offer('o1', 'dewi') })
      .thenNothingHappens();
    given(offered('o1', 'dewi'))
      .when({ type: 'OfferCase', data: offer('o2', 'budi') })
      .thenBreaks('offer-pending');
    given([offered('o1', 'dewi'), declined('o1', 'dewi')])
      .when({ type: 'OfferCase', data: offer('o2', 'budi') })
      .then(offered('o2', 'budi'));
  });

  it('never offers a case again to an agent who declined it or let its offer expire', () => {
    given([offered('o1', 'dewi'), declined('o1', 'dewi')])
      .when({ type: 'OfferCase', data: offer('o2', 'dewi') })
      .thenBreaks('agent-refused-case');
    given([offered('o1', 'dewi'), expired('o1', 'dewi')])
      .when({ type: 'OfferCase', data: offer('o2', 'dewi') })
      .thenBreaks('agent-refused-case');
    const state = [offered('o1', 'dewi'), declined('o1', 'dewi'), offered('o2', 'budi'), expired('o2', 'budi')].reduce(evolveCaseRouting, noCaseRouting);
    expect(state.refusedBy).toEqual(['dewi', 'budi']);
    expect(state.pending).toBeUndefined();
  });

  it('is accepted by its agent before it expires (again: nothing new); not after, nor once declined', () => {
    given(offered('o1', 'dewi'))
      .when({ type: 'AcceptCaseOffer', data: { offerId: 'o1', agentId: 'dewi', at: '2026-03-01T09:00:59.999Z' } })
      .then({ type: 'CaseOfferAccepted', data: { ...base, offerId: 'o1', agentId: 'dewi', acceptedAt: '2026-03-01T09:00:59.999Z' } });
    given([offered('o1', 'dewi'), { type: 'CaseOfferAccepted', data: { ...base, offerId: 'o1', agentId: 'dewi', acceptedAt: '2026-03-01T09:00:10.000Z' } }])
      .when({ type: 'AcceptCaseOffer', data: { offerId: 'o1', agentId: 'dewi', at: '2026-03-01T09:00:20.000Z' } })
      .thenNothingHappens();
    given(offered('o1', 'dewi'))
      .when({ type: 'AcceptCaseOffer', data: { offerId: 'o1', agentId: 'dewi', at: '2026-03-01T09:01:00.000Z' } })
      .thenBreaks('offer-expired');
    given([offered('o1', 'dewi'), declined('o1', 'dewi')])
      .when({ type: 'AcceptCaseOffer', data: { offerId: 'o1', agentId: 'dewi', at: '2026-03-01T09:00:40.000Z' } })
      .thenBreaks('offer-settled');
  });

  it("another agent's offer reads as missing", () => {
    const state = [offered('o1', 'dewi')].reduce(evolveCaseRouting, noCaseRouting);
    expect(() =>
      caseRoutingDecider.decide({ type: 'AcceptCaseOffer', data: { offerId: 'o1', agentId: 'budi', at: '2026-03-01T09:00:10.000Z' } }, state),
    ).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    expect(() =>
      caseRoutingDecider.decide({ type: 'DeclineCaseOffer', data: { offerId: 'o9', agentId: 'dewi', at: '2026-03-01T09:00:10.000Z' } }, state),
    ).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
  });

  it('is declined with an optional reason; a repeat changes nothing', () => {
    given(offered('o1', 'dewi'))
      .when({ type: 'DeclineCaseOffer', data: { offerId: 'o1', agentId: 'dewi', reason: 'on a break', at: '2026-03-01T09:00:30.000Z' } })
      .then({ type: 'CaseOfferDeclined', data: { ...base, offerId: 'o1', agentId: 'dewi', reason: 'on a break', declinedAt: '2026-03-01T09:00:30.000Z' } });
    given([offered('o1', 'dewi'), declined('o1', 'dewi')])
      .when({ type: 'DeclineCaseOffer', data: { offerId: 'o1', agentId: 'dewi', at: '2026-03-01T09:00:40.000Z' } })
      .thenNothingHappens();
  });

  it('the timer records the expiry at the exact expiry time, once, and not before it nor for an answered offer', () => {
    given(offered('o1', 'dewi'))
      .when({ type: 'ExpireCaseOffer', data: { offerId: 'o1', now: '2026-03-01T09:00:59.999Z' } })
      .thenNothingHappens();
    // looked late: still recorded at the expiry time itself
    given(offered('o1', 'dewi'))
      .when({ type: 'ExpireCaseOffer', data: { offerId: 'o1', now: '2026-03-01T09:07:00.000Z' } })
      .then(expired('o1', 'dewi'));
    given([offered('o1', 'dewi'), expired('o1', 'dewi')])
      .when({ type: 'ExpireCaseOffer', data: { offerId: 'o1', now: '2026-03-01T09:08:00.000Z' } })
      .thenNothingHappens();
    given([offered('o1', 'dewi'), declined('o1', 'dewi')])
      .when({ type: 'ExpireCaseOffer', data: { offerId: 'o1', now: '2026-03-01T09:08:00.000Z' } })
      .thenNothingHappens();
  });
});
