import { Logger, type Provider } from '@nestjs/common';
import type { MarketingTriggerFiredData } from '@crm/marketing-triggers';

/** A firing as the action receives it: the recorded `MarketingTriggerFired` and its event id. */
export interface TriggerFiring extends MarketingTriggerFiredData {
  eventId: string;
}

/**
 * A hook called when a firing is recorded (issue 13 §4): the rule's action names a campaign (and
 * step) whose offer the customer should get. The offer itself does NOT go through here: the
 * campaign dispatcher follows `MarketingTriggerFired` events (recorded exactly once) and admits the
 * customer to the triggered campaign (campaigns/campaign-trigger-offers.ts). This call is not
 * crash-safe — it is made once, by the timer whose append recorded the firing, and a crash between
 * the two loses the call, not the record — so the default only logs.
 */
export interface TriggerActions {
  offer(firing: TriggerFiring): Promise<void>;
}

export const TRIGGER_ACTIONS = Symbol('TRIGGER_ACTIONS');

/** The default action: a log line per firing. */
export class LoggingTriggerActions implements TriggerActions {
  private readonly logger = new Logger('TriggerActions');
  async offer(firing: TriggerFiring): Promise<void> {
    this.logger.log(
      `rule ${firing.ruleId} (revision ${firing.ruleRevision}) fired for customer ${firing.customerId}: offer of campaign ${firing.action.campaignId}${firing.action.stepId ? ` step ${firing.action.stepId}` : ''}`,
    );
  }
}

export const triggerActionsProvider: Provider = { provide: TRIGGER_ACTIONS, useClass: LoggingTriggerActions };
