import { randomUUID } from 'node:crypto';
import { handleCommand, loadState, type EventMetadata, type EventStore, type ExpectedRevision, type Visibility } from '@crm/event-store';
import {
  customerStream,
  decideCustomer,
  decideEpisode,
  decidePartner,
  episodeStream,
  evolveCustomer,
  evolveEpisode,
  evolvePartner,
  NotFoundError,
  partnerStream,
  DomainRuleViolation,
  type CustomerState,
  type EpisodeOwner,
  type EpisodeState,
  type EpisodeType,
  type PartnerKind,
  type PartnerState,
  type SalesStage,
} from '@crm/relationship';
import type { Principal } from '@crm/service-kit';
import { actorFromPrincipal } from '@crm/service-kit';
import type { CloseEpisodeDto, OpenEpisodeDto, RecordInteractionDto, RegisterCustomerDto } from './dto';

const customerDecider = { evolve: evolveCustomer, decide: decideCustomer, initialState: undefined as CustomerState };
const episodeDecider = { evolve: evolveEpisode, decide: decideEpisode, initialState: undefined as EpisodeState };
const partnerDecider = { evolve: evolvePartner, decide: decidePartner, initialState: undefined as PartnerState };

export interface CommandResult {
  id: string;
  /** Stream revision after the command: the ETag for If-Match on the next change. */
  revision: bigint | undefined;
}

/**
 * The write side every customer-facing service shares: each request is one command on one
 * aggregate, appended to the event store and nothing else. Who acted and who may see it are taken
 * from the caller: a department's episodes are visible to every partner the customer is shared
 * with, a partner's own episodes only to that partner (and the company).
 */
export class RelationshipCommands {
  constructor(private readonly store: EventStore) {}

  private metadata(principal: Principal, correlationId: string | undefined, visibility: Visibility): Omit<EventMetadata, 'causationId'> {
    return { correlationId: correlationId ?? randomUUID(), actor: actorFromPrincipal(principal), occurredAt: new Date().toISOString(), visibility };
  }

  private visibilityFor(principal: Principal): Visibility {
    return principal.kind === 'partner' ? { departments: '*', partners: [principal.partnerId] } : { departments: '*', partners: 'shared' };
  }

  async customerExists(customerId: string): Promise<boolean> {
    return (await loadState(this.store, customerStream(customerId), customerDecider)).state !== undefined;
  }

  async registerCustomer(principal: Principal, dto: RegisterCustomerDto, correlationId?: string): Promise<CommandResult> {
    const customerId = dto.customerId ?? randomUUID();
    const r = await handleCommand(
      this.store,
      customerStream(customerId),
      customerDecider,
      {
        type: 'RegisterCustomer',
        data: {
          customerId,
          kind: dto.kind,
          name: dto.name,
          contacts: (dto.contacts ?? []).map((c) => ({ ...c, contactId: c.contactId ?? randomUUID() })),
          identities: dto.identities ?? [],
          journeyStage: dto.journeyStage ?? 'prospect',
          relationshipPhase: dto.relationshipPhase ?? 'awareness',
          registeredBy: principal.kind === 'staff' ? principal.department : 'partner',
        },
      },
      this.metadata(principal, correlationId, this.visibilityFor(principal)),
    );
    return { id: customerId, revision: r.revision };
  }

  async openEpisode(principal: Principal, episodeType: EpisodeType, dto: OpenEpisodeDto & { campaignId?: string }, correlationId?: string): Promise<CommandResult> {
    const episodeId = dto.episodeId ?? randomUUID();
    const owner: EpisodeOwner = principal.kind === 'partner' ? { kind: 'partner', partnerId: principal.partnerId } : { kind: 'department', department: principal.department };
    if (principal.kind === 'partner') await this.assertShared(principal.partnerId, dto.customerId);
    const customerExists = await this.customerExists(dto.customerId);
    const r = await handleCommand(
      this.store,
      episodeStream(episodeId),
      episodeDecider,
      {
        type: 'OpenEpisode',
        customerExists,
        data: {
          episodeId,
          customerId: dto.customerId,
          name: dto.name,
          episodeType,
          owner,
          openedAt: dto.openedAt ?? new Date().toISOString(),
          expectedValue: dto.expectedValue,
          currency: dto.currency,
          channel: dto.channel,
          campaignId: dto.campaignId,
        },
      },
      this.metadata(principal, correlationId, this.visibilityFor(principal)),
    );
    return { id: episodeId, revision: r.revision };
  }

  /** Whether the caller may change the loaded episode: a partner only its own, staff only the company's. */
  private mayChange(principal: Principal, episodeId: string, episodeType?: EpisodeType): (state: EpisodeState) => Promise<void> {
    return async (state) => {
      const visible =
        state &&
        (!episodeType || state.episodeType === episodeType) &&
        (principal.kind === 'partner' ? state.owner.kind === 'partner' && state.owner.partnerId === principal.partnerId : state.owner.kind === 'department');
      // Someone else's episode answers exactly like a missing one: its existence is not disclosed.
      if (!visible) throw new NotFoundError(`episode ${episodeId} not found`);
      // A partner keeps writing on its own episode only while the customer is still shared with it.
      if (principal.kind === 'partner') await this.assertShared(principal.partnerId, state.customerId);
    };
  }

  /** Checked against the partner aggregate (the store itself), so a revoke holds from the next request. */
  private async assertShared(partnerId: string, customerId: string): Promise<void> {
    const partner = await this.partner(partnerId);
    if (!partner?.sharedCustomerIds.includes(customerId)) throw new NotFoundError(`customer ${customerId} not found`);
  }

  async recordInteraction(principal: Principal, episodeId: string, dto: RecordInteractionDto, options: { episodeType?: EpisodeType; expectedRevision?: ExpectedRevision; correlationId?: string } = {}): Promise<CommandResult> {
    const interactionId = dto.interactionId ?? randomUUID();
    const r = await handleCommand(
      this.store,
      episodeStream(episodeId),
      episodeDecider,
      {
        type: 'RecordInteraction',
        data: {
          episodeId,
          interaction: {
            interactionId,
            channel: dto.channel,
            direction: dto.direction,
            actor: { kind: dto.actorKind ?? (principal.kind === 'partner' ? 'partner-user' : 'staff'), id: dto.actorId ?? principal.subject },
            action: dto.action,
            response: dto.response,
            occurredAt: dto.occurredAt ?? new Date().toISOString(),
          },
        },
      },
      this.metadata(principal, options.correlationId, this.visibilityFor(principal)),
      { expectedRevision: options.expectedRevision, check: this.mayChange(principal, episodeId, options.episodeType) },
    );
    return { id: interactionId, revision: r.revision };
  }

  async advanceStage(principal: Principal, episodeId: string, stage: SalesStage, options: { expectedRevision?: ExpectedRevision; correlationId?: string } = {}): Promise<CommandResult> {
    const r = await handleCommand(
      this.store,
      episodeStream(episodeId),
      episodeDecider,
      { type: 'AdvanceStage', data: { episodeId, to: stage, advancedAt: new Date().toISOString() } },
      this.metadata(principal, options.correlationId, this.visibilityFor(principal)),
      { expectedRevision: options.expectedRevision, check: this.mayChange(principal, episodeId, 'opportunity') },
    );
    return { id: episodeId, revision: r.revision };
  }

  async closeEpisode(principal: Principal, episodeId: string, dto: CloseEpisodeDto, options: { episodeType?: EpisodeType; expectedRevision?: ExpectedRevision; correlationId?: string } = {}): Promise<CommandResult> {
    const r = await handleCommand(
      this.store,
      episodeStream(episodeId),
      episodeDecider,
      { type: 'CloseEpisode', data: { episodeId, outcome: dto.outcome, value: dto.value, currency: dto.currency, reason: dto.reason, closedAt: dto.closedAt ?? new Date().toISOString() } },
      this.metadata(principal, options.correlationId, this.visibilityFor(principal)),
      { expectedRevision: options.expectedRevision, check: this.mayChange(principal, episodeId, options.episodeType) },
    );
    return { id: episodeId, revision: r.revision };
  }

  async registerPartner(principal: Principal, data: { partnerId?: string; name: string; partnerKind: PartnerKind }): Promise<CommandResult> {
    const partnerId = data.partnerId ?? randomUUID();
    const r = await handleCommand(
      this.store,
      partnerStream(partnerId),
      partnerDecider,
      { type: 'RegisterPartner', data: { partnerId, name: data.name, partnerKind: data.partnerKind } },
      this.metadata(principal, undefined, { departments: '*', partners: [partnerId] }),
    );
    return { id: partnerId, revision: r.revision };
  }

  async issueCredential(principal: Principal, partnerId: string, clientId: string, secretHash: string): Promise<void> {
    await handleCommand(
      this.store,
      partnerStream(partnerId),
      partnerDecider,
      { type: 'IssueCredential', data: { partnerId, clientId, secretHash, issuedAt: new Date().toISOString() } },
      this.metadata(principal, undefined, { departments: ['management'], partners: [] }),
    );
  }

  async shareCustomer(principal: Principal, partnerId: string, customerId: string, share: boolean): Promise<void> {
    const at = new Date().toISOString();
    await handleCommand(
      this.store,
      partnerStream(partnerId),
      partnerDecider,
      share
        ? { type: 'ShareCustomer', data: { partnerId, customerId, sharedAt: at, sharedBy: principal.subject }, customerExists: await this.customerExists(customerId) }
        : { type: 'RevokeShare', data: { partnerId, customerId, revokedAt: at, revokedBy: principal.subject } },
      this.metadata(principal, undefined, { departments: '*', partners: [partnerId] }),
    );
  }

  async partner(partnerId: string): Promise<PartnerState> {
    return (await loadState(this.store, partnerStream(partnerId), partnerDecider)).state;
  }
}

export { DomainRuleViolation, NotFoundError };
