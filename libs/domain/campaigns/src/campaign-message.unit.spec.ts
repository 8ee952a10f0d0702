import {
  backoffMs,
  campaignMessageDecider,
  campaignMessageId,
  campaignMessageReportDecider,
  MAX_ATTEMPTS,
  type CampaignMessageReportCommand,
  type CampaignMessageCommand,
  type CampaignMessageEvent,
  type CampaignMessagesState,
} from './campaign-message';

const campaignId = '7d4c2f10-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const customerId = '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70';
const messageId = campaignMessageId(campaignId, customerId, 'mail-1');
const key = { campaignId, customerId, messageId, stepId: 'mail-1', channel: 'email' as const };
const basis = { eventId: '5b1e3c2a-7d4f-4e8a-9c6b-1a2b3c4d5e6f', position: '1042/9137', revision: '0' };
const send = (attempt: number, sentAt = '2026-05-02T09:00:00.000Z'): CampaignMessageCommand => ({
  type: 'SendMessage',
  data: { ...key, variantId: 'a', attempt, sentAt, consentBasis: basis },
});
const outcome = (
  attempt: number,
  o: Extract<CampaignMessageCommand, { type: 'RecordOutcome' }>['data']['outcome'],
  at = '2026-05-02T09:00:01.000Z',
): CampaignMessageCommand => ({
  type: 'RecordOutcome',
  data: { ...key, attempt, at, outcome: o },
});
const suppress: CampaignMessageCommand = {
  type: 'SuppressMessage',
  data: { ...key, reason: 'no-consent', suppressedAt: '2026-05-02T09:00:00.000Z', consent: { status: 'withdrawn', basis } },
};

function given(events: CampaignMessageEvent[]) {
  const state: CampaignMessagesState = events.reduce(campaignMessageDecider.evolve, campaignMessageDecider.initialState);
  return { state, when: (c: CampaignMessageCommand) => campaignMessageDecider.decide(c, state) };
}
const after = (...commands: CampaignMessageCommand[]) => commands.reduce<CampaignMessageEvent[]>((events, c) => [...events, ...given(events).when(c)], []);

describe('campaign message decider', () => {
  it('given nothing sent, when the first attempt is sent, then it is recorded with the consent basis', () => {
    const events = given([]).when(send(1));
    expect(events).toEqual([{ type: 'CampaignMessageSent', data: expect.objectContaining({ messageId, attempt: 1, consentBasis: basis }) }]);
    expect(given(events).state.steps['mail-1']).toMatchObject({ status: 'sent', attempts: 1, consentBasis: basis });
  });

  it('given a message sent, when it is sent again (a second dispatcher, a retry after a crash), then nothing: never twice', () => {
    expect(given(after(send(1))).when(send(1))).toEqual([]);
    expect(given(after(send(1))).when(send(2))).toEqual([]);
  });

  it('given a message sent, when it is suppressed, then nothing; given nothing, when suppressed, then recorded once with the consent seen', () => {
    expect(given(after(send(1))).when(suppress)).toEqual([]);
    const events = given([]).when(suppress);
    expect(events[0]).toMatchObject({ type: 'CampaignMessageSuppressed', data: { reason: 'no-consent', consent: { status: 'withdrawn', basis } } });
    expect(given(events).when(suppress)).toEqual([]);
    expect(given(events).when(send(1))).toEqual([]);
  });

  it('given a message sent, when the provider refuses it for good, then it is bounced (hard) and never retried', () => {
    const events = after(send(1), outcome(1, { status: 'bounced', reason: '550 no such mailbox' }));
    expect(events[1]).toMatchObject({ type: 'CampaignMessageBounced', data: { kind: 'hard', reason: '550 no such mailbox' } });
    expect(given(events).when(send(2, '2026-06-01T00:00:00.000Z'))).toEqual([]);
  });

  it('given a message sent, when the provider defers it, then the retry is due after a backoff and only then may attempt 2 be sent', () => {
    const events = after(send(1), outcome(1, { status: 'deferred', reason: '421 busy' }));
    expect(events[1]).toMatchObject({ type: 'CampaignMessageDeferred', data: { retryCount: 1, retryAt: '2026-05-02T09:01:01.000Z' } });
    expect(given(events).when(send(2, '2026-05-02T09:01:00.000Z'))).toEqual([]);
    expect(given(events).when(send(2, '2026-05-02T09:01:01.000Z'))).toHaveLength(1);
    expect(given(events).when(send(1, '2026-05-02T09:01:01.000Z'))).toEqual([]);
  });

  it('given a deferred message, when consent is gone at its retry, then it can still be suppressed', () => {
    const events = after(send(1), outcome(1, { status: 'deferred', reason: '421 busy' }));
    expect(given(events).when({ ...suppress, data: { ...suppress.data, suppressedAt: '2026-05-02T09:05:00.000Z' } })).toHaveLength(1);
  });

  it(`given ${MAX_ATTEMPTS} deferred attempts, when the last one is deferred too, then it counts as bounced (retries exhausted)`, () => {
    let events: CampaignMessageEvent[] = [];
    let at = Date.parse('2026-05-02T09:00:00.000Z');
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      events = [...events, ...given(events).when(send(attempt, new Date(at).toISOString()))];
      events = [...events, ...given(events).when(outcome(attempt, { status: 'deferred', reason: 'busy' }, new Date(at).toISOString()))];
      at += 2 * 60 * 60_000;
    }
    expect(events[events.length - 1]).toMatchObject({ type: 'CampaignMessageBounced', data: { kind: 'retries-exhausted', attempt: MAX_ATTEMPTS } });
  });

  it('given an accepted message, when the outcome is reported, then nothing more is recorded; a late report of an older attempt neither', () => {
    expect(given(after(send(1))).when(outcome(1, { status: 'accepted' }))).toEqual([]);
    expect(given(after(send(1))).when(outcome(2, { status: 'bounced', reason: 'x' }))).toEqual([]);
  });

  it('backs off one minute, doubling, at most an hour, or longer when the provider asks', () => {
    expect([1, 2, 3, 10].map((n) => backoffMs(n))).toEqual([60_000, 120_000, 240_000, 3_600_000]);
    expect(backoffMs(1, 300_000)).toBe(300_000);
  });

  it('derives one message id per campaign, customer and step', () => {
    expect(campaignMessageId(campaignId.toUpperCase(), customerId, 'mail-1')).toBe(messageId);
    expect(campaignMessageId(campaignId, customerId, 'mail-2')).not.toBe(messageId);
  });

  describe('a bounce the provider reports later (RecordLateBounce)', () => {
    const report = (events: CampaignMessageEvent[], c: CampaignMessageReportCommand) => campaignMessageReportDecider.decide(c, given(events).state);
    const late = (at = '2026-05-02T11:00:00.000Z', reason = '550 5.1.1 mailbox unknown'): CampaignMessageReportCommand => ({
      type: 'RecordLateBounce',
      data: { ...key, reason, at },
    });

    it('given a message sent (accepted at the hand-over), when the provider reports a hard bounce, then it is bounced as async-hard on the attempt that left', () => {
      const events = after(send(1), outcome(1, { status: 'deferred', reason: '451 busy' }), send(2, '2026-05-02T09:05:00.000Z'));
      expect(report(events, late())).toEqual([
        {
          type: 'CampaignMessageBounced',
          data: { ...key, kind: 'async-hard', reason: '550 5.1.1 mailbox unknown', attempt: 2, bouncedAt: '2026-05-02T11:00:00.000Z' },
        },
      ]);
      expect(given([...events, ...report(events, late())]).state.steps['mail-1']).toMatchObject({ status: 'bounced', attempts: 2 });
    });

    it('given a message bounced already (at the hand-over or by an earlier report), when a report comes again, then nothing is recorded', () => {
      expect(report(after(send(1), outcome(1, { status: 'bounced', reason: '550' })), late())).toEqual([]);
      const bounced = after(send(1));
      bounced.push(...report(bounced, late()));
      expect(report(bounced, late('2026-05-02T12:00:00.000Z'))).toEqual([]);
    });

    it('given a message never sent, suppressed or deferred, when a bounce is reported, then nothing is recorded', () => {
      expect(report([], late())).toEqual([]);
      expect(report(after(suppress), late())).toEqual([]);
      expect(report(after(send(1), outcome(1, { status: 'deferred', reason: '451' })), late())).toEqual([]);
    });

    it('given a report naming another message for the step, then it is refused', () => {
      const other: CampaignMessageReportCommand = {
        type: 'RecordLateBounce',
        data: { ...key, messageId: '00000000-0000-4000-8000-000000000000', reason: 'x', at: '2026-05-02T11:00:00.000Z' },
      };
      expect(() => report(after(send(1)), other)).toThrow(/has message/);
    });
  });
});
