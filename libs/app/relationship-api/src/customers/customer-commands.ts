import { randomUUID } from 'node:crypto';
import { assertExpectedRevision, CommandHandler, type EventStore } from '@crm/event-store';
import { COMPANY_WIDE_VISIBILITY, type ChangeSource, type ContactRole, type JourneyStage, type RelationshipPhase } from '@crm/kernel';
import {
  customerDecider,
  customerStream,
  NotFoundError,
  type Contact,
  type PostalAddress,
  type CustomerCommand,
  type CustomerEvent,
  type CustomerState,
  type DerivedMove,
  type Identity,
  type ParentCandidate,
} from '@crm/relationship';
import type { Principal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { RegisterCustomerDto } from '../dto';
import { IdentityClaims } from '../identities/identity-claims';
import { correlationIdFor } from '@crm/telemetry';

/** What analytics' derivation of journey stages and relationship phases is recorded as. */
export const ANALYTICS_JOURNEY_ACTOR = { type: 'system' as const, id: 'analytics-journey' };

/** How deep an account hierarchy may go before a parent chain is refused as suspicious. */
const MAX_HIERARCHY_DEPTH = 100;

export interface CustomerDetailsPatch {
  name?: string;
  owner?: string | null;
  tags?: string[];
  parentId?: string | null;
  /** The customer's own postal address, as a whole; `null` removes it. */
  address?: PostalAddress | null;
}

export interface ContactInput {
  name: string;
  role?: string;
  roles?: ContactRole[];
  email?: string;
  phone?: string;
  address?: PostalAddress;
}

/** `force`: register or add an identity another customer holds anyway, and record a suspected duplicate. */
export interface IdentityOptions extends CommandOptions {
  force?: boolean;
}

/**
 * The customer aggregate's commands: each loads the stream once, checks, decides, appends. Identities
 * are unique among live customers (`IdentityClaims`): taking one another customer holds is a 409
 * naming that customer, unless forced.
 */
export class CustomerCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, customerDecider, { retries: this.settings.retries });
  private readonly claims = new IdentityClaims(this.store, (id) => this.get(id));

  async register(
    principal: Principal,
    dto: RegisterCustomerDto & { owner?: string; tags?: string[]; parentId?: string; force?: boolean },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const customerId = dto.customerId ?? randomUUID();
    const identities = dto.identities ?? [];
    const metadata = this.metadata(principal, options);
    // A retried request (same customerId) finds its own claims: they are no conflict.
    const duplicates = await this.claimAll(identities, customerId, metadata, dto.force ?? false);
    const parent = dto.parentId === undefined ? undefined : await this.parentCandidate(dto.parentId);
    const r = await this.handler.handle(
      customerStream(customerId),
      {
        type: 'RegisterCustomer',
        parent,
        data: {
          customerId,
          kind: dto.kind,
          name: dto.name,
          contacts: (dto.contacts ?? []).map((c) => ({ ...c, contactId: c.contactId ?? randomUUID() })),
          identities,
          journeyStage: dto.journeyStage ?? 'prospect',
          relationshipPhase: dto.relationshipPhase ?? 'awareness',
          registeredBy: principal.kind === 'staff' ? principal.department : 'partner',
          ...(dto.owner !== undefined && { owner: dto.owner }),
          ...(dto.tags !== undefined && { tags: [...new Set(dto.tags)] }),
          ...(dto.parentId !== undefined && { parentId: dto.parentId }),
          ...(dto.address !== undefined && { address: dto.address }),
        },
      },
      metadata,
      { expectedRevision: options.expectedRevision },
    );
    const revision = (await this.suspect(principal, customerId, duplicates, options)) ?? r.revision;
    return { id: customerId, revision };
  }

  /** Name, account manager, tags, parent organisation, postal address; `null` clears owner, parent or address. */
  async change(principal: Principal, customerId: string, patch: CustomerDetailsPatch, options: CommandOptions = {}): Promise<CommandResult> {
    const parent = patch.parentId ? await this.parentCandidate(patch.parentId) : undefined;
    return this.run(
      principal,
      customerId,
      { type: 'ChangeCustomerDetails', data: { customerId, ...patch, ...(patch.tags && { tags: patch.tags }) }, parent },
      options,
    );
  }

  async addContact(
    principal: Principal,
    customerId: string,
    contact: ContactInput & { contactId?: string },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const contactId = contact.contactId ?? randomUUID();
    const r = await this.run(principal, customerId, { type: 'AddContact', data: { customerId, contact: { ...contact, contactId } } }, options);
    return { id: contactId, revision: r.revision };
  }

  async changeContact(
    principal: Principal,
    customerId: string,
    contactId: string,
    contact: ContactInput,
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    return this.run(principal, customerId, { type: 'ChangeContact', data: { customerId, contact: { ...contact, contactId } } }, options, (state) => {
      if (!state?.contacts.some((c) => c.contactId === contactId)) throw new NotFoundError(`contact ${contactId} of customer ${customerId} not found`);
    });
  }

  async removeContact(principal: Principal, customerId: string, contactId: string, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(principal, customerId, { type: 'RemoveContact', data: { customerId, contactId } }, options, (state) => {
      if (!state?.contacts.some((c) => c.contactId === contactId)) throw new NotFoundError(`contact ${contactId} of customer ${customerId} not found`);
    });
  }

  async addIdentity(principal: Principal, id: string, identity: Identity, options: IdentityOptions = {}): Promise<CommandResult> {
    // Claimed for the customer that will hold it: a merged id is written as its survivor.
    const customerId = await this.resolve(id);
    if (!customerId) throw new NotFoundError(`customer ${id} not found`);
    const metadata = this.metadata(principal, options);
    const duplicates = await this.claimAll([identity], customerId, metadata, options.force ?? false);
    const r = await this.run(principal, customerId, { type: 'AddIdentity', data: { customerId, identity } }, options);
    return { id: customerId, revision: (await this.suspect(principal, customerId, duplicates, options)) ?? r.revision };
  }

  async removeIdentity(principal: Principal, customerId: string, identity: Identity, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.run(principal, customerId, { type: 'RemoveIdentity', data: { customerId, identity } }, options);
    // After the customer gave it up: if this fails, the claim is stale and counts as free anyway.
    if (r.events.length > 0) await this.claims.release(identity, customerId, this.metadata(principal, options));
    return { id: customerId, revision: r.revision };
  }

  async changeJourneyStage(
    principal: Principal,
    customerId: string,
    change: { to: JourneyStage; reason?: string; source?: ChangeSource },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    return this.run(
      principal,
      customerId,
      { type: 'ChangeJourneyStage', data: { customerId, source: 'manual', ...change, changedAt: this.settings.clock.now().toISOString() } },
      options,
    );
  }

  async changeRelationshipPhase(
    principal: Principal,
    customerId: string,
    change: { to: RelationshipPhase; reason?: string; source?: ChangeSource },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    return this.run(
      principal,
      customerId,
      { type: 'ChangeRelationshipPhase', data: { customerId, source: 'manual', ...change, changedAt: this.settings.clock.now().toISOString() } },
      options,
    );
  }

  /**
   * Analytics' command (issue 11 §4): where its rules put the customer, decided on the stage and phase
   * this command loads (`derive` gets them), recorded as `source: derived` with the rule that fired,
   * by the system actor `analytics-journey`. The decider drops what the automation may not do (a
   * stage backwards, over a person's change within MANUAL_CHANGE_HOLD_DAYS, out of dissolution other
   * than to awareness); a repeat of the same derivation finds it done and appends nothing. A merged
   * customer appends nothing (its survivor is derived). 404 for an unknown customer.
   */
  async applyDerivedJourney(
    customerId: string,
    derive: (current: { journeyStage: JourneyStage; relationshipPhase: RelationshipPhase }) => {
      stage?: DerivedMove<JourneyStage>;
      phase?: DerivedMove<RelationshipPhase>;
    },
    options: Pick<CommandOptions, 'correlationId'> = {},
  ): Promise<{ events: CustomerEvent[] }> {
    const at = this.settings.clock.now().toISOString();
    const r = await this.handler.handle(
      customerStream(customerId),
      (state): CustomerCommand => ({ type: 'ApplyDerivedJourney', data: { customerId, at, ...(state && !state.mergedInto ? derive(state) : {}) } }),
      { correlationId: correlationIdFor(options.correlationId), actor: ANALYTICS_JOURNEY_ACTOR, occurredAt: at, visibility: COMPANY_WIDE_VISIBILITY },
      {
        check: (state) => {
          if (!state) throw new NotFoundError(`customer ${customerId} not found`);
        },
      },
    );
    return { events: r.events };
  }

  /**
   * Merges `duplicateId` into `survivorId`: one event on the duplicate's stream, no history rewritten.
   * From then on the duplicate is read and written as the survivor. 404 for an unknown duplicate.
   */
  async merge(principal: Principal, survivorId: string, duplicateId: string, options: CommandOptions & { mergeId?: string } = {}): Promise<CommandResult> {
    const mergeId = options.mergeId ?? randomUUID();
    const survivor = await this.get(survivorId);
    const r = await this.handler.handle(
      customerStream(duplicateId),
      {
        type: 'MergeCustomer',
        data: { customerId: duplicateId, survivorId, mergeId },
        survivor: { exists: survivor !== undefined, mergedInto: survivor?.mergedInto?.survivorId },
      },
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
        check: (state) => {
          if (!state) throw new NotFoundError(`customer ${duplicateId} not found`);
        },
      },
    );
    return { id: mergeId, revision: r.revision };
  }

  /** Undoes merge `mergeId` of `duplicateId`: both customers are back, each with what was recorded on it. */
  async unmerge(principal: Principal, duplicateId: string, mergeId: string, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      customerStream(duplicateId),
      { type: 'UnmergeCustomer', data: { customerId: duplicateId, mergeId } },
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
        check: (state) => {
          if (state?.mergedInto?.mergeId !== mergeId) throw new NotFoundError(`merge ${mergeId} is not in force`);
        },
      },
    );
    return { id: mergeId, revision: r.revision };
  }

  /**
   * Erases the customer's personal data (crypto-shredding, docs/customer-data.md "Erasure"). A merged
   * id is erased as its survivor; `mergedCustomerIds` (the customers merged into it, from the
   * merges read model) are erased with it. Order, and why: the identities are released (so the next
   * registration with them is not refused in the name of an erased customer), then the keys are
   * destroyed — the erasure itself, which must not depend on the recording — then each customer
   * records it. A retry after a failure finds the keys gone and records what is missing.
   */
  async erasePersonalData(
    principal: Principal,
    id: string,
    mergedCustomerIds: readonly string[],
    options: CommandOptions = {},
  ): Promise<CommandResult & { erased: string[]; keysDestroyed: number }> {
    const erasure = this.settings.erasure;
    if (!erasure) throw new Error('personal data erasure is not configured (CommandSettings.erasure)');
    const customerId = await this.resolve(id);
    if (!customerId) throw new NotFoundError(`customer ${id} not found`);
    const survivor = await this.handler.load(customerStream(customerId));
    // Judged on the survivor as every other change: a stale If-Match is a 412 before anything is done.
    assertExpectedRevision(customerStream(customerId), options.expectedRevision, survivor.revision);
    const merged = [...new Set(mergedCustomerIds)].filter((m) => m !== customerId);
    const subjects = [customerId, ...merged];
    const metadata = this.metadata(principal, options);
    for (const subject of subjects) {
      const state = subject === customerId ? survivor.state : await this.get(subject);
      for (const identity of state?.identities ?? []) await this.claims.release(identity, subject, metadata);
    }
    const keysDestroyed = await erasure.erase(subjects);
    const erasedAt = this.settings.clock.now().toISOString();
    for (const m of merged) {
      await this.handler.handle(customerStream(m), { type: 'ErasePersonalData', data: { customerId: m, erasedAt } }, metadata, {
        check: (state) => {
          if (!state) throw new NotFoundError(`customer ${m} not found`);
        },
      });
    }
    const r = await this.handler.handle(
      customerStream(customerId),
      { type: 'ErasePersonalData', data: { customerId, erasedAt, ...(merged.length > 0 && { mergedCustomerIds: merged }) } },
      metadata,
      { expectedRevision: options.expectedRevision },
    );
    return { id: customerId, revision: r.revision, erased: subjects, keysDestroyed };
  }

  /** The live customer an id is now written as: itself, or the survivor of its merge (chains followed); undefined if unknown. */
  async resolve(customerId: string): Promise<string | undefined> {
    let id = customerId;
    for (let depth = 0; depth < 50; depth++) {
      const state = await this.get(id);
      if (!state) return undefined;
      if (!state.mergedInto) return id;
      id = state.mergedInto.survivorId;
    }
    return undefined;
  }

  async get(customerId: string): Promise<CustomerState> {
    return (await this.handler.load(customerStream(customerId))).state;
  }

  async exists(customerId: string): Promise<boolean> {
    return (await this.get(customerId)) !== undefined;
  }

  /** The live customer that holds `identity`, if any (for lookups before a registration). */
  holderOf(identity: Identity): Promise<string | undefined> {
    return this.claims.holderOf(identity);
  }

  /** A change of an existing customer: 404 for one that does not exist, then If-Match, then the rules. */
  private async run(
    principal: Principal,
    customerId: string,
    command: CustomerCommand,
    options: CommandOptions,
    check?: (state: CustomerState) => void,
  ): Promise<CommandResult & { events: unknown[] }> {
    try {
      const r = await this.handler.handle(customerStream(customerId), command, this.metadata(principal, options), {
        expectedRevision: options.expectedRevision,
        check: (state) => {
          if (!state) throw new NotFoundError(`customer ${customerId} not found`);
          // Written as its survivor: found on the state this command loaded, so a live customer costs nothing more.
          if (state.mergedInto) throw new MergedInto(state.mergedInto.survivorId);
          check?.(state);
        },
      });
      return { id: customerId, revision: r.revision, events: r.events };
    } catch (error) {
      if (!(error instanceof MergedInto)) throw error;
      // The client's If-Match was about the merged record: not a revision of the survivor.
      const survivor = error.survivorId;
      const retarget = { ...command, data: { ...command.data, customerId: survivor } } as CustomerCommand;
      return this.run(principal, survivor, retarget, { ...options, expectedRevision: undefined }, check);
    }
  }

  /** Claims each identity; with `force`, one held by another customer is left to it and returned. */
  private async claimAll(
    identities: readonly Identity[],
    customerId: string,
    metadata: ReturnType<CustomerCommands['metadata']>,
    force: boolean,
  ): Promise<{ otherCustomerId: string; identity: Identity }[]> {
    const duplicates: { otherCustomerId: string; identity: Identity }[] = [];
    for (const identity of identities) {
      try {
        await this.claims.claim(identity, customerId, metadata);
      } catch (error) {
        const holderId =
          (error as { name?: string; details?: { holderId?: string } }).name === 'ConflictError'
            ? (error as { details: { holderId: string } }).details.holderId
            : undefined;
        if (!force || !holderId) throw error;
        duplicates.push({ otherCustomerId: holderId, identity });
      }
    }
    return duplicates;
  }

  private async suspect(
    principal: Principal,
    customerId: string,
    duplicates: { otherCustomerId: string; identity: Identity }[],
    options: CommandOptions,
  ): Promise<bigint | undefined> {
    let revision: bigint | undefined;
    for (const d of duplicates) {
      const r = await this.handler.handle(
        customerStream(customerId),
        {
          type: 'SuspectDuplicate',
          data: { customerId, otherCustomerId: d.otherCustomerId, reason: `shares an identity (${d.identity.kind}) with ${d.otherCustomerId}` },
        },
        this.metadata(principal, options),
      );
      revision = r.revision;
    }
    return revision;
  }

  /** The proposed parent and its ancestors, nearest first, read from the store. */
  private async parentCandidate(parentId: string): Promise<ParentCandidate | undefined> {
    const parent = await this.get(parentId);
    if (!parent) return undefined;
    const ancestors: string[] = [];
    for (let next = parent.parentId; next && ancestors.length < MAX_HIERARCHY_DEPTH; next = (await this.get(next))?.parentId) {
      if (ancestors.includes(next)) break; // an old cycle in the data: stop walking, the rule still sees it
      ancestors.push(next);
    }
    return { id: parent.customerId, kind: parent.kind, ancestors };
  }

  private metadata(principal: Principal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }
}

export type { Contact };

/** Thrown inside a command's access check to send it to the survivor of a merged customer. */
class MergedInto extends Error {
  constructor(readonly survivorId: string) {
    super(`merged into ${survivorId}`);
  }
}
