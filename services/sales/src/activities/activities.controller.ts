import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ActivityCommands, type ActivityView } from '@crm/relationship-api';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  setEtag,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
} from '@crm/service-kit';
import {
  ActivityDto,
  ActivityIdParam,
  ActivityOwnerDto,
  CancelActivityDto,
  CompleteActivityDto,
  CompletedActivityDto,
  PlanActivityDto,
  PlannedActivityDto,
  ReassignActivityDto,
  RescheduleActivityDto,
} from './activities.dto';

const staff = (p: Principal) => p as StaffPrincipal;
const IF_MATCH = { name: 'if-match', required: false, description: 'The ETag last read ("<revision>"): a stale one is a 412 before any rule is judged' };
const NOT_OWNER = "`not-owner`: only the activity's owner or a manager (role manager or admin, or the management department) changes it";

/**
 * Activities: scheduling contact with customers. Tasks, calls, meetings and e-mails planned against a
 * customer or one of its episodes, with a due time, an owner and a reminder; rescheduled, reassigned,
 * cancelled, or completed — which records the interaction it was. The scheduler records
 * `ActivityReminderDue` and `ActivityDue` when their time comes. Changes answer with an `ETag` and
 * take `If-Match`.
 */
@ApiTags('activities')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token (problem+json)' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management (a partner, another department); on changes also ' + NOT_OWNER })
@Controller('activities')
export class ActivitiesController {
  constructor(private readonly activities: ActivityCommands) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({
    type: PlannedActivityDto,
    description: 'Planned; `Location` names it, `ETag` its revision. The same plan again (same activityId) changes nothing',
  })
  @ApiNotFoundResponse({ description: "The episode does not exist or is a partner's" })
  @ApiUnprocessableEntityResponse({
    description:
      'A rule was broken; `code` names it: unknown-customer, episode-closed, episode-of-another-customer, meeting-needs-duration, duration-only-for-meetings, activity-needs-subject, activity-exists',
  })
  @ApiForbiddenResponse({ description: '`plan-for-others`: only managers plan for another owner' })
  async plan(
    @CurrentPrincipal() p: Principal,
    @Body() dto: PlanActivityDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PlannedActivityDto> {
    const r = await this.activities.plan(staff(p), dto, { correlationId });
    res.setHeader('Location', `/activities/${r.id}`);
    setEtag(res, r.revision);
    return { activityId: r.id };
  }

  @Get(':id')
  @ApiOkResponse({ type: ActivityDto, description: 'The activity as its history says now (`ETag`: its revision)' })
  @ApiNotFoundResponse({ description: 'No such activity' })
  async get(@Param() { id }: ActivityIdParam, @Res({ passthrough: true }) res: HeaderResponse): Promise<ActivityView> {
    const activity = await this.activities.get(id);
    setEtag(res, BigInt(activity.revision));
    return activity;
  }

  @Put(':id/schedule')
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({
    type: ActivityDto,
    description: 'Rescheduled: a new schedule, its reminder and due notices recorded afresh (the same timing again changes nothing)',
  })
  @ApiNotFoundResponse({ description: 'No such activity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale' })
  @ApiConflictResponse({ description: 'Changed by someone else at the same moment' })
  @ApiUnprocessableEntityResponse({ description: '`activity-closed` (completed or cancelled), `meeting-needs-duration`, `duration-only-for-meetings`' })
  async reschedule(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: ActivityIdParam,
    @Body() dto: RescheduleActivityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ActivityView> {
    const r = await this.activities.reschedule(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return this.activities.get(id);
  }

  @Post(':id/assignment')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: ActivityOwnerDto, description: 'Reassigned (its owner hands it on, or a manager moves it)' })
  @ApiNotFoundResponse({ description: 'No such activity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale' })
  @ApiUnprocessableEntityResponse({ description: '`activity-closed`' })
  async reassign(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: ActivityIdParam,
    @Body() dto: ReassignActivityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ActivityOwnerDto> {
    setEtag(res, (await this.activities.reassign(staff(p), id, dto.owner, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId })).revision);
    return { activityId: id, owner: dto.owner };
  }

  @Post(':id/cancellation')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: PlannedActivityDto, description: 'Cancelled (again: nothing changes); no notice is recorded for it any more' })
  @ApiNotFoundResponse({ description: 'No such activity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale' })
  @ApiUnprocessableEntityResponse({ description: '`activity-closed`: it was completed' })
  async cancel(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: ActivityIdParam,
    @Body() dto: CancelActivityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<PlannedActivityDto> {
    setEtag(res, (await this.activities.cancel(staff(p), id, dto.reason, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId })).revision);
    return { activityId: id };
  }

  @Post(':id/completion')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({
    type: CompletedActivityDto,
    description:
      "Completed, recording the interaction it was (channel by kind unless given, the owner as actor, the response): on the activity's episode too when it is open. Again: nothing new, and a missing episode interaction is recorded",
  })
  @ApiNotFoundResponse({ description: 'No such activity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale' })
  @ApiUnprocessableEntityResponse({ description: '`activity-closed`: it was cancelled' })
  async complete(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: ActivityIdParam,
    @Body() dto: CompleteActivityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CompletedActivityDto> {
    const r = await this.activities.complete(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { activityId: id, ...(r.interactionId && { interactionId: r.interactionId }), ...(r.recordedOn && { recordedOn: r.recordedOn }) };
  }
}
