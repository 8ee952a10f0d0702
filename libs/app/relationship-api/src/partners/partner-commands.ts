import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import {
  evolvePartner,
  NotFoundError,
  partnerDecider,
  partnerStream,
  shareInForce,
  type PartnerEvent,
  type PartnerKind,
  type PartnerState,
  type ShareScope,
} from '@crm/relationship';
import type { PartnerPrincipal, StaffPrincipal } from '@crm/service-kit';
import { metadataFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';

/**
 * The partner aggregate's commands: registration, credentials, shares. Partner events are visible to
 * the company and that partner; credential events to management only (their hashes never leave the
 * event store: the relay does not publish events without a customer).
 */
export class PartnerCommands {
  constructor(
    private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, partnerDecider, { retries: this.settings.retries });

  async register(
    principal: StaffPrincipal,
    data: { partnerId?: string; name: string; partnerKind: PartnerKind },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const partnerId = data.partnerId ?? randomUUID();
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'RegisterPartner', data: { partnerId, name: data.name, partnerKind: data.partnerKind } },
      metadataFor(principal, this.settings.clock, { departments: '*', partners: [partnerId] }, options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { id: partnerId, revision: r.revision };
  }

  /** Records a credential by the hash of its secret (the secret itself is never stored). 404 for an unknown partner. */
  async issueCredential(
    principal: StaffPrincipal,
    partnerId: string,
    clientId: string,
    secretHash: string,
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'IssueCredential', data: { partnerId, clientId, secretHash, issuedAt: this.now() } },
      metadataFor(principal, this.settings.clock, { departments: ['management'], partners: [] }, options.correlationId),
      { check: (state) => this.assertExists(partnerId, state) },
    );
    return { id: clientId, revision: r.revision };
  }

  /** 404 unless the credential is active. */
  async revokeCredential(principal: StaffPrincipal, partnerId: string, clientId: string, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'RevokeCredential', data: { partnerId, clientId, revokedAt: this.now() } },
      metadataFor(principal, this.settings.clock, { departments: ['management'], partners: [] }, options.correlationId),
      {
        check: (state) => {
          if (!state?.activeClientIds.includes(clientId)) throw new NotFoundError(`credential ${clientId} of partner ${partnerId} not found`);
        },
      },
    );
    return { id: clientId, revision: r.revision };
  }

  /**
   * Shares a customer with the partner under a scope (absent fields: every episode type, read-write,
   * no expiry). Sharing again with the same scope changes nothing; with another scope it records the
   * new one. 404 for an unknown partner; 422 for an unknown customer or an expiry not after now.
   */
  async shareCustomer(
    principal: StaffPrincipal,
    partnerId: string,
    customerId: string,
    scope: ShareScope = {},
    options: CommandOptions & { check?: (state: PartnerState) => void } = {},
  ): Promise<CommandResult> {
    const customerExists = await this.customers.exists(customerId);
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'ShareCustomer', data: { partnerId, customerId, sharedAt: this.now(), sharedBy: principal.subject, ...scope }, customerExists },
      metadataFor(principal, this.settings.clock, { departments: '*', partners: [partnerId] }, options.correlationId),
      {
        check: (state) => {
          this.assertExists(partnerId, state);
          options.check?.(state);
        },
      },
    );
    return { id: partnerId, revision: r.revision };
  }

  /**
   * A partner asks for a customer. Recorded whatever the customer is (unknown, shared already,
   * someone else's): the caller's answer is the same either way, so it learns nothing.
   */
  async requestShare(principal: PartnerPrincipal, customerId: string, reason: string, options: CommandOptions = {}): Promise<CommandResult> {
    const requestId = randomUUID();
    const partnerId = principal.partnerId;
    await this.handler.handle(
      partnerStream(partnerId),
      { type: 'RequestShare', data: { partnerId, requestId, customerId, reason, requestedAt: this.now(), requestedBy: principal.subject } },
      metadataFor(principal, this.settings.clock, { departments: '*', partners: [partnerId] }, options.correlationId),
      { check: (state) => this.assertExists(partnerId, state) },
    );
    return { id: requestId, revision: undefined };
  }

  /** Approves a pending request: one append records the decision and the share with `scope`. */
  async approveShareRequest(
    principal: StaffPrincipal,
    partnerId: string,
    requestId: string,
    scope: ShareScope,
    options: CommandOptions & { check?: (state: PartnerState) => void } = {},
  ): Promise<CommandResult> {
    const state = await this.get(partnerId);
    const customerId = state?.requests[requestId]?.customerId;
    const customerExists = customerId ? await this.customers.exists(customerId) : false;
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'ApproveShareRequest', data: { partnerId, requestId, approvedAt: this.now(), approvedBy: principal.subject, scope }, customerExists },
      metadataFor(principal, this.settings.clock, { departments: '*', partners: [partnerId] }, options.correlationId),
      {
        check: (s) => {
          if (!s?.requests[requestId]) throw new NotFoundError(`share request ${requestId} not found`);
          options.check?.(s);
        },
      },
    );
    return { id: requestId, revision: r.revision };
  }

  async refuseShareRequest(
    principal: StaffPrincipal,
    partnerId: string,
    requestId: string,
    reason: string,
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'RefuseShareRequest', data: { partnerId, requestId, reason, refusedAt: this.now(), refusedBy: principal.subject } },
      metadataFor(principal, this.settings.clock, { departments: '*', partners: [partnerId] }, options.correlationId),
      {
        check: (s) => {
          if (!s?.requests[requestId]) throw new NotFoundError(`share request ${requestId} not found`);
        },
      },
    );
    return { id: requestId, revision: r.revision };
  }

  /** Ends a share: from this answer on, the partner reads the customer as not existing. 404 unless shared. */
  async revokeShare(
    principal: StaffPrincipal,
    partnerId: string,
    customerId: string,
    options: CommandOptions & { check?: (state: PartnerState) => void } = {},
  ): Promise<CommandResult> {
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'RevokeShare', data: { partnerId, customerId, revokedAt: this.now(), revokedBy: principal.subject } },
      metadataFor(principal, this.settings.clock, { departments: '*', partners: [partnerId] }, options.correlationId),
      {
        check: (state) => {
          this.assertExists(partnerId, state);
          options.check?.(state);
          if (!state?.sharedCustomerIds.includes(customerId)) throw new NotFoundError(`customer ${customerId} is not shared with partner ${partnerId}`);
        },
      },
    );
    return { id: partnerId, revision: r.revision };
  }

  /** The partner as the event store has it now (not a read model: a revoke holds from the next request). */
  async get(partnerId: string): Promise<PartnerState> {
    return (await this.handler.load(partnerStream(partnerId))).state;
  }

  /**
   * The partner as it stood at `asOf`: who could see what, when. Folded from the stream's own
   * history (no read model), up to the last event that happened by then — by its `occurredAt`, the
   * injected clock's time of the command (partner events never take a client's time), the same clock
   * that judges expiry; `recordedAt` only for an event without it.
   */
  async getAsOf(partnerId: string, asOf: Date): Promise<PartnerState> {
    let state: PartnerState = undefined;
    let from = 0n;
    for (;;) {
      const page = await this.store.readStream(partnerStream(partnerId), { fromRevision: from, maxCount: 1000 });
      for (const e of page) {
        const at = typeof e.metadata?.occurredAt === 'string' ? e.metadata.occurredAt : e.recordedAt;
        if (Date.parse(at) > asOf.getTime()) return state;
        state = evolvePartner(state, { type: e.type, data: e.data } as PartnerEvent);
      }
      if (page.length < 1000) return state;
      from = page[page.length - 1].revision + 1n;
    }
  }

  private assertExists(partnerId: string, state: PartnerState): void {
    if (!state) throw new NotFoundError(`partner ${partnerId} not found`);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}

/**
 * Whether a partner caller may act on a customer: the application layer asks this before a
 * partner's write. The default reads the partner aggregate; the partner portal provides one that
 * also refuses revoked credentials and customers its read models do not show yet.
 */
export interface PartnerAccess {
  /** Throws NotFoundError (as for a customer that does not exist) unless `customerId` is shared with the caller. */
  assertShared(principal: PartnerPrincipal, customerId: string): Promise<void>;
}

export class AggregatePartnerAccess implements PartnerAccess {
  constructor(
    private readonly partners: PartnerCommands,
    private readonly clock: { now(): Date } = { now: () => new Date() },
  ) {}
  async assertShared(principal: PartnerPrincipal, customerId: string): Promise<void> {
    const partner = await this.partners.get(principal.partnerId);
    // an expired share is no share; a read-only one is refused by the portal's PartnerScope (403)
    if (!shareInForce(partner, customerId, this.clock.now())) throw new NotFoundError(`customer ${customerId} not found`);
  }
}
