import { t, type MessageKey } from '../../i18n/t';

export const JOURNEY_STAGES = ['suspect', 'prospect', 'first-time-customer', 'repeat-customer', 'majority-customer', 'loyal-customer', 'advocate'] as const;
export const RELATIONSHIP_PHASES = ['awareness', 'exploration', 'expansion', 'commitment', 'dissolution'] as const;
export const VALUE_TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
export const CHURN_BANDS = ['low', 'medium', 'high'] as const;
export const CONSENT_CHANNELS = ['email', 'sms', 'phone', 'mail'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

type Group = 'journeyStage' | 'relationshipPhase' | 'valueTier' | 'churnRisk' | 'kind' | 'channel' | 'status' | 'consentStatus';

/** The label of one value of an enumeration (`journeyStage`, `loyal-customer`); the value itself when there is none. */
export function valueLabel(group: Group, value: string): string {
  const key = `marketing.values.${group}.${value}` as MessageKey;
  const text = t(key);
  return text === key ? value : text;
}

/** Select/MultiSelect data of an enumeration. */
export const options = (group: Group, values: readonly string[]) => values.map((value) => ({ value, label: valueLabel(group, value) }));

export function sourceLabel(source: string): string {
  const key = `marketing.consent.sources.${source}` as MessageKey;
  const text = t(key);
  return text === key ? source : text;
}

export const statusColor: Record<string, string> = {
  draft: 'gray',
  scheduled: 'indigo',
  running: 'green',
  paused: 'orange',
  closed: 'dark',
  active: 'green',
  archived: 'gray',
  granted: 'green',
  withdrawn: 'red',
};

/** A badge's colours: a light tint with near-black text, which keeps WCAG AA contrast for every colour. */
export const badgeProps = (color: string | undefined) => ({ variant: 'light' as const, color: color ?? 'gray', c: 'dark.9' });
