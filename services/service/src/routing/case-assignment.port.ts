/**
 * The ports the router needs from the rest of the contact centre (issue 12 §1, §4), defined here so
 * routing depends on an interface, not on those parts: the case lifecycle owns the assignment command
 * and the service levels compute the time left (the adapters: case-commands-assignment.adapter.ts).
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
