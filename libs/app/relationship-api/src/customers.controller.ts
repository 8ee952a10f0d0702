import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@crm/relationship';
import type { Staleness } from '@crm/projections';
import { HttpProblem, ProblemTypes, RequireKind, type HeaderResponse } from '@crm/service-kit';
import {
  CustomerDirectoryEntry,
  customerExists,
  duplicateCandidates,
  mergedCustomerIds,
  resolveCustomerId,
  type DuplicateCandidate,
  readTimeline,
  type CustomerListPage,
  type TimelinePage,
} from '@crm/relationship-read-models';
import {
  DuplicatesQueryDto,
  CustomerAsOfQueryDto,
  CustomerChangesQueryDto,
  CustomerDto,
  CUSTOMER_EXAMPLE,
  CustomerIdParam,
  CustomerListPageDto,
  CustomerListQueryDto,
  TimelineQueryDto,
} from './dto';
import { CustomerHistory, type CustomerChangesPage } from './customers/customer-history';
import { listCustomers } from './customers/list-customers';
import { READ_MODELS } from './relationship-api.module';
import type { ReadModelRunners } from './read-models';

/** The shared history, as department staff read it: every episode of every department and partner. */
@ApiTags('customers')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class CustomersController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly history: CustomerHistory,
  ) {}

  @Get()
  @ApiOkResponse({ type: CustomerListPageDto, description: 'Customers that match, one page at a time in a stable order; `nextCursor` for the next page' })
  @ApiBadRequestResponse({ description: 'A filter or cursor that is not valid (problem+json naming it)' })
  list(@Query() q: CustomerListQueryDto): Promise<CustomerListPage> {
    return listCustomers(this.readModels.dataSource.manager, q);
  }

  // Declared before ':id', which would otherwise take "duplicates" for an id.
  @Get('duplicates')
  @ApiOkResponse({
    description:
      'Pairs of customers that may be the same, best first, with a score and the reason: recorded suspicions (a shared identity), then similar names of the same kind in the same organisation',
  })
  duplicates(@Query() q: DuplicatesQueryDto): Promise<DuplicateCandidate[]> {
    return duplicateCandidates(this.readModels.dataSource.manager, { limit: q.limit ?? 50, minScore: q.minScore });
  }

  @Get(':id')
  @ApiOkResponse({
    type: CustomerDto,
    description:
      'The customer as every department sees it; `stale` when events about it are parked and not shown yet. With `asOf`: the record as it stood then, with its revision',
    example: CUSTOMER_EXAMPLE,
  })
  async get(@Param() { id }: CustomerIdParam, @Query() q: CustomerAsOfQueryDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<object> {
    if (q.asOf) {
      // As it stood then; a customer merged at that instant answers as its survivor did.
      let record = await this.history.asOf(id, new Date(q.asOf));
      for (let depth = 0; record.mergedInto && depth < 50; depth++) record = await this.history.asOf(record.mergedInto.survivorId, new Date(q.asOf));
      if (record.customerId !== id) res.setHeader('Content-Location', `/customers/${record.customerId}`);
      return record;
    }
    const survivor = await resolveCustomerId(this.readModels.dataSource.manager, id);
    // A merged id answers with its survivor's record; Content-Location names the survivor.
    if (survivor !== id) res.setHeader('Content-Location', `/customers/${survivor}`);
    const row = await this.readModels.dataSource.getRepository(CustomerDirectoryEntry).findOneBy({ customerId: survivor });
    const stale = await this.readModels.staleness(id);
    if (!row) {
      // Registered, but its registration is parked: say so rather than deny it exists.
      if (stale)
        throw new HttpProblem(503, `customer ${id} is not readable yet: ${stale.parkedEvents} event(s) about it are parked`, {
          type: ProblemTypes.notReady,
          extensions: { stale },
        });
      throw new NotFoundError(`customer ${id} not found`);
    }
    return stale ? { ...row, stale } : row;
  }

  @Get(':id/changes')
  @ApiOkResponse({
    description: 'Every change of the customer record (not its episodes: see the timeline), oldest first, with who made it and when; paged by revision',
  })
  async changes(@Param() { id }: CustomerIdParam, @Query() q: CustomerChangesQueryDto): Promise<CustomerChangesPage> {
    return this.history.changes(id, { after: q.after === undefined ? undefined : BigInt(q.after), limit: q.limit ?? 50 });
  }

  @Get(':id/timeline')
  @ApiOkResponse({ description: 'Episodes with their interactions, in the one order every service shows; paged by episode' })
  async timeline(@Param() { id }: CustomerIdParam, @Query() q: TimelineQueryDto): Promise<TimelinePage & { stale?: Staleness }> {
    const manager = this.readModels.dataSource.manager;
    if (!(await customerExists(manager, id))) throw new NotFoundError(`customer ${id} not found`);
    const asOf = q.asOf ? new Date(q.asOf) : undefined;
    // A merged id reads as its survivor; a survivor's history holds the histories merged into it —
    // as the merges stood at asOf, so a read before a merge (or after its undoing) never changes.
    const survivor = await resolveCustomerId(manager, id, asOf);
    const page = await readTimeline(manager, {
      customerId: survivor,
      customerIds: await mergedCustomerIds(manager, survivor, asOf),
      asOf,
      cursor: q.cursor,
      limit: q.limit ?? 50,
      newestFirst: q.order === 'newest-first',
    });
    const stale = await this.readModels.staleness(id);
    return stale ? { ...page, stale } : page;
  }
}
