import type { CrmIntegrationEvent } from '@crm/contracts';
import { versionedProjection, versionedTable, type VersionedProjection } from '@crm/projections';
import {
  evolveCaseFacts,
  isCaseOpen,
  matchPolicy,
  noticeKey,
  recordedClocks,
  TWENTY_FOUR_SEVEN,
  valueTierOf,
  type BusinessCalendar,
  type CaseFacts,
  type ServiceLevelPolicy,
  type SlaMetric,
  SLA_CASE_EVENT_TYPES,
  SLA_CLOCK_EVENT_TYPES,
} from '@crm/service-levels';

export type SlaClocksEvent = CrmIntegrationEvent<
  | 'EpisodeOpened'
  | 'InteractionRecorded'
  | 'EpisodeClosed'
  | 'CaseStatusChanged'
  | 'CaseDetailsChanged'
  | 'CaseAssigned'
  | 'CaseReopened'
  | 'CaseSlaWarning'
  | 'CaseSlaBreached'
  | 'CustomerValueTierChanged'
  | 'ServiceLevelPoliciesSet'
  | 'BusinessCalendarSet'
>;

export const SLA_CLOCKS = 'analytics.sla-clocks';
/** The version the code serves; a change to what is kept or how clocks are computed is a new version, built beside this one (docs/analytics.md, Replayable analytics). */
export const SLA_CLOCKS_VERSION = 1;

const CASE_EVENTS: ReadonlySet<string> = new Set(SLA_CASE_EVENT_TYPES);

type Manager = Parameters<VersionedProjection['apply']>[1];

interface CaseRow {
  episode_id: string;
  customer_id: string;
  opened_at: Date | string;
  facts: CaseFacts;
  recorded: string[];
  revision: number;
}

/**
 * `analytics.sla-clocks@v<n>`: analytics' own copy of the contact centre's SLA clocks, from the events
 * the service's clocks are built from (case events, interactions, value tiers, `ServiceLevelPoliciesSet`,
 * `BusinessCalendarSet`, and the `CaseSlaWarning`/`CaseSlaBreached` its timer records) — analytics never
 * reads the service's tables. The clocks are the domain lib's (`recordedClocks` of `@crm/service-levels`,
 * the same function the service's read model stores), recomputed whenever a fact of the case, the
 * customer's tier or the configuration changes (configuration and tier: every open case; a closed case
 * keeps the clocks it had), so both count the same clocks.
 *
 * Tables (`analytics.sla_*_v<n>`): `cases` (per case its folded facts, recorded notices and a revision
 * counter), `tiers`, `config` (policies; `calendar:<id>`), and `clocks`: per case, revision, metric and
 * cycle the due time, stop, met and the case's tier and team, with `recorded_at` the time of the event
 * that wrote that revision. Revisions are kept, not overwritten, so `GET /kpis?asOf=` reads the clocks
 * as they stood by then (the latest revision recorded by asOf). Everything is a function of the events:
 * times come from the events, never from a clock.
 */
export function slaClocksProjection(version: number = SLA_CLOCKS_VERSION): VersionedProjection<SlaClocksEvent> {
  const cases = versionedTable('analytics', 'sla_cases', version);
  const tiers = versionedTable('analytics', 'sla_tiers', version);
  const config = versionedTable('analytics', 'sla_config', version);
  const clocks = versionedTable('analytics', 'sla_clocks', version);

  const configValue = async <T>(m: Manager, key: string): Promise<T | undefined> =>
    ((await m.query(`SELECT value FROM ${config} WHERE key = $1`, [key])) as { value: T }[])[0]?.value;
  const saveConfig = (m: Manager, key: string, value: unknown) =>
    m.query(`INSERT INTO ${config} (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, JSON.stringify(value)]);
  const caseRow = async (m: Manager, episodeId: string): Promise<CaseRow | undefined> =>
    ((await m.query(`SELECT * FROM ${cases} WHERE episode_id = $1`, [episodeId])) as CaseRow[])[0];
  const openCases = (m: Manager, customerId?: string): Promise<CaseRow[]> =>
    m.query(`SELECT * FROM ${cases} WHERE open AND ($1::text IS NULL OR customer_id = $1) ORDER BY episode_id`, [customerId ?? null]);

  const calendarOf = async (m: Manager, calendarId: string): Promise<BusinessCalendar> =>
    calendarId === TWENTY_FOUR_SEVEN.calendarId ? TWENTY_FOUR_SEVEN : ((await configValue<BusinessCalendar>(m, `calendar:${calendarId}`)) ?? TWENTY_FOUR_SEVEN);

  /** The case's clocks computed again (as the service does) and written as a new revision at the event's time. */
  const recompute = async (m: Manager, row: Omit<CaseRow, 'revision'> & { revision?: number }, recordedAt: string): Promise<void> => {
    const facts = row.facts;
    const tierRow = ((await m.query(`SELECT tier FROM ${tiers} WHERE customer_id = $1`, [row.customer_id])) as { tier: string }[])[0];
    const tier = valueTierOf(tierRow?.tier);
    const policies = (await configValue<{ policies?: ServiceLevelPolicy[] }>(m, 'policies'))?.policies ?? [];
    const policy = matchPolicy(policies, { tier, priority: facts.priority, channel: facts.channel });
    const computed = recordedClocks(facts, policy, await calendarOf(m, policy.calendarId), new Set(row.recorded));
    const revision = (row.revision ?? 0) + 1;
    await m.query(
      `INSERT INTO ${cases} (episode_id, customer_id, opened_at, facts, recorded, open, revision) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)
       ON CONFLICT (episode_id) DO UPDATE SET facts = EXCLUDED.facts, recorded = EXCLUDED.recorded, open = EXCLUDED.open, revision = EXCLUDED.revision`,
      [row.episode_id, row.customer_id, row.opened_at, JSON.stringify(facts), JSON.stringify(row.recorded), isCaseOpen(facts), revision],
    );
    for (const c of computed) {
      await m.query(
        `INSERT INTO ${clocks} (episode_id, revision, metric, cycle, customer_id, tier, team, policy_id, state, target_minutes, started_at, due_at, stopped_at, met, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
        [
          row.episode_id,
          revision,
          c.metric,
          c.cycle,
          row.customer_id,
          tier,
          facts.team ?? null,
          policy.policyId,
          c.state,
          c.targetMinutes,
          c.startedAt,
          c.dueAt ?? null,
          c.stoppedAt ?? null,
          c.met ?? null,
          recordedAt,
        ],
      );
    }
  };

  return versionedProjection<SlaClocksEvent>({
    readModel: SLA_CLOCKS,
    version,
    tables: { cases, tiers, config, clocks },
    ddl: [
      'CREATE SCHEMA IF NOT EXISTS analytics',
      `CREATE TABLE IF NOT EXISTS ${cases} (
        episode_id text PRIMARY KEY,
        customer_id text NOT NULL,
        opened_at timestamptz NOT NULL,
        facts jsonb NOT NULL,
        recorded jsonb NOT NULL,
        open boolean NOT NULL,
        revision integer NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS sla_cases_v${version}_open ON ${cases} (customer_id) WHERE open`,
      `CREATE TABLE IF NOT EXISTS ${tiers} (customer_id text PRIMARY KEY, tier text NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${config} (key text PRIMARY KEY, value jsonb NOT NULL)`,
      `CREATE TABLE IF NOT EXISTS ${clocks} (
        episode_id text NOT NULL,
        revision integer NOT NULL,
        metric text NOT NULL,
        cycle integer NOT NULL,
        customer_id text NOT NULL,
        tier text NOT NULL,
        team text,
        policy_id text NOT NULL,
        state text NOT NULL,
        target_minutes integer NOT NULL,
        started_at timestamptz NOT NULL,
        due_at timestamptz,
        stopped_at timestamptz,
        met boolean,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (episode_id, revision, metric, cycle)
      )`,
      `CREATE INDEX IF NOT EXISTS sla_clocks_v${version}_recorded ON ${clocks} (episode_id, recorded_at)`,
      `CREATE INDEX IF NOT EXISTS sla_clocks_v${version}_due ON ${clocks} (due_at)`,
      `CREATE INDEX IF NOT EXISTS sla_clocks_v${version}_stopped ON ${clocks} (stopped_at)`,
    ],
    handles: [...SLA_CLOCK_EVENT_TYPES],
    async apply(event, m) {
      if (CASE_EVENTS.has(event.type)) {
        const episodeId = (event.data as { episodeId: string }).episodeId;
        const row = await caseRow(m, episodeId);
        if (event.type === 'EpisodeOpened') {
          // A partner's episode has no service level (the service does not keep one either).
          if (event.data.owner.kind === 'partner') return;
          const facts = evolveCaseFacts(undefined, event);
          if (!facts) return;
          const opened = { episode_id: episodeId, customer_id: facts.customerId, opened_at: facts.openedAt, facts, recorded: row?.recorded ?? [] };
          return recompute(m, { ...opened, revision: row?.revision }, event.time);
        }
        if (!row) return;
        return recompute(m, { ...row, facts: evolveCaseFacts(row.facts, event)! }, event.time);
      }
      switch (event.type) {
        case 'CaseSlaWarning':
        case 'CaseSlaBreached': {
          const row = await caseRow(m, event.data.episodeId);
          if (!row) return;
          const key = noticeKey({
            metric: event.data.metric as SlaMetric,
            cycle: event.data.cycle,
            kind: event.type === 'CaseSlaWarning' ? 'warning' : 'breach',
          });
          return recompute(m, { ...row, recorded: row.recorded.includes(key) ? row.recorded : [...row.recorded, key] }, event.time);
        }
        case 'CustomerValueTierChanged': {
          await m.query(`INSERT INTO ${tiers} (customer_id, tier) VALUES ($1, $2) ON CONFLICT (customer_id) DO UPDATE SET tier = EXCLUDED.tier`, [
            event.data.customerId,
            event.data.tier,
          ]);
          for (const row of await openCases(m, event.data.customerId)) await recompute(m, row, event.time);
          return;
        }
        case 'ServiceLevelPoliciesSet':
          await saveConfig(m, 'policies', { policies: event.data.policies, escalations: event.data.escalations });
          break;
        case 'BusinessCalendarSet':
          await saveConfig(m, `calendar:${event.data.calendarId}`, event.data);
          break;
      }
      // The configuration changed: every open case's clocks with it (closed cases keep the result they had), as in the service.
      for (const row of await openCases(m)) await recompute(m, row, event.time);
    },
  });
}

/** A clock as the KPI reads it: the latest revision of its case recorded by `asOf`. */
export interface SlaClockRow {
  episode_id: string;
  metric: string;
  cycle: number;
  tier: string;
  team: string | null;
  due_at: Date | string | null;
  stopped_at: Date | string | null;
  met: boolean | null;
}

/**
 * The clocks, as recorded by `asOf` (each case at its latest revision recorded by then), that may
 * have ended in [start, end): met with their stop in it, or not met with their due time in it. The
 * KPI decides the rest (kpi-definitions.ts, `slaAttainment`).
 */
export async function slaClocksEndingIn(m: Manager, table: string, asOf: Date, start: Date, end: Date): Promise<SlaClockRow[]> {
  return (await m.query(
    // Only cases with a row that ended in the window by some revision recorded by asOf can have one in
    // their latest revision (that row is such a row): found by the due/stop indexes, not a full scan.
    `WITH candidates AS (
       SELECT DISTINCT episode_id FROM ${table}
        WHERE recorded_at <= $1
          AND ((met IS TRUE AND stopped_at >= $2 AND stopped_at < $3) OR (met IS NOT TRUE AND due_at >= $2 AND due_at < $3))
     ), latest AS (
       SELECT c.episode_id, max(c.revision) AS revision FROM ${table} c JOIN candidates USING (episode_id) WHERE c.recorded_at <= $1 GROUP BY c.episode_id
     )
     SELECT c.episode_id, c.metric, c.cycle, c.tier, c.team, c.due_at, c.stopped_at, c.met
       FROM ${table} c JOIN latest l ON l.episode_id = c.episode_id AND l.revision = c.revision
      WHERE (c.met IS TRUE AND c.stopped_at >= $2 AND c.stopped_at < $3)
         OR (c.met IS NOT TRUE AND c.due_at >= $2 AND c.due_at < $3)
      ORDER BY c.episode_id, c.metric, c.cycle`,
    [asOf.toISOString(), start.toISOString(), end.toISOString()],
  )) as SlaClockRow[];
}
