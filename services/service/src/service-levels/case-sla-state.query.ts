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
 */
export function withSlaState(manager: EntityManager, slaState?: string): (parts: CaseQueryParts) => void {
  const clocks = manager.getRepository(CaseSlaClockRow).metadata.tablePath;
  const state = `(SELECT CASE
      WHEN bool_or(k.state = 'breached') THEN 'breached'
      WHEN bool_or(k.state = 'warning') THEN 'warning'
      WHEN bool_or(k.state IN ('running', 'paused')) THEN 'on-track'
      WHEN count(*) > 0 THEN 'met' END
    FROM ${clocks} k WHERE k.episode_id = c.episode_id)`;
  return (parts) => {
    parts.select.push(`${state} AS sla_state`);
    if (slaState !== undefined) {
      parts.params.push(slaState);
      parts.where.push(`${state} = $${parts.params.length}`);
    }
  };
}
