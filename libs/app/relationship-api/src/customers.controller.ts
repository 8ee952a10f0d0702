import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { In, IsNull } from 'typeorm';
import { NotFoundError } from '@crm/relationship';
import type { Staleness } from '@crm/projections';
import {
  ApiProblem,
  CurrentPrincipal,
  HttpProblem,
  openEventStream,
  ProblemTypes,
  RequireKind,
  SERVICE_CONFIG,
  type EventStreamResponse,
  type HeaderResponse,
  type Principal,
  type ServiceConfig,
} from '@crm/service-kit';
import {
  CustomerDirectoryEntry,
  CustomerMerge,
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
  CustomerAsOfDto,
  CustomerAsOfQueryDto,
  CustomerChangesQueryDto,
  CustomerDto,
  CUSTOMER_EXAMPLE,
  CustomerIdParam,
  CustomerListPageDto,
  CustomerListQueryDto,
  CustomerMergeListDto,
  TimelineQueryDto,
} from './dto';
import { CustomerHistory, type CustomerChangesPage } from './customers/customer-history';
import { listCustomers } from './customers/list-customers';
import { READ_MODELS } from './relationship-api.module';
import type { ReadModelRunners } from './read-models';
import { LIVE_TIMELINE_EXAMPLE, LIVE_TIMELINE_SCHEMA } from './live/live-timeline-docs';
import { CUSTOMER_CHANGES_EXAMPLE, CUSTOMER_DUPLICATES_EXAMPLE, CustomerChangesPageDto, CustomerDuplicateCandidateDto } from './customers/customer-responses';
import { CUSTOMER_TIMELINE_EXAMPLE, CustomerTimelinePageDto } from './customers/customer-timeline.responses';

/** The shared history, as department staff read it: every episode of every department and partner. */
@ApiTags('customers')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class CustomersController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly history: CustomerHistory,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
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
    type: [CustomerDuplicateCandidateDto],
    description:
      'Pairs of customers that may be the same, best first, with a score and the reason: recorded suspicions (a shared identity), then similar names of the same kind in the same organisation',
    example: CUSTOMER_DUPLICATES_EXAMPLE,
  })
  @ApiProblem(400, 'Bad Request: a limit or minScore out of range', { errors: [{ field: 'minScore', message: 'minScore must not be greater than 1' }] })
  duplicates(@Query() q: DuplicatesQueryDto): Promise<DuplicateCandidate[]> {
    return duplicateCandidates(this.readModels.dataSource.manager, { limit: q.limit ?? 50, minScore: q.minScore });
  }

  @Get(':id')
  @ApiExtraModels(CustomerDto, CustomerAsOfDto)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(CustomerDto) }, { $ref: getSchemaPath(CustomerAsOfDto) }] },
    description:
      'The customer as every department sees it (`CustomerDto`); `stale` when events about it are parked and not shown yet. With `asOf`: the record as it stood then, with its revision (`CustomerAsOfDto`)',
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
    const shown = customerView(row);
    return stale ? { ...shown, stale } : shown;
  }

  @Get(':id/changes')
  @ApiOkResponse({
    type: CustomerChangesPageDto,
    description: 'Every change of the customer record (not its episodes: see the timeline), oldest first, with who made it and when; paged by revision',
    example: CUSTOMER_CHANGES_EXAMPLE,
  })
  @ApiProblem(400, 'Bad Request: the id is not a UUID, or `after` is not a revision', {
    errors: [{ field: 'after', message: 'after must be the nextAfter of a previous page (a revision)' }],
  })
  @ApiProblem(404, 'Not Found: no such customer', { detail: `customer ${CUSTOMER_EXAMPLE.customerId} not found` })
  async changes(@Param() { id }: CustomerIdParam, @Query() q: CustomerChangesQueryDto): Promise<CustomerChangesPage> {
    return this.history.changes(id, { after: q.after === undefined ? undefined : BigInt(q.after), limit: q.limit ?? 50 });
  }

  @Get(':id/merges')
  @ApiOkResponse({
    type: CustomerMergeListDto,
    description: 'The duplicates merged into this customer (directly) and still merged, newest first: each merge can be undone by its id',
    example: {
      items: [
        {
          mergeId: '7c2e1f4a-9b3d-4e5f-8a6b-1c2d3e4f5a6b',
          duplicateId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60',
          duplicateName: 'Maju Jaya (duplicate)',
          mergedAt: '2026-05-02T08:00:00.000Z',
        },
      ],
    },
  })
  @ApiProblem(400, 'Bad Request: the id is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @ApiProblem(403, 'Forbidden: partners read customers through the partner portal')
  @ApiProblem(404, 'Not Found: no such customer')
  async merges(@Param() { id }: CustomerIdParam): Promise<CustomerMergeListDto> {
    const manager = this.readModels.dataSource.manager;
    if (!(await customerExists(manager, id))) throw new NotFoundError(`customer ${id} not found`);
    const merges = await manager.getRepository(CustomerMerge).find({ where: { survivorId: id, unmergedAt: IsNull() }, order: { mergedAt: 'DESC' } });
    const names = new Map(
      (await manager.getRepository(CustomerDirectoryEntry).findBy({ customerId: In(merges.map((m) => m.duplicateId)) })).map((c) => [c.customerId, c.name]),
    );
    return {
      items: merges.map((m) => ({
        mergeId: m.mergeId,
        duplicateId: m.duplicateId,
        duplicateName: names.get(m.duplicateId) ?? '',
        mergedAt: m.mergedAt.toISOString(),
      })),
    };
  }

  @Get(':id/timeline')
  @ApiOkResponse({
    type: CustomerTimelinePageDto,
    description:
      'Episodes with their interactions, in the one order every service shows; paged by episode. Staff read every episode, and who acted and recorded each step as stored; `stale` when events about the customer are parked and not shown yet',
    example: CUSTOMER_TIMELINE_EXAMPLE,
  })
  @ApiProblem(400, 'Bad Request: the id is not a UUID, or a filter, cursor or asOf is not valid', {
    errors: [{ field: 'channel', message: 'channel must be one of the following values: face-to-face, phone, email, web, sms, mail, portal, ivr' }],
  })
  @ApiProblem(404, 'Not Found: no such customer', { detail: `customer ${CUSTOMER_EXAMPLE.customerId} not found` })
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
      filter: { department: q.department, ownerPartnerId: q.partnerId, episodeType: q.episodeType, channel: q.channel },
    });
    const stale = await this.readModels.staleness(id);
    return stale ? { ...page, stale } : page;
  }

  @Get(':id/timeline/live')
  @ApiOperation({
    summary: "Live changes of a customer's timeline (server-sent events)",
    description:
      'A `text/event-stream` that stays open: `ready` once, then a `timeline` event each time this service has applied a new step of the ' +
      "customer's relationship (an episode opened or closed, an interaction, a stage move, a return's step) — the next GET of the timeline shows it — " +
      'and a heartbeat comment every 15 s (`CRM_LIVE_HEARTBEAT_MS`). Send the bearer token in the Authorization header (never in the URL). At most 6 streams per caller; ' +
      'the stream ends when the service shuts down (reconnect with backoff).',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'The stream of changes', content: { 'text/event-stream': { schema: LIVE_TIMELINE_SCHEMA, example: LIVE_TIMELINE_EXAMPLE } } })
  @ApiProblem(400, 'Bad Request: the id is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @ApiProblem(404, 'Not Found: no such customer', { detail: `customer ${CUSTOMER_EXAMPLE.customerId} not found` })
  @ApiProblem(429, 'Too Many Requests: the caller already has 6 live streams open', {
    detail: 'at most 6 live streams may be open at once per caller; close one first',
  })
  async live(@CurrentPrincipal() p: Principal, @Param() { id }: CustomerIdParam, @Res() res: EventStreamResponse): Promise<void> {
    const manager = this.readModels.dataSource.manager;
    if (!(await customerExists(manager, id))) throw new NotFoundError(`customer ${id} not found`);
    // The survivor's history holds the customers merged into it: their changes show there too.
    const survivor = await resolveCustomerId(manager, id);
    const customerIds = await mergedCustomerIds(manager, survivor);
    const stream = openEventStream(res, { principal: `staff:${p.subject}`, heartbeatMs: this.config.CRM_LIVE_HEARTBEAT_MS });
    stream.onClose(
      this.readModels.changes.subscribe(customerIds, (c) => {
        if (c.change === 'timeline') stream.send('timeline', { customerId: c.customerId, episodeId: c.episodeId, kind: c.kind, eventId: c.eventId });
      }),
    );
    stream.send('ready', { customerId: survivor });
  }
}

/**
 * A directory row as `GET /customers/{id}` shows it (`CustomerDto`): its search and sort keys stay
 * inside (the search text holds every e-mail and phone run together), and `mergedInto`, always empty
 * here (a merged id answers with its survivor's row).
 */
function customerView(row: CustomerDirectoryEntry): Omit<CustomerDirectoryEntry, 'sortName' | 'searchText' | 'mergedInto'> {
  return {
    customerId: row.customerId,
    kind: row.kind,
    name: row.name,
    journeyStage: row.journeyStage,
    relationshipPhase: row.relationshipPhase,
    owner: row.owner,
    tags: row.tags,
    parentId: row.parentId,
    registeredAt: row.registeredAt,
    lastInteractionAt: row.lastInteractionAt,
    contacts: row.contacts,
    identities: row.identities,
    address: row.address,
    suspectedDuplicates: row.suspectedDuplicates,
  };
}
