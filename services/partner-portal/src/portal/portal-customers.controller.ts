import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@crm/relationship';
import { CustomerIdParam, TimelineQueryDto } from '@crm/relationship-api';
import { CurrentPrincipal, RequireKind, type Principal } from '@crm/service-kit';
import { CustomerDirectoryEntry, PartnerAccess, readTimeline, type TimelinePage } from '@crm/relationship-read-models';
import { asPartner } from '../auth/principals';
import type { PartnerStaleness } from './partner-scope';
import { PartnerScope } from './partner-scope';

/**
 * The customers shared with the calling partner, and their history as that partner may see it:
 * every department's episodes, the partner's own, and never another partner's.
 */
@ApiTags('portal')
@ApiBearerAuth()
@RequireKind('partner')
@Controller('customers')
export class PortalCustomersController {
  constructor(private readonly scope: PartnerScope) {}

  @Get()
  @ApiOkResponse({ description: 'The customers currently shared with the caller, by name' })
  async list(@CurrentPrincipal() p: Principal): Promise<CustomerDirectoryEntry[]> {
    const partner = asPartner(p);
    const shared = await this.scope.sharedCustomerIds(partner);
    if (shared.size === 0) return [];
    const rows = await this.scope.manager
      .getRepository(CustomerDirectoryEntry)
      .createQueryBuilder('c')
      .innerJoin(PartnerAccess, 'a', 'a.customer_id = c.customer_id AND a.partner_id = :partnerId AND a.granted = true', { partnerId: partner.partnerId })
      .orderBy('c.name', 'ASC')
      .addOrderBy('c.customer_id', 'ASC')
      .getMany();
    return rows.filter((c) => shared.has(c.customerId));
  }

  @Get(':id')
  @ApiOkResponse({ description: 'A customer shared with the caller (404 otherwise, exactly as for an unknown id)' })
  async get(@CurrentPrincipal() p: Principal, @Param() { id }: CustomerIdParam): Promise<CustomerDirectoryEntry & { stale?: PartnerStaleness }> {
    await this.scope.assertMayRead(asPartner(p), id);
    const row = await this.scope.manager.getRepository(CustomerDirectoryEntry).findOneBy({ customerId: id });
    if (!row) throw new NotFoundError(`customer ${id} not found`);
    const stale = await this.scope.staleness(id);
    return stale ? { ...row, stale } : row;
  }

  @Get(':id/timeline')
  @ApiOkResponse({ description: "The shared history without other partners' episodes; paged by episode" })
  async timeline(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Query() q: TimelineQueryDto,
  ): Promise<TimelinePage & { stale?: PartnerStaleness }> {
    const partner = asPartner(p);
    await this.scope.assertMayRead(partner, id);
    const stale = await this.scope.staleness(id);
    const page = await readTimeline(this.scope.manager, {
      customerId: id,
      partnerId: partner.partnerId,
      asOf: q.asOf ? new Date(q.asOf) : undefined,
      cursor: q.cursor,
      limit: q.limit ?? 50,
      newestFirst: q.order === 'newest-first',
    });
    return stale ? { ...page, stale } : page;
  }
}
