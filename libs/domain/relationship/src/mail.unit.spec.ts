import { DeciderSpecification } from '@crm/kernel/testing';
import { MAIL_MAX_ATTEMPTS, mailDecider, mailThreadDecider, type MailEvent } from './mail';

const given = DeciderSpecification.for(mailDecider);
const recorded: MailEvent = {
  type: 'MailRecorded',
  data: {
    messageId: '<r1@crm>',
    direction: 'outbound',
    episodeId: 'e1',
    interactionId: 'i1',
    inReplyTo: '<c1@mail>',
    references: ['<c1@mail>'],
    at: '2026-03-02T09:00:00.000Z',
  },
};
const claim = (now: string) => ({ type: 'ClaimSend' as const, data: { messageId: '<r1@crm>', now, leaseSeconds: 60 } });
const claimed = (attempt: number, until: string): MailEvent => ({ type: 'MailSendClaimed', data: { messageId: '<r1@crm>', attempt, until } });
const failed = (attempt: number, nextAttemptAt?: string): MailEvent => ({
  type: 'MailSendFailed',
  data: { messageId: '<r1@crm>', attempt, error: 'connection refused', ...(nextAttemptAt && { nextAttemptAt }) },
});
const sent: MailEvent = { type: 'MailSent', data: { messageId: '<r1@crm>', attempt: 1, sentAt: '2026-03-02T09:00:05.000Z' } };

describe('mail message', () => {
  it('is recorded once: the same Message-ID again changes nothing', () => {
    given([])
      .when({ type: 'RecordMail', data: recorded.data as never })
      .then(recorded);
    given([recorded])
      .when({ type: 'RecordMail', data: { ...recorded.data, episodeId: 'e2' } as never })
      .thenNothingHappens();
  });

  it('an outbox claims a reply for an attempt; another outbox leaves it alone until the claim runs out', () => {
    given([recorded]).when(claim('2026-03-02T09:00:01.000Z')).then(claimed(1, '2026-03-02T09:01:01.000Z'));
    given([recorded, claimed(1, '2026-03-02T09:01:01.000Z')])
      .when(claim('2026-03-02T09:00:30.000Z'))
      .thenNothingHappens();
    given([recorded, claimed(1, '2026-03-02T09:01:01.000Z')])
      .when(claim('2026-03-02T09:01:02.000Z'))
      .then(claimed(2, '2026-03-02T09:02:02.000Z'));
  });

  it('is recorded sent once; a sent reply is never claimed again', () => {
    const record = { type: 'RecordSent' as const, data: { messageId: '<r1@crm>', attempt: 1, sentAt: '2026-03-02T09:00:05.000Z' } };
    given([recorded, claimed(1, '2026-03-02T09:01:01.000Z')])
      .when(record)
      .then(sent);
    given([recorded, claimed(1, '2026-03-02T09:01:01.000Z'), sent])
      .when(record)
      .thenNothingHappens();
    given([recorded, claimed(1, '2026-03-02T09:01:01.000Z'), sent])
      .when(claim('2026-03-02T10:00:00.000Z'))
      .thenNothingHappens();
  });

  it('a failed attempt waits twice as long as the one before; after the last attempt the reply is given up', () => {
    const fail = (attempt: number) => ({
      type: 'RecordSendFailed' as const,
      data: { messageId: '<r1@crm>', attempt, error: 'connection refused', now: '2026-03-02T09:00:00.000Z' },
    });
    given([recorded, claimed(1, '2026-03-02T09:01:00.000Z')])
      .when(fail(1))
      .then(failed(1, '2026-03-02T09:01:00.000Z'));
    given([recorded, claimed(3, '2026-03-02T09:01:00.000Z')])
      .when(fail(3))
      .then(failed(3, '2026-03-02T09:04:00.000Z'));
    // Not before its next attempt is due.
    given([recorded, claimed(1, '2026-03-02T09:01:00.000Z'), failed(1, '2026-03-02T09:01:00.000Z')])
      .when(claim('2026-03-02T09:00:59.000Z'))
      .thenNothingHappens();
    given([recorded, claimed(1, '2026-03-02T09:01:00.000Z'), failed(1, '2026-03-02T09:01:00.000Z')])
      .when(claim('2026-03-02T09:01:00.000Z'))
      .then(claimed(2, '2026-03-02T09:02:00.000Z'));
    given([recorded, claimed(MAIL_MAX_ATTEMPTS, '2026-03-02T09:01:00.000Z')])
      .when(fail(MAIL_MAX_ATTEMPTS))
      .then(failed(MAIL_MAX_ATTEMPTS));
    given([recorded, failed(MAIL_MAX_ATTEMPTS)])
      .when(claim('2026-03-03T09:00:00.000Z'))
      .thenNothingHappens();
  });

  it('an inbound message is never sent', () => {
    given([{ type: 'MailRecorded', data: { ...recorded.data, direction: 'inbound' } } as MailEvent])
      .when(claim('2026-03-02T09:00:01.000Z'))
      .thenNothingHappens();
  });
});

describe('mail thread of a case', () => {
  it('keeps each Message-ID once, in order', () => {
    const threaded = { type: 'MailThreaded' as const, data: { episodeId: 'e1', messageId: '<c1@mail>', direction: 'inbound' as const, interactionId: 'i0' } };
    DeciderSpecification.for(mailThreadDecider)([]).when({ type: 'ThreadMail', data: threaded.data }).then(threaded);
    DeciderSpecification.for(mailThreadDecider)([threaded]).when({ type: 'ThreadMail', data: threaded.data }).thenNothingHappens();
  });
});
