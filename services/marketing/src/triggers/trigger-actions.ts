import { Logger, type Provider } from '@nestjs/common';
import type { MarketingTriggerFiredData } from '@crm/marketing-triggers';

/** A firing as the action receives it: the recorded `MarketingTriggerFired` and its event id. */
export interface TriggerFiring extends MarketingTriggerFiredData {
  eventId: string;
}

/**
 * Where a firing asks for "the right offer" (issue 13 §4): the rule's action names a campaign (and
 * step) whose offer the customer should get. The campaigns part of the issue implements it; until
 * the lead wires it, the default only logs. The firing is recorded before `offer` is called and
 * whatever `offer` does: it is called once, by the timer whose append recorded the firing (a crash
 * between the two loses the call, not the record — a campaign may instead follow
 * `MarketingTriggerFired` events, which are recorded exactly once).
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
