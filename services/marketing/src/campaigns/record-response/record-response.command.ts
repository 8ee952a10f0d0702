import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ExpectedRevision } from '@crm/event-store';
import { NotFoundError, RelationshipCommands, type CommandResult } from '@crm/relationship-api';
import type { Principal } from '@crm/service-kit';
import { campaignEpisodeId } from '../campaign-ids';
import type { RecordCampaignResponseDto } from '../campaigns.dto';

export class RecordCampaignResponseCommand {
  constructor(
    readonly principal: Principal,
    readonly campaignId: string,
    readonly dto: RecordCampaignResponseDto,
    readonly options: { expectedRevision?: ExpectedRevision; correlationId?: string } = {},
  ) {}
}

/** A customer's response to a campaign: an inbound interaction, by the customer, on its campaign episode. */
@CommandHandler(RecordCampaignResponseCommand)
export class RecordCampaignResponseHandler implements ICommandHandler<RecordCampaignResponseCommand, CommandResult & { episodeId: string }> {
  constructor(private readonly commands: RelationshipCommands) {}

  async execute({ principal, campaignId, dto, options }: RecordCampaignResponseCommand): Promise<CommandResult & { episodeId: string }> {
    const episodeId = campaignEpisodeId(campaignId, dto.customerId);
    try {
      const r = await this.commands.recordInteraction(
        principal,
        episodeId,
        {
          interactionId: dto.interactionId,
          channel: dto.channel,
          direction: 'inbound',
          action: dto.action ?? 'responded to the campaign',
          response: dto.response,
          actorKind: 'customer',
          actorId: dto.customerId,
          occurredAt: dto.occurredAt,
        },
        { episodeType: 'campaign', ...options },
      );
      return { ...r, episodeId };
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(`campaign ${campaignId} did not target customer ${dto.customerId}`);
      throw e;
    }
  }
}
