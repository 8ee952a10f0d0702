import { DomainRuleViolation, uuidV5, type ConsentChannel, type Decider } from '@crm/kernel';

/**
 * The messages of one campaign to one recipient, on `campaignmessage-<campaignId>-<customerId>`:
 * every step's message is sent once, or suppressed once, with what allowed or stopped it. One stream
 * per recipient keeps 10,000 sends free of contention, and its events carry the customer, so the
 * relay publishes them keyed by the customer (in order with the customer's other events).
 *
 * Sending is at most once: `CampaignMessageSent` (the intent, with the consent that allowed it) is
 * appended — expecting the revision that was read, with an id derived from message and attempt —
 * BEFORE the message is handed to the channel. Two dispatchers, or one after a crash, cannot both
 * win that append, so no message leaves twice; a crash between the append and the hand-over loses
 * that one message (it stays `sent` with no outcome) rather than duplicating it. A temporary failure
 * (`CampaignMessageDeferred`) is tried again later — after a new `CampaignMessageSent` for the next
 * attempt, with consent judged again — up to `MAX_ATTEMPTS`; a permanent one is `CampaignMessageBounced`.
 */

/** `address-suppressed`: the e-mail address is on the suppression list (written as schema version 2 of the event). */
export const SUPPRESSION_REASONS = ['no-consent', 'frequency-cap', 'no-address', 'control-group', 'address-suppressed'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];
/** What the dispatcher saw of the customer's consent for the channel and purpose. */
export const CONSENT_SEEN = ['granted', 'withdrawn', 'channel-opted-out', 'no-consent', 'awaiting-confirmation', 'not-checked'] as const;
export type ConsentSeen = (typeof CONSENT_SEEN)[number];
/**
 * `hard`: the server refused the message while it was handed over; `retries-exhausted`: deferred
 * `MAX_ATTEMPTS` times; `async-hard`: accepted at the hand-over, then reported undeliverable later
 * by the e-mail provider (a delivery-status notification, a provider webhook).
 */
export const BOUNCE_KINDS = ['hard', 'retries-exhausted', 'async-hard'] as const;
export type BounceKind = (typeof BOUNCE_KINDS)[number];

/** Attempts at a message before a temporary failure counts as a bounce. */
export const MAX_ATTEMPTS = 5;
/** Waits before attempt 2, 3, …: one minute, doubling, at most an hour (unless the provider asks for longer). */
export function backoffMs(failedAttempts: number, retryAfterMs?: number): number {
  const backoff = Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, failedAttempts - 1));
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, 24 * 60 * 60_000));
}

/** The consent event a send rests on: its id and its position in the store's one order. */
export interface ConsentBasis {
  eventId: string;
  /** `<commit>/<prepare>`. */
  position: string;
  /** The event's revision in the customer's consent stream. */
  revision: string;
}

interface MessageKey {
  campaignId: string;
  customerId: string;
  messageId: string;
  stepId: string;
  channel: ConsentChannel;
}

export interface CampaignMessageSentData extends MessageKey {
  variantId: string;
  /** 1 for the first hand-over, 2… for retries after a deferral. */
  attempt: number;
  sentAt: string;
  consentBasis: ConsentBasis;
  /**
   * An e-mail's address as the suppression list keys it (HMAC-SHA256, hex; never the address): a
   * bounce or complaint reported later suppresses the address the message went to, even if the
   * customer's address changed since. Absent on messages sent before the list existed.
   */
  addressKey?: string;
}

export interface CampaignMessageSuppressedData extends MessageKey {
  variantId?: string;
  reason: SuppressionReason;
  suppressedAt: string;
  /** The consent state seen when it was decided, and the event it rests on (a withdrawal, say). */
  consent: { status: ConsentSeen; basis?: ConsentBasis };
}

export interface CampaignMessageBouncedData extends MessageKey {
  kind: BounceKind;
  reason: string;
  attempt: number;
  bouncedAt: string;
}

export interface CampaignMessageDeferredData extends MessageKey {
  /** Failed attempts so far. */
  retryCount: number;
  reason: string;
  deferredAt: string;
  retryAt: string;
}

export type CampaignMessageEvent =
  | { type: 'CampaignMessageSent'; data: CampaignMessageSentData }
  | { type: 'CampaignMessageSuppressed'; data: CampaignMessageSuppressedData }
  | { type: 'CampaignMessageBounced'; data: CampaignMessageBouncedData }
  | { type: 'CampaignMessageDeferred'; data: CampaignMessageDeferredData };

export type SendOutcomeReport = { status: 'accepted' } | { status: 'bounced'; reason: string } | { status: 'deferred'; reason: string; retryAfterMs?: number };

export type CampaignMessageCommand =
  | { type: 'SendMessage'; data: CampaignMessageSentData }
  | { type: 'SuppressMessage'; data: CampaignMessageSuppressedData }
  | { type: 'RecordOutcome'; data: MessageKey & { attempt: number; at: string; outcome: SendOutcomeReport } };

/**
 * What the channel's provider reports about a message after it took it (the dispatcher's commands
 * are the ones above): a permanent bounce. Its own decider on the same stream and state.
 */
export type CampaignMessageReportCommand = { type: 'RecordLateBounce'; data: MessageKey & { reason: string; at: string } };

export type StepMessageStatus = 'sent' | 'suppressed' | 'bounced' | 'deferred';

export interface StepMessage {
  messageId: string;
  status: StepMessageStatus;
  variantId?: string;
  attempts: number;
  retryAt?: string;
  at: string;
  reason?: string;
  consentBasis?: ConsentBasis;
  consentSeen?: ConsentSeen;
  /** An e-mail's suppression-list key of the address it was sent to (see `CampaignMessageSentData`). */
  addressKey?: string;
}

export interface CampaignMessagesState {
  /** By step id. */
  steps: Readonly<Record<string, StepMessage>>;
  version: number;
}

export const campaignMessageStream = (campaignId: string, customerId: string) => `campaignmessage-${campaignId}-${customerId}`;
export const noCampaignMessages: CampaignMessagesState = { steps: {}, version: 0 };

/** Fixed for good: message ids are the providers' idempotency keys and what responses find messages by. */
const MESSAGE_NAMESPACE = 'c2b1a8e4-5d3f-4a6b-8e9c-7f1a2b3c4d5e';
export function campaignMessageId(campaignId: string, customerId: string, stepId: string): string {
  return uuidV5(`campaign/${campaignId.toLowerCase()}/customer/${customerId.toLowerCase()}/step/${stepId}`, MESSAGE_NAMESPACE);
}

export function evolveCampaignMessages(state: CampaignMessagesState, event: CampaignMessageEvent): CampaignMessagesState {
  const d = event.data;
  const before = state.steps[d.stepId];
  const put = (m: StepMessage) => ({ steps: { ...state.steps, [d.stepId]: m }, version: state.version + 1 });
  switch (event.type) {
    case 'CampaignMessageSent':
      return put({
        messageId: d.messageId,
        status: 'sent',
        variantId: event.data.variantId,
        attempts: event.data.attempt,
        at: event.data.sentAt,
        consentBasis: event.data.consentBasis,
        consentSeen: 'granted',
        ...(event.data.addressKey !== undefined && { addressKey: event.data.addressKey }),
      });
    case 'CampaignMessageSuppressed':
      return put({
        messageId: d.messageId,
        status: 'suppressed',
        ...(event.data.variantId !== undefined && { variantId: event.data.variantId }),
        attempts: before?.attempts ?? 0,
        at: event.data.suppressedAt,
        reason: event.data.reason,
        consentSeen: event.data.consent.status,
        ...(event.data.consent.basis && { consentBasis: event.data.consent.basis }),
      });
    case 'CampaignMessageBounced':
      return put({ ...before!, status: 'bounced', at: event.data.bouncedAt, reason: event.data.reason, retryAt: undefined });
    case 'CampaignMessageDeferred':
      return put({ ...before!, status: 'deferred', at: event.data.deferredAt, reason: event.data.reason, retryAt: event.data.retryAt });
    default:
      return state;
  }
}

/** Whether a step's message may still be decided (sent or suppressed) at `now`: never tried, or deferred and its retry due. */
export function stepOpen(state: CampaignMessagesState, stepId: string, now: string): boolean {
  const m = state.steps[stepId];
  return m === undefined || (m.status === 'deferred' && Date.parse(m.retryAt ?? '') <= Date.parse(now));
}

export function decideCampaignMessage(command: CampaignMessageCommand, state: CampaignMessagesState): CampaignMessageEvent[] {
  const d = command.data;
  const current = state.steps[d.stepId];
  if (current && current.messageId !== d.messageId) throw new DomainRuleViolation('campaign-message-id', `step ${d.stepId} has message ${current.messageId}`);
  switch (command.type) {
    case 'SendMessage': {
      const expected = (current?.attempts ?? 0) + 1;
      // Sent, suppressed or bounced already, or this attempt is taken: nothing (never a second hand-over).
      if (!stepOpen(state, d.stepId, command.data.sentAt) || command.data.attempt !== expected) return [];
      return [{ type: 'CampaignMessageSent', data: command.data }];
    }
    case 'SuppressMessage':
      if (!stepOpen(state, d.stepId, command.data.suppressedAt)) return [];
      return [{ type: 'CampaignMessageSuppressed', data: command.data }];
    case 'RecordOutcome': {
      const { outcome, attempt, at, ...key } = command.data;
      // Only the outcome of the attempt under way; a repeat (or a late report) records nothing.
      if (current?.status !== 'sent' || current.attempts !== attempt || outcome.status === 'accepted') return [];
      if (outcome.status === 'bounced')
        return [{ type: 'CampaignMessageBounced', data: { ...key, kind: 'hard', reason: outcome.reason, attempt, bouncedAt: at } }];
      if (attempt >= MAX_ATTEMPTS)
        return [
          {
            type: 'CampaignMessageBounced',
            data: { ...key, kind: 'retries-exhausted', reason: `${outcome.reason} (after ${attempt} attempts)`, attempt, bouncedAt: at },
          },
        ];
      const retryAt = new Date(Date.parse(at) + backoffMs(attempt, outcome.retryAfterMs)).toISOString();
      return [{ type: 'CampaignMessageDeferred', data: { ...key, retryCount: attempt, reason: outcome.reason, deferredAt: at, retryAt } }];
    }
  }
}

/** A provider's later report on a message: the bounce is recorded only on a message that left (status `sent`). */
export function decideCampaignMessageReport(command: CampaignMessageReportCommand, state: CampaignMessagesState): CampaignMessageEvent[] {
  const { reason, at, ...key } = command.data;
  const current = state.steps[key.stepId];
  if (current && current.messageId !== key.messageId)
    throw new DomainRuleViolation('campaign-message-id', `step ${key.stepId} has message ${current.messageId}`);
  // Only a message that left: one never sent, suppressed, deferred (the dispatcher decides its
  // retry) or bounced already records nothing — so a provider repeating its report is harmless.
  if (current?.status !== 'sent') return [];
  return [{ type: 'CampaignMessageBounced', data: { ...key, kind: 'async-hard', reason, attempt: current.attempts, bouncedAt: at } }];
}

export const campaignMessageReportDecider: Decider<CampaignMessagesState, CampaignMessageReportCommand, CampaignMessageEvent> = {
  decide: decideCampaignMessageReport,
  evolve: evolveCampaignMessages,
  initialState: noCampaignMessages,
};

export const campaignMessageDecider: Decider<CampaignMessagesState, CampaignMessageCommand, CampaignMessageEvent> = {
  decide: decideCampaignMessage,
  evolve: evolveCampaignMessages,
  initialState: noCampaignMessages,
};
