import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCalendarDate } from '@crm/contracts';
import { isoWeekOf } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { activityReport } from '@crm/relationship-read-models';
import { HttpProblem, ProblemTypes, RequireDepartment, RequireKind, RequireRoles, ApiProblem } from '@crm/service-kit';

const invalid = (field: string, message: string) => new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field, message }] });
const MAX_SPAN_DAYS = 371;

export class ActivityReportQueryDto {
  @ApiProperty({ description: 'First day (UTC) of completions counted', example: '2026-03-02' }) @IsCalendarDate() from!: string;
  @ApiProperty({ description: 'Last day (UTC), at most 371 days after from', example: '2026-03-29' }) @IsCalendarDate() to!: string;
  @ApiPropertyOptional({ description: 'Only this owner', example: 'sari' }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(200) owner?: string;
}

export class ActivityReportRowDto {
  @ApiProperty({ example: 'sari' }) owner!: string;
  @ApiProperty({ description: 'ISO 8601 week', example: '2026-W10' }) week!: string;
  @ApiProperty({ description: 'Its Monday', example: '2026-03-02' }) weekStart!: string;
  @ApiProperty({ example: 4 }) calls!: number;
  @ApiProperty({ example: 2 }) meetings!: number;
  @ApiProperty({ example: 7 }) emails!: number;
  @ApiProperty({ example: 1 }) tasks!: number;
}

export class ActivityReportDto {
  @ApiProperty({ example: '2026-03-02' }) from!: string;
  @ApiProperty({ example: '2026-03-29' }) to!: string;
  @ApiProperty({ type: [ActivityReportRowDto], description: 'Weeks and owners with a completed activity; by week, then owner' }) rows!: ActivityReportRowDto[];
}

/**
 * `GET /activity-reports`: calls, meetings, e-mails (and tasks) completed per owner per ISO week,
 * from the activities read model — by when they were completed. For sales and management managers.
 */
@ApiTags('forecast')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management with the role manager or admin' })
@Controller('activity-reports')
export class ActivityReportController {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelRunners) {}

  @Get()
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Activities completed per owner per week, by kind (managers and admins)' })
  @ApiOkResponse({
    type: ActivityReportDto,
    example: {
      from: '2026-03-02',
      to: '2026-03-29',
      rows: [{ owner: 'sari', week: '2026-W10', weekStart: '2026-03-02', calls: 4, meetings: 2, emails: 7, tasks: 1 }],
    },
  })
  @ApiProblem(400, 'Bad query: errors name the field (from, to, owner)', { errors: [{ field: 'from', message: 'from must be a calendar date YYYY-MM-DD' }] })
  async report(@Query() q: ActivityReportQueryDto): Promise<ActivityReportDto> {
    if (q.to < q.from) throw invalid('to', 'to is before from');
    if ((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 > MAX_SPAN_DAYS) throw invalid('to', 'an activity report covers at most 371 days');
    const rows = await activityReport(this.readModels.dataSource.manager, q);
    return { from: q.from, to: q.to, rows: rows.map(({ owner, weekStart, ...counts }) => ({ owner, week: isoWeekOf(weekStart), weekStart, ...counts })) };
  }
}
