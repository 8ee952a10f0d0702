import { DomainRuleViolation } from '@crm/kernel';
import { caseSatisfactionDecider, SURVEY_ANSWER_ACTION, type CaseSatisfactionCommand, type CaseSatisfactionEvent } from './case-satisfaction';

const opened = (episodeType: 'case' | 'opportunity' = 'case'): CaseSatisfactionEvent => ({
  type: 'EpisodeOpened',
  data: {
    episodeId: 'e1',
    customerId: 'c1',
    name: 'Broken phone',
    episodeType,
    owner: { kind: 'department', department: 'service' },
    openedAt: '2026-03-01T09:00:00Z',
    channel: 'phone',
  },
});
const closed = (outcome: 'resolved' | 'unresolved' = 'resolved', closedAt = '2026-03-02T09:00:00Z'): CaseSatisfactionEvent => ({
  type: 'EpisodeClosed',
  data: { episodeId: 'e1', customerId: 'c1', outcome, closedAt },
});
const reopened: CaseSatisfactionEvent = {
  type: 'CaseReopened',
  data: { episodeId: 'e1', customerId: 'c1', reason: 'again', reopenedAt: '2026-03-03T09:00:00Z', reopenedBy: 'budi' },
};
const rate = (o: Partial<CaseSatisfactionCommand['data']> = {}): CaseSatisfactionCommand => ({
  type: 'RateCaseSatisfaction',
  data: { episodeId: 'e1', score: 4, interactionId: 'i1', ratedAt: '2026-03-02T10:00:00Z', resolvedAt: '2026-03-02T09:00:00Z', ...o },
});
const given = (events: CaseSatisfactionEvent[]) => events.reduce(caseSatisfactionDecider.evolve, caseSatisfactionDecider.initialState);
const rule = (f: () => unknown) => {
  try {
    f();
    return undefined;
  } catch (error) {
    return error instanceof DomainRuleViolation ? error.rule : String(error);
  }
};

describe('rating a case (the satisfaction survey answer)', () => {
  it('given a resolved case, when the customer answers, then an inbound web interaction of the customer and CaseSatisfactionRated, together', () => {
    const events = caseSatisfactionDecider.decide(rate({ comment: 'quick, thanks' }), given([opened(), closed()]));
    expect(events).toEqual([
      {
        type: 'InteractionRecorded',
        data: {
          episodeId: 'e1',
          customerId: 'c1',
          interaction: {
            interactionId: 'i1',
            channel: 'web',
            direction: 'inbound',
            actor: { kind: 'customer', id: 'c1' },
            action: SURVEY_ANSWER_ACTION,
            response: '4 of 5',
            occurredAt: '2026-03-02T10:00:00Z',
          },
        },
      },
      {
        type: 'CaseSatisfactionRated',
        data: { episodeId: 'e1', customerId: 'c1', score: 4, comment: 'quick, thanks', interactionId: 'i1', ratedAt: '2026-03-02T10:00:00Z' },
      },
    ]);
  });

  it('given an answer already, when a second comes, then it is refused (the first stands)', () => {
    const state = given([opened(), closed(), ...caseSatisfactionDecider.decide(rate(), given([opened(), closed()]))]);
    expect(rule(() => caseSatisfactionDecider.decide(rate({ interactionId: 'i2', score: 1 }), state))).toBe('survey-already-answered');
  });

  it.each([
    ['an open case', [opened()], 'case-not-resolved'],
    ['a case closed unresolved', [opened(), closed('unresolved')], 'case-not-resolved'],
    ['a reopened case', [opened(), closed(), reopened], 'case-not-resolved'],
    ['an opportunity', [opened('opportunity'), closed()], 'survey-only-for-cases'],
    ['nothing', [], 'unknown-episode'],
  ] as [string, CaseSatisfactionEvent[], string][])('refuses %s', (_, history, expected) => {
    expect(rule(() => caseSatisfactionDecider.decide(rate(), given(history)))).toBe(expected);
  });

  it('given a case reopened and resolved again, then the new resolution may be rated, not with the old link', () => {
    const answeredThenReopened = [
      opened(),
      closed(),
      ...caseSatisfactionDecider.decide(rate(), given([opened(), closed()])),
      reopened,
      closed('resolved', '2026-03-04T09:00:00Z'),
    ];
    const state = given(answeredThenReopened);
    expect(rule(() => caseSatisfactionDecider.decide(rate({ ratedAt: '2026-03-04T10:00:00Z' }), state))).toBe('survey-for-another-resolution');
    expect(
      caseSatisfactionDecider.decide(rate({ interactionId: 'i2', ratedAt: '2026-03-04T10:00:00Z', resolvedAt: '2026-03-04T09:00:00Z' }), state),
    ).toHaveLength(2);
  });

  it('refuses a score outside 1–5 or not whole, and an answer dated before the resolution', () => {
    const state = given([opened(), closed()]);
    expect(rule(() => caseSatisfactionDecider.decide(rate({ score: 0 }), state))).toBe('survey-score');
    expect(rule(() => caseSatisfactionDecider.decide(rate({ score: 4.5 }), state))).toBe('survey-score');
    expect(rule(() => caseSatisfactionDecider.decide(rate({ ratedAt: '2026-03-02T08:00:00Z' }), state))).toBe('rated-before-resolved');
  });

  it('a blank comment is left out', () => {
    const [, rated] = caseSatisfactionDecider.decide(rate({ comment: '   ' }), given([opened(), closed()]));
    expect(rated.data).not.toHaveProperty('comment');
  });
});
