import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { READ_MODELS, RepairJobCommands, type CommandOptions, type ReadModelRunners, type RepairJobView } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import {
  ApiProblem,
  badCursor,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  IfMatchCommandErrors,
  RequireKind,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { PartnerAccessLog } from '../access-log/partner-access-log.service';
import { asPartner } from '../auth/principals';
import { customerDisplayName, listRepairJobs, type RepairJobPage } from './repair-jobs.projection';
import {
  ChangeRepairStatusDto,
  RecordRepairInteractionDto,
  RepairInteractionRecordedDto,
  RepairJobDto,
  RepairJobPageDto,
  RepairJobsQueryDto,
  UpdateRepairShipmentDto,
} from './repairs.dto';

export type RepairJobAnswer = RepairJobView & { customerName: string | null };

const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
const NOT_FOUND = {
  problem: 'Not Found: no such repair job — or one not assigned to you (any more): the same answer',
  example: { detail: `repair ${EXAMPLE_ID} not found` },
};
const notFound = () => ApiProblem(404, NOT_FOUND.problem, NOT_FOUND.example);
const badId = () => ApiProblem(400, 'An id that is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] });
const unauthorised = () =>
  ApiProblem(401, 'Unauthorized: no token, a bad one, or one of a revoked credential', {
    type: 'urn:crm:problem:unauthorized',
    detail: 'the credential this token was issued for has been revoked',
  });
const forbidden = () =>
  ApiProblem(403, 'Forbidden: the route is for partners (staff work the return in the service department)', { type: 'urn:crm:problem:forbidden' });
/** If-Match, 404, 412, 409 and 415 of every change to a job. */
const jobCommandErrors = () =>
  IfMatchCommandErrors({
    ifMatch: { name: 'if-match', required: false, description: 'The ETag ("<revision>") of the job as last read: a stale one is 412', example: '"7"' },
    notFound: NOT_FOUND,
    stale: { detail: 'episode-… is at revision 8, not 7' },
  });

/**
 * The repair provider's jobs (issue 12 §5): a service-provider partner sees and works the repairs the
 * company assigned to it — the RMA, the item, the fault, the status, the legs, the job's own
 * interactions and the customer's display name, never the customer's history, contacts or other
 * episodes (it has no share of the customer: `GET /customers/{id}` stays 404 to it). Only while the
 * repair is assigned to it: a reassignment ends its access, answered 404 like an unknown id. Every
 * read and write goes through `RepairJobCommands` (the return loaded once, the assignment and the
 * credential checked on it, If-Match, the decider's rules as 422 with their `code`).
 */
@ApiTags('repairs')
@ApiBearerAuth()
@RequireKind('partner')
@unauthorised()
@forbidden()
@Controller('repairs')
export class RepairsController {
  constructor(
    private readonly jobs: RepairJobCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly accessLog: PartnerAccessLog,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your current repair jobs, newest first: by status and open/closed; paged' })
  @ApiOkResponse({ type: RepairJobPageDto, description: 'The jobs assigned to you now, one page at a time; `nextCursor` for the next page' })
  @ApiProblem(400, 'A filter or cursor that is not valid: errors name it', {
    detail: 'cursor is not one this list gave out',
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: RepairJobsQueryDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<RepairJobPage> {
    const partner = asPartner(p);
    let page: RepairJobPage;
    try {
      page = await listRepairJobs(this.readModels.dataSource.manager, {
        partnerId: partner.partnerId,
        statuses: q.status?.split(','),
        open: q.open === undefined ? undefined : q.open === 'true',
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
    // The read model says the job is the caller's; the return itself must say so too. The read model
    // trails the store (by the relay and the bus in distributed mode), and a job reassigned away in
    // that window must not be listed to its former provider — the same strictness PartnerScope has
    // for shares. It costs one read of each listed return's (short) stream, at most 100 a page; it
    // also checks the caller's credential (401 once revoked). A page may thus hold fewer items than
    // `limit` while `nextCursor` still leads on.
    // The access log records the customers whose display names the page shows.
    return this.accessLog.read(
      partner,
      { route: 'GET /repairs', correlationId },
      async () => {
        const mine = await this.jobs.assignedToCaller(
          partner,
          page.items.map((i) => i.episodeId),
        );
        return { ...page, items: page.items.filter((i) => mine.has(i.episodeId)) };
      },
      (shown) => shown.items.map((i) => i.customerId),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'A repair job: RMA, item (product, serial number), fault, status, legs, its interactions, the customer’s display name' })
  @ApiOkResponse({ type: RepairJobDto, description: 'As the return’s own history tells it (up to date: not a read model); ETag for If-Match' })
  @badId()
  @notFound()
  async get(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<RepairJobAnswer> {
    // Recorded in the access log: the job's customer, or a 404 naming the job only (the caller named no customer).
    return this.accessLog.read(
      asPartner(p),
      { route: 'GET /repairs/{id}', correlationId, resourceId: id },
      () => this.answer(p, id, res),
      (job) => [job.customerId],
    );
  }

  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report the repair’s progress: received, diagnosing, awaiting-parts, repairing, then repaired, replaced or unrepairable' })
  @ApiBody({
    type: ChangeRepairStatusDto,
    examples: { diagnosing: { value: { to: 'diagnosing', note: 'battery swollen' } }, repaired: { value: { to: 'repaired' } } },
  })
  @ApiOkResponse({ type: RepairJobDto, description: 'Recorded (the same status again: nothing recorded); the job now; ETag' })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'to', message: 'to must be one of the following values: …' }] })
  @badId()
  @jobCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (repair-shipped-back, return-closed, repair-status-assigned)', {
    code: 'repair-shipped-back',
    detail: 'the item is on its way back: the repair does not change any more',
  })
  async changeStatus(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ChangeRepairStatusDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<RepairJobAnswer> {
    await this.jobs.changeStatus(asPartner(p), id, { to: dto.to, ...(dto.note !== undefined && { note: dto.note }) }, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  @Post(':id/interactions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an interaction on the job (with the customer, or internal); the actor is your user, the customer or a system' })
  @ApiBody({
    type: RecordRepairInteractionDto,
    examples: {
      call: { value: { channel: 'phone', direction: 'outbound', action: 'asked the customer for the screen lock PIN', response: 'PIN given' } },
    },
  })
  @ApiCreatedResponse({ type: RepairInteractionRecordedDto, description: 'Recorded (the same interactionId again: once); ETag of the job' })
  @ApiProblem(400, 'A field that is not valid: errors name it', {
    errors: [{ field: 'actorKind', message: 'actorKind must be one of partner-user, customer, system (a provider never records company staff)' }],
  })
  @badId()
  @jobCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (return-closed, interaction-before-episode)', { code: 'return-closed' })
  async interact(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: RecordRepairInteractionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ interactionId: string }> {
    const r = await this.jobs.recordInteraction(asPartner(p), id, dto, options(ifMatch, correlationId));
    setEtag(res, r.revision);
    return { interactionId: r.id };
  }

  @Post(':id/shipments')
  @HttpCode(200)
  @ApiOperation({ summary: 'Update one of your legs: to-provider (your receipt), from-provider, to-customer — delivered to the customer closes the return' })
  @ApiBody({
    type: UpdateRepairShipmentDto,
    examples: {
      received: { value: { leg: 'to-provider', state: 'delivered' } },
      back: { value: { leg: 'to-customer', state: 'in-transit', carrier: 'JNE', trackingNumber: 'JNE-0001234567' } },
    },
  })
  @ApiOkResponse({ type: RepairJobDto, description: 'Recorded (the same state again: nothing recorded); the job now; ETag' })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'leg', message: 'leg must be one of the following values: …' }] })
  @badId()
  @jobCommandErrors()
  @ApiProblem(
    422,
    'Unprocessable Entity: a rule was broken; `code` names it (not-your-leg, shipment-state-backwards, repair-not-finished, item-not-received)',
    {
      code: 'shipment-state-backwards',
      detail: 'the to-customer shipment is delivered: it cannot become in-transit',
    },
  )
  async ship(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateRepairShipmentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<RepairJobAnswer> {
    await this.jobs.updateShipment(asPartner(p), id, dto, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  /** The job as it is now (read from its stream, so it shows the change just made), with its ETag and the customer's display name. */
  private async answer(p: Principal, id: string, res: HeaderResponse): Promise<RepairJobAnswer> {
    const view = await this.jobs.job(asPartner(p), id);
    setEtag(res, BigInt(view.revision));
    return { ...view, customerName: await customerDisplayName(this.readModels.dataSource.manager, view.customerId) };
  }
}

function options(ifMatch: string | undefined, correlationId: string | undefined): CommandOptions {
  return { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId };
}
