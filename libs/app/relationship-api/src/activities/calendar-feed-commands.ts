import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { uuidV5 } from '@crm/kernel';
import { calendarFeedDecider, calendarFeedStream } from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandSettings } from '../application/command-options';

/** Fixed for good: a user's feed stream is named by this name-based id of the user id. */
const CALENDAR_FEED_NAMESPACE = '9a4e2c71-0b3d-4f65-8e17-c5d2a6b9f048';

/** A feed token as its user receives it once: `cal_` and 32 random bytes (base64url). */
export const newCalendarFeedToken = () => `cal_${randomBytes(32).toString('base64url')}`;

/** Only this is recorded (256 random bits need no slow hash). */
export const calendarFeedTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export const calendarFeedStreamOf = (userId: string) => calendarFeedStream(uuidV5(`calendar-feed/${userId}`, CALENDAR_FEED_NAMESPACE));

/** Why a feed request is refused (answered 401, naming no more). */
export class CalendarFeedAuthenticationError extends Error {
  override readonly name = 'CalendarFeedAuthenticationError';
}

/**
 * Each staff user's calendar feed token: issued (or rotated: the old one stops working at once) and
 * revoked by the user alone, in a private stream `calendarfeed-<id>` that records only the token's
 * SHA-256. `authenticate` compares in constant time, also for a user who has no feed.
 */
export class CalendarFeedCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, calendarFeedDecider, { retries: this.settings.retries });

  /** A new token for the caller's own feed (replacing the one before); shown this once. */
  async issue(principal: StaffPrincipal, options: CommandOptions = {}): Promise<{ userId: string; token: string }> {
    const token = newCalendarFeedToken();
    const userId = principal.subject;
    await this.handler.handle(
      calendarFeedStreamOf(userId),
      { type: 'IssueCalendarFeedToken', data: { userId, tokenHash: calendarFeedTokenHash(token), issuedAt: this.settings.clock.now().toISOString() } },
      metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { userId, token };
  }

  /** The caller's feed answers nothing any more (until a new token is issued). */
  async revoke(principal: StaffPrincipal, options: CommandOptions = {}): Promise<void> {
    const userId = principal.subject;
    await this.handler.handle(
      calendarFeedStreamOf(userId),
      { type: 'RevokeCalendarFeed', data: { userId, revokedAt: this.settings.clock.now().toISOString() } },
      metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
  }

  /** Passes when `token` is the current token of `userId`'s feed. */
  async authenticate(userId: string, token: string | undefined): Promise<void> {
    const { state } = await this.handler.load(calendarFeedStreamOf(userId));
    const presented = Buffer.from(calendarFeedTokenHash(token ?? ''), 'hex');
    // Compared even without a feed, so the answer's timing tells nothing about who has one.
    const expected = Buffer.from(state?.tokenHash ?? '0'.repeat(64), 'hex');
    if (!token || !state?.tokenHash || state.userId !== userId || !timingSafeEqual(presented, expected))
      throw new CalendarFeedAuthenticationError('unknown feed, or a wrong, rotated or revoked token');
  }
}
