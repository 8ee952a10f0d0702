import type { PartnerKind } from '@crm/kernel';
import type { RankedPartner } from './lead-offer';

/**
 * Which partner gets a lead first (issue 14 §4): a pure ranking of the eligible partners, best first,
 * each with its score and the reasons for it (recorded with the offer, so a channel manager can see
 * why a partner was chosen).
 *
 * Eligible (all must hold, else the partner is left out):
 * - active: its routing profile is not paused (`active: false`: a deactivated partner takes no leads);
 * - a kind that sells: resellers and distributors take sales leads (suppliers and service providers do not);
 * - territory: one of its territories is the lead's country (ISO 3166-1 alpha-2) and, when that
 *   territory names regions, the lead's region is one of them. A lead with no country matches no one;
 * - product: when both the lead and the profile name products, at least one in common (a profile with
 *   no products takes any product; a lead with no products matches any profile);
 * - free capacity: fewer open leads (offered or accepted without an outcome) than its capacity;
 * - not excluded: it has not had this lead already (declined or let it expire).
 *
 * Score (higher first): tier (gold 30, silver 20, bronze 10), a named product in common +20, a
 * region named and matched +10, acceptance rate × 20, win rate × 30. Ties: more free capacity first,
 * then the partner id (so the order never depends on the order of the input).
 */

export const PARTNER_TIERS = ['gold', 'silver', 'bronze'] as const;
export type PartnerTier = (typeof PARTNER_TIERS)[number];

/** The partner kinds that take sales leads. */
export const LEAD_TAKING_KINDS: readonly PartnerKind[] = ['reseller', 'distributor'];

export interface PartnerTerritory {
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  /** Regions within the country ("java-west"); absent or empty: the whole country. */
  regions?: string[];
}

export interface PartnerRoutingProfile {
  territories: PartnerTerritory[];
  /** Catalogue product ids or product families the partner sells; empty: any product. */
  products: string[];
  tier: PartnerTier;
  /** The most leads it holds open at once (offered, or accepted without an outcome yet). */
  capacity: number;
  /** False: deactivated for lead distribution (it is offered nothing). */
  active: boolean;
}

/** A partner's past offers (from the read model of offers), for its rates. */
export interface PartnerLeadHistory {
  /** Offers it answered or let expire. */
  decided: number;
  accepted: number;
  /** Accepted offers whose outcome it reported. */
  reported: number;
  won: number;
}

export interface RoutingCandidate {
  partnerId: string;
  partnerKind: PartnerKind;
  profile: PartnerRoutingProfile;
  /** Leads it holds open now. */
  openLeads: number;
  history: PartnerLeadHistory;
}

export interface LeadToRoute {
  country?: string;
  region?: string;
  products: readonly string[];
}

const TIER_POINTS: Record<PartnerTier, number> = { gold: 30, silver: 20, bronze: 10 };

/**
 * A rate smoothed with a Beta(1,1) prior: (successes + 1) / (trials + 2). A partner with no history
 * reads 0.5 (neutral: neither favoured nor punished for being new), and a partner with one accepted
 * offer reads 0.67, not 1.0 — a few lucky answers do not put it ahead of one with a long record.
 */
export const smoothedRate = (successes: number, trials: number): number => (successes + 1) / (trials + 2);

const round2 = (n: number) => Math.round(n * 100) / 100;

export function rankPartners(lead: LeadToRoute, candidates: readonly RoutingCandidate[], excluded: ReadonlySet<string> = new Set()): RankedPartner[] {
  const scored: (RankedPartner & { free: number })[] = [];
  for (const c of candidates) {
    const p = c.profile;
    if (!p.active || excluded.has(c.partnerId) || !LEAD_TAKING_KINDS.includes(c.partnerKind)) continue;
    const territory = lead.country ? p.territories.find((t) => t.country === lead.country) : undefined;
    if (!territory) continue;
    const regionNamed = (territory.regions?.length ?? 0) > 0;
    if (regionNamed && (!lead.region || !territory.regions!.includes(lead.region))) continue;
    const common = lead.products.filter((x) => p.products.includes(x));
    if (lead.products.length > 0 && p.products.length > 0 && common.length === 0) continue;
    const free = p.capacity - c.openLeads;
    if (free <= 0) continue;
    const reasons: string[] = [];
    let score = 0;
    const add = (points: number, reason: string) => {
      score += points;
      reasons.push(`+${round2(points)} ${reason}`);
    };
    add(TIER_POINTS[p.tier], `${p.tier} tier`);
    reasons.unshift(`territory ${lead.country}${regionNamed ? `/${lead.region}` : ''}`);
    if (common.length > 0) add(20, `sells ${common.join(', ')}`);
    if (regionNamed) add(10, `covers region ${lead.region}`);
    const acceptance = smoothedRate(c.history.accepted, c.history.decided);
    const win = smoothedRate(c.history.won, c.history.reported);
    add(acceptance * 20, `acceptance rate ${round2(acceptance)} (${c.history.accepted}/${c.history.decided})`);
    add(win * 30, `win rate ${round2(win)} (${c.history.won}/${c.history.reported})`);
    reasons.push(`${free} of ${p.capacity} free`);
    scored.push({ partnerId: c.partnerId, score: round2(score), reasons, free });
  }
  scored.sort((a, b) => b.score - a.score || b.free - a.free || (a.partnerId < b.partnerId ? -1 : a.partnerId > b.partnerId ? 1 : 0));
  return scored.map(({ free: _free, ...r }) => r);
}
