import type { Decider } from '@crm/kernel';

/**
 * E-mail on cases. Two small aggregates, private to the service (they carry no `customerId`, so the
 * relay never publishes them, and no addresses, subjects or bodies — those are in the case's
 * interaction, where the contract seals them as personal data):
 *
 * - one message, `mail-<sha256 of its Message-ID>`: which case it belongs to, and for a reply the
 *   outbox's progress (claimed, sent, failed with its next attempt, given up). Its first event makes
 *   a provider's retried webhook, or a reply queued twice, a no-op.
 * - one case's thread, `casemail-<episodeId>`: the Message-IDs in order, for In-Reply-To and References.
 */
export type MailDirection = 'inbound' | 'outbound';

export interface MailState {
  readonly messageId: string;
  readonly direction: MailDirection;
  readonly episodeId: string;
  readonly interactionId: string;
  readonly inReplyTo?: string;
  readonly references: readonly string[];
  readonly attempts: number;
  /** Claimed by an outbox for an attempt until this instant (another outbox leaves it alone meanwhile). */
  readonly claimedUntil?: string;
  readonly nextAttemptAt?: string;
  readonly sentAt?: string;
  readonly abandoned: boolean;
}

export type MailEvent =
  | {
      type: 'MailRecorded';
      data: { messageId: string; direction: MailDirection; episodeId: string; interactionId: string; inReplyTo?: string; references: string[]; at: string };
    }
  | { type: 'MailSendClaimed'; data: { messageId: string; attempt: number; until: string } }
  | { type: 'MailSent'; data: { messageId: string; attempt: number; sentAt: string } }
  | { type: 'MailSendFailed'; data: { messageId: string; attempt: number; error: string; nextAttemptAt?: string } };

export type MailCommand =
  | { type: 'RecordMail'; data: Extract<MailEvent, { type: 'MailRecorded' }>['data'] }
  | { type: 'ClaimSend'; data: { messageId: string; now: string; leaseSeconds: number } }
  | { type: 'RecordSent'; data: { messageId: string; attempt: number; sentAt: string } }
  | { type: 'RecordSendFailed'; data: { messageId: string; attempt: number; error: string; now: string } };

/** Attempts before a reply is given up; the waits between them double from one minute (1, 2, 4 … 64 min). */
export const MAIL_MAX_ATTEMPTS = 8;
export const mailRetryDelayMs = (attempt: number) => 60_000 * 2 ** Math.max(0, attempt - 1);

export type MailAggregateState = MailState | undefined;

const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);

export const mailDecider: Decider<MailAggregateState, MailCommand, MailEvent> = {
  initialState: undefined,
  evolve: (state, event) => {
    switch (event.type) {
      case 'MailRecorded':
        return { ...event.data, attempts: 0, abandoned: false };
      case 'MailSendClaimed':
        return state && { ...state, attempts: event.data.attempt, claimedUntil: event.data.until };
      case 'MailSent':
        return state && { ...state, sentAt: event.data.sentAt, claimedUntil: undefined };
      case 'MailSendFailed':
        return state && { ...state, claimedUntil: undefined, nextAttemptAt: event.data.nextAttemptAt, abandoned: event.data.nextAttemptAt === undefined };
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'RecordMail':
        // The same message again (a provider's retry, a reply queued twice): already recorded.
        return state ? [] : [{ type: 'MailRecorded', data: command.data }];
      case 'ClaimSend': {
        const { messageId, now, leaseSeconds } = command.data;
        if (!state || state.direction !== 'outbound' || state.sentAt || state.abandoned) return [];
        if (state.claimedUntil && later(state.claimedUntil, now)) return [];
        if (state.nextAttemptAt && later(state.nextAttemptAt, now)) return [];
        const until = new Date(Date.parse(now) + leaseSeconds * 1000).toISOString();
        return [{ type: 'MailSendClaimed', data: { messageId, attempt: state.attempts + 1, until } }];
      }
      case 'RecordSent':
        // Sent once: a second report (an outbox that lost its claim and sent anyway) changes nothing.
        return !state || state.sentAt ? [] : [{ type: 'MailSent', data: command.data }];
      case 'RecordSendFailed': {
        if (!state || state.sentAt || state.abandoned) return [];
        const { messageId, attempt, error, now } = command.data;
        const nextAttemptAt = attempt >= MAIL_MAX_ATTEMPTS ? undefined : new Date(Date.parse(now) + mailRetryDelayMs(attempt)).toISOString();
        return [{ type: 'MailSendFailed', data: { messageId, attempt, error: error.slice(0, 500), ...(nextAttemptAt && { nextAttemptAt }) } }];
      }
    }
  },
};

export const mailStreamPrefix = 'mail-';

/** One case's e-mail thread: its Message-IDs in the order they were recorded. */
export type MailThreadState = { messages: { messageId: string; direction: MailDirection; interactionId: string }[] };
export type MailThreadEvent = { type: 'MailThreaded'; data: { episodeId: string; messageId: string; direction: MailDirection; interactionId: string } };
export type MailThreadCommand = { type: 'ThreadMail'; data: MailThreadEvent['data'] };

export const mailThreadStream = (episodeId: string) => `casemail-${episodeId}`;

export const mailThreadDecider: Decider<MailThreadState, MailThreadCommand, MailThreadEvent> = {
  initialState: { messages: [] },
  evolve: (state, event) => ({
    messages: [...state.messages, { messageId: event.data.messageId, direction: event.data.direction, interactionId: event.data.interactionId }],
  }),
  decide: (command, state) => (state.messages.some((m) => m.messageId === command.data.messageId) ? [] : [{ type: 'MailThreaded', data: command.data }]),
};
