import { Controller, Get, Headers, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@crm/relationship';
import { CustomerIdParam, CustomerListQueryDto, listCustomers, TimelineQueryDto } from '@crm/relationship-api';
import { ApiProblem, CurrentPrincipal, ProblemTypes, RequireKind, type Principal } from '@crm/service-kit';
import { CustomerDirectoryEntry, mergedCustomerIds, readTimeline, type CustomerListItem, type TimelinePage } from '@crm/relationship-read-models';
import { PartnerAccessLog } from '../access-log/partner-access-log.service';
import { asPartner } from '../auth/principals';
import type { PartnerStaleness } from './partner-scope';
import { PartnerScope } from './partner-scope';
import {
  PARTNER_CUSTOMER_EXAMPLE,
  PARTNER_TIMELINE_EXAMPLE,
  PartnerCustomerDto,
  PartnerCustomerListPageDto,
  PartnerTimelinePageDto,
} from './portal-responses.dto';

const CUSTOMER_ID = PARTNER_CUSTOMER_EXAMPLE.customerId;
/** The one 404 of a customer the caller may not read: unknown, never shared, revoked, expired or out of scope alike. */
const notShared = () =>
  ApiProblem(404, 'Not Found: not shared with you — the same answer as for a customer that does not exist', {
    detail: `customer ${CUSTOMER_ID} not found`,
  });

/** A list item as a partner sees it: without the company's owner and tags. */
export type PartnerCustomerListItem = Omit<CustomerListItem, 'owner' | 'tags'>;

/** One shared customer as a partner reads it (`PartnerCustomerDto`). */
export type PartnerCustomerView = Pick<
  CustomerDirectoryEntry,
  | 'customerId'
  | 'kind'
  | 'name'
  | 'journeyStage'
  | 'relationshipPhase'
  | 'parentId'
  | 'registeredAt'
  | 'lastInteractionAt'
  | 'contacts'
  | 'identities'
  | 'address'
  | 'mergedInto'
> & { stale?: PartnerStaleness };

/**
 * The directory row reduced to what a partner may read, field by field (an allow-list, so a column
 * added to the directory later stays the company's until it is named here): never the company's
 * owner, tags, search and sort keys, nor `suspectedDuplicates` — ids of other customers, which may
 * not be shared with this partner.
 */
export function partnerCustomerView(row: CustomerDirectoryEntry): PartnerCustomerView {
  const { customerId, kind, name, journeyStage, relationshipPhase, parentId, registeredAt, lastInteractionAt, contacts, identities, address, mergedInto } = row;
  return { customerId, kind, name, journeyStage, relationshipPhase, parentId, registeredAt, lastInteractionAt, contacts, identities, address, mergedInto };
}

/**
 * The customers shared with the calling partner, and their history as that partner may see it:
 * every department's episodes, the partner's own, and never another partner's. Every read is
 * recorded in the access log (`PartnerAccessLog.read`): the customers it showed, or the 404 of a
 * customer not shared.
 */
@ApiTags('portal')
@ApiBearerAuth()
@RequireKind('partner')
@ApiProblem(403, 'Forbidden: for partners (staff use the departments’ services)', { type: ProblemTypes.forbidden })
@Controller('customers')
export class PortalCustomersController {
  constructor(
    private readonly scope: PartnerScope,
    private readonly accessLog: PartnerAccessLog,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The customers shared with you, by name unless sorted otherwise; paged' })
  @ApiOkResponse({
    type: PartnerCustomerListPageDto,
    description:
      "The customers currently shared with the caller that match, one page at a time (by name unless sorted otherwise); the company's owner and tags are not shown",
    example: { items: [{ ...PARTNER_CUSTOMER_EXAMPLE, contacts: undefined, identities: undefined, address: undefined, mergedInto: undefined }] },
  })
  @ApiProblem(400, 'A filter or cursor that is not valid: errors name it', {
    errors: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page' }],
  })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: CustomerListQueryDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<{ items: PartnerCustomerListItem[]; nextCursor?: string }> {
    const partner = asPartner(p);
    return this.accessLog.read(
      partner,
      { route: 'GET /customers', correlationId },
      async () => {
        // The aggregate's shares (a revoke holds at once) AND the read model's grants.
        const shared = await this.scope.sharedCustomerIds(partner);
        if (shared.size === 0) return { items: [] };
        const page = await listCustomers(this.scope.manager, q, {
          owner: undefined, // the company's own fields: not a partner's filter
          tag: undefined,
          partnerId: partner.partnerId,
          partnerAt: this.scope.now(), // the read model's grants that have not expired
          customerIds: [...shared],
        });
        return { ...page, items: page.items.map(({ owner: _owner, tags: _tags, ...item }) => item) };
      },
      (page) => page.items.map((i) => i.customerId),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'A customer shared with you: its record, contacts and identities' })
  @ApiOkResponse({
    type: PartnerCustomerDto,
    description: 'A customer shared with the caller (404 otherwise, exactly as for an unknown id)',
    example: PARTNER_CUSTOMER_EXAMPLE,
  })
  @ApiProblem(400, 'Bad Request: the id is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @notShared()
  async get(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<PartnerCustomerView> {
    const partner = asPartner(p);
    return this.accessLog.read(
      partner,
      { route: 'GET /customers/{id}', correlationId, resourceId: id, probedCustomerId: id },
      async () => {
        await this.scope.assertMayRead(partner, id);
        const row = await this.scope.manager.getRepository(CustomerDirectoryEntry).findOneBy({ customerId: id });
        if (!row) throw new NotFoundError(`customer ${id} not found`);
        const stale = await this.scope.staleness(id);
        return { ...partnerCustomerView(row), ...(stale && { stale }) };
      },
      () => [id],
    );
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: "A shared customer's history as you may see it: the share's episode types and your own episodes; paged" })
  @ApiOkResponse({
    type: PartnerTimelinePageDto,
    description:
      "The shared history without other partners' episodes, only of the episode types the share names (and the caller's own episodes); paged by episode",
    example: PARTNER_TIMELINE_EXAMPLE,
  })
  @ApiProblem(400, 'A query that is not valid: errors name it (asOf, cursor, limit, order)', {
    errors: [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page ("<commit>/<prepare>")' }],
  })
  @notShared()
  async timeline(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Query() q: TimelineQueryDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<TimelinePage & { stale?: PartnerStaleness }> {
    const partner = asPartner(p);
    const customerIds = [id];
    return this.accessLog.read(
      partner,
      { route: 'GET /customers/{id}/timeline', correlationId, resourceId: id, probedCustomerId: id },
      async () => {
        const share = await this.scope.assertMayRead(partner, id);
        const stale = await this.scope.staleness(id);
        const asOf = q.asOf ? new Date(q.asOf) : undefined;
        // Customers merged into this one show here only where the partner was given them too.
        const merged = await mergedCustomerIds(this.scope.manager, id, asOf);
        const shares = merged.length > 1 ? await this.scope.partnerOf(partner) : undefined; // read once, not per merged customer
        for (const other of merged.slice(1)) if (await this.scope.mayRead(partner, other, shares)) customerIds.push(other);
        const page = await readTimeline(this.scope.manager, {
          customerId: id,
          customerIds,
          partnerId: partner.partnerId,
          episodeTypes: share.episodeTypes, // the share's scope (absent: every type); its own episodes always
          asOf,
          cursor: q.cursor,
          limit: q.limit ?? 50,
          newestFirst: q.order === 'newest-first',
        });
        return stale ? { ...page, stale } : page;
      },
      // the customer and those merged into it whose history the page may show
      () => customerIds,
    );
  }
}
