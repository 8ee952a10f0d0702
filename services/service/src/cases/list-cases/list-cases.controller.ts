import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CaseCommands, READ_MODELS, type CaseView, type ReadModelRunners } from '@crm/relationship-api';
import { customerFilterIds, InvalidCursorError } from '@crm/relationship-read-models';
import { ApiProblem, badCursor, CurrentPrincipal, RequireKind, setEtag, UuidParam, type HeaderResponse, type Principal } from '@crm/service-kit';
import { searchCases, type CaseListPage } from '../case-list/case-search.query';
import { withSlaState } from '../../service-levels/case-sla-state.query';
import { CaseDto } from '../work-case/work-case.dto';
import { CaseListPageDto, CaseListQueryDto } from './list-cases.dto';
import { returnsOfCase } from '../../returns/return-search.query';

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(','));

/**
 * Finding and reading cases. Every department's staff read them (sales sees its customers' cases,
 * marketing the complaints of a campaign's audience); service and management work them. Partners
 * do not (403: the route is for staff).
 */
@ApiTags('cases')
@ApiBearerAuth()
@RequireKind('staff')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff (a partner)' })
@Controller('cases')
export class ListCasesController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly cases: CaseCommands,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List cases: by status, priority, severity, team, assignee (me), channel, category, product, customer, SLA state; sorted; paged' })
  @ApiOkResponse({ type: CaseListPageDto, description: 'Cases that match, one page at a time in a stable order (ties by id); `nextCursor` for the next page' })
  @ApiProblem(400, 'A filter or cursor that is not valid: errors name it', {
    detail: 'cursor is not one this list gave out',
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(@CurrentPrincipal() p: Principal, @Query() q: CaseListQueryDto): Promise<CaseListPage> {
    try {
      const manager = this.readModels.dataSource.manager;
      return await searchCases(
        manager,
        {
          statuses: list(q.status),
          priorities: list(q.priority),
          severities: list(q.severity),
          team: q.team,
          assigneeId: q.assignee === 'me' ? p.subject : q.assignee,
          channel: q.channel,
          category: q.category,
          productId: q.productId,
          // A customer's cases include those of the customers merged into it.
          customerIds: await customerFilterIds(manager, q.customerId),
          sort: q.sort,
          limit: q.limit ?? 50,
          cursor: q.cursor,
        },
        withSlaState(manager, q.slaState),
      );
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'A case: its details, status with its history, assignments with why, resolution, interactions' })
  @ApiOkResponse({ type: CaseDto, description: 'As its own history tells it (not a read model: up to date); ETag for If-Match' })
  @ApiNotFoundResponse({ description: 'No such case (or it is no case, or a partner’s episode)' })
  @ApiProblem(400, 'An id that is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  async get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CaseView & { returns: Awaited<ReturnType<typeof returnsOfCase>> }> {
    const view = await this.cases.get(p, id);
    setEtag(res, BigInt(view.revision));
    // The returns requested from it (issue 12 §5): its linked episodes, from the returns list.
    return { ...view, returns: await returnsOfCase(this.readModels.dataSource.manager, id) };
  }
}
