import { DomainRuleViolation } from '@crm/kernel';
import type { LeadEvent, LeadState } from './lead';
import type { LeadToRoute } from './lead-routing';

/**
 * Lead distribution to partners (issue 14 §4): one lead offered to one partner at a time, the best
 * eligible one first (`rankPartners`, lead-routing.ts); the partner accepts or declines within a time
 * limit, else the offer expires; a decline or an expiry re-routes the lead to the next partner, until
 * none is left (`LeadDistributionExhausted`). A partner that accepted reports the outcome (won/lost).
 *
 * The events live on the LEAD's own stream (`lead-<id>`), beside its capture, qualification and
 * conversion: so the lead keeps one history, in one order, and sales' `GET /leads/{id}` shows who it
 * was offered to, who took it and how it ended without a second source to join (the lead's state
 * folds these events: `Lead.distribution`). This decider runs over that same state (`evolveLead`):
 * it sees whether the lead is still open, its country and region, and every earlier offer.
 *
 * Offer ids are derived from the lead id and the attempt number by the caller (uuid v5), so a retried
 * start or expiry finds its offer already recorded and records nothing new.
 */

/** The owner a lead accepted by a partner is assigned to (`LeadAssigned.owner`), and the rule named. */
export const PARTNER_OWNER_PREFIX = 'partner/';
export const partnerOwner = (partnerId: string) => `${PARTNER_OWNER_PREFIX}${partnerId}`;
export const LEAD_DISTRIBUTION_RULE = 'lead-distribution';

export const LEAD_OFFER_STATUSES = ['offered', 'accepted', 'declined', 'expired'] as const;
export type LeadOfferStatus = (typeof LEAD_OFFER_STATUSES)[number];

export const LEAD_OUTCOMES = ['won', 'lost'] as const;
export type LeadOutcome = (typeof LEAD_OUTCOMES)[number];

/** A partner the routing ranked, best first, with its score and why. */
export interface RankedPartner {
  partnerId: string;
  score: number;
  reasons: string[];
}

export interface LeadDistributionStartedData {
  leadId: string;
  /** The catalogue product ids or product families the lead is about (routing matches partners' profiles on them). */
  products: string[];
  startedBy: string;
  startedAt: string;
}

export interface LeadOfferedToPartnerData {
  leadId: string;
  partnerId: string;
  offerId: string;
  /** 1 for the first offer of the lead, then 2, 3, … (the offer id is derived from it). */
  attempt: number;
  offeredAt: string;
  expiresAt: string;
  score: number;
  reasons: string[];
}

export type LeadOfferEvent =
  | { type: 'LeadDistributionStarted'; data: LeadDistributionStartedData }
  | { type: 'LeadOfferedToPartner'; data: LeadOfferedToPartnerData }
  | { type: 'LeadOfferAccepted'; data: { leadId: string; partnerId: string; offerId: string; acceptedBy: string; acceptedAt: string } }
  | { type: 'LeadOfferDeclined'; data: { leadId: string; partnerId: string; offerId: string; reason: string; declinedBy: string; declinedAt: string } }
  | { type: 'LeadOfferExpired'; data: { leadId: string; partnerId: string; offerId: string; expiredAt: string } }
  | { type: 'LeadDistributionExhausted'; data: { leadId: string; attempts: number; exhaustedAt: string } }
  | {
      type: 'LeadOfferOutcomeReported';
      data: { leadId: string; partnerId: string; offerId: string; outcome: LeadOutcome; note?: string; reportedBy: string; reportedAt: string };
    };

export const LEAD_OFFER_EVENT_TYPES: readonly LeadOfferEvent['type'][] = [
  'LeadDistributionStarted',
  'LeadOfferedToPartner',
  'LeadOfferAccepted',
  'LeadOfferDeclined',
  'LeadOfferExpired',
  'LeadDistributionExhausted',
  'LeadOfferOutcomeReported',
];

export interface LeadOffer {
  offerId: string;
  partnerId: string;
  attempt: number;
  status: LeadOfferStatus;
  offeredAt: string;
  expiresAt: string;
  score: number;
  reasons: string[];
  declineReason?: string;
  outcome?: LeadOutcome;
  outcomeNote?: string;
}

/** The lead's distribution, as its history tells it (part of the lead's state). */
export interface LeadDistribution {
  /** `offered`: an offer is open; `accepted`: a partner took the lead; `exhausted`: no partner was left. */
  status: 'offered' | 'accepted' | 'exhausted';
  products: string[];
  offers: LeadOffer[];
  /** The partner that accepted the lead (it is assigned to them). */
  partnerId?: string;
  outcome?: LeadOutcome;
}

/** How the lead's state folds a distribution event (called by `evolveLead`). */
export function evolveDistribution(current: LeadDistribution | undefined, event: LeadOfferEvent): LeadDistribution | undefined {
  const setOffer = (dist: LeadDistribution, offerId: string, change: Partial<LeadOffer>): LeadDistribution => ({
    ...dist,
    offers: dist.offers.map((o) => (o.offerId === offerId ? { ...o, ...change } : o)),
  });
  switch (event.type) {
    case 'LeadDistributionStarted':
      return { status: current?.status ?? 'offered', products: event.data.products, offers: current?.offers ?? [] };
    case 'LeadOfferedToPartner': {
      const o = event.data;
      const dist = current ?? { status: 'offered' as const, products: [], offers: [] };
      const offer: LeadOffer = {
        offerId: o.offerId,
        partnerId: o.partnerId,
        attempt: o.attempt,
        status: 'offered',
        offeredAt: o.offeredAt,
        expiresAt: o.expiresAt,
        score: o.score,
        reasons: o.reasons,
      };
      return { ...dist, status: 'offered', offers: [...dist.offers, offer] };
    }
    case 'LeadOfferAccepted':
      return current && { ...setOffer(current, event.data.offerId, { status: 'accepted' }), status: 'accepted', partnerId: event.data.partnerId };
    case 'LeadOfferDeclined':
      return current && setOffer(current, event.data.offerId, { status: 'declined', declineReason: event.data.reason });
    case 'LeadOfferExpired':
      return current && setOffer(current, event.data.offerId, { status: 'expired' });
    case 'LeadDistributionExhausted':
      return current && { ...current, status: 'exhausted' };
    case 'LeadOfferOutcomeReported':
      return (
        current && {
          ...setOffer(current, event.data.offerId, { outcome: event.data.outcome, ...(event.data.note !== undefined && { outcomeNote: event.data.note }) }),
          outcome: event.data.outcome,
        }
      );
  }
}

export const isLeadOfferEvent = (event: { type: string }): event is LeadOfferEvent => (LEAD_OFFER_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * What the next offer needs: the ranking, its id and deadline. Filled by the application from the
 * read models and the clock (`rank` is `rankPartners` over the partners' profiles and records), and
 * called by the decider with the lead as its state has it — so the command loads the lead once.
 */
export interface NextOffer {
  /** The eligible partners for this lead, best first, leaving out `excluded` (the decider skips any this lead already had, too). */
  rank: (lead: LeadToRoute, excluded: ReadonlySet<string>) => readonly RankedPartner[];
  /** The offer id for attempt n (deterministic from the lead id and n). */
  offerIdFor: (attempt: number) => string;
  expiresAt: string;
}

export type LeadOfferCommand =
  | { type: 'StartLeadDistribution'; data: LeadDistributionStartedData; next: NextOffer }
  | { type: 'AcceptLeadOffer'; data: { leadId: string; partnerId: string; acceptedBy: string; acceptedAt: string } }
  | { type: 'DeclineLeadOffer'; data: { leadId: string; partnerId: string; reason: string; declinedBy: string; declinedAt: string }; next: NextOffer }
  | { type: 'ExpireLeadOffer'; data: { leadId: string; now: string }; next: NextOffer }
  | {
      type: 'ReportLeadOfferOutcome';
      data: { leadId: string; partnerId: string; outcome: LeadOutcome; note?: string; reportedBy: string; reportedAt: string };
    };

/** The offer open now (offered, not yet answered), if any. */
export const openOffer = (lead: LeadState): LeadOffer | undefined => lead?.distribution?.offers.find((o) => o.status === 'offered');

/** The offer the partner may act on: the open one or the one it accepted. Another partner's: undefined (answered as unknown). */
export const offerOf = (lead: LeadState, partnerId: string): LeadOffer | undefined =>
  lead?.distribution?.offers.find((o) => o.partnerId === partnerId && (o.status === 'offered' || o.status === 'accepted'));

/** Whether `partnerId` may see the lead's details now: while it is offered to them (and not yet expired by the clock), or they accepted it. */
export function partnerMaySeeLead(lead: LeadState, partnerId: string, now: Date): boolean {
  const offer = offerOf(lead, partnerId);
  if (!offer || lead?.erased) return false;
  return offer.status === 'accepted' || Date.parse(offer.expiresAt) > now.getTime();
}

/** The next offer for the lead, or its exhaustion when every ranked partner already had it. */
function offerNext(lead: NonNullable<LeadState>, next: NextOffer, now: string): LeadOfferEvent[] {
  const had = new Set((lead.distribution?.offers ?? []).map((o) => o.partnerId));
  const attempt = (lead.distribution?.offers.length ?? 0) + 1;
  const route: LeadToRoute = {
    ...(lead.country !== undefined && { country: lead.country }),
    ...(lead.region !== undefined && { region: lead.region }),
    products: lead.distribution?.products ?? [],
  };
  const best = next.rank(route, had).find((p) => !had.has(p.partnerId));
  if (!best) return [{ type: 'LeadDistributionExhausted', data: { leadId: lead.leadId, attempts: attempt - 1, exhaustedAt: now } }];
  return [
    {
      type: 'LeadOfferedToPartner',
      data: {
        leadId: lead.leadId,
        partnerId: best.partnerId,
        offerId: next.offerIdFor(attempt),
        attempt,
        offeredAt: now,
        expiresAt: next.expiresAt,
        score: best.score,
        reasons: best.reasons,
      },
    },
  ];
}

function assertOpenLead(lead: LeadState, leadId: string): asserts lead is NonNullable<LeadState> {
  if (!lead) throw new DomainRuleViolation('unknown-lead', `lead ${leadId} does not exist`);
  if (lead.status === 'disqualified' || lead.status === 'converted') throw new DomainRuleViolation('lead-closed', `lead ${leadId} is ${lead.status}`);
  if (lead.erased) throw new DomainRuleViolation('lead-erased', `lead ${leadId} was erased: nothing is left to offer`);
}

const noOffer = (leadId: string) => new DomainRuleViolation('unknown-lead-offer', `lead ${leadId} is not offered to you`);

/**
 * Decides one distribution command on the lead's state. Returns lead events: accepting also records
 * `LeadAssigned` to the partner (owner `partner/<id>`, rule `lead-distribution`), so the lead's
 * history says who holds it in the same words as any other assignment.
 */
export function decideLeadOffer(command: LeadOfferCommand, lead: LeadState): LeadEvent[] {
  const leadId = command.data.leadId;
  switch (command.type) {
    case 'StartLeadDistribution': {
      assertOpenLead(lead, leadId);
      const dist = lead.distribution;
      // Started again while an offer is open or a partner holds it: nothing new (a retried request).
      if (dist?.status === 'offered' || dist?.status === 'accepted') return [];
      const started: LeadOfferEvent = { type: 'LeadDistributionStarted', data: command.data };
      const withStart = evolveDistribution(dist, started);
      return [started, ...offerNext({ ...lead, distribution: withStart }, command.next, command.data.startedAt)];
    }
    case 'AcceptLeadOffer': {
      const offer = offerOf(lead, command.data.partnerId);
      if (!lead || !offer || !partnerMaySeeLead(lead, command.data.partnerId, new Date(command.data.acceptedAt))) throw noOffer(leadId);
      if (offer.status === 'accepted') return [];
      assertOpenLead(lead, leadId);
      const { partnerId, acceptedBy, acceptedAt } = command.data;
      return [
        { type: 'LeadOfferAccepted', data: { leadId, partnerId, offerId: offer.offerId, acceptedBy, acceptedAt } },
        { type: 'LeadAssigned', data: { leadId, owner: partnerOwner(partnerId), rule: LEAD_DISTRIBUTION_RULE } },
      ];
    }
    case 'DeclineLeadOffer': {
      const offer = offerOf(lead, command.data.partnerId);
      if (!lead || !offer || !partnerMaySeeLead(lead, command.data.partnerId, new Date(command.data.declinedAt))) throw noOffer(leadId);
      if (offer.status === 'accepted') throw new DomainRuleViolation('lead-offer-accepted', `you accepted lead ${leadId}: report its outcome instead`);
      if (!command.data.reason.trim()) throw new DomainRuleViolation('decline-needs-reason', 'say why the lead is declined');
      const declined: LeadOfferEvent = { type: 'LeadOfferDeclined', data: { ...command.data, offerId: offer.offerId } };
      const after = { ...lead, distribution: evolveDistribution(lead.distribution, declined) };
      return [declined, ...offerNext(after, command.next, command.data.declinedAt)];
    }
    case 'ExpireLeadOffer': {
      const offer = openOffer(lead);
      // Answered meanwhile, or not due yet: nothing to expire (the tick may run again at any time).
      if (!lead || !offer || Date.parse(offer.expiresAt) > Date.parse(command.data.now)) return [];
      const expired: LeadOfferEvent = {
        type: 'LeadOfferExpired',
        data: { leadId, partnerId: offer.partnerId, offerId: offer.offerId, expiredAt: command.data.now },
      };
      // A lead closed meanwhile is not offered again.
      if (lead.erased || lead.status === 'disqualified' || lead.status === 'converted') return [expired];
      const after = { ...lead, distribution: evolveDistribution(lead.distribution, expired) };
      return [expired, ...offerNext(after, command.next, command.data.now)];
    }
    case 'ReportLeadOfferOutcome': {
      const offer = offerOf(lead, command.data.partnerId);
      if (!lead || !offer) throw noOffer(leadId);
      if (offer.status !== 'accepted') throw new DomainRuleViolation('lead-offer-not-accepted', `accept lead ${leadId} before reporting its outcome`);
      if (offer.outcome === command.data.outcome) return [];
      if (offer.outcome) throw new DomainRuleViolation('outcome-reported', `the outcome of lead ${leadId} was already reported: ${offer.outcome}`);
      return [{ type: 'LeadOfferOutcomeReported', data: { ...command.data, offerId: offer.offerId } }];
    }
  }
}
