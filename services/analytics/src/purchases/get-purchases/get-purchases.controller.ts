import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CustomerIdParam } from '@crm/relationship-api';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { GetCustomerPurchasesHandler, type CustomerPurchasesView } from './get-purchases.query';

/** A customer's purchase history (sales orders), for staff of every department: analytical CRM serves them all. */
@ApiTags('purchases')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class CustomerPurchasesController {
  constructor(private readonly purchases: GetCustomerPurchasesHandler) {}

  @Get(':id/purchases')
  @ApiOperation({ summary: "The customer's orders (placed, returned, cancelled) with totals per currency and purchase occasions" })
  @ApiOkResponse({
    description: 'Orders newest first; money in integer minor units of each order’s currency, never added across currencies',
    schema: {
      type: 'object',
      properties: {
        customerId: { type: 'string', format: 'uuid' },
        orders: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              orderId: { type: 'string' },
              orderDate: { type: 'string', format: 'date-time' },
              currency: { type: 'string', example: 'EUR' },
              total: { type: 'integer' },
              refunded: { type: 'integer' },
              status: { type: 'string', enum: ['placed', 'partially-returned', 'returned', 'cancelled'] },
              lineCount: { type: 'integer' },
              source: { type: 'string', enum: ['api', 'quote', 'import', 'sell-through'] },
              quoteId: { type: 'string' },
              partnerId: { type: 'string', description: 'sell-through: the distributor or reseller that sold it' },
              opportunityId: { type: 'string' },
            },
          },
        },
        byCurrency: { type: 'object', additionalProperties: { type: 'object', properties: { orders: { type: 'integer' }, net: { type: 'integer' } } } },
        purchaseOccasions: { type: 'integer' },
        lastOrderDate: { type: 'string', format: 'date-time', nullable: true },
        inReportingCurrency: {
          type: 'object',
          description:
            'The same orders in the reporting currency (CRM_REPORTING_CURRENCY), each converted with the rate in force on its day; fully returned orders and orders without a rate left out (counted in unconverted)',
          properties: {
            currency: { type: 'string', example: 'EUR' },
            net: { type: 'integer' },
            purchaseOccasions: { type: 'integer' },
            unconverted: { type: 'object', properties: { orders: { type: 'integer' }, currencies: { type: 'array', items: { type: 'string' } } } },
          },
        },
      },
    },
    example: {
      customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
      orders: [
        {
          orderId: '0b7e4c1a-2f3d-5a6b-8c9d-1e2f3a4b5c6d',
          orderDate: '2026-03-03T00:00:00.000Z',
          currency: 'EUR',
          total: 7492497,
          refunded: 0,
          status: 'placed',
          lineCount: 1,
          source: 'quote',
        },
      ],
      byCurrency: { EUR: { orders: 1, net: 7492497 } },
      purchaseOccasions: 1,
      lastOrderDate: '2026-03-03T00:00:00.000Z',
      inReportingCurrency: { currency: 'EUR', net: 7492497, purchaseOccasions: 1, unconverted: { orders: 0, currencies: [] } },
    },
  })
  @ApiProblem(400, 'The id is not a UUID')
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(404, 'No such customer')
  purchasesOf(@Param() { id }: CustomerIdParam): Promise<CustomerPurchasesView> {
    return this.purchases.handle(id);
  }
}
