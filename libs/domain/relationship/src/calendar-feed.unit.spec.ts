import { DeciderSpecification } from '@crm/kernel/testing';
import { calendarFeedDecider, evolveCalendarFeed, type CalendarFeedEvent } from './calendar-feed';

const given = DeciderSpecification.for(calendarFeedDecider);
const hashA = 'a'.repeat(64);
const hashB = 'b'.repeat(64);
const issued: CalendarFeedEvent = { type: 'CalendarFeedTokenIssued', data: { userId: 'sari', tokenHash: hashA, issuedAt: '2026-03-01T09:00:00Z' } };

describe('calendar feed decide', () => {
  it('issues a token (recording only its hash); issuing again rotates it', () => {
    given([]).when({ type: 'IssueCalendarFeedToken', data: issued.data }).then([issued]);
    const rotated = { userId: 'sari', tokenHash: hashB, issuedAt: '2026-03-02T09:00:00Z' };
    given([issued])
      .when({ type: 'IssueCalendarFeedToken', data: rotated })
      .then([{ type: 'CalendarFeedTokenIssued', data: rotated }]);
    expect([issued, { type: 'CalendarFeedTokenIssued', data: rotated } as CalendarFeedEvent].reduce(evolveCalendarFeed, undefined)?.tokenHash).toBe(hashB);
    given([])
      .when({ type: 'IssueCalendarFeedToken', data: { ...issued.data, tokenHash: 'the token itself' } })
      .thenBreaks('calendar-feed-token-hash');
  });

  it('is revoked (no token any more); revoking what has no token is nothing', () => {
    const revoke = { userId: 'sari', revokedAt: '2026-03-03T09:00:00Z' };
    given([issued])
      .when({ type: 'RevokeCalendarFeed', data: revoke })
      .then([{ type: 'CalendarFeedRevoked', data: revoke }]);
    const revoked: CalendarFeedEvent[] = [issued, { type: 'CalendarFeedRevoked', data: revoke }];
    expect(revoked.reduce(evolveCalendarFeed, undefined)?.tokenHash).toBeUndefined();
    given(revoked).when({ type: 'RevokeCalendarFeed', data: revoke }).thenNothingHappens();
    given([]).when({ type: 'RevokeCalendarFeed', data: revoke }).thenNothingHappens();
  });

  it("belongs to one user: another user's command on it is refused", () => {
    given([issued])
      .when({ type: 'IssueCalendarFeedToken', data: { ...issued.data, userId: 'budi' } })
      .thenBreaks('calendar-feed-of-another-user');
  });
});
