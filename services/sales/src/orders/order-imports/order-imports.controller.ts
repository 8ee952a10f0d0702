import type { Readable } from 'node:stream';
import { Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrderCsvRefusedError, OrderImports, ORDER_CSV_COLUMNS, type OrderImportView as ImportView } from '@crm/relationship-api';
import {
  CurrentPrincipal,
  HttpProblem,
  ProblemTypes,
  RequireDepartment,
  RequireKind,
  RequireRoles,
  UuidParam,
  type HeaderResponse,
  type Principal,
  type StaffPrincipal,
  ApiProblem,
} from '@crm/service-kit';
import { OrderImportQueryDto, OrderImportView } from '../orders.dto';

/** The path `createSalesApp` lets through as a `text/csv` stream. */
export const ORDER_IMPORT_PATH = '/orders/import';

/**
 * Historical orders from a CSV (`POST /orders/import`), read as the upload arrives — any size — and
 * its progress (`GET /orders/imports/{id}`). Who may: sales managers and admins (roles
 * `manager` or `admin`) of sales or management: an import registers customers and writes
 * purchase history in bulk.
 */
@ApiTags('orders')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@RequireRoles('manager', 'admin')
@ApiProblem(403, 'Only staff of sales or management with the manager or admin role import orders')
@Controller('orders')
export class OrderImportsController {
  constructor(private readonly imports: OrderImports) {}

  @Post('import')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import historical orders from a CSV (streamed, any size)',
    description:
      'Idempotent per order number: importing the same file again creates nothing new. Missing customers are registered by their external id. ' +
      'Each line that is not imported is listed (first 1,000; all counted) and the import goes on. To watch it, send `importId` and poll `GET /orders/imports/{importId}`.',
  })
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      `A header naming the columns (any order and case): customerExternalId, orderId, orderDate (ISO 8601 date or instant), amount (the order's total, a decimal such as 1234.50, ` +
      `converted exactly by the currency's ISO 4217 minor unit), currency (ISO 4217); optionally productId, quantity, unitPrice (an order line; several lines with one orderId, ` +
      `next to each other, are one order; each repeats the order's customer, date, amount and currency), productName, customerName. The columns: ${ORDER_CSV_COLUMNS.join(', ')}.`,
    schema: {
      type: 'string',
      example:
        'customerExternalId,orderId,orderDate,amount,currency,productId,quantity,unitPrice\nC-1001,SO-1,2024-01-05,30.00,EUR,P1,1,10.00\nC-1001,SO-1,2024-01-05,30.00,EUR,P2,2,10.00\nC-1002,SO-2,2024-02-01,1500,JPY,,,\n',
    },
  })
  @ApiOkResponse({
    type: OrderImportView,
    description: 'The import as it ended (Location: its resource): counts and the lines not imported with their line, field and reason',
    schema: {
      example: {
        importId: '2b4c6d8e-0f1a-4b3c-9d5e-7f8a9b0c1d2e',
        status: 'completed',
        startedBy: 'mia',
        startedAt: '2026-03-01T09:00:00.000Z',
        updatedAt: '2026-03-01T09:00:04.000Z',
        finishedAt: '2026-03-01T09:00:04.000Z',
        counts: { lines: 3, orders: 2, created: 1, existing: 0, failedOrders: 1, failedLines: 1, customersCreated: 1, bytesRead: 190 },
        errors: [{ line: 4, field: 'currency', reason: 'currency must be an ISO 4217 code such as EUR' }],
      },
    },
  })
  @ApiProblem(400, 'The file is refused as a whole: its header (a column missing, unknown or named twice), or a CSV that cannot be read', {
    type: 'urn:crm:problem:validation-failed',
    errors: [{ field: 'header', message: 'the header must name the column(s) currency' }],
  })
  @ApiProblem(409, 'importId names an import that exists: use a new one', { type: 'urn:crm:problem:duplicate', code: 'import-exists' })
  @ApiProblem(415, 'The body is not text/csv', { type: 'urn:crm:problem:unsupported-media-type' })
  async import(
    @CurrentPrincipal() p: Principal,
    @Req() req: Readable,
    @Query() q: OrderImportQueryDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<ImportView> {
    try {
      return await this.imports.run(p as StaffPrincipal, req, {
        ...q,
        onStarted: (importId) => res.setHeader('Location', `/orders/imports/${importId}`),
      });
    } catch (error) {
      req.resume(); // the rest of the upload is not read
      if (error instanceof OrderCsvRefusedError) {
        throw new HttpProblem(400, error.message, {
          type: ProblemTypes.validation,
          errors: [{ field: error.field, message: error.message }],
          headers: { Connection: 'close' },
        });
      }
      if ((error as Error).name === 'ConflictError') {
        throw new HttpProblem(409, (error as Error).message, {
          type: ProblemTypes.duplicate,
          extensions: { code: 'import-exists' },
          headers: { Connection: 'close' },
        });
      }
      throw error;
    }
  }

  @Get('imports/:id')
  @ApiOperation({ summary: 'An order import: running or ended, its counts, the lines not imported' })
  @ApiOkResponse({ type: OrderImportView, description: 'While running, the counts are those recorded last (every 1,000 lines)' })
  @ApiProblem(404, 'No such import')
  get(@UuidParam('id') id: string): Promise<ImportView> {
    return this.imports.get(id);
  }
}
