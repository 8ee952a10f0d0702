import { Inject, Injectable } from '@nestjs/common';
import { campaignStatistics, type CampaignStatistics, type ConfidenceLevel, type MessageFacts, type RecipientFacts } from '@crm/campaign-statistics';
import { NotFoundError, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CampaignStatsCampaignRow, CampaignStatsConversionRow, CampaignStatsMessageRow, CampaignStatsRecipientRow } from './campaign-statistics.entities';

export interface CampaignStatisticsView extends CampaignStatistics {
  campaignId: string;
  name: string;
  /** Cost and revenue are integer minor units of this currency (the campaign's cost currency). */
  currency: string;
  startedAt: string | null;
  closedAt: string | null;
  attributionWindowDays: number;
  /** Orders within the window in another currency: counted as conversions, not as revenue. */
  conversionsInOtherCurrencies: number;
}

/** Messages the channel took (sent, or bounced after it) cost their price; suppressed and pending ones cost nothing yet. */
const COSTS = new Set(['sent', 'bounced']);

@Injectable()
export class CampaignStatisticsQueries {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelRunners) {}

  async statistics(campaignId: string, confidence: ConfidenceLevel): Promise<CampaignStatisticsView> {
    const m = this.readModels.dataSource.manager;
    const campaign = await m.getRepository(CampaignStatsCampaignRow).findOneBy({ campaignId });
    if (!campaign) throw new NotFoundError(`campaign ${campaignId} not found`);
    const [recipients, messages, conversions] = await Promise.all([
      m.getRepository(CampaignStatsRecipientRow).find({ where: { campaignId }, order: { customerId: 'ASC' } }),
      m.getRepository(CampaignStatsMessageRow).find({ where: { campaignId }, order: { customerId: 'ASC', stepId: 'ASC' } }),
      m.getRepository(CampaignStatsConversionRow).find({ where: { campaignId, cancelled: false }, order: { orderId: 'ASC' } }),
    ]);
    const facts = new Map<string, RecipientFacts>(
      recipients.map((r) => [r.customerId, { customerId: r.customerId, control: r.control, messages: [], conversions: [] }]),
    );
    for (const msg of messages) {
      const recipient = facts.get(msg.customerId);
      // A message of someone not (yet) seen in the frozen audience cannot be placed in a group.
      if (!recipient || recipient.control) continue;
      recipient.messages.push({
        stepId: msg.stepId,
        variantId: msg.variantId ?? 'unassigned',
        status: msg.status as MessageFacts['status'],
        ...(msg.reason && msg.status === 'suppressed' && { suppressedBecause: msg.reason }),
        opened: msg.opened,
        clicked: msg.clicked,
        responded: msg.responded,
        cost: COSTS.has(msg.status) ? campaign.costPerMessage : 0,
      });
    }
    let conversionsInOtherCurrencies = 0;
    for (const c of conversions) {
      const recipient = facts.get(c.customerId);
      if (!recipient) continue;
      if (c.currency !== campaign.currency) conversionsInOtherCurrencies += 1;
      recipient.conversions.push({ orderId: c.orderId, revenue: c.currency === campaign.currency ? c.revenue : 0 });
    }
    return {
      campaignId,
      name: campaign.name,
      currency: campaign.currency,
      startedAt: campaign.startedAt?.toISOString() ?? null,
      closedAt: campaign.closedAt?.toISOString() ?? null,
      attributionWindowDays: campaign.attributionWindowDays,
      conversionsInOtherCurrencies,
      ...campaignStatistics([...facts.values()], confidence),
    };
  }
}
