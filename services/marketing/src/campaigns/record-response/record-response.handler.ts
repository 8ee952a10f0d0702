import { Injectable } from '@nestjs/common';
import { EpisodeCommands, NotFoundError, type CommandOptions, type CommandResult } from '@crm/relationship-api';
import type { Principal } from '@crm/service-kit';
import { campaignEpisodeId } from '../campaign-ids';
import type { RecordCampaignResponseDto } from '../campaigns.dto';

/** A customer's response to a campaign: an inbound interaction, by the customer, on its campaign episode. */
@Injectable()
export class RecordCampaignResponseHandler {
  constructor(private readonly episodes: EpisodeCommands) {}

  async handle(
    principal: Principal,
    campaignId: string,
    dto: RecordCampaignResponseDto,
    options: CommandOptions = {},
  ): Promise<CommandResult & { episodeId: string; appended: boolean }> {
    const episodeId = campaignEpisodeId(campaignId, dto.customerId);
    try {
      const r = await this.episodes.recordInteraction(
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
