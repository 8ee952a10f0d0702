import { caseServiceLevelDecider, escalationOf, MAX_ESCALATION_DETAIL, type CaseServiceLevelEvent, type RecordEscalationActed } from './case-service-level';

// The act of an escalation (issue 12 §4): recorded once per escalation, with the escalation's own
// fields from the stream, and only for an escalation the case had — given the case's notices, when
// the executor records what it did, then the event (or nothing, or a refusal).
const T = '2026-11-30T09:00:00.000Z';
const escalated = (ruleId: string, over: Partial<Extract<CaseServiceLevelEvent, { type: 'CaseEscalated' }>['data']> = {}): CaseServiceLevelEvent => ({
  type: 'CaseEscalated',
  data: { episodeId: 'e1', customerId: 'c1', ruleId, metric: 'first-response', cycle: 0, action: 'reassign', team: 'seniors', at: T, ...over },
});
const given = (...events: CaseServiceLevelEvent[]) => events.reduce(caseServiceLevelDecider.evolve, caseServiceLevelDecider.initialState);
const acted = (ruleId: string, over: Partial<RecordEscalationActed['data']> = {}): RecordEscalationActed => ({
  type: 'RecordEscalationActed',
  data: { ruleId, metric: 'first-response', cycle: 0, outcome: 'reassigned', at: '2026-11-30T09:05:00.000Z', ...over },
});

describe('recording the act of an escalation', () => {
  it('given an escalation, when its act is recorded, then CaseEscalationActed repeats the escalation with outcome, detail and the time of the act', () => {
    const events = caseServiceLevelDecider.decide(acted('to-seniors', { outcome: 'skipped', detail: 'case resolved' }), given(escalated('to-seniors')));
    expect(events).toEqual([
      {
        type: 'CaseEscalationActed',
        data: {
          episodeId: 'e1',
          customerId: 'c1',
          ruleId: 'to-seniors',
          metric: 'first-response',
          cycle: 0,
          action: 'reassign',
          team: 'seniors',
          outcome: 'skipped',
          detail: 'case resolved',
          at: '2026-11-30T09:05:00.000Z',
        },
      },
    ]);
  });

  it('given the act recorded, when it is recorded again (a retry, a second executor, a rebuilt inbox), then nothing', () => {
    const first = caseServiceLevelDecider.decide(acted('to-seniors'), given(escalated('to-seniors')));
    const state = given(escalated('to-seniors'), ...first);
    expect(caseServiceLevelDecider.decide(acted('to-seniors', { outcome: 'failed', detail: 'other' }), state)).toEqual([]);
    expect(state.acted.has(escalationOf({ ruleId: 'to-seniors', metric: 'first-response', cycle: 0 }))).toBe(true);
  });

  it('given two rules and two cycles, when one act is recorded, then the others are still open to theirs', () => {
    const tellLead: CaseServiceLevelEvent = {
      type: 'CaseEscalated',
      data: { episodeId: 'e1', customerId: 'c1', ruleId: 'tell-lead', metric: 'first-response', cycle: 0, action: 'notify', notify: 'lead', at: T },
    };
    const escalations = [escalated('to-seniors'), tellLead, escalated('to-seniors', { cycle: 1 })];
    const [first] = caseServiceLevelDecider.decide(acted('to-seniors'), given(...escalations));
    const after = given(...escalations, first);
    const notified = caseServiceLevelDecider.decide(acted('tell-lead', { outcome: 'notified' }), after);
    expect(notified.map((e) => e.data)).toEqual([expect.objectContaining({ ruleId: 'tell-lead', action: 'notify', notify: 'lead', outcome: 'notified' })]);
    expect(notified[0].data).not.toHaveProperty('team');
    expect(caseServiceLevelDecider.decide(acted('to-seniors', { cycle: 1 }), after)).toHaveLength(1);
  });

  it('given no such escalation on the case, when an act is recorded, then it is refused (the inbox and the store disagree)', () => {
    expect(() => caseServiceLevelDecider.decide(acted('never'), given(escalated('to-seniors')))).toThrow(
      expect.objectContaining({ name: 'DomainRuleViolation', code: 'escalation-not-recorded' }),
    );
    expect(() => caseServiceLevelDecider.decide(acted('to-seniors', { metric: 'resolution' }), given(escalated('to-seniors')))).toThrow(/no escalation/);
  });

  it('a detail is bounded to the contract, never cut inside a surrogate pair; a blank one is left out', () => {
    const state = given(escalated('to-seniors'));
    const long = `${'x'.repeat(MAX_ESCALATION_DETAIL - 1)}😀 and more`;
    const [event] = caseServiceLevelDecider.decide(acted('to-seniors', { outcome: 'failed', detail: long }), state);
    const detail = (event.data as { detail: string }).detail;
    expect(detail).toBe('x'.repeat(MAX_ESCALATION_DETAIL - 1));
    expect(caseServiceLevelDecider.decide(acted('to-seniors', { detail: '  ' }), state)[0].data).not.toHaveProperty('detail');
  });

  it('an act changes neither the notices recorded nor the escalations: the timer decides as before', () => {
    const before = given(escalated('to-seniors'));
    const [event] = caseServiceLevelDecider.decide(acted('to-seniors'), before);
    const after = caseServiceLevelDecider.evolve(before, event);
    expect(after.recorded).toEqual(before.recorded);
    expect(after.escalations).toEqual(before.escalations);
  });
});
