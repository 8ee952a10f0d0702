import { t, type MessageKey } from '../../i18n/t';

export const KINDS = ['person', 'organisation'] as const;
export const JOURNEY_STAGES = ['suspect', 'prospect', 'first-time-customer', 'repeat-customer', 'majority-customer', 'loyal-customer', 'advocate'] as const;
export const PHASES = ['awareness', 'exploration', 'expansion', 'commitment', 'dissolution'] as const;
export const SORTS = ['relevance', 'name', 'registered-at', 'last-interaction'] as const;
export const CHANNELS = ['face-to-face', 'phone', 'email', 'web', 'sms', 'mail', 'portal', 'ivr'] as const;
export const EPISODE_TYPES = ['opportunity', 'case', 'campaign', 'partner-deal', 'return-repair'] as const;
export const DEPARTMENTS = ['sales', 'service', 'marketing', 'analytics', 'management'] as const;

/** The text of a vocabulary word under `customers.<group>`, or the word itself when the CRM sends one the console does not know yet. */
export function label(group: 'kinds' | 'journey' | 'phases' | 'sorts' | 'channels' | 'episodeTypes' | 'directions', word: string | null | undefined): string {
  if (!word) return '';
  const key = `customers.${group}.${word}` as MessageKey;
  const text = t(key);
  return text === key ? word : text;
}

export const options = (group: Parameters<typeof label>[0], words: readonly string[]) => words.map((w) => ({ value: w, label: label(group, w) }));
