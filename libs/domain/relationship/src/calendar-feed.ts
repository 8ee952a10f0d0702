import { DomainRuleViolation, type Decider } from '@crm/kernel';

/**
 * A staff user's calendar feed: the iCalendar (`.ics`) address of their activities that a calendar
 * app subscribes to. A calendar app cannot send a bearer token, so the address carries a secret token
 * of its own, which only the user creates, rotates (the old address stops working at once) or
 * revokes. Only a hash of the token is ever recorded; the token is shown once.
 */

export type CalendarFeedEvent =
  | { type: 'CalendarFeedTokenIssued'; data: { userId: string; tokenHash: string; issuedAt: string } }
  | { type: 'CalendarFeedRevoked'; data: { userId: string; revokedAt: string } };

export type CalendarFeedCommand =
  | { type: 'IssueCalendarFeedToken'; data: { userId: string; tokenHash: string; issuedAt: string } }
  | { type: 'RevokeCalendarFeed'; data: { userId: string; revokedAt: string } };

export interface CalendarFeed {
  readonly userId: string;
  /** SHA-256 (hex) of the current token; absent once revoked. */
  readonly tokenHash?: string;
  readonly issuedAt?: string;
}

export type CalendarFeedState = CalendarFeed | undefined;

/** Private to sales (no customer, not published). `key` is a name-based id of the user: user ids may hold any character. */
export const calendarFeedStream = (key: string) => `calendarfeed-${key}`;

export function evolveCalendarFeed(state: CalendarFeedState, event: CalendarFeedEvent): CalendarFeedState {
  switch (event.type) {
    case 'CalendarFeedTokenIssued':
      return { userId: event.data.userId, tokenHash: event.data.tokenHash, issuedAt: event.data.issuedAt };
    case 'CalendarFeedRevoked':
      return state && { userId: state.userId };
  }
}

export function decideCalendarFeed(command: CalendarFeedCommand, state: CalendarFeedState): CalendarFeedEvent[] {
  if (state && state.userId !== command.data.userId) throw new DomainRuleViolation('calendar-feed-of-another-user', 'this feed belongs to another user');
  if (command.type === 'IssueCalendarFeedToken') {
    if (!/^[0-9a-f]{64}$/.test(command.data.tokenHash)) throw new DomainRuleViolation('calendar-feed-token-hash', 'a feed records the SHA-256 of its token');
    return [{ type: 'CalendarFeedTokenIssued', data: command.data }];
  }
  if (!state?.tokenHash) return []; // nothing to revoke (never issued, or revoked already)
  return [{ type: 'CalendarFeedRevoked', data: command.data }];
}

export const calendarFeedDecider: Decider<CalendarFeedState, CalendarFeedCommand, CalendarFeedEvent> = {
  decide: decideCalendarFeed,
  evolve: evolveCalendarFeed,
  initialState: undefined,
};
