import {
  campaignDecider,
  campaignStream,
  campaignTriggerDecider,
  campaignTriggerStream,
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
  type CampaignTriggerCommand,
  type CampaignTriggerEvent,
  type CampaignTriggerState,
} from '@crm/campaigns';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { uuidV5, type Clock } from '@crm/kernel';
import { COMPANY_ONLY, DISPATCHER_ACTOR } from './campaign-commands';
import type { CampaignDirectory, PendingFiring } from './campaign-directory';

/** Fixed for good: the id of a firing's decision is derived from the firing, so it is stored once. */
const OFFER_NAMESPACE = '3a8f1c52-7e64-4d0b-9b1e-5c2d4f6a8e70';

export type FiringOutcome = { admitted: true } | { admitted: false; reason: string } | { decidedBefore: true };

/**
 * A trigger firing's offer (issue 13 §4), the one way to command it: load the campaign the rule
 * names (read only: the firing never changes the campaign), load the firing's own stream
 * `campaigntrigger-<firingId>`, decide — admit the customer as a recipient, or skip with the reason —
 * and append under an event id derived from the firing, expecting the revision read (no stream).
 * A repeat (a restart, a second dispatcher) finds the decision and records nothing.
 */
export class CampaignTriggerOffers {
  /** Only loads: the firing never changes the campaign. */
  private readonly campaigns: CommandHandler<CampaignState, CampaignCommand, CampaignEvent>;
  private readonly offers: CommandHandler<CampaignTriggerState, CampaignTriggerCommand, CampaignTriggerEvent>;

  constructor(
    store: EventStore,
    private readonly directory: CampaignDirectory,
    private readonly clock: Clock,
    private readonly logger?: { log?(message: string): void; warn(message: string): void },
  ) {
    this.campaigns = new CommandHandler(store, campaignDecider);
    this.offers = new CommandHandler(store, campaignTriggerDecider, { retries: 2 });
  }

  async decide(firing: PendingFiring): Promise<FiringOutcome> {
    const campaignId = firing.action.campaignId.toLowerCase();
    const { state: campaign } = await this.campaigns.load(campaignStream(campaignId));
    const at = this.clock.now().toISOString();
    const r = await this.offers.handle(
      campaignTriggerStream(firing.eventId),
      {
        type: 'AdmitTriggeredRecipient',
        data: {
          campaignId: campaign.campaignId ?? firing.action.campaignId,
          customerId: firing.customerId,
          firingId: firing.eventId,
          ruleId: firing.ruleId,
          ruleRevision: firing.ruleRevision,
          ...(firing.action.stepId !== undefined && { stepId: firing.action.stepId }),
          firedAt: firing.firedAt,
          at,
        },
        campaign,
      },
      { correlationId: firing.eventId, causationId: firing.eventId, actor: DISPATCHER_ACTOR, occurredAt: at, visibility: COMPANY_ONLY },
      { eventId: (e) => uuidV5(`firing/${firing.eventId.toLowerCase()}/${e.type}`, OFFER_NAMESPACE) },
    );
    const [event] = r.events as CampaignTriggerEvent[];
    if (!event) {
      this.directory.noteFiringDecided(firing.eventId);
      return { decidedBefore: true };
    }
    if (event.type === 'CampaignRecipientTriggered') {
      this.directory.noteFiringDecided(firing.eventId, event.data);
      return { admitted: true };
    }
    this.directory.noteFiringDecided(firing.eventId);
    this.logger?.warn(
      `trigger firing ${firing.eventId} (rule ${firing.ruleId}, customer ${firing.customerId}) skipped for campaign ${firing.action.campaignId}: ${event.data.reason}`,
    );
    return { admitted: false, reason: event.data.reason };
  }
}
