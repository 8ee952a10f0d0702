import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { NotFoundError, type PartnerShare } from '@crm/relationship';
import {
  CustomerIdParam,
  CustomerListQueryDto,
  LIVE_TIMELINE_EXAMPLE,
  LIVE_TIMELINE_SCHEMA,
  listCustomers,
  READ_MODELS,
  TimelineQueryDto,
  type ReadModelRunners,
} from '@crm/relationship-api';
import {
  ApiProblem,
  CurrentPrincipal,
  openEventStream,
  ProblemTypes,
  RequireKind,
  SERVICE_CONFIG,
  type EventStreamResponse,
  type PartnerPrincipal,
  type Principal,
  type ServiceConfig,
} from '@crm/service-kit';
import {
  CustomerDirectoryEntry,
  mergedCustomerIds,
  readTimeline,
  TimelineEntry,
  type CustomerListItem,
  type TimelinePage,
} from '@crm/relationship-read-models';
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
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
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
          // the filters only narrow what the scope above lets through
          filter: { department: q.department, ownerPartnerId: q.partnerId, episodeType: q.episodeType, channel: q.channel },
        });
        return stale ? { ...page, stale } : page;
      },
      // the customer and those merged into it whose history the page may show
      () => customerIds,
    );
  }

  @Get(':id/timeline/live')
  @ApiOperation({
    summary: "Live changes of a shared customer's history as you may see it (server-sent events)",
    description:
      "A `text/event-stream` that stays open: `ready` once, then a `timeline` event each time a new step of the customer's history that you may " +
      "see has been applied (the next GET of the timeline shows it) — never another partner's episodes, only the share's episode types and your " +
      'own — and a heartbeat comment every 15 s (`CRM_LIVE_HEARTBEAT_MS`). When the share is revoked or expires, a `closed` event and the stream ends. Send the bearer ' +
      'token in the Authorization header (never in the URL). At most 6 streams per caller.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'The stream of changes you may see',
    content: { 'text/event-stream': { schema: LIVE_TIMELINE_SCHEMA, example: LIVE_TIMELINE_EXAMPLE } },
  })
  @ApiProblem(400, 'Bad Request: the id is not a UUID', { errors: [{ field: 'id', message: 'id must be a UUID' }] })
  @ApiProblem(429, 'Too Many Requests: the caller already has 6 live streams open', {
    detail: 'at most 6 live streams may be open at once per caller; close one first',
  })
  @notShared()
  async live(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: CustomerIdParam,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res() res: EventStreamResponse,
  ): Promise<void> {
    const partner = asPartner(p);
    // Opening the stream is a read of the customer (logged as one); what it streams is only that something changed.
    let share = await this.accessLog.read(
      partner,
      { route: 'GET /customers/{id}/timeline/live', correlationId, resourceId: id, probedCustomerId: id },
      () => this.scope.assertMayRead(partner, id),
      () => [id],
    );
    const stream = openEventStream(res, {
      principal: `partner:${partner.partnerId}:${partner.subject}`,
      heartbeatMs: this.config.CRM_LIVE_HEARTBEAT_MS,
      // An expiry needs no event: each heartbeat asks again whether the customer is still shared.
      onHeartbeat: () => recheck(),
    });
    const recheck = async () => {
      const now = await this.scope.shareOf(partner, id).catch(() => undefined);
      if (!now) {
        stream.send('closed', { reason: 'not-shared' });
        stream.close();
        return false;
      }
      share = now;
      return true;
    };
    // One change at a time, in order: a revoke is judged before the steps that follow it.
    let queue = Promise.resolve();
    stream.onClose(
      this.readModels.changes.subscribe([id], (change) => {
        queue = queue
          .then(async () => {
            if (stream.closed) return;
            if (change.change === 'share') {
              if (change.partnerId === partner.partnerId) await recheck();
              return;
            }
            if (!(await recheck())) return;
            if (await this.visible(change.eventId, partner, share))
              stream.send('timeline', { customerId: change.customerId, episodeId: change.episodeId, kind: change.kind, eventId: change.eventId });
          })
          .catch(() => stream.close());
      }),
    );
    stream.send('ready', { customerId: id });
  }

  /** Whether the partner's timeline shows this entry: a department's episode of the share's types, or the partner's own (as `readTimeline`). */
  private async visible(eventId: string, partner: PartnerPrincipal, share: PartnerShare): Promise<boolean> {
    const table = this.scope.manager.getRepository(TimelineEntry).metadata.tablePath;
    const params: unknown[] = [eventId, partner.partnerId];
    let where = 't.event_id = $1 AND (t.owner_partner_id IS NULL OR t.owner_partner_id = $2)';
    if (share.episodeTypes) {
      params.push([...share.episodeTypes]);
      where += ` AND (t.owner_partner_id = $2 OR EXISTS (SELECT 1 FROM ${table} o WHERE o.episode_id = t.episode_id AND o.kind = 'EpisodeOpened' AND o.data->>'episodeType' = ANY($3::text[])))`;
    }
    const rows = (await this.scope.manager.query(`SELECT 1 FROM ${table} t WHERE ${where}`, params)) as unknown[];
    return rows.length > 0;
  }
}
