import { Body, Controller, Get, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrderCommands } from '@crm/relationship-api';
import type { Order, OrderLineInput } from '@crm/relationship';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  setEtag,
  UuidParam,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
  ApiProblem,
} from '@crm/service-kit';
import { CancelOrderDto, OrderChangeView, OrderView, PlacedOrderView, PlaceOrderDto, ReturnOrderDto, type OrderLineDto } from './orders.dto';

const staff = (p: Principal) => p as StaffPrincipal;
/** Percent with at most two decimals → basis points, exactly (validated before: 0–100, two decimals). */
const basisPoints = (percent: number) => Math.round(percent * 100);

export function lineInput(line: OrderLineDto): OrderLineInput {
  return {
    productId: line.productId,
    ...(line.productName !== undefined && { productName: line.productName }),
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    ...(line.discountPercent !== undefined && { discountRate: basisPoints(line.discountPercent) }),
    ...(line.discountAmount !== undefined && { discountAmount: line.discountAmount }),
    ...(line.taxPercent !== undefined && { taxRate: basisPoints(line.taxPercent) }),
    ...(line.taxAmount !== undefined && { taxAmount: line.taxAmount }),
  };
}

interface StatusResponse extends HeaderResponse {
  status(code: number): unknown;
}

const IF_MATCH = { name: 'If-Match', required: false, description: 'The ETag of the order as read ("<revision>"): a stale one is a 412 before any rule' };
const RULES =
  '`code` names the rule: unknown-customer, unknown-currency, order-needs-lines, discount-exceeds-price, order-date-in-future, unknown-opportunity, opportunity-of-another-customer, opportunity-closed, order-exists, order-cancelled, order-returned, order-has-returns, return-exceeds-ordered, unknown-order-line, …';

/**
 * Sales orders: placed directly (or on an opportunity, which the order closes as won with its total),
 * cancelled as a whole, returned in full or line by line. Amounts are integers of the currency's minor
 * unit. Changes answer with an ETag; `If-Match` makes them conditional (412 when stale).
 */
@ApiTags('orders')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiProblem(403, 'Not staff of sales or management (service staff and partners neither)', { type: 'urn:crm:problem:forbidden', title: 'Forbidden' })
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrderCommands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Place an order', description: 'Totals are computed per line in minor units (rates rounded half up on the line) and summed.' })
  @ApiBody({
    type: PlaceOrderDto,
    examples: {
      direct: {
        value: {
          customerId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60',
          currency: 'EUR',
          orderDate: '2026-03-01',
          lines: [{ productId: 'VAN-L2', productName: 'Delivery van', quantity: 2, unitPrice: 2_500_000, discountPercent: 10, taxPercent: 11 }],
        },
      },
      onOpportunity: {
        summary: 'closes the opportunity as won',
        value: {
          customerId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60',
          opportunityId: '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11',
          currency: 'IDR',
          lines: [{ productId: 'SRV-1', quantity: 12, unitPrice: 150_000_00, taxAmount: 19_800_000 }],
        },
      },
    },
  })
  @ApiCreatedResponse({
    type: PlacedOrderView,
    description: 'Placed; Location names the order. The same order again (same orderId, quoteId or externalId, same content) answers 200 and records nothing',
    schema: { example: { orderId: '9a3c2b1d-4e5f-4a6b-8c7d-0e1f2a3b4c5d', status: 'placed', total: 4_995_000, currency: 'EUR', created: true } },
  })
  @ApiOkResponse({ type: PlacedOrderView, description: 'The same order had been placed before: nothing new' })
  @ApiHeader(IF_MATCH)
  @ApiProblem(412, 'If-Match names a revision the order is no longer at', { type: 'urn:crm:problem:precondition-failed', title: 'Precondition Failed' })
  @ApiProblem(422, `A rule of the domain was broken. ${RULES}`, {
    type: 'urn:crm:problem:domain-rule-violation',
    title: 'Unprocessable Entity',
    code: 'opportunity-closed',
    detail: 'opportunity 0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11 is already closed: an order cannot win it again',
  })
  async place(
    @CurrentPrincipal() p: Principal,
    @Body() dto: PlaceOrderDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<PlacedOrderView> {
    const r = await this.orders.place(
      staff(p),
      {
        ...(dto.orderId !== undefined && { orderId: dto.orderId }),
        customerId: dto.customerId,
        ...(dto.orderDate !== undefined && { orderDate: dto.orderDate }),
        currency: dto.currency,
        lines: dto.lines.map(lineInput),
        ...(dto.opportunityId !== undefined && { opportunityId: dto.opportunityId }),
        ...(dto.quoteId !== undefined && { quoteId: dto.quoteId }),
        ...(dto.externalId !== undefined && { externalId: dto.externalId }),
      },
      { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId },
    );
    if (!r.created) res.status(200);
    res.setHeader('Location', `/orders/${r.id}`);
    setEtag(res, r.revision);
    return {
      orderId: r.id,
      status: r.order.status,
      total: r.order.total,
      currency: r.order.currency,
      created: r.created,
      ...(r.closedOpportunity && { closedOpportunity: r.closedOpportunity }),
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An order: its lines, totals, returns and cancellation' })
  @ApiOkResponse({ type: OrderView, description: 'The order; its ETag is the revision to send as If-Match' })
  @ApiProblem(404, 'No such order', { type: 'urn:crm:problem:not-found', title: 'Not Found' })
  async get(@UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<Order> {
    const { order, revision } = await this.orders.get(id);
    setEtag(res, revision);
    return order;
  }

  @Post(':id/cancellation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel an order as a whole (not once something was returned)' })
  @ApiOkResponse({ type: OrderChangeView, description: 'Cancelled (again: nothing new); `amount` is the total taken back' })
  @ApiHeader(IF_MATCH)
  @ApiProblem(404, 'No such order')
  @ApiProblem(412, 'If-Match names a revision the order is no longer at')
  @ApiProblem(422, 'order-has-returns: return what is left instead', { type: 'urn:crm:problem:domain-rule-violation', code: 'order-has-returns' })
  async cancel(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: CancelOrderDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<OrderChangeView> {
    const r = await this.orders.cancel(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { orderId: id, status: r.order.status, amount: r.order.total, currency: r.order.currency };
  }

  @Post(':id/returns')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Return lines of an order, or all that is left',
    description:
      "Each line's refunds are counted cumulatively (its total × units returned so far ÷ units ordered, rounded half up), so all returns of an order refund exactly its total.",
  })
  @ApiBody({
    type: ReturnOrderDto,
    examples: { lines: { value: { lines: [{ lineId: '1', quantity: 1 }], reason: 'damaged in transport' } }, full: { value: {} } },
  })
  @ApiCreatedResponse({
    type: OrderChangeView,
    description: 'Returned; `amount` is what this return refunds (a retried return with the same returnId: nothing new)',
    schema: {
      example: {
        orderId: '9a3c2b1d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
        status: 'partially-returned',
        returnId: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
        amount: 2_497_500,
        currency: 'EUR',
      },
    },
  })
  @ApiHeader(IF_MATCH)
  @ApiProblem(404, 'No such order')
  @ApiProblem(412, 'If-Match names a revision the order is no longer at')
  @ApiProblem(422, 'order-cancelled, order-returned, return-exceeds-ordered, unknown-order-line, duplicate-line, order-has-no-lines', {
    type: 'urn:crm:problem:domain-rule-violation',
    code: 'return-exceeds-ordered',
  })
  async returnLines(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ReturnOrderDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<OrderChangeView> {
    const r = await this.orders.return(staff(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    res.setHeader('Location', `/orders/${id}`);
    setEtag(res, r.revision);
    return { orderId: id, status: r.order.status, returnId: r.returnId, amount: r.amount, currency: r.order.currency };
  }
}
