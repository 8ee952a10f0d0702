import type { EntityManager } from 'typeorm';
import type { CaseQueryParts } from '../cases/case-list/case-search.query';
import { CaseSlaClockRow } from './case-service-levels.entities';

/**
 * Joins the cases list with the service levels: each case's worst clock (every metric, every cycle
 * since it opened) as `sla_state` — `breached` (stopped late, or its breach recorded), `warning`
 * (its warning recorded), `on-track` (running or paused), `met` (every clock stopped in time), null
 * when no clock was computed for it yet — and, with `slaState`, only the cases in that state. The
 * clocks' states are those the events recorded (the SLA timer's notices), so the list agrees with
 * `CaseSlaWarning` / `CaseSlaBreached` rather than with a clock computed at request time.
 * Each case also carries its nearest due time — the earliest `due_at` of its clocks still running
 * (not stopped, not paused) — and that clock's metric (`sla_due_at`, `sla_due_metric`): a queue
 * shows the time left on each case without asking for every case's clocks.
 */
export function withSlaState(manager: EntityManager, slaState?: string): (parts: CaseQueryParts) => void {
  const clocks = manager.getRepository(CaseSlaClockRow).metadata.tablePath;
  const state = `(SELECT CASE
      WHEN bool_or(k.state = 'breached') THEN 'breached'
      WHEN bool_or(k.state = 'warning') THEN 'warning'
      WHEN bool_or(k.state IN ('running', 'paused')) THEN 'on-track'
      WHEN count(*) > 0 THEN 'met' END
    FROM ${clocks} k WHERE k.episode_id = c.episode_id)`;
  const nearest = (column: string) =>
    `(SELECT k.${column} FROM ${clocks} k WHERE k.episode_id = c.episode_id AND k.stopped_at IS NULL AND k.due_at IS NOT NULL ORDER BY k.due_at ASC, k.metric ASC LIMIT 1)`;
  return (parts) => {
    parts.select.push(`${state} AS sla_state`, `${nearest('due_at')} AS sla_due_at`, `${nearest('metric')} AS sla_due_metric`);
    if (slaState !== undefined) {
      parts.params.push(slaState);
      parts.where.push(`${state} = $${parts.params.length}`);
    }
  };
}
