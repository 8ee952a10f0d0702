import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsInstant, NestedObject, NestedObjects } from '@crm/contracts';
import { CASE_PRIORITIES, CHANNELS, CUSTOMER_VALUE_TIERS, SLUG_ID } from '@crm/kernel';
import { SLA_METRICS } from '@crm/service-levels';

const SLUG_MESSAGE = 'must be 1–63 lower-case letters, digits or dashes';
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const TIME_MESSAGE = 'must be HH:MM on the wall clock, 00:00 to 24:00';
const MAX_MINUTES = 525_600;

export class ServiceLevelPolicyDto {
  @ApiProperty({ example: 'platinum-phone' }) @Matches(SLUG_ID, { message: `policyId ${SLUG_MESSAGE}` }) policyId!: string;
  @ApiPropertyOptional({ enum: CUSTOMER_VALUE_TIERS, description: 'Only customers of this value tier (any when left out)' })
  @IsOptional()
  @IsIn(CUSTOMER_VALUE_TIERS)
  tier?: string;
  @ApiPropertyOptional({ enum: CASE_PRIORITIES, description: 'Only cases of this priority (any when left out)' })
  @IsOptional()
  @IsIn(CASE_PRIORITIES)
  priority?: string;
  @ApiPropertyOptional({ enum: CHANNELS, description: 'Only cases that came in on this channel (any when left out)' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string;
  @ApiProperty({ description: 'The business calendar its minutes count in (`24x7` is built in)', example: 'berlin-office' })
  @Matches(/^(?:24x7|[a-z0-9][a-z0-9-]{0,62})$/, { message: `calendarId ${SLUG_MESSAGE} (or 24x7)` })
  calendarId!: string;
  @ApiProperty({ description: 'Business minutes to the first answer', example: 15 }) @IsInt() @Min(1) @Max(MAX_MINUTES) firstResponseMinutes!: number;
  @ApiProperty({ description: 'Business minutes to answer each message of the customer', example: 60 })
  @IsInt()
  @Min(1)
  @Max(MAX_MINUTES)
  nextResponseMinutes!: number;
  @ApiProperty({ description: 'Business minutes to resolve (again after a reopen)', example: 480 })
  @IsInt()
  @Min(1)
  @Max(MAX_MINUTES)
  resolutionMinutes!: number;
  @ApiProperty({ description: 'The share of a target at which the case is `warning`, 1–99', example: 80 }) @IsInt() @Min(1) @Max(99) warningPercent!: number;
}

export class EscalationRuleDto {
  @ApiProperty({ example: 'platinum-to-seniors' }) @Matches(SLUG_ID, { message: `ruleId ${SLUG_MESSAGE}` }) ruleId!: string;
  @ApiProperty({ enum: SLA_METRICS, description: 'Set off by a breach of this metric' }) @IsIn(SLA_METRICS) metric!: string;
  @ApiPropertyOptional({ enum: CUSTOMER_VALUE_TIERS, description: 'Only for customers of this tier (any when left out)' })
  @IsOptional()
  @IsIn(CUSTOMER_VALUE_TIERS)
  tier?: string;
  @ApiProperty({ enum: ['reassign', 'notify'] }) @IsIn(['reassign', 'notify']) action!: string;
  @ApiPropertyOptional({ description: '`reassign`: the team the case goes to', example: 'seniors' })
  @ValidateIf((r: EscalationRuleDto) => r.action === 'reassign' || r.team !== undefined)
  @Matches(SLUG_ID, { message: `team ${SLUG_MESSAGE} (a reassignment names the team)` })
  team?: string;
  @ApiPropertyOptional({ description: '`notify`: whom to tell (a user id or an address)', example: 'service-lead' })
  @ValidateIf((r: EscalationRuleDto) => r.action === 'notify' || r.notify !== undefined)
  @IsString({ message: 'notify names whom to tell' })
  @IsNotEmpty()
  @MaxLength(200)
  notify?: string;
}

export class SetServiceLevelPoliciesDto {
  @ApiProperty({ type: [ServiceLevelPolicyDto], description: 'The whole set (replaces the one in force); most specific match wins' })
  @NestedObjects(() => ServiceLevelPolicyDto)
  @ArrayMaxSize(200)
  policies!: ServiceLevelPolicyDto[];
  @ApiProperty({ type: [EscalationRuleDto], description: 'What a breach sets off' })
  @NestedObjects(() => EscalationRuleDto)
  @ArrayMaxSize(100)
  escalations!: EscalationRuleDto[];
}

export class ServiceLevelPoliciesDto extends SetServiceLevelPoliciesDto {
  @ApiProperty({ enum: CUSTOMER_VALUE_TIERS, description: 'The tier of a customer analytics has not scored', example: 'bronze' }) defaultTier!: string;
  @ApiProperty({ type: ServiceLevelPolicyDto, description: 'The policy of a case no policy matches' }) fallback!: ServiceLevelPolicyDto;
}

export class OpeningHoursDto {
  @ApiProperty({ example: '09:00' }) @Matches(TIME, { message: `from ${TIME_MESSAGE}` }) from!: string;
  @ApiProperty({ example: '17:00' }) @Matches(TIME, { message: `to ${TIME_MESSAGE}` }) to!: string;
}

export class WeeklyHoursDto {
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @NestedObjects(() => OpeningHoursDto) @ArrayMaxSize(8) sun?: OpeningHoursDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @NestedObjects(() => OpeningHoursDto) @ArrayMaxSize(8) mon?: OpeningHoursDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @NestedObjects(() => OpeningHoursDto) @ArrayMaxSize(8) tue?: OpeningHoursDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @NestedObjects(() => OpeningHoursDto) @ArrayMaxSize(8) wed?: OpeningHoursDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @NestedObjects(() => OpeningHoursDto) @ArrayMaxSize(8) thu?: OpeningHoursDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @NestedObjects(() => OpeningHoursDto) @ArrayMaxSize(8) fri?: OpeningHoursDto[];
  @ApiPropertyOptional({ type: [OpeningHoursDto] }) @IsOptional() @NestedObjects(() => OpeningHoursDto) @ArrayMaxSize(8) sat?: OpeningHoursDto[];
}

export class SetBusinessCalendarDto {
  @ApiProperty({ example: 'Berlin office' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ description: 'IANA time zone of the hours and holidays', example: 'Europe/Berlin' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  timeZone!: string;
  @ApiProperty({ type: WeeklyHoursDto, description: 'Opening hours per weekday; a day left out is closed' })
  @NestedObject(() => WeeklyHoursDto)
  hours!: WeeklyHoursDto;
  @ApiProperty({ type: [String], description: 'Local dates the clock does not run', example: ['2026-12-25'] })
  @IsArray()
  @ArrayMaxSize(400)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { each: true, message: 'holidays must be dates YYYY-MM-DD' })
  holidays!: string[];
}

export class BusinessCalendarDto extends SetBusinessCalendarDto {
  @ApiProperty({ example: 'berlin-office' }) calendarId!: string;
  @ApiProperty({ description: '`24x7` is built in and cannot be changed' }) builtIn!: boolean;
}

export class MetricClockDto {
  @ApiProperty({ enum: SLA_METRICS }) metric!: string;
  @ApiProperty({ description: 'Next response: the n-th awaited answer; resolution: one more per reopen', example: 0 }) cycle!: number;
  @ApiProperty({ enum: ['running', 'paused', 'warning', 'breached', 'met'] }) state!: string;
  @ApiProperty({ example: 15 }) targetMinutes!: number;
  @ApiProperty({ example: '2026-11-30T08:00:00.000Z' }) startedAt!: string;
  @ApiPropertyOptional({ description: 'Absent while waiting on the customer (the clock stands still)', example: '2026-11-30T08:15:00.000Z' }) dueAt?: string;
  @ApiPropertyOptional({ example: '2026-11-30T08:12:00.000Z' }) warnAt?: string;
  @ApiPropertyOptional({ description: 'When it was answered or the case closed' }) stoppedAt?: string;
  @ApiPropertyOptional({ description: 'Whether it was met in time (once stopped)' }) met?: boolean;
  @ApiProperty({ description: 'Business minutes run (to now or the stop)', example: 3 }) elapsedMinutes!: number;
  @ApiProperty({ description: 'Business minutes it stood still waiting on the customer', example: 0 }) pausedMinutes!: number;
  @ApiProperty({ description: 'CaseSlaWarning recorded' }) warned!: boolean;
  @ApiProperty({ description: 'CaseSlaBreached recorded' }) breachRecorded!: boolean;
}

export class CaseServiceLevelsDto {
  @ApiProperty() episodeId!: string;
  @ApiProperty() customerId!: string;
  @ApiProperty({ enum: CUSTOMER_VALUE_TIERS }) tier!: string;
  @ApiProperty({ description: 'True: analytics has not scored the customer; the default tier applies' }) defaultTier!: boolean;
  @ApiProperty({ enum: CASE_PRIORITIES }) priority!: string;
  @ApiProperty({ example: 'phone' }) channel!: string;
  @ApiPropertyOptional({ example: 'billing' }) team?: string;
  @ApiProperty({ example: 'in-progress' }) status!: string;
  @ApiProperty({ example: 'platinum-phone' }) policyId!: string;
  @ApiProperty({ example: '24x7' }) calendarId!: string;
  @ApiProperty({ type: [MetricClockDto] }) clocks!: MetricClockDto[];
}

export class AttainmentQueryDto {
  @ApiProperty({ description: 'Cases opened at or after this instant', example: '2026-11-01T00:00:00Z' }) @IsInstant() from!: string;
  @ApiProperty({ description: 'Cases opened before this instant', example: '2026-12-01T00:00:00Z' }) @IsInstant() to!: string;
  @ApiPropertyOptional({ enum: ['team', 'tier'], description: 'Default tier' }) @IsOptional() @IsIn(['team', 'tier']) groupBy?: 'team' | 'tier';
}

export class AttainmentRowDto {
  @ApiProperty({ description: 'The team (`(none)`: no team) or the tier', example: 'platinum' }) group!: string;
  @ApiProperty({ enum: SLA_METRICS }) metric!: string;
  @ApiProperty({ description: 'Clocks met in time', example: 9 }) met!: number;
  @ApiProperty({ description: 'Clocks breached (stopped late, or past due and still running)', example: 1 }) breached!: number;
  @ApiProperty({ description: 'Clocks still running within their target (not counted in the share)', example: 2 }) open!: number;
  @ApiPropertyOptional({ description: 'met / (met + breached), 0–1; absent when none is decided yet', example: 0.9 }) attainment?: number;
}

export class AttainmentDto {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ enum: ['team', 'tier'] }) groupBy!: string;
  @ApiProperty({ description: 'The clock the open clocks were judged at' }) asOf!: string;
  @ApiProperty({ type: [AttainmentRowDto] }) items!: AttainmentRowDto[];
}
