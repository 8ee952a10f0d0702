import type { Repository } from 'typeorm';
import { IsNull, Not, In } from 'typeorm';
import type { CaseCommands } from '@crm/relationship-api';
import { CaseSlaClockRow } from '../service-levels/case-service-levels.entities';
import type { CaseAssignment, CaseAssignmentInput, SlaTimeLeft } from './case-assignment.port';

/**
 * The router's assignment through the case lifecycle's one command (issue 12 §1): the decider sets
 * the status to `assigned`, refuses a closed case, and records nothing when the case already has this
 * agent — so a retried accept assigns once. The router is the actor; who accepted is in the reason.
 */
export class CaseCommandsAssignment implements CaseAssignment {
  constructor(private readonly cases: CaseCommands) {}

  async assign(input: CaseAssignmentInput): Promise<void> {
    await this.cases.assign(
      { kind: 'system', id: 'router' },
      input.episodeId,
      { agentId: input.agentId, ...(input.team && { team: input.team }), reason: `${input.reason}; offer accepted by ${input.by}` },
      { correlationId: input.correlationId },
    );
  }
}

/**
 * Minutes until each case's nearest due time among its clocks still running (from the service
 * levels' read model, issue 12 §4); negative once past it. Paused clocks (waiting on the customer)
 * and stopped ones do not count; a case without a running clock is left out (neutral).
 */
export class SlaClocksTimeLeft implements SlaTimeLeft {
  constructor(private readonly clocks: () => Repository<CaseSlaClockRow>) {}

  async minutesLeft(episodeIds: readonly string[], now: Date): Promise<ReadonlyMap<string, number>> {
    const left = new Map<string, number>();
    if (episodeIds.length === 0) return left;
    const rows = await this.clocks().find({
      where: { episodeId: In([...episodeIds]), stoppedAt: IsNull(), dueAt: Not(IsNull()), state: In(['running', 'warning', 'breached']) },
      select: { episodeId: true, dueAt: true },
    });
    for (const r of rows) {
      const minutes = (r.dueAt!.getTime() - now.getTime()) / 60_000;
      const known = left.get(r.episodeId);
      if (known === undefined || minutes < known) left.set(r.episodeId, minutes);
    }
    return left;
  }
}
