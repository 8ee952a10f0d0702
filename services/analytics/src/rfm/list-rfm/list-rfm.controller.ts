import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblem, badCursor, RequireKind } from '@crm/service-kit';
import { RfmListQueryDto, RfmListView } from '../rfm.dto';
import { InvalidRfmCursorError, RfmQueries } from '../rfm.query';

/** `GET /rfm`: every customer's RFM, paged, with the segment counts and the R × F grid. */
@ApiTags('rfm')
@ApiBearerAuth()
@RequireKind('staff')
@Controller('rfm')
export class ListRfmController {
  constructor(private readonly rfm: RfmQueries) {}

  @Get()
  @ApiOperation({
    summary: 'RFM of every customer who bought, by customer id, with how many are in each segment and the 5 × 5 R × F grid',
    description: 'Rules: docs/analytics.md "RFM". `segment` filters the items; the counts and the grid are over everyone scored.',
  })
  @ApiOkResponse({
    type: RfmListView,
    example: {
      asOf: '2026-12-31T23:59:59.000Z',
      periodDays: 365,
      reportingCurrency: 'EUR',
      customersScored: 3,
      segments: {
        champions: 1,
        loyal: 0,
        'potential-loyalist': 1,
        new: 0,
        promising: 0,
        'need-attention': 0,
        'about-to-sleep': 0,
        'cant-lose': 0,
        'at-risk': 0,
        hibernating: 1,
        lost: 0,
      },
      grid: [
        [0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 0, 0, 1],
      ],
      unconverted: { orders: 1, currencies: ['KWD'] },
      items: [
        {
          customerId: '6f1c2a9e-3b7d-4c1e-9a55-0c6f2b8d4e11',
          lastPurchaseDay: '2026-12-20',
          recencyDays: 11,
          frequency: 7,
          monetary: 1_250_000,
          scores: { r: 5, f: 5, m: 5 },
          cell: '555',
          segment: 'champions',
        },
      ],
      nextCursor: 'WyJyZm0iLCI2ZjFjMmE5ZS0zYjdkLTRjMWUtOWE1NS0wYzZmMmI4ZDRlMTEiXQ',
    },
  })
  @ApiProblem(400, 'A malformed asOf, periodDays, segment, limit or cursor (`errors` names it)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'segment', message: 'segment must be one of the following values: champions, loyal, …' }],
  })
  @ApiProblem(401, 'No or an invalid bearer token')
  @ApiProblem(403, 'Not staff (a partner token)')
  async list(@Query() q: RfmListQueryDto): Promise<RfmListView> {
    try {
      return await this.rfm.list({
        asOf: q.asOf ? new Date(q.asOf) : undefined,
        periodDays: q.periodDays,
        segment: q.segment,
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidRfmCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
