import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { isManager, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerFilterIds, InvalidCursorError, searchActivities, type ActivityListPage, type ActivitySearch } from '@crm/relationship-read-models';
import {
  CLOCK,
  CurrentPrincipal,
  HttpProblem,
  ProblemTypes,
  RequireDepartment,
  RequireKind,
  type Principal,
  type StaffPrincipal,
  badCursor,
} from '@crm/service-kit';
import { ActivityListPageDto, ActivityListQueryDto, DueActivitiesQueryDto, OverdueActivitiesQueryDto } from './list-activities.dto';

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(','));
const DAY_MS = 86_400_000;

/**
 * `GET /activities` and the work lists of one owner — due (soon, and overdue) and overdue — from the
 * activities read model, soonest due first, paged by cursor. The due and overdue lists are the
 * caller's own; someone else's are for managers.
 */
@ApiTags('activities')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({
  description: "Not staff of sales or management; on the due and overdue lists also someone else's list without being a manager (`not-your-list`)",
})
@ApiBadRequestResponse({ description: 'A filter or cursor that is not valid (problem+json naming it)' })
@Controller('activities')
export class ListActivitiesController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOkResponse({ type: ActivityListPageDto, description: 'Activities that match, soonest due first (ties by id); `nextCursor` for the next page' })
  async list(@Query() q: ActivityListQueryDto): Promise<ActivityListPage> {
    return this.search({
      owner: q.owner,
      // A customer's activities include those of the customers merged into it.
      customerIds: await customerFilterIds(this.readModels.dataSource.manager, q.customerId),
      episodeId: q.episodeId,
      kinds: list(q.kind),
      statuses: list(q.status),
      dueFrom: q.dueFrom ? new Date(q.dueFrom) : undefined,
      dueTo: q.dueTo ? new Date(q.dueTo) : undefined,
      limit: q.limit ?? 50,
      cursor: q.cursor,
    });
  }

  @Get('due')
  @ApiOkResponse({ type: ActivityListPageDto, description: 'Open activities of the owner due before `until` (default: the next 24 hours), overdue ones first' })
  due(@CurrentPrincipal() p: Principal, @Query() q: DueActivitiesQueryDto): Promise<ActivityListPage> {
    const now = this.clock.now();
    return this.search({
      owner: this.ownerOf(p as StaffPrincipal, q.owner),
      statuses: ['open'],
      dueTo: q.until ? new Date(q.until) : new Date(now.getTime() + DAY_MS),
      limit: q.limit ?? 50,
      cursor: q.cursor,
    });
  }

  @Get('overdue')
  @ApiOkResponse({ type: ActivityListPageDto, description: 'Open activities of the owner past their due time, the longest overdue first' })
  overdue(@CurrentPrincipal() p: Principal, @Query() q: OverdueActivitiesQueryDto): Promise<ActivityListPage> {
    return this.search({
      owner: this.ownerOf(p as StaffPrincipal, q.owner),
      statuses: ['open'],
      dueTo: this.clock.now(),
      limit: q.limit ?? 50,
      cursor: q.cursor,
    });
  }

  /** One's own list by default; someone else's for managers. */
  private ownerOf(p: StaffPrincipal, owner: string | undefined): string {
    if (owner === undefined || owner === p.subject) return p.subject;
    if (!isManager(p))
      throw new HttpProblem(403, "only managers read someone else's due and overdue activities", {
        type: ProblemTypes.forbidden,
        extensions: { code: 'not-your-list' },
      });
    return owner;
  }

  private async search(search: Omit<ActivitySearch, 'now'>): Promise<ActivityListPage> {
    try {
      return await searchActivities(this.readModels.dataSource.manager, { ...search, now: this.clock.now() });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
