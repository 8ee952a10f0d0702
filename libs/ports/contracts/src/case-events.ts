import { CASE_PRIORITIES, CASE_SEVERITIES, CASE_STATUSES, SLUG_ID } from '@crm/kernel';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { IsInstant } from './instant';
import { Personal } from './personal-data';

/**
 * The events of a case that people work (issue 12 §1), on the case's episode stream
 * (`episode-<id>`) beside `EpisodeOpened`, `InteractionRecorded` and `EpisodeClosed`. Schema
 * version 1; docs/events.md lists them.
 */

/** What changed of a case's working details (only that); `null` clears. */
export class CaseDetailsChangedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsOptional() @IsIn(CASE_PRIORITIES) priority?: string;
  @IsOptional() @IsIn(CASE_SEVERITIES) severity?: string;
  @ValidateIf((_o, v) => v !== undefined && v !== null) @Matches(SLUG_ID) category?: string | null;
  /** A product of the catalogue (`ProductDefined.productId`) the case is about. */
  @ValidateIf((_o, v) => v !== undefined && v !== null) @IsString() @IsNotEmpty() @MaxLength(200) productId?: string | null;
  /** The team (queue) the case waits in. */
  @ValidateIf((_o, v) => v !== undefined && v !== null) @Matches(SLUG_ID) team?: string | null;
  @IsInstant() changedAt!: string;
  @IsString() @IsNotEmpty() changedBy!: string;
}

/** A move of a case from one status to another (`CASE_STATUSES`). */
export class CaseStatusChangedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsIn(CASE_STATUSES) from!: string;
  @IsIn(CASE_STATUSES) to!: string;
  @IsOptional() @Personal() @IsString() @IsNotEmpty() @MaxLength(500) reason?: string;
  @IsInstant() changedAt!: string;
  @IsString() @IsNotEmpty() changedBy!: string;
}

/** A case given to an agent, with why (the router's reason, or the person who assigned it). */
export class CaseAssignedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  @IsOptional() @Matches(SLUG_ID) team?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) previousAgentId?: string;
  /** Why this agent ("skills billing≥3, least loaded 1/4, priority 0.91: platinum, 12 min of SLA left"). */
  @IsString() @IsNotEmpty() @MaxLength(1000) reason!: string;
  @IsInstant() assignedAt!: string;
  @IsString() @IsNotEmpty() assignedBy!: string;
}

/** A resolved case opened again (the customer came back about it); its episode is open again. */
export class CaseReopenedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  @Personal() @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
  @IsInstant() reopenedAt!: string;
  @IsString() @IsNotEmpty() reopenedBy!: string;
}

/**
 * A case taken from its agent and put back in its team's queue, waiting (a supervisor's release, or an
 * SLA escalation moving it to another team). Comes with the `CaseStatusChanged` to `new` in the same
 * append (unless it was `new` already), and a team change before it as `CaseDetailsChanged`.
 */
export class CaseUnassignedV1 {
  @IsString() @IsNotEmpty() episodeId!: string;
  @IsString() @IsNotEmpty() customerId!: string;
  /** The agent who held it. */
  @IsString() @IsNotEmpty() @MaxLength(200) previousAgentId!: string;
  /** The team (queue) it waits in now; absent: none. */
  @IsOptional() @Matches(SLUG_ID) team?: string;
  /**
   * Why ("SLA escalation rule r-1: first-response (cycle 0) breached", "agent went home sick").
   * Personal, as the same text in its `CaseStatusChanged.reason` is: a person's words may name the customer.
   */
  @Personal() @IsString() @IsNotEmpty() @MaxLength(500) reason!: string;
  @IsInstant() unassignedAt!: string;
  @IsString() @IsNotEmpty() unassignedBy!: string;
}

export const CASE_EVENTS = {
  CaseDetailsChanged: CaseDetailsChangedV1,
  CaseStatusChanged: CaseStatusChangedV1,
  CaseAssigned: CaseAssignedV1,
  CaseReopened: CaseReopenedV1,
  CaseUnassigned: CaseUnassignedV1,
} as const;
