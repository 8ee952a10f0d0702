import { deriveJourney, deriveJourneyStage, deriveRelationshipPhase, type JourneyFacts } from './journey-rules';

const asOfDay = '2026-06-30';
/** The day `n` days before the as-of day. */
const ago = (n: number) => new Date(Date.parse(`${asOfDay}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const facts = (occasionsAgo: number[], last90 = 0, previous90 = 0): JourneyFacts => ({
  asOfDay,
  occasionDays: occasionsAgo.map(ago),
  interactions: { last90, previous90 },
});

describe('journey stage rules', () => {
  it('first order → first-time customer, a second → repeat customer', () => {
    expect(deriveJourneyStage(facts([]))).toBeUndefined();
    expect(deriveJourneyStage(facts([10]))).toEqual({ to: 'first-time-customer', rule: 'first-order' });
    expect(deriveJourneyStage(facts([10, 400]))).toEqual({ to: 'repeat-customer', rule: 'repeat-order' });
  });

  it('four occasions within the last 365 days → majority customer (the share-of-wallet proxy)', () => {
    expect(deriveJourneyStage(facts([1, 2, 3, 364]))).toEqual({ to: 'majority-customer', rule: 'frequent-purchases' });
    // the fourth 365 days ago is outside the year
    expect(deriveJourneyStage(facts([1, 2, 3, 365]))).toEqual({ to: 'repeat-customer', rule: 'repeat-order' });
  });

  it('a year of tenure and purchases in 3 of the last 4 quarters → loyal customer', () => {
    // quarters (91-day windows back from the as-of day): 0–90, 91–181, 182–272, 273–363
    expect(deriveJourneyStage(facts([5, 100, 200, 365]))).toEqual({ to: 'loyal-customer', rule: 'tenure-and-regularity' });
    // two quarters only: not regular
    expect(deriveJourneyStage(facts([5, 100, 365]))).toEqual({ to: 'repeat-customer', rule: 'repeat-order' });
    // regular but a tenure of 364 days: not yet
    expect(deriveJourneyStage(facts([5, 100, 200, 300, 364]))).toEqual({ to: 'majority-customer', rule: 'frequent-purchases' });
  });

  it('ignores occasions after the as-of day', () => {
    expect(deriveJourneyStage({ asOfDay, occasionDays: [ago(-3)], interactions: { last90: 0, previous90: 0 } })).toBeUndefined();
  });
});

describe('relationship phase rules', () => {
  it('exploration: interactions without a purchase, or a first purchase', () => {
    expect(deriveRelationshipPhase(facts([]), 'awareness')).toBeUndefined();
    expect(deriveRelationshipPhase(facts([], 2), 'awareness')).toEqual({ to: 'exploration', rule: 'recent-interactions' });
    expect(deriveRelationshipPhase(facts([30]), 'awareness')).toEqual({ to: 'exploration', rule: 'first-purchase' });
    expect(deriveRelationshipPhase(facts([30, 500]), 'expansion')).toEqual({ to: 'exploration', rule: 'purchases-slowing' });
  });

  it('expansion: repeat purchases within a year, or rising interaction intensity after a purchase', () => {
    expect(deriveRelationshipPhase(facts([30, 200]), 'exploration')).toEqual({ to: 'expansion', rule: 'repeat-purchases' });
    expect(deriveRelationshipPhase(facts([30], 5, 2), 'exploration')).toEqual({ to: 'expansion', rule: 'rising-interaction-intensity' });
    // as many interactions as before is not rising
    expect(deriveRelationshipPhase(facts([30], 2, 2), 'exploration')).toEqual({ to: 'exploration', rule: 'first-purchase' });
  });

  it('commitment: tenure and regularity', () => {
    expect(deriveRelationshipPhase(facts([5, 100, 200, 365]), 'expansion')).toEqual({ to: 'commitment', rule: 'tenure-and-regularity' });
  });

  it('dissolution: an ex-buyer with no purchase for 365 days and no interaction for 180; a sign of life restarts at awareness', () => {
    expect(deriveRelationshipPhase(facts([365, 700]), 'commitment')).toEqual({ to: 'dissolution', rule: 'lapsed' });
    expect(deriveRelationshipPhase(facts([364, 700]), 'commitment')).toEqual({ to: 'exploration', rule: 'purchases-slowing' });
    expect(deriveRelationshipPhase(facts([365, 700], 0, 1), 'commitment')).toEqual({ to: 'exploration', rule: 'purchases-slowing' });
    // never bought: no dissolution
    expect(deriveRelationshipPhase(facts([]), 'exploration')).toBeUndefined();
    // dissolved: stays so while quiet, restarts at awareness on a sign of life
    expect(deriveRelationshipPhase(facts([400]), 'dissolution')).toEqual({ to: 'dissolution', rule: 'lapsed' });
    expect(deriveRelationshipPhase(facts([400], 1), 'dissolution')).toEqual({ to: 'awareness', rule: 'restart-after-dissolution' });
    expect(deriveRelationshipPhase(facts([3, 400]), 'dissolution')).toEqual({ to: 'awareness', rule: 'restart-after-dissolution' });
  });
});

describe('deriveJourney', () => {
  it('leaves out what is already so', () => {
    expect(deriveJourney(facts([10]), { journeyStage: 'prospect', relationshipPhase: 'awareness' })).toEqual({
      stage: { to: 'first-time-customer', rule: 'first-order' },
      phase: { to: 'exploration', rule: 'first-purchase' },
    });
    expect(deriveJourney(facts([10]), { journeyStage: 'first-time-customer', relationshipPhase: 'exploration' })).toEqual({});
  });
});
