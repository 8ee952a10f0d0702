import { DomainRuleViolation, NotFoundError, type Decider } from '@crm/kernel';

/**
 * A case's routing history (stream `caserouting-<episodeId>`): the offers the router made for it and
 * what became of each — accepted, declined, or expired. At most one offer of a case is pending at a
 * time; an agent who declined the case or let an offer of it expire is not offered it again.
 * Accepting is possible only before the offer expires, by the clock of the command; the timer
 * records the expiry at the exact `expiresAt`.
 */

export type OfferStatus = 'pending' | 'accepted' | 'declined' | 'expired';

export interface CaseOffer {
  offerId: string;
  episodeId: string;
  customerId: string;
  agentId: string;
  priority: number;
  reason: string;
  offeredAt: string;
  expiresAt: string;
  status: OfferStatus;
  /** When it was accepted, declined or expired. */
  settledAt?: string;
}

export interface CaseRoutingState {
  offers: Readonly<Record<string, CaseOffer>>;
  /** The offer waiting for its agent's answer. */
  pending?: string;
  /** Agents who declined the case or let an offer of it expire, in that order. */
  refusedBy: readonly string[];
}

type Offered = {
  offerId: string;
  episodeId: string;
  customerId: string;
  agentId: string;
  priority: number;
  reason: string;
  offeredAt: string;
  expiresAt: string;
};
type Settled = { offerId: string; episodeId: string; customerId: string; agentId: string };

export type CaseRoutingEvent =
  | { type: 'CaseOffered'; data: Offered }
  | { type: 'CaseOfferAccepted'; data: Settled & { acceptedAt: string } }
  | { type: 'CaseOfferDeclined'; data: Settled & { reason?: string; declinedAt: string } }
  | { type: 'CaseOfferExpired'; data: Settled & { expiredAt: string } };

export type CaseRoutingCommand =
  | { type: 'OfferCase'; data: Offered }
  | { type: 'AcceptCaseOffer'; data: { offerId: string; agentId: string; at: string } }
  | { type: 'DeclineCaseOffer'; data: { offerId: string; agentId: string; reason?: string; at: string } }
  /** The timer's: records the expiry of an offer still pending once `now` has reached its `expiresAt`. */
  | { type: 'ExpireCaseOffer'; data: { offerId: string; now: string } };

export const caseRoutingStream = (episodeId: string) => `caserouting-${episodeId}`;
export const noCaseRouting: CaseRoutingState = { offers: {}, refusedBy: [] };

function settle(state: CaseRoutingState, offerId: string, status: OfferStatus, at: string, refused: boolean): CaseRoutingState {
  const offer = state.offers[offerId];
  if (!offer) return state;
  return {
    offers: { ...state.offers, [offerId]: { ...offer, status, settledAt: at } },
    pending: state.pending === offerId ? undefined : state.pending,
    refusedBy: refused && !state.refusedBy.includes(offer.agentId) ? [...state.refusedBy, offer.agentId] : state.refusedBy,
  };
}

export function evolveCaseRouting(state: CaseRoutingState, event: CaseRoutingEvent): CaseRoutingState {
  switch (event.type) {
    case 'CaseOffered':
      return { ...state, offers: { ...state.offers, [event.data.offerId]: { ...event.data, status: 'pending' } }, pending: event.data.offerId };
    case 'CaseOfferAccepted':
      return settle(state, event.data.offerId, 'accepted', event.data.acceptedAt, false);
    case 'CaseOfferDeclined':
      return settle(state, event.data.offerId, 'declined', event.data.declinedAt, true);
    case 'CaseOfferExpired':
      return settle(state, event.data.offerId, 'expired', event.data.expiredAt, true);
    default:
      return state;
  }
}

const settled = (o: CaseOffer): Settled => ({ offerId: o.offerId, episodeId: o.episodeId, customerId: o.customerId, agentId: o.agentId });

/** The offer, answered by its own agent; another agent's offer reads as missing. */
function answerable(state: CaseRoutingState, offerId: string, agentId: string): CaseOffer {
  const offer = state.offers[offerId];
  if (!offer || offer.agentId !== agentId) throw new NotFoundError(`offer ${offerId} not found`);
  return offer;
}

export function decideCaseRouting(command: CaseRoutingCommand, state: CaseRoutingState): CaseRoutingEvent[] {
  switch (command.type) {
    case 'OfferCase': {
      const d = command.data;
      const existing = state.offers[d.offerId];
      if (existing) {
        if (existing.agentId === d.agentId && existing.episodeId === d.episodeId) return []; // the same offer again
        throw new DomainRuleViolation('offer-id-taken', `offer ${d.offerId} exists`);
      }
      if (state.pending !== undefined) throw new DomainRuleViolation('offer-pending', `the case has a pending offer (${state.pending})`);
      if (state.refusedBy.includes(d.agentId))
        throw new DomainRuleViolation('agent-refused-case', `agent ${d.agentId} declined this case or let its offer expire: not offered it again`);
      if (!(Date.parse(d.expiresAt) > Date.parse(d.offeredAt))) throw new DomainRuleViolation('offer-expires-after-offer', 'an offer expires after it is made');
      return [{ type: 'CaseOffered', data: d }];
    }
    case 'AcceptCaseOffer': {
      const d = command.data;
      const offer = answerable(state, d.offerId, d.agentId);
      if (offer.status === 'accepted') return []; // accepted already (a retry)
      if (offer.status !== 'pending') throw new DomainRuleViolation('offer-settled', `offer ${d.offerId} was ${offer.status}`);
      if (Date.parse(d.at) >= Date.parse(offer.expiresAt)) throw new DomainRuleViolation('offer-expired', `offer ${d.offerId} expired at ${offer.expiresAt}`);
      return [{ type: 'CaseOfferAccepted', data: { ...settled(offer), acceptedAt: d.at } }];
    }
    case 'DeclineCaseOffer': {
      const d = command.data;
      const offer = answerable(state, d.offerId, d.agentId);
      if (offer.status === 'declined') return []; // declined already (a retry)
      if (offer.status !== 'pending') throw new DomainRuleViolation('offer-settled', `offer ${d.offerId} was ${offer.status}`);
      if (Date.parse(d.at) >= Date.parse(offer.expiresAt)) throw new DomainRuleViolation('offer-expired', `offer ${d.offerId} expired at ${offer.expiresAt}`);
      return [{ type: 'CaseOfferDeclined', data: { ...settled(offer), ...(d.reason !== undefined && { reason: d.reason }), declinedAt: d.at } }];
    }
    case 'ExpireCaseOffer': {
      const offer = state.offers[command.data.offerId];
      if (!offer) throw new NotFoundError(`offer ${command.data.offerId} not found`);
      // Answered in time, or not due yet: nothing to record (a timer that looked at a stale read model).
      if (offer.status !== 'pending' || Date.parse(command.data.now) < Date.parse(offer.expiresAt)) return [];
      return [{ type: 'CaseOfferExpired', data: { ...settled(offer), expiredAt: offer.expiresAt } }];
    }
  }
}

export const caseRoutingDecider: Decider<CaseRoutingState, CaseRoutingCommand, CaseRoutingEvent> = {
  decide: decideCaseRouting,
  evolve: evolveCaseRouting,
  initialState: noCaseRouting,
};
