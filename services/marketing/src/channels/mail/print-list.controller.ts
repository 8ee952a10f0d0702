import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@crm/relationship-api';
import { ApiProblem, RequireDepartment, RequireKind, UuidParam } from '@crm/service-kit';
import { StaffRouteErrors } from '../../marketing.openapi';
import { CAMPAIGN_LISTS, type CampaignListsStore } from '../campaign-lists';
import { PRINT_LIST_COLUMNS, printListCsv } from './print-list-csv';

/** Rows read and written at a time: a print list of 100,000 addresses streams, it is not held in memory. */
const PAGE = 1000;

/** The bits of the HTTP response the export writes to. */
interface CsvResponse {
  setHeader(name: string, value: string): void;
  write(chunk: string): boolean;
  end(): void;
}

/** A campaign's print list (issue 13 §3, mail channel): the addressees of its mail step as CSV, for the print house. */
@ApiTags('campaigns')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('marketing')
@Controller('campaigns')
export class PrintListController {
  constructor(@Inject(CAMPAIGN_LISTS) private readonly lists: CampaignListsStore) {}

  @Get(':campaignId/print-list.csv')
  @ApiOperation({
    summary: 'The campaign’s print list as CSV (RFC 4180, CRLF, UTF-8 with a header row), in the order it was listed',
    description: "Cells a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`) are prefixed with `'`.",
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description:
      'One row per addressee: the message, the customer, the step and variant, the name, up to eight address lines (organisation, street lines, postal code and locality, region, country), the letter text',
    content: {
      'text/csv': {
        schema: { type: 'string' },
        example: `${PRINT_LIST_COLUMNS.join(',')}\r\n5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a,3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70,letter,,Sari Wijaya,PT Maju Jaya,Jl. Merdeka 5,10110 Jakarta Pusat,DKI Jakarta,ID,,,,Dear Sari…\r\n`,
      },
    },
  })
  @ApiProblem(400, 'A campaign id that is not a UUID', { errors: [{ field: 'campaignId', message: 'campaignId must be a UUID' }] })
  @StaffRouteErrors({ forbidden: 'Not staff of marketing', notFound: 'The campaign has no print list' })
  async export(@UuidParam('campaignId') campaignId: string, @Res() res: CsvResponse): Promise<void> {
    let page = await this.lists.printPage(campaignId, 0, PAGE);
    if (page.length === 0) throw new NotFoundError(`campaign ${campaignId} has no print list`);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="print-list-${campaignId}.csv"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.write(printListCsv(page, true));
    while (page.length === PAGE) {
      page = await this.lists.printPage(campaignId, page[page.length - 1].seq, PAGE);
      if (page.length > 0) res.write(printListCsv(page, false));
    }
    res.end();
  }
}
