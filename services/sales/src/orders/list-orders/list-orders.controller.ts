import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError, customerFilterIds, searchOrders, type OrderListPage } from '@crm/relationship-read-models';
import { RequireDepartment, RequireKind, ApiProblem, badCursor } from '@crm/service-kit';
import { OrderListPageView, OrderListQueryDto } from '../orders.dto';

/** `GET /orders`: the orders list read model, filtered, newest first, paged by cursor. */
@ApiTags('orders')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@Controller('orders')
export class ListOrdersController {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelRunners) {}

  @Get()
  @ApiOperation({
    summary: 'Orders, newest order date first',
    description: 'The purchase history as the orders list read model holds it (follows the store within moments).',
  })
  @ApiOkResponse({
    type: OrderListPageView,
    description: 'One page in a stable order (ties by order id); `nextCursor` for the next page',
    schema: {
      example: {
        items: [
          {
            orderId: '9a3c2b1d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
            customerId: '5d1e4c2a-8f3b-4e6d-9a7c-1b2c3d4e5f60',
            orderDate: '2026-03-01T00:00:00.000Z',
            placedAt: '2026-03-01T09:12:44.120Z',
            currency: 'EUR',
            total: 4_995_000,
            refunded: 0,
            status: 'placed',
            lineCount: 1,
            source: 'api',
            externalId: null,
            quoteId: null,
            opportunityId: null,
          },
        ],
        nextCursor: 'WyJvcmRlcnMiLCIyMDI2LTAzLTAxVDAwOjAwOjAwLjAwMDAwMCIsIjlhM2MiXQ',
      },
    },
  })
  @ApiProblem(400, 'A filter or cursor that is not valid (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(@Query() q: OrderListQueryDto): Promise<OrderListPage> {
    const manager = this.readModels.dataSource.manager;
    // A customer's orders include those of the customers merged into it.
    const customerIds = await customerFilterIds(manager, q.customerId);
    try {
      return await searchOrders(manager, {
        customerIds,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        statuses: q.status?.split(','),
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
