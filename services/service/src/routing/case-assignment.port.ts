import { loadState, type EventStore } from '@crm/event-store';
import { COMPANY_WIDE_VISIBILITY, NotFoundError, uuidV5, type Clock } from '@crm/kernel';
import { episodeDecider, episodeStream } from '@crm/relationship';
import { randomUUID } from 'node:crypto';

/**
 * The ports the router needs from the rest of the contact centre (issue 12 §1, §4), defined here so
 * routing can be built and tested before those parts are merged: the case lifecycle owns the
 * assignment command, the service levels compute the time left. The lead wires each to its owner's
 * command or read model when merging.
 */

export interface CaseAssignmentInput {
  episodeId: string;
  agentId: string;
  team?: string;
  /** Why: the offer's reason (skills, load, priority and its parts). */
  reason: string;
  at: string;
  /** Who assigned it: the agent who accepted the offer. */
  by: string;
  /** Makes a repeated assignment (a retried accept) record once: the offer's id. */
  assignmentId: string;
  correlationId?: string;
}

/** Gives a case to an agent (`CaseAssigned` on the case's episode stream). */
export interface CaseAssignment {
  assign(input: CaseAssignmentInput): Promise<void>;
}

/** Minutes until each case's nearest SLA due time (negative: breached); a case left out: unknown. */
export interface SlaTimeLeft {
  minutesLeft(episodeIds: readonly string[], now: Date): Promise<ReadonlyMap<string, number>>;
}

export const CASE_ASSIGNMENT = Symbol('CASE_ASSIGNMENT');
export const SLA_TIME_LEFT = Symbol('SLA_TIME_LEFT');

/** No SLA known for any case: the priority's SLA part is neutral (0) until service levels are wired. */
export const neutralSlaTimeLeft: SlaTimeLeft = { minutesLeft: async () => new Map() };

const ASSIGNMENT_NAMESPACE = '8f7d2c4a-1b3e-4c5d-9e6f-0a1b2c3d4e5f';

/**
 * A small adapter of `CaseAssignment` until the case lifecycle's command is merged: appends
 * `CaseAssigned` (contract in libs/ports/contracts/src/case-events.ts) to `episode-<id>` after
 * loading it (it must be an open case of a department), expecting the revision read, under an event
 * id derived from the assignment id — so a retried accept records the assignment once.
 */
export class StoreCaseAssignment implements CaseAssignment {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async assign(input: CaseAssignmentInput): Promise<void> {
    const { state, revision } = await loadState(this.store, episodeStream(input.episodeId), episodeDecider);
    if (!state || state.episodeType !== 'case' || state.owner.kind !== 'department') throw new NotFoundError(`case ${input.episodeId} not found`);
    const eventId = uuidV5(`assignment/${input.assignmentId}`, ASSIGNMENT_NAMESPACE);
    const correlationId = input.correlationId ?? randomUUID();
    await this.store.appendToStream(
      episodeStream(input.episodeId),
      [
        {
          id: eventId,
          type: 'CaseAssigned',
          schemaVersion: 1,
          data: {
            episodeId: input.episodeId,
            customerId: state.customerId,
            agentId: input.agentId,
            ...(input.team && { team: input.team }),
            reason: input.reason,
            assignedAt: input.at,
            assignedBy: input.by,
          },
          metadata: {
            correlationId,
            causationId: correlationId,
            actor: { type: 'staff', id: input.by },
            occurredAt: this.clock.now().toISOString(),
            visibility: COMPANY_WIDE_VISIBILITY,
          },
        },
      ],
      { expectedRevision: revision ?? 'no_stream' },
    );
  }
}
