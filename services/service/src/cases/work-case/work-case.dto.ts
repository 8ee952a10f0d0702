import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { CASE_PRIORITIES, CASE_SEVERITIES, CASE_STATUSES, SLUG_ID, type CasePriority, type CaseSeverity, type CaseStatus } from '@crm/relationship';

const Given = () => ValidateIf((_o, v) => v !== undefined);
const SetOrNull = () => ValidateIf((_o, v) => v !== undefined && v !== null);
const SLUG_MESSAGE = (field: string) => `${field} is 1–63 lower-case letters, digits or dashes`;

/** A case's working details as a change sends them (all optional; `null` clears category, product and team). */
export class CaseDetailsDto {
  @ApiPropertyOptional({ enum: CASE_PRIORITIES, example: 'high', description: 'Default normal' })
  @Given()
  @IsIn(CASE_PRIORITIES)
  priority?: CasePriority;
  @ApiPropertyOptional({ enum: CASE_SEVERITIES, example: 'major', description: 'Default minor' })
  @Given()
  @IsIn(CASE_SEVERITIES)
  severity?: CaseSeverity;
  @ApiPropertyOptional({ description: 'A slug; null clears it', example: 'charging', nullable: true })
  @SetOrNull()
  @Matches(SLUG_ID, { message: SLUG_MESSAGE('category') })
  category?: string | null;
  @ApiPropertyOptional({ description: 'A product of the catalogue; null clears it', example: 'phone-x1', nullable: true })
  @SetOrNull()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  productId?: string | null;
  @ApiPropertyOptional({ description: 'The team (queue) it waits in; null clears it', example: 'phones', nullable: true })
  @SetOrNull()
  @Matches(SLUG_ID, { message: SLUG_MESSAGE('team') })
  team?: string | null;
}

/** The statuses a person moves a case to by this route (the others have their own: assignment, resolve, reopen). */
export const CASE_STATUS_MOVES = ['in-progress', 'waiting-on-customer', 'waiting-on-partner', 'closed'] as const;

export class ChangeCaseStatusDto {
  @ApiProperty({
    enum: CASE_STATUSES,
    description:
      'in-progress, waiting-on-customer, waiting-on-partner (with a reason), or closed (only from resolved); the others answer 422 naming their route',
    example: 'waiting-on-customer',
  })
  @IsIn(CASE_STATUSES)
  status!: CaseStatus;
  @ApiPropertyOptional({ description: 'What the case waits for (needed for waiting-on-*)', example: 'the serial number from the customer' })
  @Given()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

export class AssignCaseDto {
  @ApiProperty({ description: 'The agent (a staff user id)', example: 'budi' }) @IsString() @IsNotEmpty() @MaxLength(200) agentId!: string;
  @ApiPropertyOptional({ description: 'The team it is assigned in (default: the case’s team stays)', example: 'phones' })
  @Given()
  @Matches(SLUG_ID, { message: SLUG_MESSAGE('team') })
  team?: string;
  @ApiProperty({ description: 'Why this agent', example: 'speaks Javanese; knows the X1' }) @IsString() @IsNotEmpty() @MaxLength(1000) reason!: string;
}

export class ReopenCaseDto {
  @ApiProperty({ description: 'Why the customer came back about it', example: 'the phone still does not charge' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

/** `POST /cases/{id}/unassign`: why the case is taken from its agent, and the team (queue) it goes back to. */
export class UnassignCaseDto {
  @ApiProperty({ description: 'Why the case is taken from its agent', example: 'agent went home sick', maxLength: 500 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
  @ApiPropertyOptional({ description: 'The team (queue) it goes back to (default: its own)', example: 'phones-tier-2' })
  @Given()
  @Matches(SLUG_ID, { message: SLUG_MESSAGE('team') })
  team?: string;
}

export class CaseUnassignmentDto {
  @ApiProperty({ description: 'The agent who held it', example: 'budi' }) previousAgentId!: string;
  @ApiPropertyOptional({ description: 'The team (queue) it waits in since', example: 'phones' }) team?: string;
  @ApiProperty({ example: 'agent went home sick' }) reason!: string;
  @ApiProperty() unassignedAt!: string;
  @ApiProperty({ description: 'A staff user id, or a process (sla-escalation)', example: 'sla-escalation' }) unassignedBy!: string;
}

export class CaseStatusVisitDto {
  @ApiProperty({ enum: CASE_STATUSES }) status!: string;
  @ApiProperty({ example: '2026-03-01T09:00:00.000Z' }) enteredAt!: string;
  @ApiPropertyOptional({ enum: CASE_STATUSES }) from?: string;
  @ApiPropertyOptional() reason?: string;
}

export class CaseAssignmentDto {
  @ApiProperty({ example: 'budi' }) agentId!: string;
  @ApiPropertyOptional({ example: 'phones' }) team?: string;
  @ApiPropertyOptional() previousAgentId?: string;
  @ApiProperty({ example: 'skills phones≥3, least loaded 1/4' }) reason!: string;
  @ApiProperty() assignedAt!: string;
  @ApiProperty({ description: 'A staff user id, or a process (router)', example: 'router' }) assignedBy!: string;
}

export class CaseInteractionDto {
  @ApiProperty() interactionId!: string;
  @ApiProperty({ example: 'phone' }) channel!: string;
  @ApiProperty({ example: 'inbound' }) direction!: string;
  @ApiProperty({ example: { kind: 'customer', id: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11' } }) actor!: object;
  @ApiProperty({ example: 'customer called about a fault' }) action!: string;
  @ApiPropertyOptional({ example: 'reset advised' }) response?: string;
  @ApiProperty() occurredAt!: string;
}

export class CaseResolutionDto {
  @ApiProperty({ enum: ['resolved', 'unresolved'] }) outcome!: string;
  @ApiProperty() closedAt!: string;
  @ApiPropertyOptional() reason?: string;
}

/** A return requested from the case (issue 12 §5): `GET /returns/{returnId}` has the rest. */
export class CaseReturnDto {
  @ApiProperty({ example: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11' }) returnId!: string;
  @ApiProperty({ nullable: true, type: String, example: 'RMA-2026-0B7C4F0E' }) rmaNumber!: string | null;
  @ApiProperty({ example: 'at-provider' }) status!: string;
}

/** `GET /cases/{id}` and the answer to every change: the case as its own history tells it. */
export class CaseDto {
  @ApiProperty({ example: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11' }) caseId!: string;
  @ApiProperty({ example: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11' }) customerId!: string;
  @ApiProperty({ example: 'Phone will not charge' }) name!: string;
  @ApiProperty({ nullable: true, type: String, example: 'phone' }) channel!: string | null;
  @ApiProperty({ enum: CASE_STATUSES, example: 'in-progress' }) status!: string;
  @ApiProperty({ enum: CASE_PRIORITIES, example: 'high' }) priority!: string;
  @ApiProperty({ enum: CASE_SEVERITIES, example: 'major' }) severity!: string;
  @ApiProperty({ nullable: true, type: String, example: 'charging' }) category!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'phone-x1' }) productId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'phones' }) team!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'budi' }) assigneeId!: string | null;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ nullable: true, type: CaseResolutionDto, description: 'The closing of the episode; null while open (also after a reopening)' })
  resolution!: CaseResolutionDto | null;
  @ApiProperty({ example: 0 }) reopenCount!: number;
  @ApiProperty({ type: [CaseStatusVisitDto] }) statusHistory!: CaseStatusVisitDto[];
  @ApiProperty({ type: [CaseAssignmentDto] }) assignments!: CaseAssignmentDto[];
  @ApiProperty({ type: [CaseUnassignmentDto], description: 'Every time it was taken from its agent and put back in the queue' })
  unassignments!: CaseUnassignmentDto[];
  @ApiProperty({ type: [CaseInteractionDto] }) interactions!: CaseInteractionDto[];
  @ApiProperty({ description: 'The revision (also the ETag)', example: '4' }) revision!: string;
  @ApiPropertyOptional({
    type: [CaseReturnDto],
    description: 'GET /cases/{id} only: the returns requested from the case (its linked episodes), from the returns list (issue 12 §5)',
  })
  returns?: CaseReturnDto[];
}
