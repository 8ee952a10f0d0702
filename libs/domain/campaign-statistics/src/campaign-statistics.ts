import { differenceInterval, twoProportionPValue, wilsonInterval, type ConfidenceLevel, type Interval } from './proportions';

/**
 * Campaign statistics (issue 13 §5) from what was recorded per recipient: the funnel per step and
 * variant (audience, suppressed and why, sent, delivered, bounced, opened, clicked, responded), and
 * per variant the conversions against the hold-out control group — uplift with its confidence
 * interval, so "variant B works" is said only when the data says it. Pure: the read model folds the
 * campaign's events into `RecipientFacts` and asks this for the numbers.
 */

export interface MessageFacts {
  stepId: string;
  /** The variant of the step the recipient was given (variants are drawn per step). */
  variantId: string;
  /** `pending`: due or being retried, not yet settled. */
  status: 'pending' | 'suppressed' | 'sent' | 'bounced';
  /** Why it was not sent (`no-consent`, `frequency-cap`, `no-address`, …). */
  suppressedBecause?: string;
  opened: boolean;
  clicked: boolean;
  /** A reply or another response on the campaign episode. */
  responded: boolean;
  /** Integer minor units of the campaign's currency. */
  cost: number;
}

export interface RecipientFacts {
  customerId: string;
  /** In the hold-out control group: messaged on no step, its conversions are the baseline. */
  control: boolean;
  messages: MessageFacts[];
  /** Orders within the attribution window (for the control group too: that is the baseline). */
  conversions: { orderId: string; revenue: number }[];
}

export interface Funnel {
  audience: number;
  suppressed: number;
  suppressedBy: Record<string, number>;
  pending: number;
  sent: number;
  /** Sent and not bounced. */
  delivered: number;
  bounced: number;
  opened: number;
  clicked: number;
  responded: number;
  cost: number;
}

export interface Rate {
  count: number;
  of: number;
  rate?: number;
  interval?: Interval;
}

export interface GroupOutcome {
  recipients: number;
  converted: Rate;
  revenue: number;
  /** Revenue per recipient (minor units, not rounded). */
  revenuePerRecipient?: number;
}

export interface VariantOutcome extends GroupOutcome {
  variantId: string;
  funnel: Funnel;
  openRate: Rate;
  clickRate: Rate;
  responseRate: Rate;
  /** Conversion rate minus the control group's, with Newcombe's interval; absent without a control group. */
  uplift?: Interval & { difference: number };
  /** Two-sided p-value of "converts like the control group". */
  pValue?: number;
  /** Conversions the campaign caused beyond the control group's rate (may be negative). */
  incrementalConversions?: number;
  incrementalRevenue?: number;
}

export interface StepStatistics {
  stepId: string;
  funnel: Funnel;
  /** The step's variants side by side, each against the control group (A/B: which one to keep). */
  byVariant: VariantOutcome[];
}

export interface CampaignStatistics {
  confidence: ConfidenceLevel;
  audience: number;
  funnel: Funnel;
  byStep: StepStatistics[];
  control?: GroupOutcome;
  treated: GroupOutcome & { uplift?: Interval & { difference: number }; pValue?: number; incrementalRevenue?: number };
  revenue: number;
  cost: number;
  /** (revenue − cost) / cost; absent when nothing cost anything. */
  roi?: number;
  /** (incremental revenue − cost) / cost: what the campaign earned beyond what would have happened anyway. */
  incrementalRoi?: number;
}

export function emptyFunnel(): Funnel {
  return { audience: 0, suppressed: 0, suppressedBy: {}, pending: 0, sent: 0, delivered: 0, bounced: 0, opened: 0, clicked: 0, responded: 0, cost: 0 };
}

export function addMessage(funnel: Funnel, message: MessageFacts): void {
  funnel.audience += 1;
  funnel.cost += message.cost;
  switch (message.status) {
    case 'pending':
      funnel.pending += 1;
      return;
    case 'suppressed': {
      funnel.suppressed += 1;
      const reason = message.suppressedBecause ?? 'unknown';
      funnel.suppressedBy[reason] = (funnel.suppressedBy[reason] ?? 0) + 1;
      return;
    }
    case 'bounced':
      funnel.sent += 1;
      funnel.bounced += 1;
      return;
    case 'sent':
      funnel.sent += 1;
      funnel.delivered += 1;
      // Responses count only on delivered messages: a pixel from a bounced message is noise.
      if (message.opened) funnel.opened += 1;
      if (message.clicked) funnel.clicked += 1;
      if (message.responded) funnel.responded += 1;
  }
}

export function rate(count: number, of: number, confidence: ConfidenceLevel): Rate {
  return of === 0 ? { count, of } : { count, of, rate: count / of, interval: wilsonInterval(count, of, confidence) };
}

function group(recipients: RecipientFacts[], confidence: ConfidenceLevel): GroupOutcome {
  const converted = recipients.filter((r) => r.conversions.length > 0).length;
  const revenue = recipients.reduce((sum, r) => sum + r.conversions.reduce((s, c) => s + c.revenue, 0), 0);
  return {
    recipients: recipients.length,
    converted: rate(converted, recipients.length, confidence),
    revenue,
    ...(recipients.length > 0 && { revenuePerRecipient: revenue / recipients.length }),
  };
}

function against(outcome: GroupOutcome, control: GroupOutcome | undefined, confidence: ConfidenceLevel) {
  if (!control || control.recipients === 0 || outcome.recipients === 0) return {};
  const uplift = differenceInterval(outcome.converted.count, outcome.recipients, control.converted.count, control.recipients, confidence);
  const baseline = control.converted.count / control.recipients;
  return {
    uplift,
    pValue: twoProportionPValue(outcome.converted.count, outcome.recipients, control.converted.count, control.recipients),
    incrementalConversions: outcome.converted.count - baseline * outcome.recipients,
    incrementalRevenue: Math.round(outcome.revenue - (control.revenue / control.recipients) * outcome.recipients),
  };
}

export function campaignStatistics(recipients: readonly RecipientFacts[], confidence: ConfidenceLevel = 0.95): CampaignStatistics {
  const funnel = emptyFunnel();
  const steps = new Map<string, { funnel: Funnel; byVariant: Map<string, { funnel: Funnel; recipients: Set<RecipientFacts> }> }>();
  const controlGroup = recipients.filter((r) => r.control);
  const treatedRecipients = recipients.filter((r) => !r.control);
  for (const recipient of treatedRecipients) {
    for (const message of recipient.messages) {
      addMessage(funnel, message);
      const step = steps.get(message.stepId) ?? { funnel: emptyFunnel(), byVariant: new Map() };
      steps.set(message.stepId, step);
      addMessage(step.funnel, message);
      const variant = step.byVariant.get(message.variantId) ?? { funnel: emptyFunnel(), recipients: new Set<RecipientFacts>() };
      step.byVariant.set(message.variantId, variant);
      addMessage(variant.funnel, message);
      variant.recipients.add(recipient);
    }
  }
  const control = controlGroup.length > 0 ? group(controlGroup, confidence) : undefined;
  const treatedGroup = group(treatedRecipients, confidence);
  const treatedAgainst = against(treatedGroup, control, confidence);
  const byStep: StepStatistics[] = [...steps.entries()].map(([stepId, step]) => ({
    stepId,
    funnel: step.funnel,
    byVariant: [...step.byVariant.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([variantId, v]) => {
        const outcome = group([...v.recipients], confidence);
        return {
          variantId,
          ...outcome,
          funnel: v.funnel,
          openRate: rate(v.funnel.opened, v.funnel.delivered, confidence),
          clickRate: rate(v.funnel.clicked, v.funnel.delivered, confidence),
          responseRate: rate(v.funnel.responded, v.funnel.delivered, confidence),
          ...against(outcome, control, confidence),
        };
      }),
  }));
  const revenue = treatedGroup.revenue;
  const cost = funnel.cost;
  return {
    confidence,
    audience: recipients.length,
    funnel,
    byStep,
    ...(control && { control }),
    treated: { ...treatedGroup, uplift: treatedAgainst.uplift, pValue: treatedAgainst.pValue, incrementalRevenue: treatedAgainst.incrementalRevenue },
    revenue,
    cost,
    ...(cost > 0 && { roi: (revenue - cost) / cost }),
    ...(cost > 0 && treatedAgainst.incrementalRevenue !== undefined && { incrementalRoi: (treatedAgainst.incrementalRevenue - cost) / cost }),
  };
}
