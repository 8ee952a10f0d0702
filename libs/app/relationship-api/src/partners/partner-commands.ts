import { randomUUID } from 'node:crypto';
import type { EpisodeType } from '@crm/kernel';
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
  type PartnerUserRole,
  type ShareScope,
} from '@crm/relationship';
import { HttpProblem, partnerActorId, ProblemTypes, type PartnerPrincipal, type Principal, type StaffPrincipal } from '@crm/service-kit';
import { metadataFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';

/** A partner user as its organisation's admins see it. */
export interface PartnerUserView {
  userId: string;
  name: string;
  email: string;
  role?: PartnerUserRole;
  addedAt?: string;
}

/** User events: the company's management and the partner itself (they carry no customer and are never published). */
const USER_VISIBILITY = (partnerId: string) => ({ departments: ['management' as const], partners: [partnerId] });

/** Who a user change records: a partner's user (or client id), or the staff member. */
const actingId = (principal: Principal) => (principal.kind === 'partner' ? partnerActorId(principal) : principal.subject);

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
    principal: Principal,
    partnerId: string,
    clientId: string,
    secretHash: string,
    options: CommandOptions & { userId?: string } = {},
  ): Promise<CommandResult> {
    const { userId } = options;
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'IssueCredential', data: { partnerId, clientId, secretHash, issuedAt: this.now(), ...(userId !== undefined && { userId }) } },
      metadataFor(principal, this.settings.clock, { departments: ['management'], partners: [] }, options.correlationId),
      {
        check: (state) => {
          if (userId !== undefined) this.assertUserOf(principal, partnerId, userId, state);
          else this.assertExists(partnerId, state);
        },
      },
    );
    return { id: clientId, revision: r.revision };
  }

  /**
   * Invites a partner user (issue 14 §1). Staff invite the partner's first admin only (`firstAdmin`);
   * from then on the partner's admins (or its organisation credentials) invite its users. The name
   * and e-mail are sealed with the user's own key in the store and never leave the partner's stream.
   */
  async addUser(
    principal: Principal,
    partnerId: string,
    user: { name: string; email: string; role: PartnerUserRole },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const userId = randomUUID();
    const firstAdmin = principal.kind === 'staff';
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'AddPartnerUser', data: { partnerId, userId, ...user, addedAt: this.now(), addedBy: actingId(principal) }, firstAdmin },
      metadataFor(principal, this.settings.clock, USER_VISIBILITY(partnerId), options.correlationId),
      { check: (state) => this.assertUserManager(principal, partnerId, state) },
    );
    return { id: userId, revision: r.revision };
  }

  /** A partner admin changes a user's role; the last admin keeps it (422 `last-admin`). */
  async changeUserRole(principal: Principal, partnerId: string, userId: string, role: PartnerUserRole, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'ChangePartnerUserRole', data: { partnerId, userId, role, changedAt: this.now(), changedBy: actingId(principal) } },
      metadataFor(principal, this.settings.clock, USER_VISIBILITY(partnerId), options.correlationId),
      { expectedRevision: options.expectedRevision, check: (state) => this.assertUserOf(principal, partnerId, userId, state) },
    );
    return { id: userId, revision: r.revision };
  }

  /** Removes a user: its credentials end with it (its tokens are 401 from the next request); never the last admin. */
  async removeUser(principal: Principal, partnerId: string, userId: string, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'RemovePartnerUser', data: { partnerId, userId, removedAt: this.now(), removedBy: actingId(principal) } },
      metadataFor(principal, this.settings.clock, USER_VISIBILITY(partnerId), options.correlationId),
      { expectedRevision: options.expectedRevision, check: (state) => this.assertUserOf(principal, partnerId, userId, state) },
    );
    return { id: userId, revision: r.revision };
  }

  /**
   * Ends the partnership (a channel manager): every credential, user and share stops working from the
   * next request. One append: `PartnerDeactivated` and a `CustomerShareRevoked` per share. 404 for an unknown partner.
   */
  async deactivate(principal: StaffPrincipal, partnerId: string, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      partnerStream(partnerId),
      { type: 'DeactivatePartner', data: { partnerId, deactivatedAt: this.now(), deactivatedBy: principal.subject } },
      metadataFor(principal, this.settings.clock, { departments: '*', partners: [partnerId] }, options.correlationId),
      { check: (state) => this.assertExists(partnerId, state) },
    );
    return { id: partnerId, revision: r.revision };
  }

  /**
   * The current users of a partner as recorded (name and e-mail revealed from the store; `ERASED` once
   * their key is destroyed), and the partner stream's revision (the users' ETag). Undefined for an unknown partner.
   */
  async users(partnerId: string): Promise<{ users: PartnerUserView[]; revision: bigint } | undefined> {
    const users = new Map<string, PartnerUserView>();
    let from = 0n;
    let revision: bigint | undefined;
    for (;;) {
      const page = await this.store.readStream(partnerStream(partnerId), { fromRevision: from, maxCount: 1000 });
      for (const e of page) {
        revision = e.revision;
        const event = { type: e.type, data: e.data } as PartnerEvent;
        if (event.type === 'PartnerUserAdded') {
          const { userId, name, email, role, addedAt } = event.data;
          users.set(userId, { userId, name, email, ...(role && { role }), ...(addedAt && { addedAt }) });
        } else if (event.type === 'PartnerUserRoleChanged') {
          const u = users.get(event.data.userId);
          if (u) u.role = event.data.to;
        } else if (event.type === 'PartnerUserRemoved') users.delete(event.data.userId);
      }
      if (page.length < 1000) return revision === undefined ? undefined : { users: [...users.values()], revision };
      from = page[page.length - 1].revision + 1n;
    }
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
      { type: 'RequestShare', data: { partnerId, requestId, customerId, reason, requestedAt: this.now(), requestedBy: partnerActorId(principal) } },
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

  /**
   * Who manages a partner's users: staff (the route admits channel managers only), or the partner's
   * own admin users and organisation credentials — of this partner. Checked on the state the command
   * decides on; anything else is a 403 for a partner caller (its own organisation: saying so reveals nothing).
   */
  private assertUserManager(principal: Principal, partnerId: string, state: PartnerState): void {
    this.assertExists(partnerId, state);
    if (principal.kind === 'staff') return;
    if (principal.partnerId !== partnerId) throw new NotFoundError(`partner ${partnerId} not found`);
    if (principal.userId !== undefined && state?.users[principal.userId]?.role !== 'admin')
      throw new HttpProblem(403, "managing your organisation's users needs the role admin", {
        type: ProblemTypes.forbidden,
        extensions: { code: 'not-partner-admin' },
      });
  }

  /** As `assertUserManager`, and 404 unless `userId` is a current user of the partner. */
  private assertUserOf(principal: Principal, partnerId: string, userId: string, state: PartnerState): void {
    this.assertUserManager(principal, partnerId, state);
    if (!state?.users[userId]) throw new NotFoundError(`user ${userId} not found`);
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
  /**
   * Throws NotFoundError (as for a customer that does not exist) unless `customerId` is shared with the
   * caller. With `episodeType` (a write on an episode of that type), the portal also refuses a partner
   * user whose role does not work on it (403).
   */
  assertShared(principal: PartnerPrincipal, customerId: string, episodeType?: EpisodeType): Promise<void>;
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
