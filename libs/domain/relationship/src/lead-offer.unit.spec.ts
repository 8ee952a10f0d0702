import { DeciderSpecification } from '@crm/kernel/testing';
import { TestClock } from '@crm/kernel';
import { evolveLead, leadOfferDecider, type LeadEvent } from './lead';
import { partnerMaySeeLead, type NextOffer } from './lead-offer';

const given = DeciderSpecification.for(leadOfferDecider);
const HOUR = 3_600_000;

describe('lead offer decide', () => {
  // Every instant comes from a controllable clock: no wall-clock thresholds.
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  const captured: LeadEvent = {
    type: 'LeadCaptured',
    data: { leadId: 'l1', source: 'web-form', name: 'Dewi', email: 'dewi@baru.id', qualification: {}, capturedAt: at(0), country: 'ID' },
  };
  const next = (ranking: string[], expiresAt = at(48 * HOUR)): NextOffer => ({
    rank: () => ranking.map((partnerId, i) => ({ partnerId, score: 100 - i, reasons: [`rank ${i + 1}`] })),
    offerIdFor: (attempt) => `l1-offer-${attempt}`,
    expiresAt,
  });
  const started: LeadEvent = { type: 'LeadDistributionStarted', data: { leadId: 'l1', products: ['VAN'], startedBy: 'maria', startedAt: at(0) } };
  const offered = (partnerId: string, attempt: number, offeredAt = at(0), score = 100 - (attempt - 1)): LeadEvent => ({
    type: 'LeadOfferedToPartner',
    data: {
      leadId: 'l1',
      partnerId,
      offerId: `l1-offer-${attempt}`,
      attempt,
      offeredAt,
      expiresAt: at(48 * HOUR),
      score,
      reasons: [`rank ${attempt}`],
    },
  });
  const start = {
    type: 'StartLeadDistribution' as const,
    data: { leadId: 'l1', products: ['VAN'], startedBy: 'maria', startedAt: at(0) },
    next: next(['p1', 'p2']),
  };

  it('starts by offering the lead to the best-ranked partner, with its score and reasons', () => {
    given([captured])
      .when(start)
      .then([started, offered('p1', 1)]);
  });

  it("ranks with the lead's country, region and products, leaving out partners that had it", () => {
    const seen: unknown[] = [];
    const spy: NextOffer = {
      ...next(['p1', 'p2']),
      rank: (lead, excluded) => (seen.push({ lead, excluded: [...excluded] }), [{ partnerId: 'p2', score: 1, reasons: [] }]),
    };
    given([captured, started, offered('p1', 1)])
      .when({ type: 'DeclineLeadOffer', data: { leadId: 'l1', partnerId: 'p1', reason: 'busy', declinedBy: 'p1.key', declinedAt: at(HOUR) }, next: spy })
      .then([
        {
          type: 'LeadOfferDeclined',
          data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', reason: 'busy', declinedBy: 'p1.key', declinedAt: at(HOUR) },
        },
        {
          type: 'LeadOfferedToPartner',
          data: { leadId: 'l1', partnerId: 'p2', offerId: 'l1-offer-2', attempt: 2, offeredAt: at(HOUR), expiresAt: at(48 * HOUR), score: 1, reasons: [] },
        },
      ]);
    expect(seen[0]).toEqual({ lead: { country: 'ID', products: ['VAN'] }, excluded: ['p1'] });
  });

  it('starts once: a second start while an offer is open or accepted records nothing', () => {
    given([captured, started, offered('p1', 1)])
      .when(start)
      .thenNothingHappens();
  });

  it('is exhausted at once when no partner is eligible', () => {
    given([captured])
      .when({ ...start, next: next([]) })
      .then([started, { type: 'LeadDistributionExhausted', data: { leadId: 'l1', attempts: 0, exhaustedAt: at(0) } }]);
  });

  it('refuses an unknown, a converted or an erased lead', () => {
    given([]).when(start).thenBreaks('unknown-lead');
    given([captured, { type: 'LeadConverted', data: { leadId: 'l1', customerId: 'c1', opportunityId: 'o1', convertedAt: at(0) } }])
      .when(start)
      .thenBreaks('lead-closed');
    given([captured, { type: 'LeadPersonalDataErased', data: { leadId: 'l1', erasedAt: at(0) } }])
      .when(start)
      .thenBreaks('lead-erased');
  });

  it('accepting assigns the lead to the partner in its history; accepting again changes nothing', () => {
    const accept = { type: 'AcceptLeadOffer' as const, data: { leadId: 'l1', partnerId: 'p1', acceptedBy: 'p1.key', acceptedAt: at(HOUR) } };
    const accepted: LeadEvent[] = [
      { type: 'LeadOfferAccepted', data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', acceptedBy: 'p1.key', acceptedAt: at(HOUR) } },
      { type: 'LeadAssigned', data: { leadId: 'l1', owner: 'partner/p1', rule: 'lead-distribution' } },
    ];
    given([captured, started, offered('p1', 1)])
      .when(accept)
      .then(accepted);
    given([captured, started, offered('p1', 1), ...accepted])
      .when(accept)
      .thenNothingHappens();
  });

  it("another partner's accept, decline or outcome is answered as if nothing were offered", () => {
    const history = [captured, started, offered('p1', 1)];
    given(history)
      .when({ type: 'AcceptLeadOffer', data: { leadId: 'l1', partnerId: 'p2', acceptedBy: 'p2.key', acceptedAt: at(HOUR) } })
      .thenBreaks('unknown-lead-offer');
    given(history)
      .when({ type: 'DeclineLeadOffer', data: { leadId: 'l1', partnerId: 'p2', reason: 'no', declinedBy: 'p2.key', declinedAt: at(HOUR) }, next: next(['p2']) })
      .thenBreaks('unknown-lead-offer');
    given(history)
      .when({ type: 'ReportLeadOfferOutcome', data: { leadId: 'l1', partnerId: 'p2', outcome: 'won', reportedBy: 'p2.key', reportedAt: at(HOUR) } })
      .thenBreaks('unknown-lead-offer');
  });

  it('an offer past its deadline can no longer be accepted (the tick expires it)', () => {
    given([captured, started, offered('p1', 1)])
      .when({ type: 'AcceptLeadOffer', data: { leadId: 'l1', partnerId: 'p1', acceptedBy: 'p1.key', acceptedAt: at(48 * HOUR) } })
      .thenBreaks('unknown-lead-offer');
  });

  it('declining records the reason and offers the lead to the next partner that has not had it', () => {
    given([captured, started, offered('p1', 1)])
      .when({
        type: 'DeclineLeadOffer',
        data: { leadId: 'l1', partnerId: 'p1', reason: 'outside our season', declinedBy: 'p1.key', declinedAt: at(HOUR) },
        next: next(['p1', 'p2']),
      })
      .then([
        {
          type: 'LeadOfferDeclined',
          data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', reason: 'outside our season', declinedBy: 'p1.key', declinedAt: at(HOUR) },
        },
        { ...offered('p2', 2, at(HOUR), 99) },
      ]);
  });

  it('a decline needs a reason; the last decline exhausts the distribution', () => {
    const decline = (reason: string) => ({
      type: 'DeclineLeadOffer' as const,
      data: { leadId: 'l1', partnerId: 'p1', reason, declinedBy: 'p1.key', declinedAt: at(HOUR) },
      next: next(['p1']),
    });
    given([captured, started, offered('p1', 1)])
      .when(decline('  '))
      .thenBreaks('decline-needs-reason');
    given([captured, started, offered('p1', 1)])
      .when(decline('busy'))
      .then([
        {
          type: 'LeadOfferDeclined',
          data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', reason: 'busy', declinedBy: 'p1.key', declinedAt: at(HOUR) },
        },
        { type: 'LeadDistributionExhausted', data: { leadId: 'l1', attempts: 1, exhaustedAt: at(HOUR) } },
      ]);
  });

  it('expires an overdue offer and re-routes; not due, or answered, nothing happens (idempotent ticks)', () => {
    const expire = (now: string) => ({ type: 'ExpireLeadOffer' as const, data: { leadId: 'l1', now }, next: next(['p1', 'p2'], at(96 * HOUR)) });
    given([captured, started, offered('p1', 1)])
      .when(expire(at(47 * HOUR)))
      .thenNothingHappens();
    given([captured, started, offered('p1', 1)])
      .when(expire(at(48 * HOUR)))
      .then([
        { type: 'LeadOfferExpired', data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', expiredAt: at(48 * HOUR) } },
        { ...offered('p2', 2, at(48 * HOUR), 99), data: { ...(offered('p2', 2, at(48 * HOUR), 99).data as object), expiresAt: at(96 * HOUR) } } as LeadEvent,
      ]);
    const accepted: LeadEvent = {
      type: 'LeadOfferAccepted',
      data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', acceptedBy: 'p1.key', acceptedAt: at(HOUR) },
    };
    given([captured, started, offered('p1', 1), accepted])
      .when(expire(at(49 * HOUR)))
      .thenNothingHappens();
  });

  it('the outcome comes only after accepting, once', () => {
    const report = (outcome: 'won' | 'lost') => ({
      type: 'ReportLeadOfferOutcome' as const,
      data: { leadId: 'l1', partnerId: 'p1', outcome, note: 'two vans', reportedBy: 'p1.key', reportedAt: at(2 * HOUR) },
    });
    given([captured, started, offered('p1', 1)])
      .when(report('won'))
      .thenBreaks('lead-offer-not-accepted');
    const accepted: LeadEvent = {
      type: 'LeadOfferAccepted',
      data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', acceptedBy: 'p1.key', acceptedAt: at(HOUR) },
    };
    const reported: LeadEvent = {
      type: 'LeadOfferOutcomeReported',
      data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', outcome: 'won', note: 'two vans', reportedBy: 'p1.key', reportedAt: at(2 * HOUR) },
    };
    given([captured, started, offered('p1', 1), accepted])
      .when(report('won'))
      .then([reported]);
    given([captured, started, offered('p1', 1), accepted, reported])
      .when(report('won'))
      .thenNothingHappens();
    given([captured, started, offered('p1', 1), accepted, reported])
      .when(report('lost'))
      .thenBreaks('outcome-reported');
  });

  it("the lead's state tells its distribution, and who may see it", () => {
    const accepted: LeadEvent = {
      type: 'LeadOfferAccepted',
      data: { leadId: 'l1', partnerId: 'p1', offerId: 'l1-offer-1', acceptedBy: 'p1.key', acceptedAt: at(HOUR) },
    };
    const state = [captured, started, offered('p1', 1), accepted].reduce(evolveLead, undefined);
    expect(state?.distribution).toMatchObject({
      status: 'accepted',
      partnerId: 'p1',
      products: ['VAN'],
      offers: [{ offerId: 'l1-offer-1', status: 'accepted' }],
    });
    expect(partnerMaySeeLead(state, 'p1', new Date(at(500 * HOUR)))).toBe(true);
    expect(partnerMaySeeLead(state, 'p2', new Date(at(HOUR)))).toBe(false);
    const offeredOnly = [captured, started, offered('p1', 1)].reduce(evolveLead, undefined);
    expect(partnerMaySeeLead(offeredOnly, 'p1', new Date(at(HOUR)))).toBe(true);
    expect(partnerMaySeeLead(offeredOnly, 'p1', new Date(at(48 * HOUR)))).toBe(false);
    const erased = [
      captured,
      started,
      offered('p1', 1),
      accepted,
      { type: 'LeadPersonalDataErased', data: { leadId: 'l1', erasedAt: at(HOUR) } } as LeadEvent,
    ].reduce(evolveLead, undefined);
    expect(partnerMaySeeLead(erased, 'p1', new Date(at(HOUR)))).toBe(false);
  });
});
