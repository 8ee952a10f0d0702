import type { JourneyStage, RelationshipPhase } from '@crm/kernel';

/**
 * Journey stage and Dwyer relationship phase from behaviour (issue 11 §4), pure: no framework, no
 * database. Each derivation names the rule that fired; the rules, their thresholds and what they
 * cannot see are in docs/analytics.md ("Journey stage and relationship phase").
 */

/** A year, for tenure and for "in the last year". */
export const YEAR_DAYS = 365;
/** Purchase occasions in the last year that make a majority customer (the share-of-wallet proxy). */
export const MAJORITY_OCCASIONS_PER_YEAR = 4;
/** Of the last four quarters (91-day windows ending on the as-of day), how many must hold a purchase for regularity. */
export const REGULAR_QUARTERS = 3;
/** The interaction windows: the last 90 days and the 90 before. */
export const WINDOW_DAYS = 90;
/** Without a purchase for this long and without an interaction in the last two windows, an ex-buyer's relationship is dissolved. */
export const DISSOLUTION_DAYS = 365;

export interface JourneyFacts {
  /** The day the facts are as of (`YYYY-MM-DD`, UTC). */
  asOfDay: string;
  /** The customer's purchase occasion days by then (several orders on one day are one), any order. */
  occasionDays: readonly string[];
  /** Interactions recorded with the customer (any department or partner). */
  interactions: { last90: number; previous90: number };
}

export interface Derived<T> {
  to: T;
  /** The rule that fired. */
  rule: string;
}

export interface JourneyDerivation {
  stage?: Derived<JourneyStage>;
  phase?: Derived<RelationshipPhase>;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

interface Behaviour {
  occasions: number;
  inLastYear: number;
  tenureDays: number;
  daysSinceLast: number;
  regularQuarters: number;
}

function behaviour(f: JourneyFacts): Behaviour {
  const today = dayNumber(f.asOfDay);
  const days = f.occasionDays.map(dayNumber).filter((d) => d <= today);
  if (days.length === 0) return { occasions: 0, inLastYear: 0, tenureDays: 0, daysSinceLast: Infinity, regularQuarters: 0 };
  const ago = days.map((d) => today - d);
  const quarters = new Set(ago.filter((a) => a < 4 * 91).map((a) => Math.floor(a / 91)));
  return {
    occasions: days.length,
    inLastYear: ago.filter((a) => a < YEAR_DAYS).length,
    tenureDays: Math.max(...ago),
    daysSinceLast: Math.min(...ago),
    regularQuarters: quarters.size,
  };
}

const loyal = (b: Behaviour) => b.tenureDays >= YEAR_DAYS && b.regularQuarters >= REGULAR_QUARTERS;

/**
 * The journey stage behaviour supports, the highest whose rule holds (the automation only ever
 * moves a customer up the ladder: the decider drops a lower one):
 * - `loyal-customer` — `tenure-and-regularity`: first purchase ≥ 365 days ago and a purchase in at
 *   least 3 of the last 4 quarters;
 * - `majority-customer` — `frequent-purchases`: ≥ 4 purchase occasions in the last 365 days (a proxy:
 *   the CRM records no share-of-wallet data);
 * - `repeat-customer` — `repeat-order`: a second purchase occasion;
 * - `first-time-customer` — `first-order`: one purchase occasion.
 * Nothing before a first purchase (suspect and prospect are sales' judgement) and never `advocate`:
 * nothing records referrals by a customer, so a person sets it.
 */
export function deriveJourneyStage(f: JourneyFacts): Derived<JourneyStage> | undefined {
  const b = behaviour(f);
  if (b.occasions === 0) return undefined;
  if (loyal(b)) return { to: 'loyal-customer', rule: 'tenure-and-regularity' };
  if (b.inLastYear >= MAJORITY_OCCASIONS_PER_YEAR) return { to: 'majority-customer', rule: 'frequent-purchases' };
  if (b.occasions >= 2) return { to: 'repeat-customer', rule: 'repeat-order' };
  return { to: 'first-time-customer', rule: 'first-order' };
}

/**
 * Dwyer's phase from interaction intensity and commitment, given the customer's current phase:
 * - `dissolution` — `lapsed`: has bought, but not for 365 days, and no interaction in the last 180;
 * - out of `dissolution`, any new sign of life (an interaction or a purchase in the last 90 days) —
 *   `restart-after-dissolution`: back to `awareness` (Dwyer's cycle starts again; the next
 *   derivation moves on);
 * - `commitment` — `tenure-and-regularity`: the loyal customer's rule;
 * - `expansion` — `repeat-purchases`: ≥ 2 purchase occasions in the last 365 days; or
 *   `rising-interaction-intensity`: a customer who has bought, with more interactions in the last
 *   90 days than in the 90 before;
 * - `exploration` — `first-purchase`: one purchase so far (a trial); `purchases-slowing`: bought
 *   more than once, but under twice in the last 365 days; or `recent-interactions`: never bought,
 *   but interactions in the last 90 days;
 * - nothing otherwise (a customer who never bought and went quiet stays where it is).
 */
export function deriveRelationshipPhase(f: JourneyFacts, current: RelationshipPhase): Derived<RelationshipPhase> | undefined {
  const b = behaviour(f);
  const quiet = f.interactions.last90 === 0 && f.interactions.previous90 === 0;
  if (b.occasions > 0 && b.daysSinceLast >= DISSOLUTION_DAYS && quiet) return { to: 'dissolution', rule: 'lapsed' };
  if (current === 'dissolution') {
    const signOfLife = f.interactions.last90 > 0 || b.daysSinceLast < WINDOW_DAYS;
    return signOfLife ? { to: 'awareness', rule: 'restart-after-dissolution' } : undefined;
  }
  if (loyal(b)) return { to: 'commitment', rule: 'tenure-and-regularity' };
  if (b.inLastYear >= 2) return { to: 'expansion', rule: 'repeat-purchases' };
  if (b.occasions > 0 && f.interactions.last90 > f.interactions.previous90) return { to: 'expansion', rule: 'rising-interaction-intensity' };
  if (b.occasions === 1) return { to: 'exploration', rule: 'first-purchase' };
  if (b.occasions > 1) return { to: 'exploration', rule: 'purchases-slowing' };
  if (f.interactions.last90 > 0) return { to: 'exploration', rule: 'recent-interactions' };
  return undefined;
}

/** Both derivations; a phase equal to the current one is left out (nothing to record). */
export function deriveJourney(f: JourneyFacts, current: { journeyStage: JourneyStage; relationshipPhase: RelationshipPhase }): JourneyDerivation {
  const stage = deriveJourneyStage(f);
  const phase = deriveRelationshipPhase(f, current.relationshipPhase);
  return {
    ...(stage && stage.to !== current.journeyStage && { stage }),
    ...(phase && phase.to !== current.relationshipPhase && { phase }),
  };
}
