import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerFilterIds, InvalidCursorError, searchOpportunities, type OpportunityListPage, type OpportunityStatus } from '@crm/relationship-read-models';
import { ApiProblem, badCursor, HttpProblem, ProblemTypes, RequireDepartment, RequireKind } from '@crm/service-kit';
import { OpportunityListPageDto, OpportunityListQueryDto } from './list-opportunities.dto';

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(','));
const invalid = (field: string, message: string) => new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field, message }] });

/** `GET /opportunities`: the opportunities read model, filtered, sorted, paged by an opaque cursor. */
@ApiTags('opportunities')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management' })
@Controller('opportunities')
export class ListOpportunitiesController {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelRunners) {}

  @Get()
  @ApiOperation({ summary: 'List opportunities: by owner, team, stage, pipeline, customer, close dates, amount, status; sorted; paged' })
  @ApiOkResponse({
    type: OpportunityListPageDto,
    description: 'Opportunities that match, one page at a time in a stable order (ties by id); `nextCursor` for the next page',
  })
  @ApiProblem(400, 'A filter or cursor that is not valid: errors name it (an amount range needs `currency`)', {
    detail: 'cursor is not one this list gave out',
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(@Query() q: OpportunityListQueryDto): Promise<OpportunityListPage> {
    if ((q.amountMin !== undefined || q.amountMax !== undefined) && q.currency === undefined)
      throw invalid(q.amountMin !== undefined ? 'amountMin' : 'amountMax', 'an amount range compares amounts of one currency: give currency too');
    if (q.closeFrom !== undefined && q.closeTo !== undefined && q.closeFrom > q.closeTo) throw invalid('closeTo', 'closeTo is before closeFrom');
    if (q.amountMin !== undefined && q.amountMax !== undefined && q.amountMin > q.amountMax) throw invalid('amountMax', 'amountMax is below amountMin');
    try {
      const manager = this.readModels.dataSource.manager;
      return await searchOpportunities(manager, {
        owner: q.owner,
        team: q.team,
        stages: list(q.stage),
        pipelineId: q.pipelineId,
        // A customer's opportunities include those of the customers merged into it.
        customerIds: await customerFilterIds(manager, q.customerId),
        closeFrom: q.closeFrom,
        closeTo: q.closeTo,
        currency: q.currency,
        amountMin: q.amountMin,
        amountMax: q.amountMax,
        statuses: list(q.status) as OpportunityStatus[] | undefined,
        sort: q.sort,
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
