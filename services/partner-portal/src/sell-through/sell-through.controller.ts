import type { Readable } from 'node:stream';
import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import { ApiProblem, badCursor, CurrentPrincipal, HttpProblem, ProblemTypes, RequireKind, type Principal } from '@crm/service-kit';
import { asPartner } from '../auth/principals';
import { readSellThroughCsv, SELL_THROUGH_CSV_COLUMNS, SellThroughCsvRefusedError } from './sell-through-csv';
import { SellThroughQueryDto, SellThroughPageDto, SellThroughReportDto, SellThroughResultDto } from './sell-through.dto';
import { listSellThrough, type SellThroughPage } from './sell-through.projection';
import { SellThroughReporting, type SellThroughResult } from './sell-through-reporting';

/** The path `createPartnerPortalApp` lets through as a `text/csv` stream. */
export const SELL_THROUGH_CSV_PATH = '/sell-through.csv';

const CUSTOMER = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
const RESULT_EXAMPLE = {
  recorded: 1,
  duplicate: 0,
  refused: 1,
  lines: [
    { line: 1, status: 'recorded', externalId: 'INV-2026-0042', customerId: CUSTOMER, orderId: '5d1e2f3a-4b5c-5d6e-8f70-8192a3b4c5d6' },
    {
      line: 2,
      status: 'refused',
      externalId: 'INV-2026-0043',
      customerId: '7a9e1c44-2b6d-4e8f-a0b1-c2d3e4f5a6b7',
      field: 'customerId',
      code: 'customer-not-shared',
      reason: 'customer 7a9e1c44-2b6d-4e8f-a0b1-c2d3e4f5a6b7 is not shared with you',
    },
  ],
};
const unauthorised = () =>
  ApiProblem(401, 'Unauthorized: no token, a bad or expired one, or one of a revoked credential', {
    type: 'urn:crm:problem:unauthorized',
    detail: 'the credential this token was issued for has been revoked',
  });
const forbidden = () =>
  ApiProblem(403, 'Forbidden: only distributors and resellers report sell-through (not staff, suppliers or service providers)', {
    type: 'urn:crm:problem:forbidden',
    detail: 'only distributors and resellers report sell-through',
  });

/**
 * Sell-through (issue 14 §6): a distributor or reseller reports its sales to end customers, as JSON
 * or as a CSV file, and lists what it reported. Each reported order is a purchase in the customer's
 * history (OrderPlaced v2, source `sell-through`, the partner named), counted by analytics. Every
 * line is answered (`recorded`, `duplicate` or `refused` with the field and why), so a partner
 * fixes the refused lines and sends the report again: what was recorded is not recorded twice.
 */
@ApiTags('sell-through')
@ApiBearerAuth()
@RequireKind('partner')
@unauthorised()
@forbidden()
@Controller()
export class SellThroughController {
  constructor(
    private readonly reporting: SellThroughReporting,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
  ) {}

  @Post('sell-through')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report sales to end customers (up to 500 lines)',
    description:
      'The lines of one customerId and externalId are one purchase of that customer (same orderDate and currency). A customer not shared with you is refused with the answer an unknown one gets. ' +
      'Idempotent per externalId: a report sent again answers `duplicate` for what was recorded.',
  })
  @ApiBody({
    type: SellThroughReportDto,
    examples: {
      report: {
        value: {
          lines: [
            {
              customerId: CUSTOMER,
              externalId: 'INV-2026-0042',
              orderDate: '2026-03-01',
              productId: 'ROUTER-X2',
              quantity: 2,
              unitPrice: 12_500,
              currency: 'EUR',
            },
          ],
        },
      },
    },
  })
  @ApiOkResponse({ type: SellThroughResultDto, description: 'Every line with its outcome', example: RESULT_EXAMPLE })
  @ApiProblem(400, 'The body is not a report: errors name the fields (lines.3.customerId, lines, …)', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'lines.0.customerId', message: 'customerId must be a UUID' }],
  })
  @ApiProblem(415, 'The body is not application/json', { type: 'urn:crm:problem:unsupported-media-type' })
  async report(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SellThroughReportDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<SellThroughResult> {
    const lines = dto.lines.map((l, i) => ({ ...l, line: i + 1, customerId: l.customerId.toLowerCase() }));
    return this.reporting.report(asPartner(p), lines, [], correlationId);
  }

  @Post('sell-through.csv')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report sales to end customers from a CSV file (up to 500 lines, 5 MB)',
    description: 'As POST /sell-through; a row that cannot be read is refused naming its line and column, the others are recorded.',
  })
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      `A header naming the columns (any order and case): ${SELL_THROUGH_CSV_COLUMNS.join(', ')} (productName optional). unitPrice is a decimal in the currency ` +
      '(12.50), converted exactly by its ISO 4217 minor unit. Rows with one customerId and externalId are one purchase. UTF-8.',
    schema: {
      type: 'string',
      example: `customerId,externalId,orderDate,productId,quantity,unitPrice,currency\n${CUSTOMER},INV-2026-0042,2026-03-01,ROUTER-X2,2,125.00,EUR\n`,
    },
  })
  @ApiOkResponse({
    type: SellThroughResultDto,
    description: 'Every row with its outcome; `line` is the file line (1 is the header)',
    example: RESULT_EXAMPLE,
  })
  @ApiProblem(400, 'The file is refused as a whole: its header, more than 500 lines, or a CSV that cannot be read', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'header', message: 'the header must name the column(s) currency' }],
  })
  @ApiProblem(413, 'The file is larger than 5 MB', { type: 'urn:crm:problem:payload-too-large' })
  @ApiProblem(415, 'The body is not text/csv', { type: 'urn:crm:problem:unsupported-media-type' })
  async reportCsv(
    @CurrentPrincipal() p: Principal,
    @Req() req: Readable,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<SellThroughResult> {
    const partner = asPartner(p);
    try {
      // Who may report is checked before the file is read: a service provider's upload is not parsed.
      await this.reporting.assertMayReport(partner);
      const { lines, refused } = await readSellThroughCsv(req);
      return await this.reporting.report(partner, lines, refused, correlationId);
    } catch (error) {
      req.resume(); // the rest of the upload is not read
      if (error instanceof SellThroughCsvRefusedError)
        throw new HttpProblem(error.status, error.message, {
          type: error.status === 413 ? 'urn:crm:problem:payload-too-large' : ProblemTypes.validation,
          errors: [{ field: error.field, message: error.message }],
          headers: { Connection: 'close' },
        });
      throw error;
    }
  }

  @Get('sell-through')
  @ApiOperation({ summary: 'The sales you reported, newest order date first; by order date; paged' })
  @ApiOkResponse({
    type: SellThroughPageDto,
    description: 'Your reported purchases only (never another partner’s)',
    example: {
      items: [
        {
          orderId: '5d1e2f3a-4b5c-5d6e-8f70-8192a3b4c5d6',
          externalId: 'INV-2026-0042',
          customerId: CUSTOMER,
          orderDate: '2026-03-01T00:00:00.000Z',
          placedAt: '2026-03-02T08:15:00.000Z',
          currency: 'EUR',
          total: 25_000,
          lineCount: 1,
        },
      ],
    },
  })
  @ApiProblem(400, 'A date or cursor that is not valid: errors name it', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  async list(@CurrentPrincipal() p: Principal, @Query() q: SellThroughQueryDto): Promise<SellThroughPage> {
    const partner = asPartner(p);
    await this.reporting.assertMayReport(partner);
    try {
      return await listSellThrough(this.readModels.dataSource.manager, {
        partnerId: partner.partnerId,
        ...(q.from !== undefined && { from: q.from }),
        ...(q.to !== undefined && { to: q.to }),
        limit: q.limit ?? 50,
        cursor: q.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}
