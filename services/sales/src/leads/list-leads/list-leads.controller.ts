import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError, searchLeads, type LeadListPage } from '@crm/relationship-read-models';
import { CLOCK, RequireDepartment, RequireKind, badCursor } from '@crm/service-kit';
import { LeadListPageDto, LeadListQueryDto } from './list-leads.dto';

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(','));

/** `GET /leads`: the leads read model, filtered, searched, sorted, paged by cursor. */
@ApiTags('leads')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'marketing', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales, marketing or management' })
@Controller('leads')
export class ListLeadsController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOkResponse({
    type: LeadListPageDto,
    description: 'Leads that match, one page at a time in a stable order (ties by lead id); `nextCursor` for the next page',
  })
  @ApiBadRequestResponse({ description: 'A filter or cursor that is not valid (problem+json naming it)' })
  async list(@Query() q: LeadListQueryDto): Promise<LeadListPage> {
    try {
      return await searchLeads(this.readModels.dataSource.manager, {
        q: q.q,
        statuses: list(q.status),
        sources: list(q.source),
        owner: q.owner,
        unassigned: q.unassigned,
        scoreMin: q.scoreMin,
        scoreMax: q.scoreMax,
        capturedFrom: q.capturedFrom ? new Date(q.capturedFrom) : undefined,
        capturedTo: q.capturedTo ? new Date(q.capturedTo) : undefined,
        sort: q.sort,
        limit: q.limit ?? 50,
        cursor: q.cursor,
        now: this.clock.now(),
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
