import type { Decider } from '@crm/kernel';
import { inControlGroup, variantFor } from './assignment';
import type { CampaignMember, CampaignState } from './campaign';

/**
 * A trigger firing's offer (issue 13 §4): a marketing trigger rule fired for a customer
 * (`MarketingTriggerFired`, recorded exactly once on `triggerfirings-<customerId>`) and names a
 * campaign (and maybe one of its steps). What became of that firing is decided once, on its own
 * stream `campaigntrigger-<firingEventId>`: the customer admitted as a recipient of the campaign
 * (`CampaignRecipientTriggered`, with the control group and variants assigned as for a frozen
 * audience and when each step is due), or skipped with the reason (`CampaignTriggerSkipped`).
 *
 * Why a stream per firing rather than the campaign's: a firing may name a campaign that does not
 * exist (no stream to write to), and the one append expecting no stream makes the decision exactly
 * once — two dispatchers, or one after a restart that re-reads every firing, cannot admit the same
 * firing twice nor admit one that was skipped (a campaign resumed meanwhile does not change it).
 */

export const TRIGGER_SKIP_REASONS = ['campaign-unknown', 'campaign-not-triggered', 'campaign-not-running', 'step-unknown'] as const;
export type TriggerSkipReason = (typeof TRIGGER_SKIP_REASONS)[number];

interface FiringKey {
  campaignId: string;
  customerId: string;
  /** The `MarketingTriggerFired` event's id: the firing's identity, and the seed of every id derived from it. */
  firingId: string;
  ruleId: string;
  ruleRevision: number;
}

/** A step of a triggered recipient and when it is due (the firing, plus the step's delay unless the rule named the step). */
export interface TriggeredStep {
  stepId: string;
  dueAt: string;
}

export interface CampaignRecipientTriggeredData extends FiringKey {
  /** The steps this firing sends, in the campaign's order: the rule's step, or every step. */
  steps: TriggeredStep[];
  /** In the hold-out control group (by campaign and customer, as for a frozen audience): suppressed `control-group`, never sent. */
  control?: true;
  /** The variant of each of the campaign's steps, in step order (absent for the control group). */
  variants?: string[];
  triggeredAt: string;
}

export interface CampaignTriggerSkippedData extends FiringKey {
  stepId?: string;
  reason: TriggerSkipReason;
  /** The campaign's status when it was decided (absent: no such campaign). */
  campaignStatus?: string;
  skippedAt: string;
}

export type CampaignTriggerEvent =
  { type: 'CampaignRecipientTriggered'; data: CampaignRecipientTriggeredData } | { type: 'CampaignTriggerSkipped'; data: CampaignTriggerSkippedData };

export interface AdmitTriggeredRecipient {
  type: 'AdmitTriggeredRecipient';
  /** `firedAt`: when the rule fired (a firing from before the campaign started is not its audience); `at`: now, when it is decided. */
  data: FiringKey & { stepId?: string; firedAt: string; at: string };
  /** The campaign the rule names, as loaded from its stream by the application. */
  campaign: CampaignState;
}
export type CampaignTriggerCommand = AdmitTriggeredRecipient;

export interface CampaignTriggerState {
  decided?: 'admitted' | 'skipped';
  version: number;
}

export const campaignTriggerStream = (firingId: string) => `campaigntrigger-${firingId}`;
export const noCampaignTrigger: CampaignTriggerState = { version: 0 };

export function evolveCampaignTrigger(state: CampaignTriggerState, event: CampaignTriggerEvent): CampaignTriggerState {
  switch (event.type) {
    case 'CampaignRecipientTriggered':
      return { decided: 'admitted', version: state.version + 1 };
    case 'CampaignTriggerSkipped':
      return { decided: 'skipped', version: state.version + 1 };
    default:
      return state;
  }
}

export function decideCampaignTrigger(command: CampaignTriggerCommand, state: CampaignTriggerState): CampaignTriggerEvent[] {
  // Decided before (a restart re-reading the firing, a second dispatcher): nothing.
  if (state.decided !== undefined) return [];
  const { stepId, firedAt, at, ...key } = command.data;
  const c = command.campaign;
  const skip = (reason: TriggerSkipReason): CampaignTriggerEvent[] => [
    {
      type: 'CampaignTriggerSkipped',
      data: { ...key, ...(stepId !== undefined && { stepId }), reason, ...(c.status !== undefined && { campaignStatus: c.status }), skippedAt: at },
    },
  ];
  if (c.status === undefined || c.definition === undefined || c.campaignId?.toLowerCase() !== key.campaignId.toLowerCase()) return skip('campaign-unknown');
  if (c.definition.audience.kind !== 'triggered') return skip('campaign-not-triggered');
  // Its audience is who it fired for while the campaign runs: not before it started (a firing decided late, say).
  if (c.status !== 'running' || Date.parse(firedAt) < Date.parse(c.startedAt ?? '')) return skip('campaign-not-running');
  const definition = c.definition;
  const named = stepId === undefined ? undefined : definition.steps.find((s) => s.stepId === stepId);
  if (stepId !== undefined && !named) return skip('step-unknown');
  const from = Date.parse(at);
  // The rule's own delay has passed already: a named step is due now; otherwise each step after its delay, counted from the firing.
  const steps = (named ? [named] : definition.steps).map((s) => ({
    stepId: s.stepId,
    dueAt: new Date(from + (named ? 0 : s.delayMinutes * 60_000)).toISOString(),
  }));
  const campaignId = c.campaignId;
  const control = inControlGroup(campaignId, key.customerId, definition.controlBasisPoints);
  return [
    {
      type: 'CampaignRecipientTriggered',
      data: {
        ...key,
        campaignId,
        steps,
        ...(control ? { control: true as const } : { variants: definition.steps.map((s) => variantFor(campaignId, key.customerId, s.stepId, s.variants)) }),
        triggeredAt: at,
      },
    },
  ];
}

export const campaignTriggerDecider: Decider<CampaignTriggerState, CampaignTriggerCommand, CampaignTriggerEvent> = {
  decide: decideCampaignTrigger,
  evolve: evolveCampaignTrigger,
  initialState: noCampaignTrigger,
};

/** A triggered recipient as the dispatcher walks it: a member keyed by its firing, with its own steps and due times. */
export function triggeredMember(d: CampaignRecipientTriggeredData): CampaignMember {
  return {
    customerId: d.customerId,
    ...(d.control ? { control: true as const } : { variants: d.variants }),
    firingId: d.firingId,
    steps: d.steps,
    triggeredAt: d.triggeredAt,
  };
}

/**
 * The key of a recipient's messages: the customer for a frozen audience, the firing for a triggered
 * recipient (a customer may be triggered again after the rule's cooldown: each firing is its own
 * recipient, with its own message stream `campaignmessage-<campaignId>-<firingId>` and message ids).
 */
export const recipientKey = (member: Pick<CampaignMember, 'customerId' | 'firingId'>): string => member.firingId ?? member.customerId;
