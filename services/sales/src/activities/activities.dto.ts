import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsInstant } from '@crm/contracts';
import { ACTIVITY_KINDS, ACTIVITY_STATUSES, CHANNELS, DIRECTIONS, MAX_MEETING_MINUTES, MAX_REMINDER_MINUTES } from '@crm/relationship';

const EXAMPLE_ID = '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60';

export class PlanActivityDto {
  @ApiPropertyOptional({ description: 'Client-chosen id: a retried plan is recorded once', example: EXAMPLE_ID }) @IsOptional() @IsUUID() activityId?: string;
  @ApiProperty({ enum: ACTIVITY_KINDS, example: 'call' }) @IsIn(ACTIVITY_KINDS) kind!: (typeof ACTIVITY_KINDS)[number];
  @ApiPropertyOptional({ description: 'The customer; required unless an episode is named (then its customer is taken)', example: EXAMPLE_ID })
  @ValidateIf((o: PlanActivityDto, v) => v !== undefined || o.episodeId === undefined)
  @IsUUID()
  customerId?: string;
  @ApiPropertyOptional({ description: "An open episode of the company's (an opportunity, a case…): completing records the interaction there" })
  @IsOptional()
  @IsUUID()
  episodeId?: string;
  @ApiProperty({ description: 'What it is about (personal: erased with the customer)', example: 'Fleet renewal: confirm the budget' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  subject!: string;
  @ApiPropertyOptional({ description: 'Personal free text', example: 'Ask for the decision date' }) @IsOptional() @IsString() @MaxLength(5000) notes?: string;
  @ApiProperty({ description: 'When it is due (an ISO 8601 instant)', example: '2026-03-02T09:00:00Z' }) @IsInstant() dueAt!: string;
  @ApiPropertyOptional({ description: 'Meetings only (and required for them): minutes', example: 60, minimum: 1, maximum: MAX_MEETING_MINUTES })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MEETING_MINUTES)
  durationMinutes?: number;
  @ApiPropertyOptional({ description: 'A reminder this many minutes before the due time', example: 15, minimum: 0, maximum: MAX_REMINDER_MINUTES })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_REMINDER_MINUTES)
  reminderMinutesBefore?: number;
  @ApiPropertyOptional({ description: 'A staff user id; default the caller. Someone else: managers only', example: 'sari' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  owner?: string;
}

/** The timing as a whole: a duration or reminder left out is dropped. */
export class RescheduleActivityDto {
  @ApiProperty({ example: '2026-03-03T09:00:00Z' }) @IsInstant() dueAt!: string;
  @ApiPropertyOptional({ description: 'Meetings only (and required for them)', minimum: 1, maximum: MAX_MEETING_MINUTES })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_MEETING_MINUTES)
  durationMinutes?: number;
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_REMINDER_MINUTES, example: 30 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_REMINDER_MINUTES)
  reminderMinutesBefore?: number;
}

export class ReassignActivityDto {
  @ApiProperty({ description: 'A staff user id', example: 'budi' }) @IsString() @IsNotEmpty() @MaxLength(200) owner!: string;
}

export class CancelActivityDto {
  @ApiPropertyOptional({ description: 'Why (personal free text)', example: 'customer on leave' }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export class CompleteActivityDto {
  @ApiPropertyOptional({ description: "What came back: the customer's response (personal free text)", example: 'budget confirmed, decision in April' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  response?: string;
  @ApiPropertyOptional({ description: 'What was done; default by kind ("planned call held")' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  action?: string;
  @ApiPropertyOptional({
    enum: CHANNELS,
    description: 'The channel of the contact; default by kind (call: phone, meeting: face-to-face, email: email). A task records an interaction only with one',
  })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: (typeof CHANNELS)[number];
  @ApiPropertyOptional({ enum: DIRECTIONS, default: 'outbound' }) @IsOptional() @IsIn(DIRECTIONS) direction?: (typeof DIRECTIONS)[number];
}

export class ActivityIdParam {
  @ApiProperty({ format: 'uuid' }) @IsUUID() id!: string;
}

const INTERACTION_EXAMPLE = {
  interactionId: '9f0c…',
  channel: 'phone',
  direction: 'outbound',
  actor: { kind: 'staff', id: 'sari' },
  action: 'planned call held',
  response: 'budget confirmed',
  occurredAt: '2026-03-02T09:10:00.000Z',
};

export class ActivityDto {
  @ApiProperty({ format: 'uuid' }) activityId!: string;
  @ApiProperty({ enum: ACTIVITY_KINDS }) kind!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiPropertyOptional({ format: 'uuid' }) episodeId?: string;
  @ApiProperty({ description: '`[erased]` once the customer was erased' }) subject!: string;
  @ApiPropertyOptional() notes?: string;
  @ApiProperty() owner!: string;
  @ApiProperty({ enum: ACTIVITY_STATUSES }) status!: string;
  @ApiProperty({ example: '2026-03-02T09:00:00.000Z' }) dueAt!: string;
  @ApiPropertyOptional() durationMinutes?: number;
  @ApiPropertyOptional({ description: 'Meetings: dueAt + durationMinutes' }) endsAt?: string;
  @ApiPropertyOptional() reminderMinutesBefore?: number;
  @ApiPropertyOptional() remindAt?: string;
  @ApiProperty({ description: 'Open and past its due time' }) overdue!: boolean;
  @ApiProperty({ description: '1 for the plan, +1 for each reschedule' }) schedule!: number;
  @ApiProperty({ description: 'ActivityReminderDue recorded for this schedule' }) reminderNotified!: boolean;
  @ApiProperty({ description: 'ActivityDue recorded for this schedule' }) dueNotified!: boolean;
  @ApiProperty() plannedBy!: string;
  @ApiProperty() plannedAt!: string;
  @ApiPropertyOptional() completedAt?: string;
  @ApiPropertyOptional() completedBy?: string;
  @ApiPropertyOptional() cancelledAt?: string;
  @ApiPropertyOptional({ description: 'The interaction completing it recorded', example: INTERACTION_EXAMPLE }) interaction?: object;
  @ApiProperty({ description: 'The stream revision (also the ETag)', example: '3' }) revision!: string;
}

export class PlannedActivityDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) activityId!: string;
}

export class CompletedActivityDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) activityId!: string;
  @ApiPropertyOptional({ description: 'The interaction recorded (absent for a task completed without a channel)' }) interactionId?: string;
  @ApiPropertyOptional({
    enum: ['episode', 'relationship'],
    description: "`episode`: on the activity's episode too; `relationship`: in ActivityCompleted only (no episode, or it closed since)",
  })
  recordedOn?: string;
}

export class ActivityOwnerDto {
  @ApiProperty({ format: 'uuid', example: EXAMPLE_ID }) activityId!: string;
  @ApiProperty({ example: 'budi' }) owner!: string;
}
