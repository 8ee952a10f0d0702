import {
  CHANNELS,
  CHURN_RISK_BANDS,
  CONSENT_CHANNELS,
  CUSTOMER_VALUE_TIERS,
  DIRECTIONS,
  EPISODE_TYPES,
  JOURNEY_STAGES,
  RELATIONSHIP_PHASES,
  SLUG_ID,
  isCurrencyCode,
  type Channel,
  type ChurnRiskBand,
  type ConsentChannel,
  type CustomerValueTier,
  type Direction,
  type EpisodeType,
  type JourneyStage,
  type RelationshipPhase,
} from '@crm/kernel';

/**
 * The segment rule language (issue 13 §2): a JSON tree of `all` / `any` / `not` over conditions on
 * one customer's facts. docs/marketing.md ("Segments") documents every condition with examples; the
 * in-memory evaluator (`matches`) and the SQL compiler (`compileRule`) give each the same meaning,
 * which `segment-sql.int.spec.ts` checks on a generated population.
 */
export type SegmentRule = { all: SegmentRule[] } | { any: SegmentRule[] } | { not: SegmentRule } | SegmentCondition;

/** A span of time: the last N days up to now, or from an instant (included) to one (excluded). */
export type TimeWindow = { lastDays: number } | { from?: string; to?: string };

/** A bound on an RFM score (1–5, both ends included). */
export interface ScoreRange {
  min?: number;
  max?: number;
}

export type SegmentCondition =
  | { kind: 'person' | 'organisation' }
  | { tags: { contains: string } | { anyOf: string[] } }
  /** `null`: customers nobody owns. */
  | { owner: string | null }
  /** Registered strictly before `before`, at or after `after` (instants). */
  | { registered: { before?: string; after?: string } }
  | { journeyStage: { in: JourneyStage[] } }
  | { relationshipPhase: { in: RelationshipPhase[] } }
  /** The value tier analytics last assigned (`CustomerValueTierChanged`); a customer without one never matches. */
  | { valueTier: { in: CustomerValueTier[] } }
  /** The churn-risk band analytics last recorded (`CustomerChurnRiskChanged`); a customer without one (never bought, never assessed) never matches. */
  | { churnRisk: { in: ChurnRiskBand[] } }
  /** RFM quintile scores among every customer who bought (docs/marketing.md); who never bought has none and never matches. */
  | { rfm: { r?: ScoreRange; f?: ScoreRange; m?: ScoreRange; periodDays?: number } }
  /** Orders (not cancelled, not fully returned) with a line of `productId` (any when absent) in the window. */
  | { purchased: { productId?: string; window?: TimeWindow; minCount?: number; minAmount?: number; currency?: string } }
  | { interactions: { channel?: Channel; direction?: Direction; episodeType?: EpisodeType; window?: TimeWindow; minCount?: number } }
  /** Inbound interactions on campaign episodes (of `campaignId` when given). */
  | { campaignResponse: { campaignId?: string; window?: TimeWindow; minCount?: number } }
  /** A consent granted and not withdrawn for channel × purpose. */
  | { consent: { channel: ConsentChannel; purpose: string } };

export type ConditionName = keyof UnionToIntersection<SegmentCondition>;
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

export const CONDITION_NAMES = [
  'kind',
  'tags',
  'owner',
  'registered',
  'journeyStage',
  'relationshipPhase',
  'valueTier',
  'churnRisk',
  'rfm',
  'purchased',
  'interactions',
  'campaignResponse',
  'consent',
] as const satisfies readonly ConditionName[];

/** Limits on a rule: nesting and size stay within what a person edits and a database plans quickly. */
export const MAX_RULE_DEPTH = 10;
export const MAX_RULE_CONDITIONS = 100;
/** The longest window or RFM period, in days (100 years). */
export const MAX_WINDOW_DAYS = 36_500;
export const DEFAULT_RFM_PERIOD_DAYS = 365;
const MAX_TEXT = 200;
const MAX_LIST = 50;

/** One thing wrong with a rule: the JSON path (`rule.all[2].purchased.window.lastDays`) and why. */
export interface RuleError {
  field: string;
  message: string;
}

/** A rule that is not valid: every error names its path. */
export class InvalidRuleError extends Error {
  override readonly name = 'InvalidRuleError';
  constructor(readonly errors: readonly RuleError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const isInstant = (v: unknown): v is string => typeof v === 'string' && INSTANT.test(v) && !Number.isNaN(Date.parse(v));
// Text the rule compares with a customer's: printable, no NUL, no lone surrogates (they never match anything stored).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isCleanText = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT && !/[\u0000-\u001f\u007f]/.test(v) && !LONE_SURROGATE.test(v);

class Checker {
  readonly errors: RuleError[] = [];
  conditions = 0;

  fail(field: string, message: string): void {
    if (this.errors.length < 20) this.errors.push({ field, message });
  }

  /** Exactly the keys allowed, the required ones present. */
  keys(value: Record<string, unknown>, path: string, allowed: readonly string[], required: readonly string[] = []): boolean {
    let ok = true;
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) {
        this.fail(`${path}.${key}`, `unknown field ${JSON.stringify(key.slice(0, 50))} (expected ${allowed.join(', ')})`);
        ok = false;
      }
    for (const key of required)
      if (!(key in value)) {
        this.fail(`${path}.${key}`, `${key} is required`);
        ok = false;
      }
    return ok;
  }

  object(value: unknown, path: string, what: string): value is Record<string, unknown> {
    if (isObject(value)) return true;
    this.fail(path, `${what} must be a JSON object${Array.isArray(value) ? ', not an array' : ''}`);
    return false;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): value is T {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return true;
    this.fail(path, `must be one of ${allowed.join(', ')}`);
    return false;
  }

  listOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): void {
    if (!Array.isArray(value) || value.length === 0 || value.length > allowed.length) {
      this.fail(path, `must be a non-empty array of ${allowed.join(', ')}`);
      return;
    }
    value.forEach((v, i) => this.oneOf(v, `${path}[${i}]`, allowed));
  }

  text(value: unknown, path: string): void {
    if (!isCleanText(value)) this.fail(path, `must be text of 1–${MAX_TEXT} printable characters`);
  }

  integer(value: unknown, path: string, min: number, max: number): void {
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) this.fail(path, `must be a whole number from ${min} to ${max}`);
  }

  instant(value: unknown, path: string): void {
    if (!isInstant(value)) this.fail(path, 'must be an ISO 8601 instant with a time zone (2026-03-01T00:00:00Z)');
  }

  window(value: unknown, path: string): void {
    if (!this.object(value, path, 'window')) return;
    if ('lastDays' in value) {
      if (this.keys(value, path, ['lastDays'])) this.integer(value.lastDays, `${path}.lastDays`, 1, MAX_WINDOW_DAYS);
      return;
    }
    if (!this.keys(value, path, ['lastDays', 'from', 'to'])) return;
    if (value.from === undefined && value.to === undefined) return this.fail(path, 'window needs lastDays, or from and/or to');
    if (value.from !== undefined) this.instant(value.from, `${path}.from`);
    if (value.to !== undefined) this.instant(value.to, `${path}.to`);
    if (isInstant(value.from) && isInstant(value.to) && Date.parse(value.from) >= Date.parse(value.to)) this.fail(`${path}.to`, 'to must be after from');
  }

  range(value: unknown, path: string): void {
    if (!this.object(value, path, 'a score range') || !this.keys(value, path, ['min', 'max'])) return;
    if (value.min === undefined && value.max === undefined) return this.fail(path, 'a score range needs min and/or max');
    if (value.min !== undefined) this.integer(value.min, `${path}.min`, 1, 5);
    if (value.max !== undefined) this.integer(value.max, `${path}.max`, 1, 5);
    if (Number.isInteger(value.min) && Number.isInteger(value.max) && (value.min as number) > (value.max as number))
      this.fail(`${path}.max`, 'max must not be below min');
  }

  rule(value: unknown, path: string, depth: number): void {
    if (depth > MAX_RULE_DEPTH) return this.fail(path, `rules nest at most ${MAX_RULE_DEPTH} deep`);
    if (!this.object(value, path, 'a rule')) return;
    const keys = Object.keys(value);
    if (keys.length !== 1) {
      return this.fail(path, keys.length === 0 ? 'a rule is all, any, not or one condition' : `a rule has exactly one key, not ${keys.slice(0, 5).join(', ')}`);
    }
    const [key] = keys;
    const inner = value[key];
    const at = `${path}.${key}`;
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(inner) || inner.length === 0) return this.fail(at, `${key} must be a non-empty array of rules`);
      if (inner.length > MAX_RULE_CONDITIONS) return this.fail(at, `at most ${MAX_RULE_CONDITIONS} rules`);
      for (let i = 0; i < inner.length && this.errors.length < 20 && this.conditions <= MAX_RULE_CONDITIONS; i++) this.rule(inner[i], `${at}[${i}]`, depth + 1);
      return;
    }
    if (key === 'not') return this.rule(inner, at, depth + 1);
    if (!(CONDITION_NAMES as readonly string[]).includes(key))
      return this.fail(at, `unknown condition ${JSON.stringify(key.slice(0, 50))} (expected all, any, not, ${CONDITION_NAMES.join(', ')})`);
    if (++this.conditions > MAX_RULE_CONDITIONS) return this.fail(at, `a rule has at most ${MAX_RULE_CONDITIONS} conditions`);
    this.condition(key as ConditionName, inner, at);
  }

  condition(name: ConditionName, v: unknown, at: string): void {
    switch (name) {
      case 'kind':
        this.oneOf(v, at, ['person', 'organisation']);
        return;
      case 'owner':
        if (v !== null) this.text(v, at);
        return;
      case 'tags':
        if (!this.object(v, at, 'tags')) return;
        if ('contains' in v) {
          if (this.keys(v, at, ['contains'])) this.text(v.contains, `${at}.contains`);
        } else if ('anyOf' in v) {
          if (!this.keys(v, at, ['anyOf'])) return;
          if (!Array.isArray(v.anyOf) || v.anyOf.length === 0 || v.anyOf.length > MAX_LIST) return this.fail(`${at}.anyOf`, `must be 1–${MAX_LIST} tags`);
          v.anyOf.forEach((t, i) => this.text(t, `${at}.anyOf[${i}]`));
        } else this.keys(v, at, ['contains', 'anyOf'], ['contains']);
        return;
      case 'registered':
        if (!this.object(v, at, 'registered') || !this.keys(v, at, ['before', 'after'])) return;
        if (v.before === undefined && v.after === undefined) return this.fail(at, 'registered needs before and/or after');
        if (v.before !== undefined) this.instant(v.before, `${at}.before`);
        if (v.after !== undefined) this.instant(v.after, `${at}.after`);
        return;
      case 'journeyStage':
      case 'relationshipPhase':
      case 'valueTier':
      case 'churnRisk': {
        const allowed =
          name === 'journeyStage'
            ? JOURNEY_STAGES
            : name === 'relationshipPhase'
              ? RELATIONSHIP_PHASES
              : name === 'valueTier'
                ? CUSTOMER_VALUE_TIERS
                : CHURN_RISK_BANDS;
        if (this.object(v, at, name) && this.keys(v, at, ['in'], ['in'])) this.listOf(v.in, `${at}.in`, allowed);
        return;
      }
      case 'rfm':
        if (!this.object(v, at, 'rfm') || !this.keys(v, at, ['r', 'f', 'm', 'periodDays'])) return;
        if (v.r === undefined && v.f === undefined && v.m === undefined) return this.fail(at, 'rfm needs r, f and/or m');
        for (const s of ['r', 'f', 'm'] as const) if (v[s] !== undefined) this.range(v[s], `${at}.${s}`);
        if (v.periodDays !== undefined) this.integer(v.periodDays, `${at}.periodDays`, 1, MAX_WINDOW_DAYS);
        return;
      case 'purchased':
        if (!this.object(v, at, 'purchased') || !this.keys(v, at, ['productId', 'window', 'minCount', 'minAmount', 'currency'])) return;
        if (v.productId !== undefined) this.text(v.productId, `${at}.productId`);
        if (v.window !== undefined) this.window(v.window, `${at}.window`);
        if (v.minCount !== undefined) this.integer(v.minCount, `${at}.minCount`, 1, 1_000_000);
        if (v.minAmount !== undefined) {
          this.integer(v.minAmount, `${at}.minAmount`, 1, Number.MAX_SAFE_INTEGER);
          if (v.currency === undefined) this.fail(`${at}.currency`, 'minAmount (minor units) needs its currency');
        }
        if (v.currency !== undefined && !(typeof v.currency === 'string' && isCurrencyCode(v.currency)))
          this.fail(`${at}.currency`, 'must be an ISO 4217 currency code with a minor unit (EUR)');
        return;
      case 'interactions':
        if (!this.object(v, at, 'interactions') || !this.keys(v, at, ['channel', 'direction', 'episodeType', 'window', 'minCount'])) return;
        if (v.channel !== undefined) this.oneOf(v.channel, `${at}.channel`, CHANNELS);
        if (v.direction !== undefined) this.oneOf(v.direction, `${at}.direction`, DIRECTIONS);
        if (v.episodeType !== undefined) this.oneOf(v.episodeType, `${at}.episodeType`, EPISODE_TYPES);
        if (v.window !== undefined) this.window(v.window, `${at}.window`);
        if (v.minCount !== undefined) this.integer(v.minCount, `${at}.minCount`, 1, 1_000_000);
        return;
      case 'campaignResponse':
        if (!this.object(v, at, 'campaignResponse') || !this.keys(v, at, ['campaignId', 'window', 'minCount'])) return;
        if (v.campaignId !== undefined) this.text(v.campaignId, `${at}.campaignId`);
        if (v.window !== undefined) this.window(v.window, `${at}.window`);
        if (v.minCount !== undefined) this.integer(v.minCount, `${at}.minCount`, 1, 1_000_000);
        return;
      case 'consent':
        if (!this.object(v, at, 'consent') || !this.keys(v, at, ['channel', 'purpose'], ['channel', 'purpose'])) return;
        this.oneOf(v.channel, `${at}.channel`, CONSENT_CHANNELS);
        if (!(typeof v.purpose === 'string' && SLUG_ID.test(v.purpose))) this.fail(`${at}.purpose`, 'must be a slug (newsletter, offers)');
        return;
    }
  }
}

/**
 * The errors of a rule (empty when valid), each naming its JSON path under `path` (default `rule`).
 * Never recurses deeper than `MAX_RULE_DEPTH`, so a hostile 2,000-deep tree costs eleven levels.
 */
export function ruleErrors(rule: unknown, path = 'rule'): RuleError[] {
  const checker = new Checker();
  checker.rule(rule, path, 1);
  return checker.errors;
}

/** The rule, typed, or `InvalidRuleError` naming every path that is wrong. */
export function validateRule(rule: unknown, path = 'rule'): SegmentRule {
  const errors = ruleErrors(rule, path);
  if (errors.length) throw new InvalidRuleError(errors);
  return rule as SegmentRule;
}

/** Whether the rule's answer moves with time alone (windows, RFM): such segments are re-evaluated on the clock's tick too. */
export function dependsOnTime(rule: SegmentRule): boolean {
  if ('all' in rule) return rule.all.some(dependsOnTime);
  if ('any' in rule) return rule.any.some(dependsOnTime);
  if ('not' in rule) return dependsOnTime(rule.not);
  if ('rfm' in rule) return true;
  if ('purchased' in rule || 'interactions' in rule || 'campaignResponse' in rule) {
    const c = 'purchased' in rule ? rule.purchased : 'interactions' in rule ? rule.interactions : rule.campaignResponse;
    // Without a window every purchase so far counts: the answer changes only with new facts.
    return c.window !== undefined;
  }
  return false;
}

/**
 * Whether an instant (ms) lies in the window at `now`: never after `now`; `lastDays` N: after
 * now − N days; `from` included, `to` excluded. No window: any time up to now.
 */
export function inWindow(at: number, window: TimeWindow | undefined, now: Date): boolean {
  const end = now.getTime();
  if (at > end) return false;
  if (!window) return true;
  if ('lastDays' in window) return at > end - window.lastDays * DAY_MS;
  return (window.from === undefined || at >= Date.parse(window.from)) && (window.to === undefined || at < Date.parse(window.to));
}

export const DAY_MS = 86_400_000;
