import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { CASE_PRIORITIES, DEFAULT_CASE_PRIORITY, DEFAULT_CASE_SEVERITY } from '@crm/relationship';
import { applyFolded, type FoldedRows } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { CaseListEntry } from './case-list.entities';

const CASE_LIST_TYPES = [
  'EpisodeOpened',
  'CaseDetailsChanged',
  'CaseStatusChanged',
  'CaseAssigned',
  'CaseUnassigned',
  'CaseReopened',
  'InteractionRecorded',
  'EpisodeClosed',
] as const;

/** The events the cases list keeps up with. */
export type CaseListEvent = CrmIntegrationEvent<(typeof CASE_LIST_TYPES)[number]>;

/**
 * The version of the cases list's shape: in the projection's name and its table's (`cases_v1`), so
 * a change of what the rows hold is a new table built from the store under its own checkpoint,
 * never events applied on top of rows the old code wrote.
 */
export const CASE_LIST_VERSION = 1;

/** A row of the cases list, by column name. */
export interface CaseRow {
  episode_id: string;
  customer_id: string;
  name: string;
  channel: string | null;
  status: string;
  priority: string;
  priority_rank: number;
  severity: string;
  category: string | null;
  product_id: string | null;
  team: string | null;
  assignee_id: string | null;
  opened_at: string;
  last_activity_at: string;
  resolved_at: string | null;
  outcome: string | null;
  closed_at: string | null;
  reopen_count: number;
  interactions: number;
}

const iso = (value: string | Date) => new Date(value).toISOString();
const latest = (a: string, b: string) => (Date.parse(b) > Date.parse(a) ? iso(b) : a);
export const priorityRank = (priority: string) => (CASE_PRIORITIES as readonly string[]).indexOf(priority);

/**
 * One event applied to a case's row. Pure: the batch and the one-by-one paths fold through it.
 * Another kind of episode leaves no row (its events change nothing here); a case change of a case
 * the list never saw opened throws (the runner parks it).
 */
export function foldCase(row: CaseRow | undefined, event: CaseListEvent): CaseRow | undefined {
  if (event.type === 'EpisodeOpened') {
    const d = event.data;
    if (row || d.episodeType !== 'case') return row; // delivered again, or not a case
    return {
      episode_id: d.episodeId,
      customer_id: d.customerId,
      name: d.name,
      channel: d.channel ?? null,
      status: 'new',
      priority: DEFAULT_CASE_PRIORITY,
      priority_rank: priorityRank(DEFAULT_CASE_PRIORITY),
      severity: DEFAULT_CASE_SEVERITY,
      category: null,
      product_id: null,
      team: null,
      assignee_id: null,
      opened_at: iso(d.openedAt),
      last_activity_at: iso(d.openedAt),
      resolved_at: null,
      outcome: null,
      closed_at: null,
      reopen_count: 0,
      interactions: 0,
    };
  }
  if (!row) {
    if (event.type === 'InteractionRecorded' || event.type === 'EpisodeClosed') return row; // another kind of episode
    throw new Error(`case ${event.data.episodeId} is not in the cases list`);
  }
  switch (event.type) {
    case 'InteractionRecorded':
      return { ...row, interactions: row.interactions + 1, last_activity_at: latest(row.last_activity_at, event.data.interaction.occurredAt) };
    case 'CaseDetailsChanged': {
      const d = event.data;
      const next = { ...row, last_activity_at: latest(row.last_activity_at, d.changedAt) };
      if (d.priority !== undefined && d.priority !== null) Object.assign(next, { priority: d.priority, priority_rank: priorityRank(d.priority) });
      if (d.severity !== undefined && d.severity !== null) next.severity = d.severity;
      if (d.category !== undefined) next.category = d.category;
      if (d.productId !== undefined) next.product_id = d.productId;
      if (d.team !== undefined) next.team = d.team;
      return next;
    }
    case 'CaseStatusChanged': {
      const d = event.data;
      return {
        ...row,
        status: d.to,
        ...(d.to === 'closed' && { closed_at: iso(d.changedAt) }),
        last_activity_at: latest(row.last_activity_at, d.changedAt),
      };
    }
    case 'CaseAssigned': {
      const d = event.data;
      return { ...row, assignee_id: d.agentId, ...(d.team !== undefined && { team: d.team }), last_activity_at: latest(row.last_activity_at, d.assignedAt) };
    }
    case 'CaseUnassigned': {
      // Back in the queue without an agent (its CaseStatusChanged to new says the status).
      const d = event.data;
      return { ...row, assignee_id: null, ...(d.team !== undefined && { team: d.team }), last_activity_at: latest(row.last_activity_at, d.unassignedAt) };
    }
    case 'CaseReopened':
      return {
        ...row,
        status: 'reopened',
        resolved_at: null,
        outcome: null,
        reopen_count: row.reopen_count + 1,
        last_activity_at: latest(row.last_activity_at, event.data.reopenedAt),
      };
    case 'EpisodeClosed': {
      // Closing the episode resolves the case (cases resolved before statuses existed have only this).
      const d = event.data;
      return { ...row, status: 'resolved', resolved_at: iso(d.closedAt), outcome: d.outcome, last_activity_at: latest(row.last_activity_at, d.closedAt) };
    }
  }
}

const COLUMNS =
  'episode_id, customer_id, name, channel, status, priority, priority_rank, severity, category, product_id, team, assignee_id, ' +
  'opened_at, last_activity_at, resolved_at, outcome, closed_at, reopen_count, interactions';
const RECORD =
  'episode_id text, customer_id text, name text, channel text, status text, priority text, priority_rank integer, severity text, category text, ' +
  'product_id text, team text, assignee_id text, opened_at timestamptz, last_activity_at timestamptz, resolved_at timestamptz, outcome text, ' +
  'closed_at timestamptz, reopen_count integer, interactions integer';

type StoredCaseRow = Omit<CaseRow, 'opened_at' | 'last_activity_at' | 'resolved_at' | 'closed_at'> & {
  opened_at: Date | string;
  last_activity_at: Date | string;
  resolved_at: Date | string | null;
  closed_at: Date | string | null;
};

/**
 * `<owner>.cases` (`service.cases@v1`): the cases list, fed like every read model — from the bus
 * (consumer group `read-models.service`) or straight from the store (embedded) — through the
 * `ProjectionRunner`, with its checkpoint and dedupe records in the same transaction as its rows.
 */
export function caseListProjection(owner: string): Projection<CaseListEvent> {
  const rows: FoldedRows<CaseListEvent, CaseRow, StoredCaseRow> = {
    table: (manager) => manager.getRepository(CaseListEntry).metadata.tablePath,
    key: 'episode_id',
    columns: COLUMNS,
    record: RECORD,
    idOf: (e) => e.data.episodeId,
    fromStored: (r) => ({
      ...r,
      opened_at: iso(r.opened_at),
      last_activity_at: iso(r.last_activity_at),
      resolved_at: r.resolved_at === null ? null : iso(r.resolved_at),
      closed_at: r.closed_at === null ? null : iso(r.closed_at),
    }),
    // (undefined for another kind of episode: the same as before, so nothing is written)
    fold: (row, event) => foldCase(row, event) as CaseRow,
  };
  /** Each case of the batch read once, folded in order, written back in one statement. */
  const applyBatch = (events: readonly CaseListEvent[], manager: EntityManager) => applyFolded(rows, events, manager);
  return {
    name: `${owner}.cases@v${CASE_LIST_VERSION}`,
    entities: [CaseListEntry],
    handles: [...CASE_LIST_TYPES],
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}
