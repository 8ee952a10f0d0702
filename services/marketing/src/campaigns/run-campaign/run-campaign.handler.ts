import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainRuleViolation, EpisodeCommands, NotFoundError } from '@crm/relationship-api';
import type { Principal } from '@crm/service-kit';
import { campaignEpisodeId, campaignTouchId } from '../campaign-ids';
import type { CampaignRejection, CampaignResult, CampaignTouch, RunCampaignDto } from '../campaigns.dto';

const CONCURRENCY = 8;

/**
 * A campaign touches each targeted customer once: it opens the customer's campaign episode and
 * records one outbound interaction on it. Ids are derived from campaign and customer, so a retried
 * request (after a timeout, or a crash half-way) completes what is missing and duplicates nothing.
 * One customer that cannot be touched does not stop the others: it is reported with its reason.
 * A concurrent retry of the same campaign may win a race on a customer's episode: the episode
 * commands' own retries then find the work done (opening again breaks `episode-exists`, recording
 * the same interaction id again changes nothing).
 */
@Injectable()
export class RunCampaignHandler {
  constructor(private readonly episodes: EpisodeCommands) {}

  async handle(principal: Principal, dto: RunCampaignDto, correlationId?: string): Promise<CampaignResult> {
    const campaignId = dto.campaignId ?? randomUUID();
    const correlation = correlationId ?? randomUUID();
    // Customers are independent streams: a few at a time keeps a large target group within an
    // HTTP timeout without flooding the store's connection pool. Results keep the request's order.
    const results: (CampaignTouch | CampaignRejection)[] = new Array(dto.customerIds.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < dto.customerIds.length; i = next++) results[i] = await this.touch(principal, dto, campaignId, dto.customerIds[i], correlation);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, dto.customerIds.length) }, worker));
    return {
      campaignId,
      touched: results.filter((r): r is CampaignTouch => !('reason' in r)),
      rejected: results.filter((r): r is CampaignRejection => 'reason' in r),
    };
  }

  private async touch(
    principal: Principal,
    dto: RunCampaignDto,
    campaignId: string,
    customerId: string,
    correlationId: string,
  ): Promise<CampaignTouch | CampaignRejection> {
    const episodeId = campaignEpisodeId(campaignId, customerId);
    const interactionId = campaignTouchId(campaignId, customerId);
    try {
      await this.openUnlessOpen(principal, { episodeId, customerId, name: dto.name, channel: dto.channel, campaignId }, correlationId);
      await this.episodes.recordInteraction(
        principal,
        episodeId,
        { interactionId, channel: dto.channel, direction: 'outbound', action: dto.action },
        { episodeType: 'campaign', correlationId },
      );
      return { customerId, episodeId, interactionId };
    } catch (e) {
      if (e instanceof DomainRuleViolation) return { customerId, reason: e.rule, detail: e.message };
      // Only if the derived id is taken by an episode that is not this campaign's.
      if (e instanceof NotFoundError) return { customerId, reason: 'episode-not-a-campaign', detail: e.message };
      throw e;
    }
  }

  private async openUnlessOpen(
    principal: Principal,
    episode: { episodeId: string; customerId: string; name: string; channel: RunCampaignDto['channel']; campaignId: string },
    correlationId: string,
  ): Promise<void> {
    try {
      await this.episodes.open(principal, 'campaign', episode, { correlationId });
    } catch (e) {
      if (e instanceof DomainRuleViolation && e.rule === 'episode-exists') return;
      throw e;
    }
  }
}
