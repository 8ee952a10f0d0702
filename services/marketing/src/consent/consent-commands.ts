import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  consentAsOf,
  consentDecider,
  consentStream,
  mayContact,
  type ConsentCommand,
  type ConsentEvent,
  type ConsentEvidence,
  type ConsentState,
  type ConsentStatement,
  type PendingRequest,
} from '@crm/consent';
import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import type { Clock, ConsentChannel, ConsentGrantSource, ConsentWithdrawalSource } from '@crm/kernel';
import { CustomerCommands, metadataFor, NotFoundError, WRITE_STORE, type CommandOptions } from '@crm/relationship-api';
import { CLOCK, HttpProblem, ProblemTypes, type Principal } from '@crm/service-kit';

/** Departments that record what a customer agreed to or refused (marketing, and whoever the customer told). */
export const CONSENT_RECORDING_DEPARTMENTS = ['marketing', 'sales', 'service', 'management'] as const;

/** The event a statement rests on: what a send records as its basis. */
export interface ConsentBasis {
  eventId: string;
  /** Its position in the store's one order (`<commit>/<prepare>`). */
  position: string;
  revision: string;
}

export interface ConsentPermissionView {
  channel: ConsentChannel;
  purpose: string;
  status: 'granted' | 'withdrawn';
  since: string;
  source: string;
  /** Withdrawn by an opt-out of the whole channel. */
  channelWide?: boolean;
  basis: ConsentBasis;
}

export interface ConsentView {
  customerId: string;
  asOf?: string;
  permissions: ConsentPermissionView[];
  channelOptOuts: { channel: ConsentChannel; at: string; source: string; basis: ConsentBasis }[];
  /** Double opt-in links sent and not followed (nor expired) at the instant. */
  awaitingConfirmation: { requestId: string; channel: ConsentChannel; purpose: string; requestedAt: string; expiresAt: string }[];
  /** The consent stream's revision (the ETag; absent when nothing was ever recorded). */
  revision?: string;
}

/** One statement of the consent stream as the history shows it (personal evidence left out: it is sealed). */
export interface ConsentHistoryEntry {
  kind: 'requested' | 'granted' | 'withdrawn';
  channel: ConsentChannel;
  purpose?: string;
  source: string;
  at: string;
  recordedBy: string;
  textVersion?: string;
  formId?: string;
  campaignId?: string;
  basis: ConsentBasis;
}

export interface ConsentHistoryView {
  customerId: string;
  entries: ConsentHistoryEntry[];
  revision?: string;
}

export interface GrantConsentInput {
  channel: ConsentChannel;
  purpose: string;
  source: Exclude<ConsentGrantSource, 'double-opt-in'>;
  evidence: Omit<ConsentEvidence, 'recordedBy' | 'requestId' | 'requestedAt' | 'confirmedAt'>;
  /** Imports only: when it was given (not in the future); otherwise now. */
  grantedAt?: string;
}

export interface WithdrawConsentInput {
  channel: ConsentChannel;
  purpose?: string;
  source: ConsentWithdrawalSource;
  evidence: Omit<ConsentEvidence, 'recordedBy' | 'requestId' | 'requestedAt' | 'confirmedAt'>;
  withdrawnAt?: string;
}

/** Consent events are the company's: no partner sees them, whatever is shared. */
const COMPANY_ONLY = { departments: '*' as const, partners: [] as string[] };

/**
 * A customer's marketing permissions (issue 13 §1), the one way to command them: load the consent
 * stream once, check the caller, judge If-Match (412 before any rule), decide, append. Staff record
 * what the customer agreed to (with the evidence its source needs) or refused; reading answers what
 * held at any instant, each permission with the event and store position it rests on.
 */
@Injectable()
export class ConsentCommands {
  private readonly handler: CommandHandler<ConsentState, ConsentCommand, ConsentEvent>;

  constructor(
    @Inject(WRITE_STORE) private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.handler = new CommandHandler(store, consentDecider, { retries: 2 });
  }

  async view(principal: Principal, customerId: string, asOf?: Date): Promise<ConsentView> {
    assertStaff(principal);
    await this.assertCustomer(customerId);
    const recorded = await this.readAll(customerId);
    const events = recorded.map((e) => ({ type: e.type, data: e.data }) as ConsentEvent);
    const at = (asOf ?? this.clock.now()).toISOString();
    const state = consentAsOf(events, at);
    const basis = (revision: number): ConsentBasis => {
      const e = recorded[revision];
      return { eventId: e.id, position: `${e.position.commit}/${e.position.prepare}`, revision: String(revision) };
    };
    const permission = (p: ConsentStatement): ConsentPermissionView => ({
      channel: p.channel,
      purpose: p.purpose,
      status: p.status,
      since: p.since,
      source: p.source,
      ...(p.channelWide && { channelWide: true }),
      basis: basis(p.revision),
    });
    const permissions = Object.values(state.permissions)
      .sort((a, b) => a.channel.localeCompare(b.channel) || a.purpose.localeCompare(b.purpose))
      .map(permission);
    const channelOptOuts = Object.entries(state.channelOptOuts).map(([channel, o]) => ({
      channel: channel as ConsentChannel,
      at: o!.at,
      source: o!.source,
      basis: basis(o!.revision),
    }));
    const awaitingConfirmation = Object.values(state.requests)
      .filter((r) => !r.confirmed && mayContact(state, r.channel, r.purpose, at).allowed === false && Date.parse(r.expiresAt) > Date.parse(at))
      .map(({ requestId, channel, purpose, requestedAt, expiresAt }) => ({ requestId, channel, purpose, requestedAt, expiresAt }));
    return {
      customerId,
      ...(asOf && { asOf: at }),
      permissions,
      channelOptOuts,
      awaitingConfirmation,
      ...(recorded.length > 0 && { revision: String(recorded.length - 1) }),
    };
  }

  /** Every consent requested, granted and withdrawn, newest first (by when it happened, then by the order recorded). */
  async history(principal: Principal, customerId: string): Promise<ConsentHistoryView> {
    assertStaff(principal);
    await this.assertCustomer(customerId);
    const recorded = await this.readAll(customerId);
    const entries = recorded.flatMap((e, revision): (ConsentHistoryEntry & { order: number })[] => {
      const event = { type: e.type, data: e.data } as ConsentEvent;
      const at = event.type === 'ConsentGranted' ? event.data.grantedAt : event.type === 'ConsentWithdrawn' ? event.data.withdrawnAt : event.data.requestedAt;
      const kind = event.type === 'ConsentGranted' ? 'granted' : event.type === 'ConsentWithdrawn' ? 'withdrawn' : 'requested';
      if (!at) return [];
      const { evidence } = event.data;
      return [
        {
          kind,
          channel: event.data.channel,
          ...(event.data.purpose !== undefined && { purpose: event.data.purpose }),
          source: event.data.source,
          at,
          recordedBy: evidence.recordedBy,
          ...(evidence.textVersion !== undefined && { textVersion: evidence.textVersion }),
          ...(evidence.formId !== undefined && { formId: evidence.formId }),
          ...(evidence.campaignId !== undefined && { campaignId: evidence.campaignId }),
          basis: { eventId: e.id, position: `${e.position.commit}/${e.position.prepare}`, revision: String(revision) },
          order: revision,
        },
      ];
    });
    entries.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || b.order - a.order);
    return {
      customerId,
      entries: entries.map(({ order: _, ...entry }) => entry),
      ...(recorded.length > 0 && { revision: String(recorded.length - 1) }),
    };
  }

  async grant(
    principal: Principal,
    customerId: string,
    input: GrantConsentInput,
    options: CommandOptions = {},
  ): Promise<{ revision: bigint | undefined; recorded: boolean }> {
    const recorder = assertRecorder(principal);
    const now = this.clock.now();
    const grantedAt = this.statementTime(input.source === 'import' ? input.grantedAt : undefined, now, 'grantedAt');
    return this.run(principal, customerId, options, {
      type: 'GrantConsent',
      data: {
        customerId,
        channel: input.channel,
        purpose: input.purpose,
        source: input.source,
        evidence: { ...input.evidence, recordedBy: recorder },
        grantedAt,
      },
    });
  }

  async withdraw(
    principal: Principal,
    customerId: string,
    input: WithdrawConsentInput,
    options: CommandOptions = {},
  ): Promise<{ revision: bigint | undefined; recorded: boolean }> {
    const recorder = assertRecorder(principal);
    const now = this.clock.now();
    const withdrawnAt = this.statementTime(input.source === 'import' ? input.withdrawnAt : undefined, now, 'withdrawnAt');
    return this.run(principal, customerId, options, {
      type: 'WithdrawConsent',
      data: {
        customerId,
        channel: input.channel,
        ...(input.purpose !== undefined && { purpose: input.purpose }),
        source: input.source,
        evidence: { ...input.evidence, recordedBy: recorder },
        withdrawnAt,
      },
    });
  }

  /**
   * One-click unsubscribe (RFC 8058), from a signed link: the permission the link names is withdrawn
   * at once (before the next message is decided), recorded as the system actor `unsubscribe` with the
   * campaign and message it came from. Clicking again records nothing.
   */
  async unsubscribe(link: { customerId: string; channel: ConsentChannel; purpose?: string; campaignId?: string; messageId?: string }, correlationId?: string) {
    const metadata = {
      correlationId: correlationId ?? randomUUID(),
      actor: { type: 'system' as const, id: 'unsubscribe' },
      occurredAt: this.clock.now().toISOString(),
      visibility: COMPANY_ONLY,
    };
    return this.append(
      link.customerId,
      metadata,
      {},
      {
        type: 'WithdrawConsent',
        data: {
          customerId: link.customerId,
          channel: link.channel,
          ...(link.purpose !== undefined && { purpose: link.purpose }),
          source: 'one-click-unsubscribe',
          evidence: {
            ...(link.campaignId !== undefined && { campaignId: link.campaignId }),
            ...(link.messageId !== undefined && { messageId: link.messageId }),
            recordedBy: 'unsubscribe',
          },
          withdrawnAt: metadata.occurredAt,
        },
      },
    );
  }

  /**
   * A spam complaint the e-mail provider reported on a campaign message (a feedback loop): the whole
   * channel is withdrawn at once — the customer said "not this" about marketing on it, whatever the
   * purpose — with source `complaint`, the campaign and message as evidence and the provider's words
   * as the note, recorded as the system actor `email-provider`. A repeated report records nothing.
   */
  async complaint(
    report: { customerId: string; channel: ConsentChannel; campaignId: string; messageId: string; complainedAt: string; feedback?: string },
    correlationId?: string,
  ) {
    const metadata = {
      correlationId: correlationId ?? randomUUID(),
      actor: { type: 'system' as const, id: 'email-provider' },
      occurredAt: this.clock.now().toISOString(),
      visibility: COMPANY_ONLY,
    };
    return this.append(
      report.customerId,
      metadata,
      {},
      {
        type: 'WithdrawConsent',
        data: {
          customerId: report.customerId,
          channel: report.channel,
          source: 'complaint',
          evidence: {
            campaignId: report.campaignId,
            messageId: report.messageId,
            note: `complaint reported by the e-mail provider, dated ${report.complainedAt}${report.feedback ? `: ${report.feedback}` : ''}`,
            recordedBy: 'email-provider',
          },
          // When it was recorded, not the provider's date: statements on a permission are in time order, and a
          // report dated before a later grant must not be refused (nor rewrite what held in between).
          withdrawnAt: metadata.occurredAt,
        },
      },
    );
  }

  /** What holds now for a customer (the preference centre and confirmation pages: the signed link is the credential, there is no caller). */
  async current(customerId: string): Promise<ConsentState> {
    await this.assertCustomer(customerId);
    const events = (await this.readAll(customerId)).map((e) => ({ type: e.type, data: e.data }) as ConsentEvent);
    return consentAsOf(events, this.clock.now().toISOString());
  }

  /**
   * The preference centre's choices (issue 13 §1), from its signed link: each permission the page
   * showed is granted or withdrawn as the customer left its box, with source `preference-centre` and
   * the evidence of the page (its text version, address and browser), recorded as the system actor
   * `preference-centre` — appended before the answer, so in force before the next message is decided.
   * What already holds records nothing. Answers what changed.
   */
  async setPreferences(
    customerId: string,
    choices: readonly { channel: ConsentChannel; purpose: string; granted: boolean }[],
    evidence: { textVersion: string; ipAddress?: string; userAgent?: string },
    correlationId?: string,
  ): Promise<{ channel: ConsentChannel; purpose: string; granted: boolean }[]> {
    const state = await this.current(customerId);
    const changed: { channel: ConsentChannel; purpose: string; granted: boolean }[] = [];
    const correlation = correlationId ?? randomUUID();
    for (const choice of choices) {
      const granted = mayContact(state, choice.channel, choice.purpose).allowed;
      if (granted === choice.granted) continue;
      const metadata = this.systemMetadata('preference-centre', correlation);
      const proof = {
        textVersion: evidence.textVersion,
        formId: 'preference-centre',
        ...(evidence.ipAddress !== undefined && { ipAddress: evidence.ipAddress }),
        ...(evidence.userAgent !== undefined && { userAgent: evidence.userAgent }),
        recordedBy: 'preference-centre',
      };
      const command: ConsentCommand = choice.granted
        ? {
            type: 'GrantConsent',
            data: {
              customerId,
              channel: choice.channel,
              purpose: choice.purpose,
              source: 'preference-centre',
              evidence: proof,
              grantedAt: metadata.occurredAt,
            },
          }
        : {
            type: 'WithdrawConsent',
            data: {
              customerId,
              channel: choice.channel,
              purpose: choice.purpose,
              source: 'preference-centre',
              evidence: proof,
              withdrawnAt: metadata.occurredAt,
            },
          };
      const r = await this.append(customerId, metadata, {}, command);
      if (r.recorded) changed.push(choice);
    }
    return changed;
  }

  /**
   * Double opt-in, first half: records `ConsentRequested` (from a form or the preference centre, with
   * the text shown) — the permission is not granted until the customer follows the confirmation link.
   * Answers the request, or `undefined` when the permission is granted already (nothing to confirm).
   */
  async requestConsent(
    principal: Principal,
    customerId: string,
    input: {
      requestId: string;
      channel: ConsentChannel;
      purpose: string;
      source: 'form' | 'preference-centre';
      evidence: Omit<ConsentEvidence, 'recordedBy' | 'requestId' | 'requestedAt' | 'confirmedAt'>;
      validForMs: number;
    },
    options: CommandOptions = {},
  ): Promise<{ request: PendingRequest; recorded: boolean } | undefined> {
    const recorder = assertRecorder(principal);
    const now = this.clock.now();
    const r = await this.run(principal, customerId, options, {
      type: 'RequestConsent',
      data: {
        customerId,
        requestId: input.requestId,
        channel: input.channel,
        purpose: input.purpose,
        source: input.source,
        evidence: { ...input.evidence, recordedBy: recorder },
        requestedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + input.validForMs).toISOString(),
      },
    });
    const request = (await this.current(customerId)).requests[input.requestId];
    return request && { request, recorded: r.recorded };
  }

  /** A request as it stands (the confirmation page), or undefined. */
  async pendingRequest(customerId: string, requestId: string): Promise<PendingRequest | undefined> {
    return (await this.current(customerId)).requests[requestId];
  }

  /**
   * Double opt-in, second half, from the signed confirmation link: `ConsentGranted` with source
   * `double-opt-in` and the request id, when it was requested and confirmed (the decider writes the
   * evidence), recorded as the system actor `double-opt-in`. Confirming again records nothing.
   */
  async confirmConsent(
    customerId: string,
    requestId: string,
    evidence: { ipAddress?: string; userAgent?: string },
    correlationId?: string,
  ): Promise<'confirmed' | 'already-confirmed'> {
    const request = await this.pendingRequest(customerId, requestId);
    if (!request) throw new NotFoundError(`consent request ${requestId} not found`);
    if (request.confirmed) return 'already-confirmed';
    const metadata = this.systemMetadata('double-opt-in', correlationId ?? randomUUID());
    const r = await this.append(
      customerId,
      metadata,
      {},
      {
        type: 'ConfirmConsent',
        data: {
          customerId,
          requestId,
          confirmedAt: metadata.occurredAt,
          ...(evidence.ipAddress !== undefined && { ipAddress: evidence.ipAddress }),
          ...(evidence.userAgent !== undefined && { userAgent: evidence.userAgent }),
        },
      },
    );
    return r.recorded ? 'confirmed' : 'already-confirmed';
  }

  private systemMetadata(actorId: string, correlationId: string) {
    return { correlationId, actor: { type: 'system' as const, id: actorId }, occurredAt: this.clock.now().toISOString(), visibility: COMPANY_ONLY };
  }

  /** Whether the permission an unsubscribe link names is off already (nothing of the customer is told). */
  async unsubscribed(link: { customerId: string; channel: ConsentChannel; purpose?: string }): Promise<boolean> {
    await this.assertCustomer(link.customerId);
    const events = (await this.readAll(link.customerId)).map((e) => ({ type: e.type, data: e.data }) as ConsentEvent);
    const state = consentAsOf(events, this.clock.now().toISOString());
    if (link.purpose !== undefined) return !mayContact(state, link.channel, link.purpose).allowed;
    return (
      state.channelOptOuts[link.channel] !== undefined && !Object.values(state.permissions).some((p) => p.channel === link.channel && p.status === 'granted')
    );
  }

  private async run(principal: Principal, customerId: string, options: CommandOptions, command: ConsentCommand) {
    return this.append(customerId, metadataFor(principal, this.clock, COMPANY_ONLY, options.correlationId), options, command);
  }

  private async append(
    customerId: string,
    metadata: Parameters<CommandHandler<ConsentState, ConsentCommand, ConsentEvent>['handle']>[2],
    options: CommandOptions,
    command: ConsentCommand,
  ) {
    await this.assertCustomer(customerId);
    const r = await this.handler.handle(consentStream(customerId), command, metadata, { expectedRevision: options.expectedRevision });
    return { revision: r.revision, recorded: r.appended };
  }

  private statementTime(given: string | undefined, now: Date, field: string): string {
    if (given === undefined) return now.toISOString();
    if (Date.parse(given) > now.getTime())
      throw new HttpProblem(400, `${field} is in the future`, {
        type: ProblemTypes.validation,
        extensions: { errors: [{ field, message: `${field} must not be in the future` }] },
      });
    return new Date(given).toISOString();
  }

  private async assertCustomer(customerId: string): Promise<void> {
    if (!(await this.customers.exists(customerId))) throw new NotFoundError(`customer ${customerId} not found`);
  }

  private async readAll(customerId: string): Promise<RecordedEvent[]> {
    const all: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(consentStream(customerId), { fromRevision: from, maxCount: 1000 });
      all.push(...page);
      if (page.length < 1000) return all;
      from = page[page.length - 1].revision + 1n;
    }
  }
}

function assertStaff(principal: Principal): void {
  // Consent is the company's record: a partner never reads it, shared customer or not.
  if (principal.kind !== 'staff') throw new NotFoundError('not found');
}

function assertRecorder(principal: Principal): string {
  assertStaff(principal);
  if (principal.kind === 'staff' && !(CONSENT_RECORDING_DEPARTMENTS as readonly string[]).includes(principal.department))
    throw new HttpProblem(403, `staff of ${principal.department} read consent; ${CONSENT_RECORDING_DEPARTMENTS.join(', ')} record it`, {
      type: ProblemTypes.forbidden,
    });
  return principal.subject;
}
