import { ERASED, type CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { DEFAULT_PIPELINE_ID, legacyStageProbability, SALES_STAGES } from '@crm/relationship';
import type { EntityManager } from 'typeorm';
import { OpportunityListEntry, OpportunityVersion } from './opportunity-list.entities';

const OPPORTUNITY_LIST_TYPES = [
  'EpisodeOpened',
  'OpportunityUpdated',
  'OpportunityStageChanged',
  'OpportunityStageAdvanced',
  'InteractionRecorded',
  'EpisodeClosed',
  'CustomerPersonalDataErased',
] as const;

/** The events the opportunities list keeps up with. */
export type OpportunityListEvent = CrmIntegrationEvent<(typeof OPPORTUNITY_LIST_TYPES)[number]>;

/** A row of the opportunities list, by column name. */
export interface OpportunityRow {
  episode_id: string;
  customer_id: string;
  name: string;
  pipeline_id: string;
  stage: string;
  stage_probability: number;
  probability_override: number | null;
  probability: number;
  amount: number | null;
  currency: string | null;
  expected_close_date: string | null;
  owner: string;
  team: string | null;
  next_step: string | null;
  competitors: string[];
  status: 'open' | 'won' | 'lost';
  close_reason: string | null;
  won_value: number | null;
  won_currency: string | null;
  opened_at: string;
  stage_entered_at: string;
  closed_at: string | null;
  updated_at: string;
  interactions: number;
}

/** What the pipeline report and the forecast read of a row: a new version whenever one of these changes. */
const REPORTED = [
  'pipeline_id',
  'stage',
  'probability',
  'amount',
  'currency',
  'owner',
  'team',
  'status',
  'expected_close_date',
  'won_value',
  'won_currency',
  'closed_at',
] as const;
export type ReportedState = Pick<OpportunityRow, (typeof REPORTED)[number]>;
const reported = (row: OpportunityRow): ReportedState => Object.fromEntries(REPORTED.map((k) => [k, row[k]])) as ReportedState;
const sameReported = (a: OpportunityRow | undefined, b: OpportunityRow) => !!a && REPORTED.every((k) => a[k] === b[k]);

const iso = (value: string) => new Date(value).toISOString();
const actorId = (actor: string): string => {
  try {
    const parsed = JSON.parse(actor) as { id?: unknown };
    return typeof parsed.id === 'string' && parsed.id ? parsed.id : 'unknown';
  } catch {
    return 'unknown';
  }
};

/**
 * One event applied to an opportunity's row. Pure: the batch and the one-by-one paths fold through
 * it. Returns the row unchanged for what is not an opportunity's (a case's interaction); throws for
 * an opportunity change of an opportunity the list never saw opened (the runner parks it).
 */
export function foldOpportunity(
  row: OpportunityRow | undefined,
  event: Exclude<OpportunityListEvent, { type: 'CustomerPersonalDataErased' }>,
): OpportunityRow | undefined {
  const at = iso(event.time);
  if (event.type === 'EpisodeOpened') {
    const d = event.data;
    if (row || d.episodeType !== 'opportunity') return row; // delivered again, or not an opportunity
    const stage = d.stage ?? SALES_STAGES[0];
    const stageProbability = d.stageProbability ?? legacyStageProbability(stage);
    return {
      episode_id: d.episodeId,
      customer_id: d.customerId,
      name: d.name,
      pipeline_id: d.pipelineId ?? DEFAULT_PIPELINE_ID,
      stage,
      stage_probability: stageProbability,
      probability_override: null,
      probability: stageProbability,
      amount: null,
      currency: null,
      expected_close_date: null,
      // Whoever opened it owns it until it is given to someone.
      owner: actorId(event.actor),
      team: null,
      next_step: null,
      competitors: [],
      status: 'open',
      close_reason: null,
      won_value: null,
      won_currency: null,
      opened_at: iso(d.openedAt),
      stage_entered_at: iso(d.openedAt),
      closed_at: null,
      updated_at: at,
      interactions: 0,
    };
  }
  if (!row) {
    if (event.type === 'InteractionRecorded' || event.type === 'EpisodeClosed') return row; // another kind of episode
    throw new Error(`opportunity ${event.data.episodeId} is not in the opportunities list`);
  }
  switch (event.type) {
    case 'InteractionRecorded':
      return { ...row, interactions: row.interactions + 1, updated_at: at };
    case 'OpportunityStageAdvanced': {
      const p = legacyStageProbability(event.data.to);
      return {
        ...row,
        stage: event.data.to,
        stage_probability: p,
        probability: row.probability_override ?? p,
        stage_entered_at: iso(event.data.advancedAt),
        updated_at: at,
      };
    }
    case 'OpportunityStageChanged': {
      const d = event.data;
      return {
        ...row,
        stage: d.to,
        stage_probability: d.stageProbability,
        probability: row.probability_override ?? d.stageProbability,
        stage_entered_at: iso(d.changedAt),
        updated_at: at,
      };
    }
    case 'OpportunityUpdated': {
      const d = event.data;
      const next = { ...row, updated_at: at };
      if (d.amount === null) Object.assign(next, { amount: null, currency: null });
      else if (d.amount !== undefined) Object.assign(next, { amount: d.amount, currency: d.currency ?? row.currency });
      else if (d.currency !== undefined) next.currency = d.currency;
      if (d.expectedCloseDate !== undefined) next.expected_close_date = d.expectedCloseDate;
      if (d.owner !== undefined) next.owner = d.owner;
      if (d.team !== undefined) next.team = d.team;
      if (d.nextStep !== undefined) next.next_step = d.nextStep;
      if (d.competitors !== undefined) next.competitors = d.competitors;
      if (d.probability !== undefined) next.probability_override = d.probability;
      next.probability = next.probability_override ?? next.stage_probability;
      return next;
    }
    case 'EpisodeClosed': {
      const d = event.data;
      if (d.outcome !== 'won' && d.outcome !== 'lost') return row;
      return {
        ...row,
        status: d.outcome,
        close_reason: d.reason ?? null,
        won_value: d.outcome === 'won' ? (d.value ?? null) : null,
        won_currency: d.outcome === 'won' ? (d.currency ?? null) : null,
        closed_at: iso(d.closedAt),
        updated_at: at,
      };
    }
  }
}

const COLUMNS = [
  'episode_id',
  'customer_id',
  'name',
  'pipeline_id',
  'stage',
  'stage_probability',
  'probability_override',
  'probability',
  'amount',
  'currency',
  'expected_close_date',
  'owner',
  'team',
  'next_step',
  'competitors',
  'status',
  'close_reason',
  'won_value',
  'won_currency',
  'opened_at',
  'stage_entered_at',
  'closed_at',
  'updated_at',
  'interactions',
] as const;
const RECORD =
  'episode_id text, customer_id text, name text, pipeline_id text, stage text, stage_probability integer, probability_override integer, probability integer, ' +
  'amount bigint, currency text, expected_close_date text, owner text, team text, next_step text, competitors jsonb, status text, close_reason text, ' +
  'won_value numeric, won_currency text, opened_at timestamptz, stage_entered_at timestamptz, closed_at timestamptz, updated_at timestamptz, interactions integer';

type StoredRow = Omit<OpportunityRow, 'amount' | 'won_value' | 'opened_at' | 'stage_entered_at' | 'closed_at' | 'updated_at'> & {
  amount: string | number | null;
  won_value: string | number | null;
  opened_at: Date | string;
  stage_entered_at: Date | string;
  closed_at: Date | string | null;
  updated_at: Date | string;
};

const fromStored = (r: StoredRow): OpportunityRow => ({
  ...r,
  amount: r.amount === null ? null : Number(r.amount),
  won_value: r.won_value === null ? null : Number(r.won_value),
  opened_at: new Date(r.opened_at).toISOString(),
  stage_entered_at: new Date(r.stage_entered_at).toISOString(),
  closed_at: r.closed_at === null ? null : new Date(r.closed_at).toISOString(),
  updated_at: new Date(r.updated_at).toISOString(),
});

interface VersionRow extends ReportedState {
  episode_id: string;
  version: number;
  valid_from: string;
  valid_to: string | null;
}

/**
 * The opportunities list (sales): fed like every read model — from the bus or straight from the
 * store, through the same `ProjectionRunner`. Besides each opportunity's current row it keeps the
 * versions of what the pipeline report reads, so the report can be asked as of any instant.
 */
export function opportunityListProjection(owner: string): Projection<OpportunityListEvent> {
  const tables = (manager: EntityManager) => ({
    list: manager.getRepository(OpportunityListEntry).metadata.tablePath,
    versions: manager.getRepository(OpportunityVersion).metadata.tablePath,
  });
  /** Each opportunity of the batch read once, folded in order, written back in one statement (and its new versions in another). */
  const applyBatch = async (events: readonly OpportunityListEvent[], manager: EntityManager) => {
    const t = tables(manager);
    const ids = [...new Set(events.flatMap((e) => (e.type === 'CustomerPersonalDataErased' ? [] : [e.data.episodeId])))];
    const erased = [...new Set(events.flatMap((e) => (e.type === 'CustomerPersonalDataErased' ? [e.data.customerId] : [])))];
    const current = (await manager.query(`SELECT ${COLUMNS.join(', ')} FROM ${t.list} WHERE episode_id = ANY($1::text[]) OR customer_id = ANY($2::text[])`, [
      ids,
      erased,
    ])) as StoredRow[];
    const rows = new Map<string, OpportunityRow>(current.map((r) => [r.episode_id, fromStored(r)]));
    const versionsOf = new Map<string, number>(
      (
        (await manager.query(`SELECT episode_id, max(version)::int AS version FROM ${t.versions} WHERE episode_id = ANY($1::text[]) GROUP BY episode_id`, [
          ids,
        ])) as { episode_id: string; version: number }[]
      ).map((r) => [r.episode_id, Number(r.version)]),
    );
    const changed = new Set<string>();
    const versions: VersionRow[] = [];
    for (const event of events) {
      if (event.type === 'CustomerPersonalDataErased') {
        // The free text of the customer's opportunities (the next step) reads as erased from now on.
        for (const [id, row] of rows)
          if (row.customer_id === event.data.customerId && row.next_step !== null && row.next_step !== ERASED) {
            rows.set(id, { ...row, next_step: ERASED });
            changed.add(id);
          }
        continue;
      }
      const id = event.data.episodeId;
      const before = rows.get(id);
      const after = foldOpportunity(before, event);
      if (!after || after === before) continue;
      rows.set(id, after);
      changed.add(id);
      if (!sameReported(before, after)) {
        const version = (versionsOf.get(id) ?? 0) + 1;
        versionsOf.set(id, version);
        versions.push({ episode_id: id, version, valid_from: iso(event.recordedat ?? event.time), valid_to: null, ...reported(after) });
      }
    }
    if (changed.size === 0) return;
    await manager.query(
      `INSERT INTO ${t.list} (${COLUMNS.join(', ')})
       SELECT ${COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD})
       ON CONFLICT (episode_id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'episode_id')
         .map((c) => `${c} = EXCLUDED.${c}`)
         .join(', ')}`,
      [JSON.stringify([...changed].map((id) => rows.get(id)))],
    );
    if (versions.length === 0) return;
    // Each new version ends the one before it (of the batch, or the one in force in the table).
    for (const [i, v] of versions.entries()) {
      const next = versions.slice(i + 1).find((w) => w.episode_id === v.episode_id);
      if (next) v.valid_to = next.valid_from;
    }
    const firsts = [...new Map(versions.map((v) => [v.episode_id, v] as const).reverse()).values()];
    await manager.query(
      `UPDATE ${t.versions} v SET valid_to = f.valid_from
       FROM jsonb_to_recordset($1::jsonb) AS f(episode_id text, version integer, valid_from timestamptz)
       WHERE v.episode_id = f.episode_id AND v.valid_to IS NULL AND v.version < f.version`,
      [JSON.stringify(firsts.map(({ episode_id, version, valid_from }) => ({ episode_id, version, valid_from })))],
    );
    await manager.query(
      `INSERT INTO ${t.versions} (episode_id, version, valid_from, valid_to, pipeline_id, stage, probability, amount, currency, owner, team, status,
         expected_close_date, won_value, won_currency, closed_at)
       SELECT episode_id, version, valid_from, valid_to, pipeline_id, stage, probability, amount, currency, owner, team, status,
         expected_close_date, won_value, won_currency, closed_at
       FROM jsonb_to_recordset($1::jsonb) AS r(episode_id text, version integer, valid_from timestamptz, valid_to timestamptz, pipeline_id text, stage text,
         probability integer, amount bigint, currency text, owner text, team text, status text,
         expected_close_date text, won_value numeric, won_currency text, closed_at timestamptz)`,
      [JSON.stringify(versions)],
    );
  };
  return {
    name: `${owner}.opportunity-list`,
    entities: [OpportunityListEntry, OpportunityVersion],
    handles: [...OPPORTUNITY_LIST_TYPES],
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}
