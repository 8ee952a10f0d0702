import type { EntityManager } from 'typeorm';
import { CaseSlaClockRow } from './case-service-levels.entities';

export interface AttainmentRow {
  group: string;
  metric: string;
  met: number;
  breached: number;
  open: number;
  attainment?: number;
}

/**
 * SLA attainment of the cases opened in [from, to), per metric and team (`(none)`: no team) or tier:
 * clocks met in time against those breached — stopped late, or still running past their due time at
 * `now`. Clocks still within their target are counted as `open` and left out of the share. A case's
 * team and tier are those of its latest event.
 */
export async function slaAttainment(m: EntityManager, from: Date, to: Date, groupBy: 'team' | 'tier', now: Date): Promise<AttainmentRow[]> {
  const table = m.getRepository(CaseSlaClockRow).metadata.tablePath;
  const group = groupBy === 'team' ? "coalesce(team, '(none)')" : 'tier';
  const rows = (await m.query(
    `SELECT ${group} AS "group", metric,
            count(*) FILTER (WHERE met IS TRUE)::int AS met,
            count(*) FILTER (WHERE met IS FALSE OR (stopped_at IS NULL AND due_at <= $3))::int AS breached,
            count(*) FILTER (WHERE stopped_at IS NULL AND (due_at IS NULL OR due_at > $3))::int AS open
       FROM ${table}
      WHERE opened_at >= $1 AND opened_at < $2
      GROUP BY 1, 2
      ORDER BY 1, 2`,
    [from.toISOString(), to.toISOString(), now.toISOString()],
  )) as { group: string; metric: string; met: number; breached: number; open: number }[];
  return rows.map((r) => ({ ...r, ...(r.met + r.breached > 0 && { attainment: r.met / (r.met + r.breached) }) }));
}
