import { Body, Controller, Get, Headers, Inject, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { SLUG_ID } from '@crm/kernel';
import { READ_MODELS, ServiceLevelCommands, type ReadModelRunners } from '@crm/relationship-api';
import {
  calendarProblems,
  DEFAULT_VALUE_TIER,
  FALLBACK_POLICY,
  type BusinessCalendar,
  type EscalationRule,
  type ServiceLevelPolicy,
} from '@crm/service-levels';
import {
  ApiProblem,
  CLOCK,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  HttpProblem,
  ProblemTypes,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import { slaAttainment } from './sla-attainment.query';
import {
  AttainmentDto,
  AttainmentQueryDto,
  BusinessCalendarDto,
  CaseServiceLevelsDto,
  ServiceLevelPoliciesDto,
  SetBusinessCalendarDto,
  SetServiceLevelPoliciesDto,
} from './service-levels.dto';

const POLICY_EXAMPLE = {
  policies: [
    {
      policyId: 'platinum',
      tier: 'platinum',
      calendarId: '24x7',
      firstResponseMinutes: 15,
      nextResponseMinutes: 30,
      resolutionMinutes: 240,
      warningPercent: 80,
    },
  ],
  escalations: [{ ruleId: 'platinum-to-seniors', metric: 'first-response', tier: 'platinum', action: 'reassign', team: 'seniors' }],
};

/**
 * Service levels (issue 12 §4): the policies and escalation rules, the business calendars, a case's
 * clocks and attainment. Staff of service and management read them; service managers and admins
 * (role `manager` or `admin`) change the configuration, with If-Match on the ETag they read.
 */
@ApiTags('service levels')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of service or management (changing the configuration: not a manager or admin)' })
@Controller()
export class ServiceLevelsController {
  constructor(
    private readonly serviceLevels: ServiceLevelCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('service-levels/policies')
  @ApiOperation({ summary: 'The service-level policies and escalation rules in force; ETag for If-Match on PUT' })
  @ApiOkResponse({ type: ServiceLevelPoliciesDto, example: { ...POLICY_EXAMPLE, defaultTier: 'bronze', fallback: FALLBACK_POLICY } })
  async policies(@Res({ passthrough: true }) res: HeaderResponse): Promise<ServiceLevelPoliciesDto> {
    const { policies, escalations, revision } = await this.serviceLevels.policies();
    setEtag(res, revision);
    return { policies, escalations, defaultTier: DEFAULT_VALUE_TIER, fallback: FALLBACK_POLICY };
  }

  @Put('service-levels/policies')
  @RequireRoles('manager', 'admin')
  @ApiOperation({ summary: 'Replace the policies and escalation rules (service managers and admins); applies to open cases from now' })
  @ApiOkResponse({ type: ServiceLevelPoliciesDto, example: { ...POLICY_EXAMPLE, defaultTier: 'bronze', fallback: FALLBACK_POLICY } })
  @ApiProblem(400, 'Bad body: errors name the field', {
    errors: [{ field: 'policies.0.firstResponseMinutes', message: 'firstResponseMinutes must not be less than 1' }],
  })
  @ApiProblem(412, 'If-Match names an older revision of the policies')
  @ApiProblem(415, 'A body that is not JSON')
  @ApiProblem(422, 'A rule was broken (an unknown calendar, two policies for the same cases, an id twice)', { code: 'invalid-service-level-configuration' })
  async setPolicies(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SetServiceLevelPoliciesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ServiceLevelPoliciesDto> {
    const { policies, escalations, revision } = await this.serviceLevels.setPolicies(
      p as StaffPrincipal,
      { policies: dto.policies.map((x) => ({ ...x })) as ServiceLevelPolicy[], escalations: dto.escalations.map((x) => ({ ...x })) as EscalationRule[] },
      { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId },
    );
    setEtag(res, revision);
    return { policies, escalations, defaultTier: DEFAULT_VALUE_TIER, fallback: FALLBACK_POLICY };
  }

  @Get('service-levels/calendars/:id')
  @ApiParam({ name: 'id', description: 'The calendar (`24x7` is built in)', example: 'berlin-office' })
  @ApiOperation({ summary: 'A business calendar; ETag for If-Match on PUT' })
  @ApiOkResponse({
    type: BusinessCalendarDto,
    example: {
      calendarId: 'berlin-office',
      name: 'Berlin office',
      timeZone: 'Europe/Berlin',
      hours: { mon: [{ from: '09:00', to: '17:00' }] },
      holidays: ['2026-12-25'],
      builtIn: false,
    },
  })
  @ApiProblem(400, 'An id that cannot be a calendar', { errors: [{ field: 'id', message: 'id must be 1–63 lower-case letters, digits or dashes' }] })
  @ApiProblem(404, 'No such calendar')
  async calendar(@Param('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<BusinessCalendarDto> {
    if (id !== '24x7') calendarId(id);
    const { calendar, builtIn, revision } = await this.serviceLevels.calendar(id);
    setEtag(res, revision);
    return { ...calendar, builtIn } as BusinessCalendarDto;
  }

  @Put('service-levels/calendars/:id')
  @RequireRoles('manager', 'admin')
  @ApiParam({ name: 'id', description: 'The calendar, chosen by you', example: 'berlin-office' })
  @ApiOperation({ summary: 'Create or replace a business calendar (service managers and admins); applies to open cases from now' })
  @ApiOkResponse({ type: BusinessCalendarDto })
  @ApiProblem(400, 'Bad body or id: errors name the field (timeZone, hours.mon.0.to, holidays.0…)', {
    errors: [{ field: 'timeZone', message: 'timeZone: Mars/Olympus is not an IANA time zone' }],
  })
  @ApiProblem(412, 'If-Match names an older revision of the calendar')
  @ApiProblem(415, 'A body that is not JSON')
  async setCalendar(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() dto: SetBusinessCalendarDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<BusinessCalendarDto> {
    if (id === '24x7')
      throw new HttpProblem(400, 'the 24x7 calendar is built in', { type: ProblemTypes.validation, errors: [{ field: 'id', message: 'id 24x7 is built in' }] });
    calendarId(id);
    const calendar: BusinessCalendar & { name: string } = {
      calendarId: id,
      name: dto.name,
      timeZone: dto.timeZone,
      hours: JSON.parse(JSON.stringify(dto.hours)) as BusinessCalendar['hours'],
      holidays: dto.holidays,
    };
    const problems = calendarProblems(calendar);
    if (problems.length > 0)
      throw new HttpProblem(400, problems.join('; '), {
        type: ProblemTypes.validation,
        errors: problems.map((line) => ({ field: line.slice(0, line.indexOf(':')), message: line })),
      });
    const r = await this.serviceLevels.setCalendar(p as StaffPrincipal, calendar, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { ...r.calendar, builtIn: false } as BusinessCalendarDto;
  }

  @Get('cases/:id/service-levels')
  @ApiOperation({ summary: "A case's SLA clocks now: due times, states, paused time, the policy and tier they follow" })
  @ApiOkResponse({ type: CaseServiceLevelsDto })
  @ApiProblem(400, 'An id that is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @ApiProblem(404, 'No such case (or an episode that is not a case of the company)')
  caseClocks(@UuidParam('id') id: string): Promise<CaseServiceLevelsDto> {
    return this.serviceLevels.caseServiceLevels(id) as Promise<CaseServiceLevelsDto>;
  }

  @Get('service-levels/attainment')
  @ApiOperation({ summary: 'Share of clocks met, per metric and team or tier, of the cases opened in [from, to)' })
  @ApiOkResponse({
    type: AttainmentDto,
    example: {
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      groupBy: 'tier',
      asOf: '2026-11-30T12:00:00.000Z',
      items: [{ group: 'platinum', metric: 'first-response', met: 9, breached: 1, open: 2, attainment: 0.9 }],
    },
  })
  @ApiProblem(400, 'Bad query: errors name the field', { errors: [{ field: 'groupBy', message: 'groupBy must be one of the following values: team, tier' }] })
  async attainment(@Query() q: AttainmentQueryDto): Promise<AttainmentDto> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (to.getTime() <= from.getTime())
      throw new HttpProblem(400, 'to must be after from', { type: ProblemTypes.validation, errors: [{ field: 'to', message: 'to must be after from' }] });
    const groupBy = q.groupBy ?? 'tier';
    const now = this.clock.now();
    const items = await slaAttainment(this.readModels.dataSource.manager, from, to, groupBy, now);
    return { from: from.toISOString(), to: to.toISOString(), groupBy, asOf: now.toISOString(), items };
  }
}

/** 400 naming `id` when it cannot be a calendar id. */
function calendarId(id: string): string {
  if (!SLUG_ID.test(id))
    throw new HttpProblem(400, 'id must be 1–63 lower-case letters, digits or dashes', {
      type: ProblemTypes.validation,
      errors: [{ field: 'id', message: 'id must be 1–63 lower-case letters, digits or dashes' }],
    });
  return id;
}
