import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { READ_MODELS, ReturnRepairCommands, type CommandOptions, type ReadModelRunners, type ReturnView } from '@crm/relationship-api';
import { customerFilterIds, InvalidCursorError } from '@crm/relationship-read-models';
import {
  ApiProblem,
  badCursor,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  IfMatchCommandErrors,
  RequireDepartment,
  RequireKind,
  setEtag,
  UNSUPPORTED_DESCRIPTION,
  UuidParam,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { searchReturns, type ReturnListPage } from './return-search.query';
import {
  AssignRepairDto,
  AuthoriseReturnDto,
  CloseReturnDto,
  DenyReturnDto,
  RequestReturnDto,
  ReturnDto,
  ReturnListPageDto,
  ReturnListQueryDto,
  ShipmentDto,
} from './returns.dto';

const NOT_FOUND = 'No such return (or the episode is no return)';
const notFound = () => ApiNotFoundResponse({ description: NOT_FOUND });
/** If-Match, 404, 412, 409 and 415 of every change to a return. */
const returnCommandErrors = () =>
  IfMatchCommandErrors({
    ifMatch: { name: 'if-match', required: false, description: 'The ETag ("<revision>") of the return as last read: a stale one is 412', example: '"3"' },
    notFound: NOT_FOUND,
    stale: { detail: 'episode-… is at revision 4, not 3' },
  });
const badBody = (field: string, message: string) => ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field, message }] });
const list = (value: string | undefined) => (value === undefined ? undefined : value.split(','));

/**
 * Finding and reading returns (issue 12 §5). Every department's staff read them; partners do not
 * (403: the route is for staff — the repair provider sees its job in the partner portal).
 */
@ApiTags('returns')
@ApiBearerAuth()
@RequireKind('staff')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiProblem(403, 'Forbidden: not staff (a partner)')
@Controller('returns')
export class ReturnsController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly returns: ReturnRepairCommands,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List returns: by status, customer, case, repair provider, RMA number, open or closed; sorted; paged' })
  @ApiOkResponse({
    type: ReturnListPageDto,
    description: 'Returns that match, one page at a time in a stable order (ties by id); `nextCursor` for the next page',
  })
  @ApiProblem(400, 'A filter or cursor that is not valid: errors name it', {
    detail: 'cursor is not one this list gave out',
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(@Query() q: ReturnListQueryDto): Promise<ReturnListPage> {
    try {
      const manager = this.readModels.dataSource.manager;
      return await searchReturns(manager, {
        statuses: list(q.status),
        customerIds: await customerFilterIds(manager, q.customerId),
        caseId: q.caseId,
        partnerId: q.partnerId,
        rmaNumber: q.rmaNumber,
        open: q.open === undefined ? undefined : q.open === 'true',
        sort: q.sort,
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }

  @Get(':id')
  @ApiOperation({ summary: 'A return: item, fault, RMA number, warranty, shipment legs, repair and its providers, interactions, the case it came from' })
  @ApiOkResponse({ type: ReturnDto, description: 'As its own history tells it (not a read model: up to date); ETag for If-Match' })
  @notFound()
  @ApiProblem(400, 'An id that is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  async get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<ReturnView> {
    const view = await this.returns.get(p, id);
    setEtag(res, BigInt(view.revision));
    return view;
  }
}

/**
 * Working returns: requested from a case, authorised (the warranty judged from the customer's
 * orders) or denied, shipped, given to a repair provider, closed. Staff of service and management;
 * every change takes If-Match and answers the return as it is now, with its ETag. A rule broken is a
 * 422 with its `code`.
 */
@ApiTags('returns')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiProblem(403, 'Forbidden: not staff of service or management')
@Controller()
export class WorkReturnsController {
  constructor(private readonly returns: ReturnRepairCommands) {}

  @Post('cases/:id/returns')
  @HttpCode(201)
  @ApiOperation({ summary: 'Request a return from an open case: the item (product, serial number), its fault, the order it was bought with (optional)' })
  @ApiBody({
    type: RequestReturnDto,
    examples: { request: { value: { item: { productId: 'phone-x1', serialNumber: 'X1-00042' }, fault: 'does not charge', channel: 'phone' } } },
  })
  @ApiCreatedResponse({ type: ReturnDto, description: 'Requested: a return episode of its own, linked to the case; Location names it, ETag its revision' })
  @badBody('item.serialNumber', 'item.serialNumber should not be empty')
  @ApiNotFoundResponse({ description: 'No such case (or it is no case)' })
  @ApiProblem(415, UNSUPPORTED_DESCRIPTION)
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (case-closed, line-needs-order)', { code: 'case-closed' })
  async request(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') caseId: string,
    @Body() dto: RequestReturnDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ReturnView> {
    const r = await this.returns.request(
      p,
      caseId,
      {
        item: { productId: dto.item.productId, serialNumber: dto.item.serialNumber },
        fault: dto.fault,
        ...(dto.orderId !== undefined && { orderId: dto.orderId }),
        ...(dto.lineId !== undefined && { lineId: dto.lineId }),
        ...(dto.channel !== undefined && { channel: dto.channel as never }),
      },
      { correlationId },
    );
    res.setHeader('Location', `/returns/${r.id}`);
    return this.answer(p, r.id, res);
  }

  @Post('returns/:id/authorise')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Authorise the return with an RMA number; the warranty is judged from the customer’s orders (CRM_WARRANTY_MONTHS from the order date); out of warranty needs paid or goodwill',
  })
  @ApiBody({ type: AuthoriseReturnDto, examples: { inWarranty: { value: {} }, goodwill: { value: { outOfWarranty: 'goodwill', note: 'loyal customer' } } } })
  @ApiOkResponse({ type: ReturnDto, description: 'Authorised (again with the same number: nothing recorded); the return now; ETag' })
  @badBody('outOfWarranty', 'outOfWarranty must be one of the following values: paid, goodwill')
  @returnCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (out-of-warranty, unknown-order, order-cancelled, product-not-on-order)', {
    code: 'out-of-warranty',
    detail: 'the warranty of order … ended at 2026-01-01T00:00:00.000Z: authorise it as a paid repair or as goodwill',
  })
  async authorise(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AuthoriseReturnDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ReturnView> {
    await this.returns.authorise(
      p,
      id,
      { ...(dto.outOfWarranty !== undefined && { outOfWarranty: dto.outOfWarranty }), ...(dto.note !== undefined && { note: dto.note }) },
      options(ifMatch, correlationId),
    );
    return this.answer(p, id, res);
  }

  @Post('returns/:id/deny')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deny the return, saying why: it closes unresolved' })
  @ApiBody({ type: DenyReturnDto, examples: { deny: { value: { reason: 'water damage is not covered' } } } })
  @ApiOkResponse({ type: ReturnDto, description: 'Denied and closed; the return now; ETag' })
  @badBody('reason', 'reason should not be empty')
  @returnCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (return-already-authorised, return-closed)', { code: 'return-already-authorised' })
  async deny(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: DenyReturnDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ReturnView> {
    await this.returns.deny(p, id, { reason: dto.reason }, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  @Post('returns/:id/repair')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the repair to a registered service-provider partner (again to another: a reassignment, ending the first one’s access)' })
  @ApiBody({ type: AssignRepairDto, examples: { assign: { value: { partnerId: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11' } } } })
  @ApiOkResponse({ type: ReturnDto, description: 'Assigned (the same provider again: nothing recorded); the return now; ETag' })
  @badBody('partnerId', 'partnerId should not be empty')
  @returnCommandErrors()
  @ApiProblem(
    422,
    'Unprocessable Entity: a rule was broken; `code` names it (unknown-partner, not-a-service-provider, return-not-authorised, repair-finished)',
    {
      code: 'not-a-service-provider',
    },
  )
  async assignRepair(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AssignRepairDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ReturnView> {
    await this.returns.assignRepair(p, id, { partnerId: dto.partnerId }, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  @Post('returns/:id/shipments')
  @HttpCode(200)
  @ApiOperation({ summary: 'Where the item is on one leg (to-company, to-provider, from-provider, to-customer); delivered to the customer closes the return' })
  @ApiBody({
    type: ShipmentDto,
    examples: { label: { value: { leg: 'to-company', state: 'label-issued', carrier: 'DHL', trackingNumber: 'JD014600003828' } } },
  })
  @ApiOkResponse({ type: ReturnDto, description: 'Recorded (the same state again: nothing recorded); the return now; ETag' })
  @badBody('leg', 'leg must be one of the following values: to-company, to-provider, from-provider, to-customer')
  @returnCommandErrors()
  @ApiProblem(
    422,
    'Unprocessable Entity: a rule was broken; `code` names it (shipment-state-backwards, item-not-received, repair-not-finished, item-not-here)',
    {
      code: 'shipment-state-backwards',
    },
  )
  async shipment(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ShipmentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ReturnView> {
    await this.returns.updateShipment(
      p,
      id,
      {
        leg: dto.leg,
        state: dto.state,
        ...(dto.carrier !== undefined && { carrier: dto.carrier }),
        ...(dto.trackingNumber !== undefined && { trackingNumber: dto.trackingNumber }),
      },
      options(ifMatch, correlationId),
    );
    return this.answer(p, id, res);
  }

  @Post('returns/:id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the return before the item is back with the customer: unresolved or cancelled (only before anything travels), saying why' })
  @ApiBody({ type: CloseReturnDto, examples: { cancel: { value: { outcome: 'cancelled', reason: 'the customer withdrew the return' } } } })
  @ApiOkResponse({ type: ReturnDto, description: 'Closed; the return now; ETag' })
  @badBody('outcome', 'outcome must be one of the following values: unresolved, cancelled')
  @returnCommandErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (return-under-way, return-closed)', { code: 'return-under-way' })
  async close(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: CloseReturnDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ReturnView> {
    await this.returns.close(p, id, { outcome: dto.outcome, reason: dto.reason }, options(ifMatch, correlationId));
    return this.answer(p, id, res);
  }

  /** The return as it is now (read from its stream, so it shows the change just made), with its ETag. */
  private async answer(p: Principal, id: string, res: HeaderResponse): Promise<ReturnView> {
    const view = await this.returns.get(p, id);
    setEtag(res, BigInt(view.revision));
    return view;
  }
}

function options(ifMatch: string | undefined, correlationId: string | undefined): CommandOptions {
  return { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId };
}
