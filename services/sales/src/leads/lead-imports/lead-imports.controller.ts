import type { Readable } from 'node:stream';
import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiPayloadTooLargeResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { LeadCommands } from '@crm/relationship-api';
import { CurrentPrincipal, HttpProblem, ProblemTypes, RequireDepartment, RequireKind, type Principal, type StaffPrincipal } from '@crm/service-kit';
import { DEFAULT_IMPORT_LIMITS, IMPORT_COLUMNS, ImportRefusedError, importLeads, type LeadImportResult } from './lead-import';
import { LeadImportResultDto } from './lead-imports.responses';

/** The path `createSalesApp` lets through as a `text/csv` stream. */
export const LEAD_IMPORTS_PATH = '/leads/imports';

/** `POST /leads/imports`: a CSV of leads, read as it arrives; per-line errors; idempotent by external id. */
@ApiTags('leads')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'marketing', 'management')
@Controller('leads/imports')
export class LeadImportsController {
  constructor(private readonly leads: LeadCommands) {}

  @Post()
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({
    description: `A header line naming the columns (any order and case; ${IMPORT_COLUMNS.join(', ')}; at least name and externalId), then one lead per line. Source defaults to import; authority takes yes/no; budget is in minor units. At most ${DEFAULT_IMPORT_LIMITS.maxLines} lines and ${DEFAULT_IMPORT_LIMITS.maxBytes} bytes.`,
    schema: { type: 'string', example: 'externalId,name,company,email,country\nfair-001,Rina Kartika,CV Sinar,rina@sinar.example,ID\n' },
  })
  @ApiOkResponse({
    type: LeadImportResultDto,
    description:
      '`{ created, duplicates, failed, errors: [{ line, field, reason }] }`: lines whose external id was imported before are duplicates (nothing new); bad lines are listed and the rest imported',
    example: { created: 3, duplicates: 0, failed: 1, errors: [{ line: 4, field: 'email', reason: 'email must be an email' }] },
  })
  @ApiResponse({ status: 415, description: 'The body is not text/csv' })
  @ApiPayloadTooLargeResponse({ description: 'More lines or bytes than an import takes; the lines before the limit were imported (a re-import skips them)' })
  async import(@CurrentPrincipal() p: Principal, @Req() req: Readable): Promise<LeadImportResult> {
    try {
      return await importLeads(req, (input) => this.leads.capture(p as StaffPrincipal, input));
    } catch (error) {
      if (!(error instanceof ImportRefusedError)) throw error;
      req.resume(); // the rest of the upload is not read
      throw new HttpProblem(error.status, error.message, {
        type: error.status === 413 ? 'urn:crm:problem:payload-too-large' : ProblemTypes.validation,
        errors: [{ field: error.field, message: error.message }],
        ...(error.partial && { extensions: { ...error.partial } }),
        headers: { Connection: 'close' },
      });
    }
  }
}
