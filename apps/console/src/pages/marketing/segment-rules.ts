/**
 * The segment builder's rows and the segment language (docs/marketing.md "Segments"): each row is
 * one condition (optionally negated); the rows are combined with `all` or `any`. A rule the builder
 * cannot show as rows (nested groups made through the API) is kept as it is.
 */
export const CRITERIA = [
  'journeyStage',
  'relationshipPhase',
  'valueTier',
  'churnRisk',
  'kind',
  'tags',
  'rfm',
  'consent',
  'interactions',
  'purchased',
  'campaignResponse',
] as const;
export type Criterion = (typeof CRITERIA)[number];

export interface RuleRow {
  key: number;
  criterion: Criterion;
  exclude: boolean;
  /** journeyStage, relationshipPhase, valueTier, churnRisk: the values; tags: any of these. */
  values: string[];
  kind: 'person' | 'organisation';
  channel: string | null;
  purpose: string;
  lastDays: number | '';
  minCount: number | '';
  r: number | '';
  f: number | '';
  m: number | '';
}

let next = 1;
export function newRow(criterion: Criterion = 'journeyStage'): RuleRow {
  return { key: next++, criterion, exclude: false, values: [], kind: 'person', channel: null, purpose: '', lastDays: '', minCount: '', r: '', f: '', m: '' };
}

type Json = Record<string, unknown>;
const num = (v: number | '') => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The condition of a row, or undefined while it is incomplete (it is left out of the rule until filled in). */
export function conditionOf(row: RuleRow): Json | undefined {
  const window = num(row.lastDays) !== undefined ? { window: { lastDays: num(row.lastDays) } } : {};
  const minCount = num(row.minCount) !== undefined ? { minCount: num(row.minCount) } : {};
  let c: Json | undefined;
  switch (row.criterion) {
    case 'journeyStage':
    case 'relationshipPhase':
    case 'valueTier':
    case 'churnRisk':
      c = row.values.length ? { [row.criterion]: { in: row.values } } : undefined;
      break;
    case 'kind':
      c = { kind: row.kind };
      break;
    case 'tags':
      c = row.values.length ? { tags: { anyOf: row.values } } : undefined;
      break;
    case 'rfm': {
      const score = (v: number | '') => (num(v) !== undefined ? { min: num(v) } : undefined);
      const rfm = Object.fromEntries(
        (['r', 'f', 'm'] as const).flatMap((k) => {
          const s = score(row[k]);
          return s ? [[k, s]] : [];
        }),
      );
      c = Object.keys(rfm).length ? { rfm } : undefined;
      break;
    }
    case 'consent':
      c = row.channel && row.purpose.trim() ? { consent: { channel: row.channel, purpose: row.purpose.trim() } } : undefined;
      break;
    case 'interactions':
      c = { interactions: { ...(row.channel && { channel: row.channel }), ...window, ...minCount } };
      break;
    case 'purchased':
      c = { purchased: { ...window, ...minCount } };
      break;
    case 'campaignResponse':
      c = { campaignResponse: { ...window, ...minCount } };
      break;
  }
  return c && row.exclude ? { not: c } : c;
}

/** The rule of the rows, or undefined when no row is complete (the language has no empty rule). */
export function ruleOf(rows: RuleRow[], match: 'all' | 'any'): Json | undefined {
  const conditions = rows.map(conditionOf).filter((c): c is Json => c !== undefined);
  return conditions.length ? { [match]: conditions } : undefined;
}

/** Rows of a stored rule, or undefined when the builder cannot show it as rows. */
export function rowsOf(rule: Json): { match: 'all' | 'any'; rows: RuleRow[] } | undefined {
  const key = Object.keys(rule)[0];
  const list = key === 'all' || key === 'any' ? (rule[key] as unknown[]) : [rule];
  const match = key === 'any' ? 'any' : 'all';
  const rows: RuleRow[] = [];
  for (const item of list) {
    const row = rowOf(item as Json);
    if (!row) return undefined;
    rows.push(row);
  }
  return { match, rows };
}

function rowOf(c: Json): RuleRow | undefined {
  let exclude = false;
  if ('not' in c) {
    exclude = true;
    c = c.not as Json;
  }
  const [name, v] = Object.entries(c)[0] ?? [];
  const value = v as Json;
  if (!name || !(CRITERIA as readonly string[]).includes(name)) return undefined;
  const row = { ...newRow(name as Criterion), exclude };
  const window = value?.window as Json | undefined;
  if (window && !('lastDays' in window)) return undefined;
  if (window) row.lastDays = window.lastDays as number;
  if (typeof value?.minCount === 'number') row.minCount = value.minCount;
  switch (row.criterion) {
    case 'journeyStage':
    case 'relationshipPhase':
    case 'valueTier':
    case 'churnRisk':
      row.values = (value.in as string[]) ?? [];
      return row;
    case 'kind':
      row.kind = v as RuleRow['kind'];
      return row;
    case 'tags':
      row.values = typeof value.contains === 'string' ? [value.contains] : ((value.anyOf as string[]) ?? []);
      return row;
    case 'rfm':
      for (const k of ['r', 'f', 'm'] as const) {
        const s = value[k] as { min?: number; max?: number } | undefined;
        if (s?.max !== undefined) return undefined;
        if (s?.min !== undefined) row[k] = s.min;
      }
      return 'periodDays' in value ? undefined : row;
    case 'consent':
      row.channel = value.channel as string;
      row.purpose = value.purpose as string;
      return row;
    case 'interactions':
      row.channel = (value.channel as string) ?? null;
      return 'direction' in value || 'episodeType' in value ? undefined : row;
    case 'purchased':
      return 'productId' in value || 'minAmount' in value ? undefined : row;
    case 'campaignResponse':
      return 'campaignId' in value ? undefined : row;
  }
}
