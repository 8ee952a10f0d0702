import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { episodeDecider, episodeStream, NotFoundError, type EpisodeOwner, type EpisodeState, type EpisodeType, type SalesStage } from '@crm/relationship';
import type { Principal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';
import type { CloseEpisodeDto, OpenEpisodeDto, RecordInteractionDto } from '../dto';
import type { PartnerAccess } from '../partners/partner-commands';

export interface EpisodeCommandOptions extends CommandOptions {
  /** The route's kind of episode (`/opportunities/…` changes only opportunities): any other answers 404. */
  episodeType?: EpisodeType;
}

/**
 * The episode aggregate's commands, for departments and partners alike. Each loads the episode once,
 * checks on that state that the caller may change it (a partner only its own episodes, on customers
 * still shared with it; staff only the company's), judges If-Match, decides, appends.
 */
export class EpisodeCommands {
  constructor(
    private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    private readonly partnerAccess: PartnerAccess,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, episodeDecider, { retries: this.settings.retries });

  async open(
    principal: Principal,
    episodeType: EpisodeType,
    dto: OpenEpisodeDto & { campaignId?: string },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const episodeId = dto.episodeId ?? randomUUID();
    const owner: EpisodeOwner =
      principal.kind === 'partner' ? { kind: 'partner', partnerId: principal.partnerId } : { kind: 'department', department: principal.department };
    if (principal.kind === 'partner') await this.partnerAccess.assertShared(principal, dto.customerId);
    // A merged customer is written as its survivor (which a partner must have been given too).
    const resolved = await this.customers.resolve(dto.customerId);
    const customerId = resolved ?? dto.customerId;
    if (principal.kind === 'partner' && customerId !== dto.customerId) await this.partnerAccess.assertShared(principal, customerId);
    const customerExists = resolved !== undefined;
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'OpenEpisode',
        customerExists,
        data: {
          episodeId,
          customerId,
          name: dto.name,
          episodeType,
          owner,
          openedAt: dto.openedAt ?? this.now(),
          expectedValue: dto.expectedValue,
          currency: dto.currency,
          channel: dto.channel,
          campaignId: dto.campaignId,
        },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: episodeId, revision: r.revision };
  }

  async recordInteraction(principal: Principal, episodeId: string, dto: RecordInteractionDto, options: EpisodeCommandOptions = {}): Promise<CommandResult> {
    const interactionId = dto.interactionId ?? randomUUID();
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'RecordInteraction',
        by: principal.kind === 'partner' ? { kind: 'partner', partnerId: principal.partnerId } : { kind: 'department', department: principal.department },
        data: {
          episodeId,
          interaction: {
            interactionId,
            channel: dto.channel,
            direction: dto.direction,
            actor: { kind: dto.actorKind ?? (principal.kind === 'partner' ? 'partner-user' : 'staff'), id: dto.actorId ?? principal.subject },
            action: dto.action,
            response: dto.response,
            occurredAt: dto.occurredAt ?? this.now(),
          },
        },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, episodeId, state, options.episodeType) },
    );
    return { id: interactionId, revision: r.revision };
  }

  async advanceStage(principal: Principal, episodeId: string, stage: SalesStage, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      episodeStream(episodeId),
      { type: 'AdvanceStage', data: { episodeId, to: stage, advancedAt: this.now() } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, episodeId, state, 'opportunity') },
    );
    return { id: episodeId, revision: r.revision };
  }

  async close(principal: Principal, episodeId: string, dto: CloseEpisodeDto, options: EpisodeCommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'CloseEpisode',
        data: { episodeId, outcome: dto.outcome, value: dto.value, currency: dto.currency, reason: dto.reason, closedAt: dto.closedAt ?? this.now() },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, episodeId, state, options.episodeType) },
    );
    return { id: episodeId, revision: r.revision };
  }

  /** A partner changes only its own episodes, staff only the company's; anything else reads as missing. */
  private async mayChange(principal: Principal, episodeId: string, state: EpisodeState, episodeType?: EpisodeType): Promise<void> {
    const visible =
      state &&
      (!episodeType || state.episodeType === episodeType) &&
      (principal.kind === 'partner' ? state.owner.kind === 'partner' && state.owner.partnerId === principal.partnerId : state.owner.kind === 'department');
    // Someone else's episode answers exactly like a missing one: its existence is not disclosed.
    if (!visible) throw new NotFoundError(`episode ${episodeId} not found`);
    // A partner keeps writing on its own episode only while the customer is still shared with it.
    if (principal.kind === 'partner') {
      try {
        await this.partnerAccess.assertShared(principal, state.customerId);
      } catch (error) {
        if ((error as Error).name === 'NotFoundError') throw new NotFoundError(`episode ${episodeId} not found`);
        throw error;
      }
    }
  }

  private metadata(principal: Principal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
