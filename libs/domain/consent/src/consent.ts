import {
  DomainRuleViolation,
  NotFoundError,
  SLUG_ID,
  type ConsentChannel,
  type ConsentGrantSource,
  type ConsentWithdrawalSource,
  type Decider,
} from '@crm/kernel';

/**
 * A customer's marketing permissions (issue 13 §1), on the stream `consent-<customerId>`: per
 * channel × purpose, granted or withdrawn, each statement carrying its source and evidence, so that
 * for every message sent the permission that held at that moment can be shown.
 *
 * - A permission is granted with evidence fitting its source: the text shown (`textVersion`) for a
 *   form or the preference centre, a note of what the customer said for staff or an import, and
 *   for double opt-in the confirmation of an earlier request (never directly).
 * - A withdrawal names a purpose, or none: the whole channel ("no e-mail at all"), which withdraws
 *   every purpose granted on it until a purpose is granted again with new evidence.
 * - Statements on a permission are in time order: one dated before the latest on the same
 *   permission is refused, so the stream's order is the order in time and "what held at instant t"
 *   is the fold of the statements dated up to t (`consentAsOf`).
 * - Repeating what holds records nothing: granting a granted permission, withdrawing a withdrawn
 *   one, confirming a confirmed request.
 */

/** What proves a statement. Free text and the network details are personal data (sealed in the event). */
export interface ConsentEvidence {
  /** The version of the consent text the customer saw (`newsletter-2026-03`). */
  textVersion?: string;
  /** The form or page it was given on. */
  formId?: string;
  /** Double opt-in: the request confirmed, when it was made and when it was confirmed. */
  requestId?: string;
  requestedAt?: string;
  confirmedAt?: string;
  /** The campaign and message an unsubscribe came from. */
  campaignId?: string;
  messageId?: string;
  ipAddress?: string;
  userAgent?: string;
  /** What the customer said (staff), or where an import came from. */
  note?: string;
  /** Who recorded it: a staff user, `preference-centre`, `unsubscribe`, an import job. */
  recordedBy: string;
}

export interface ConsentRequestedData {
  customerId: string;
  requestId: string;
  channel: ConsentChannel;
  purpose: string;
  /** Where the customer asked (a form, the preference centre). */
  source: ConsentGrantSource;
  evidence: ConsentEvidence;
  requestedAt: string;
  /** The confirmation link works until then. */
  expiresAt: string;
}

export interface ConsentGrantedData {
  customerId: string;
  channel: ConsentChannel;
  purpose: string;
  source: ConsentGrantSource;
  evidence: ConsentEvidence;
  grantedAt: string;
}

export interface ConsentWithdrawnData {
  customerId: string;
  channel: ConsentChannel;
  /** Absent: every purpose of the channel. */
  purpose?: string;
  source: ConsentWithdrawalSource;
  evidence: ConsentEvidence;
  withdrawnAt: string;
}

export type ConsentEvent =
  | { type: 'ConsentRequested'; data: ConsentRequestedData }
  | { type: 'ConsentGranted'; data: ConsentGrantedData }
  | { type: 'ConsentWithdrawn'; data: ConsentWithdrawnData };

export type ConsentCommand =
  | { type: 'RequestConsent'; data: ConsentRequestedData }
  | { type: 'ConfirmConsent'; data: { customerId: string; requestId: string; confirmedAt: string; ipAddress?: string; userAgent?: string } }
  | { type: 'GrantConsent'; data: ConsentGrantedData }
  | { type: 'WithdrawConsent'; data: ConsentWithdrawnData };

/** One permission as it stands: what was said last, when, how, and by which event of the stream. */
export interface ConsentStatement {
  channel: ConsentChannel;
  purpose: string;
  status: 'granted' | 'withdrawn';
  since: string;
  source: ConsentGrantSource | ConsentWithdrawalSource;
  /** The stream revision (0-based) of the event that said it: the application maps it to the event's id and store position. */
  revision: number;
  /** A withdrawal of the whole channel, not of this purpose by name. */
  channelWide?: boolean;
}

export interface PendingRequest {
  requestId: string;
  channel: ConsentChannel;
  purpose: string;
  source: ConsentGrantSource;
  textVersion?: string;
  requestedAt: string;
  expiresAt: string;
  confirmed: boolean;
}

export interface ConsentState {
  customerId?: string;
  /** By `channel/purpose`. */
  permissions: Readonly<Record<string, ConsentStatement>>;
  /** The latest withdrawal of a whole channel. */
  channelOptOuts: Readonly<Partial<Record<ConsentChannel, { at: string; revision: number; source: ConsentWithdrawalSource }>>>;
  requests: Readonly<Record<string, PendingRequest>>;
  /** Events folded so far: the next event's revision. */
  version: number;
}

export const consentStream = (customerId: string) => `consent-${customerId}`;
export const noConsent: ConsentState = { permissions: {}, channelOptOuts: {}, requests: {}, version: 0 };
const keyOf = (channel: string, purpose: string) => `${channel}/${purpose}`;
/** The longest a double opt-in link may stay valid. */
export const MAX_CONFIRMATION_DAYS = 30;

export function evolveConsent(state: ConsentState, event: ConsentEvent): ConsentState {
  const revision = state.version;
  const next = { ...state, customerId: event.data.customerId, version: revision + 1 };
  switch (event.type) {
    case 'ConsentRequested': {
      const d = event.data;
      const request: PendingRequest = {
        requestId: d.requestId,
        channel: d.channel,
        purpose: d.purpose,
        source: d.source,
        ...(d.evidence.textVersion !== undefined && { textVersion: d.evidence.textVersion }),
        requestedAt: d.requestedAt,
        expiresAt: d.expiresAt,
        confirmed: false,
      };
      return { ...next, requests: { ...state.requests, [d.requestId]: request } };
    }
    case 'ConsentGranted': {
      const d = event.data;
      const statement: ConsentStatement = { channel: d.channel, purpose: d.purpose, status: 'granted', since: d.grantedAt, source: d.source, revision };
      const requestId = d.evidence.requestId;
      const requests =
        requestId && state.requests[requestId] ? { ...state.requests, [requestId]: { ...state.requests[requestId], confirmed: true } } : state.requests;
      return { ...next, permissions: { ...state.permissions, [keyOf(d.channel, d.purpose)]: statement }, requests };
    }
    case 'ConsentWithdrawn': {
      const d = event.data;
      const withdrawn = (purpose: string, channelWide: boolean): ConsentStatement => ({
        channel: d.channel,
        purpose,
        status: 'withdrawn',
        since: d.withdrawnAt,
        source: d.source,
        revision,
        ...(channelWide && { channelWide: true }),
      });
      if (d.purpose !== undefined) return { ...next, permissions: { ...state.permissions, [keyOf(d.channel, d.purpose)]: withdrawn(d.purpose, false) } };
      const permissions = { ...state.permissions };
      for (const [k, p] of Object.entries(state.permissions))
        if (p.channel === d.channel && p.status === 'granted') permissions[k] = withdrawn(p.purpose, true);
      return { ...next, permissions, channelOptOuts: { ...state.channelOptOuts, [d.channel]: { at: d.withdrawnAt, revision, source: d.source } } };
    }
    default:
      return state;
  }
}

const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);

/** The latest statement time touching the permission (its own, or a whole-channel withdrawal). */
function latestOn(state: ConsentState, channel: ConsentChannel, purpose?: string): string | undefined {
  const times = Object.values(state.permissions)
    .filter((p) => p.channel === channel && (purpose === undefined || p.purpose === purpose))
    .map((p) => p.since);
  const optOut = state.channelOptOuts[channel]?.at;
  if (optOut) times.push(optOut);
  return times.sort((a, b) => Date.parse(a) - Date.parse(b)).pop();
}

function inOrder(state: ConsentState, channel: ConsentChannel, purpose: string | undefined, at: string): void {
  const latest = latestOn(state, channel, purpose);
  if (latest && later(latest, at))
    throw new DomainRuleViolation(
      'consent-out-of-order',
      `a statement on ${channel}${purpose ? `/${purpose}` : ''} dated ${at} is older than the latest one (${latest}): statements are recorded in time order`,
    );
}

function checkPurpose(purpose: string): void {
  if (!SLUG_ID.test(purpose)) throw new DomainRuleViolation('consent-purpose', `purpose ${purpose}: a slug (newsletter, offers…)`);
}

const blank = (v: string | undefined) => v === undefined || v.trim() === '';

/** The evidence a source needs. Double opt-in is granted only by confirming a request. */
function checkEvidence(source: ConsentGrantSource, evidence: ConsentEvidence): void {
  if (blank(evidence.recordedBy)) throw new DomainRuleViolation('consent-evidence', 'evidence.recordedBy: who recorded it');
  if ((source === 'form' || source === 'preference-centre') && blank(evidence.textVersion))
    throw new DomainRuleViolation('consent-evidence', `a consent given on a ${source} names the text shown (evidence.textVersion)`);
  if ((source === 'staff' || source === 'import') && blank(evidence.note))
    throw new DomainRuleViolation('consent-evidence', `a consent recorded by ${source} says what the customer said or where it came from (evidence.note)`);
}

/** What holds for one permission now. */
export function permissionOf(state: ConsentState, channel: ConsentChannel, purpose: string): ConsentStatement | undefined {
  return state.permissions[keyOf(channel, purpose)];
}

export function decideConsent(command: ConsentCommand, state: ConsentState): ConsentEvent[] {
  switch (command.type) {
    case 'RequestConsent': {
      const d = command.data;
      checkPurpose(d.purpose);
      if (d.source === 'double-opt-in' || d.source === 'import' || d.source === 'staff')
        throw new DomainRuleViolation('consent-request-source', `a confirmation is requested from a form or the preference centre, not ${d.source}`);
      checkEvidence(d.source, d.evidence);
      const existing = state.requests[d.requestId];
      if (existing) {
        if (existing.channel === d.channel && existing.purpose === d.purpose) return []; // the same request again
        throw new DomainRuleViolation('consent-request-taken', `request ${d.requestId} is for ${existing.channel}/${existing.purpose}`);
      }
      const span = Date.parse(d.expiresAt) - Date.parse(d.requestedAt);
      if (!(span > 0 && span <= MAX_CONFIRMATION_DAYS * 86_400_000))
        throw new DomainRuleViolation('consent-request-expiry', `a confirmation link expires after it is sent and within ${MAX_CONFIRMATION_DAYS} days`);
      if (permissionOf(state, d.channel, d.purpose)?.status === 'granted') return []; // nothing to confirm
      return [{ type: 'ConsentRequested', data: d }];
    }
    case 'ConfirmConsent': {
      const d = command.data;
      const request = state.requests[d.requestId];
      if (!request || state.customerId !== d.customerId) throw new NotFoundError(`consent request ${d.requestId} not found`);
      if (request.confirmed) return []; // the link clicked again
      if (!later(request.expiresAt, d.confirmedAt))
        throw new DomainRuleViolation('consent-request-expired', `the confirmation link expired at ${request.expiresAt}: ask again`);
      if (later(request.requestedAt, d.confirmedAt)) throw new DomainRuleViolation('consent-out-of-order', 'a request is confirmed after it was made');
      if (permissionOf(state, request.channel, request.purpose)?.status === 'granted') return [];
      inOrder(state, request.channel, request.purpose, d.confirmedAt);
      const evidence: ConsentEvidence = {
        ...(request.textVersion !== undefined && { textVersion: request.textVersion }),
        requestId: request.requestId,
        requestedAt: request.requestedAt,
        confirmedAt: d.confirmedAt,
        ...(d.ipAddress !== undefined && { ipAddress: d.ipAddress }),
        ...(d.userAgent !== undefined && { userAgent: d.userAgent }),
        recordedBy: 'double-opt-in',
      };
      return [
        {
          type: 'ConsentGranted',
          data: { customerId: d.customerId, channel: request.channel, purpose: request.purpose, source: 'double-opt-in', evidence, grantedAt: d.confirmedAt },
        },
      ];
    }
    case 'GrantConsent': {
      const d = command.data;
      checkPurpose(d.purpose);
      if (d.source === 'double-opt-in')
        throw new DomainRuleViolation('confirm-through-request', 'a double opt-in is granted by confirming its request (ConfirmConsent)');
      checkEvidence(d.source, d.evidence);
      if (permissionOf(state, d.channel, d.purpose)?.status === 'granted') return [];
      inOrder(state, d.channel, d.purpose, d.grantedAt);
      return [{ type: 'ConsentGranted', data: d }];
    }
    case 'WithdrawConsent': {
      const d = command.data;
      if (d.purpose !== undefined) checkPurpose(d.purpose);
      if (blank(d.evidence.recordedBy)) throw new DomainRuleViolation('consent-evidence', 'evidence.recordedBy: who recorded it');
      if (d.purpose !== undefined) {
        const current = permissionOf(state, d.channel, d.purpose);
        if (current?.status === 'withdrawn') return [];
        // Never granted, but the whole channel is opted out: withdrawn already.
        if (!current && state.channelOptOuts[d.channel]) return [];
      } else {
        const grantedOnChannel = Object.values(state.permissions).some((p) => p.channel === d.channel && p.status === 'granted');
        if (state.channelOptOuts[d.channel] && !grantedOnChannel) return [];
      }
      inOrder(state, d.channel, d.purpose, d.withdrawnAt);
      return [{ type: 'ConsentWithdrawn', data: d }];
    }
  }
}

export const consentDecider: Decider<ConsentState, ConsentCommand, ConsentEvent> = {
  decide: decideConsent,
  evolve: evolveConsent,
  initialState: noConsent,
};

/** When a statement took effect (what `asOf` compares). */
export function effectiveAt(event: ConsentEvent): string {
  switch (event.type) {
    case 'ConsentRequested':
      return event.data.requestedAt;
    case 'ConsentGranted':
      return event.data.grantedAt;
    case 'ConsentWithdrawn':
      return event.data.withdrawnAt;
  }
}

/**
 * The permissions as they stood at `asOf`: the stream folded up to the first statement dated after
 * it (statements are in time order, so the rest are later too). Revisions stay the stream's.
 */
export function consentAsOf(events: readonly ConsentEvent[], asOf: string): ConsentState {
  let state = noConsent;
  for (const event of events) {
    if (later(effectiveAt(event), asOf)) break;
    state = evolveConsent(state, event);
  }
  return state;
}

export type ContactDecision =
  | { allowed: true; basis: ConsentStatement }
  | { allowed: false; reason: 'no-consent' | 'awaiting-confirmation' | 'withdrawn' | 'channel-opted-out'; basis?: ConsentStatement };

/**
 * May the customer be contacted on `channel` for `purpose`? Only with a grant in force; the answer
 * names the statement it rests on, which a send records (with the store position of its event).
 */
export function mayContact(state: ConsentState, channel: ConsentChannel, purpose: string, now?: string): ContactDecision {
  const statement = permissionOf(state, channel, purpose);
  if (statement?.status === 'granted') return { allowed: true, basis: statement };
  if (statement?.status === 'withdrawn') return { allowed: false, reason: statement.channelWide ? 'channel-opted-out' : 'withdrawn', basis: statement };
  if (state.channelOptOuts[channel]) return { allowed: false, reason: 'channel-opted-out' };
  const waiting = Object.values(state.requests).some(
    (r) => r.channel === channel && r.purpose === purpose && !r.confirmed && (now === undefined || later(r.expiresAt, now)),
  );
  return { allowed: false, reason: waiting ? 'awaiting-confirmation' : 'no-consent' };
}
