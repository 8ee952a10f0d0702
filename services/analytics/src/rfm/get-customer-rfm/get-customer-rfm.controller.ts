import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CustomerIdParam } from '@crm/relationship-api';
import { ApiProblem, RequireKind } from '@crm/service-kit';
import { RfmOfCustomerView, RfmQueryDto } from '../rfm.dto';
import { RfmQueries } from '../rfm.query';

/** `GET /customers/{id}/rfm`: one customer's RFM quintile scores, cell and segment, for staff of every department. */
@ApiTags('rfm')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('customers')
export class CustomerRfmController {
  constructor(private readonly rfm: RfmQueries) {}

  @Get(':id/rfm')
  @ApiOperation({
    summary: "The customer's RFM scores (quintiles 1–5 against every customer who bought), cell and segment, as of an instant",
    description: 'Rules: docs/analytics.md "RFM". Money in integer minor units of the reporting currency (CRM_REPORTING_CURRENCY).',
  })
  @ApiOkResponse({
    type: RfmOfCustomerView,
    description: '`rfm` is null for a customer without a purchase occasion by asOf',
    example: {
      customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
      asOf: '2026-12-31T23:59:59.000Z',
      periodDays: 365,
      reportingCurrency: 'EUR',
      customersScored: 1840,
      rfm: {
        customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
        lastPurchaseDay: '2026-12-20',
        recencyDays: 11,
        frequency: 7,
        monetary: 1_250_000,
        scores: { r: 5, f: 5, m: 4 },
        cell: '554',
        segment: 'champions',
      },
      unconverted: { orders: 0, currencies: [] },
    },
  })
  @ApiProblem(400, 'A malformed id, asOf or periodDays (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'periodDays', message: 'periodDays must not be greater than 36500' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  @ApiProblem(404, 'No such customer')
  rfmOf(@Param() { id }: CustomerIdParam, @Query() q: RfmQueryDto): Promise<RfmOfCustomerView> {
    return this.rfm.ofCustomer(id, { asOf: q.asOf ? new Date(q.asOf) : undefined, periodDays: q.periodDays });
  }
}
