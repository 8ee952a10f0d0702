import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@crm/relationship';
import { PartnerCommands } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import { ApiProblem, badCursor, HttpProblem, ProblemTypes, RequireDepartment, RequireKind, RequireRoles } from '@crm/service-kit';
import { PartnerIdParam } from '../partners/partners.dto';
import { AccessLogPageDto, AccessLogQueryDto } from './access-log.dto';
import { PartnerAccessLog, type AccessLogPage, type AccessLogSearch } from './partner-access-log.service';

const EXAMPLE_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
const PAGE_EXAMPLE = {
  items: [
    {
      at: '2026-06-01T09:00:02.000Z',
      partnerId: EXAMPLE_ID,
      principal: `${EXAMPLE_ID}.Xy7kQ2`,
      partnerUser: null,
      customerId: '5d0e2f6a-1c4b-4e8a-9b7d-3a2c1e0f9d88',
      resourceId: '5d0e2f6a-1c4b-4e8a-9b7d-3a2c1e0f9d88',
      route: 'GET /customers/{id}',
      status: 404,
      correlationId: 'req-7f3a',
    },
  ],
  nextCursor: 'WyJwYXJ0bmVyLWFjY2Vzcy1sb2ciLCIyMDI2LTA2LTAxVDA5OjAwOjAyLjAwMFoiLDQyXQ',
};
const badQuery = () =>
  ApiProblem(400, 'A filter or cursor that is not valid: errors name it', {
    detail: 'from must be an ISO 8601 instant such as 2026-03-01T09:00:00Z (years 0001–9999, offsets up to ±14:00)',
    errors: [{ field: 'from', message: 'from must be an ISO 8601 instant such as 2026-03-01T09:00:00Z (years 0001–9999, offsets up to ±14:00)' }],
  });
const unauthorised = () => ApiProblem(401, 'Unauthorized: no token, or a bad one', { type: ProblemTypes.unauthorized });
const forbidden = () =>
  ApiProblem(403, 'Forbidden: for staff of management or sales with role channel-manager or admin (never for partners)', { type: ProblemTypes.forbidden });

/**
 * The partner access log (issue 14 §1), for the staff who administer partners (the same as
 * `GET /partners/{id}`: channel managers and administrators of management or sales): which partner
 * read which customer, when — and which reads were refused (404), a partner probing ids. Entries are
 * recorded by `PartnerAccessLog` where the portal answers a partner's read; see docs/partners.md
 * ("The access log").
 */
@ApiTags('partners')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('management', 'sales')
@RequireRoles('channel-manager', 'admin')
@unauthorised()
@forbidden()
@Controller()
export class AccessLogController {
  constructor(
    private readonly log: PartnerAccessLog,
    private readonly partners: PartnerCommands,
  ) {}

  @Get('partners/:id/access-log')
  @ApiOperation({ summary: "A partner's reads of customers, newest first: by customer and time; paged" })
  @ApiOkResponse({ type: AccessLogPageDto, description: 'One entry per customer a read showed, and one per read refused with 404', example: PAGE_EXAMPLE })
  @badQuery()
  @ApiProblem(404, 'Not Found: no such partner', { detail: `partner ${EXAMPLE_ID} not found` })
  async ofPartner(@Param() { id }: PartnerIdParam, @Query() q: AccessLogQueryDto): Promise<AccessLogPage> {
    const search = searchOf(q);
    if (!(await this.partners.get(id))) throw new NotFoundError(`partner ${id} not found`);
    return this.page({ ...search, partnerId: id });
  }

  @Get('partner-access-log')
  @ApiOperation({ summary: "Every partner's reads, newest first — of one customer with `customerId`; by time; paged" })
  @ApiOkResponse({ type: AccessLogPageDto, description: 'One entry per customer a read showed, and one per read refused with 404', example: PAGE_EXAMPLE })
  @badQuery()
  async ofCustomer(@Query() q: AccessLogQueryDto): Promise<AccessLogPage> {
    return this.page(searchOf(q));
  }

  private async page(search: AccessLogSearch): Promise<AccessLogPage> {
    try {
      return await this.log.list(search);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }
}

function searchOf(q: AccessLogQueryDto): AccessLogSearch {
  const from = q.from === undefined ? undefined : new Date(q.from);
  const to = q.to === undefined ? undefined : new Date(q.to);
  if (from && to && to < from) {
    const message = 'to must not be before from';
    throw new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field: 'to', message }] });
  }
  return { customerId: q.customerId, from, to, limit: q.limit ?? 50, cursor: q.cursor };
}
