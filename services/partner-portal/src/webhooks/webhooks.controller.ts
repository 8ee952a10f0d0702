import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import { NotFoundError, type PartnerWebhook } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import {
  ApiProblem,
  badCursor,
  CLOCK,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  HttpProblem,
  ProblemTypes,
  RequireKind,
  setEtag,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { asPartner } from '../auth/principals';
import { PartnerWebhookCommands } from './partner-webhook-commands';
import { listDeliveries, replayFrom, retryDead } from './webhook-deliveries.query';
import {
  ChangeWebhookDto,
  EXAMPLE_DELIVERY,
  EXAMPLE_SECRET,
  EXAMPLE_SUBSCRIPTION,
  ReplayWebhookDto,
  SubscribeWebhookDto,
  WebhookDeliveryDto,
  WebhookDeliveryIdParam,
  WebhookDeliveryPageDto,
  WebhookDeliveryQueryDto,
  WebhookIdParam,
  WebhookReplayedDto,
  WebhookSecretDto,
  WebhookSubscribedDto,
  WebhookSubscriptionDto,
  WebhookSubscriptionListDto,
} from './webhooks.dto';

const SUBSCRIPTION_EXAMPLE = {
  subscriptionId: EXAMPLE_SUBSCRIPTION,
  url: 'https://hooks.example.com/crm',
  eventTypes: ['InteractionRecorded'],
  secretVersion: 1,
  subscribedAt: '2026-06-01T09:00:00.000Z',
  changedAt: '2026-06-01T09:00:00.000Z',
};
const DELIVERY_EXAMPLE = {
  deliveryId: EXAMPLE_DELIVERY,
  eventId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  type: 'InteractionRecorded',
  customerId: '5d0e2f6a-1c4b-4e8a-9b7d-3a2c1e0f9d88',
  position: '1042/1042',
  state: 'pending',
  attempts: 1,
  lastStatusCode: 500,
  lastError: 'answered 500',
  nextAttemptAt: '2026-06-01T09:00:10.000Z',
};
const notFound = () => ApiProblem(404, 'Not Found: no such subscription of yours', { detail: `webhook subscription ${EXAMPLE_SUBSCRIPTION} not found` });
const badBody = (field: string, message: string) =>
  ApiProblem(400, 'Bad Request: errors name each bad field', { detail: message, errors: [{ field, message }] });
const unsupported = () => ApiProblem(415, 'Unsupported Media Type: send application/json', { type: ProblemTypes.validation });
const etag = { ETag: { description: 'The revision, for If-Match', schema: { type: 'string' } } };

function view(s: PartnerWebhook): WebhookSubscriptionDto {
  return {
    subscriptionId: s.subscriptionId,
    url: s.url,
    eventTypes: s.eventTypes,
    secretVersion: s.secretVersion,
    subscribedAt: s.subscribedAt,
    changedAt: s.changedAt,
  };
}

/**
 * A partner's webhooks (issue 14 §5): subscribe to the events of the customers shared with it,
 * change, rotate the secret, unsubscribe, read the delivery log, replay from a position, retry a dead
 * delivery. Another partner's subscription, an unsubscribed one and an unknown id are the same 404.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@RequireKind('partner')
@ApiProblem(401, 'Unauthorized: no token, or a bad, expired or revoked one', { type: ProblemTypes.unauthorized })
@ApiProblem(403, 'Forbidden: for partners', { type: ProblemTypes.forbidden })
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly webhooks: PartnerWebhookCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Subscribe a URL to event types of the customers shared with you; the signing secret is shown only in this answer' })
  @ApiCreatedResponse({
    type: WebhookSubscribedDto,
    example: { subscriptionId: EXAMPLE_SUBSCRIPTION, secret: EXAMPLE_SECRET },
    headers: {
      Location: { schema: { type: 'string' }, description: '/webhooks/{id}' },
      ...etag,
      'Cache-Control': { schema: { type: 'string', example: 'no-store' } },
    },
  })
  @badBody('url', 'url must be an https URL')
  @unsupported()
  async subscribe(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SubscribeWebhookDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<WebhookSubscribedDto> {
    const r = await this.webhooks.subscribe(asPartner(p), dto, { correlationId });
    res.setHeader('Location', `/webhooks/${r.subscriptionId}`);
    res.setHeader('Cache-Control', 'no-store');
    setEtag(res, r.revision);
    return { subscriptionId: r.subscriptionId, secret: r.secret };
  }

  @Get()
  @ApiOperation({ summary: 'Your subscriptions (no secrets)' })
  @ApiOkResponse({ type: WebhookSubscriptionListDto, example: { items: [SUBSCRIPTION_EXAMPLE] } })
  async list(@CurrentPrincipal() p: Principal): Promise<WebhookSubscriptionListDto> {
    return { items: (await this.webhooks.list(asPartner(p))).map(view) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your subscriptions, with its ETag' })
  @ApiOkResponse({ type: WebhookSubscriptionDto, example: SUBSCRIPTION_EXAMPLE, headers: etag })
  @notFound()
  async get(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: WebhookIdParam,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<WebhookSubscriptionDto> {
    const { state, revision } = await this.webhooks.get(asPartner(p), id);
    setEtag(res, revision);
    return view(state);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL or the event types' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read: a stale one is 412 before any rule', example: '"0"' })
  @ApiOkResponse({ type: WebhookSubscriptionDto, example: SUBSCRIPTION_EXAMPLE, headers: etag })
  @badBody('eventTypes', 'each value in eventTypes must be one of the following values: EpisodeOpened, …')
  @notFound()
  @ApiProblem(412, 'Precondition Failed: the subscription changed since you read it', { detail: 'expected revision 0, found 1' })
  @unsupported()
  async change(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: WebhookIdParam,
    @Body() dto: ChangeWebhookDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<WebhookSubscriptionDto> {
    const partner = asPartner(p);
    await this.webhooks.change(partner, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    const { state, revision } = await this.webhooks.get(partner, id);
    setEtag(res, revision);
    return view(state);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsubscribe: nothing more is sent (pending deliveries are dropped)' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read: a stale one is 412', example: '"0"' })
  @ApiNoContentResponse({ description: 'Unsubscribed' })
  @notFound()
  @ApiProblem(412, 'Precondition Failed: the subscription changed since you read it', { detail: 'expected revision 0, found 1' })
  async unsubscribe(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: WebhookIdParam,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<void> {
    await this.webhooks.unsubscribe(asPartner(p), id, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
  }

  @Post(':id/secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate the signing secret: the new one is shown only here; the old one no longer verifies' })
  @ApiOkResponse({ type: WebhookSecretDto, example: { subscriptionId: EXAMPLE_SUBSCRIPTION, secret: EXAMPLE_SECRET }, headers: etag })
  @notFound()
  async rotate(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: WebhookIdParam,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<WebhookSecretDto> {
    const r = await this.webhooks.rotate(asPartner(p), id, { correlationId });
    res.setHeader('Cache-Control', 'no-store');
    setEtag(res, r.revision);
    return { subscriptionId: id, secret: r.secret };
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The subscription's delivery log, newest event first; paged" })
  @ApiOkResponse({ type: WebhookDeliveryPageDto, example: { items: [DELIVERY_EXAMPLE] } })
  @badBody('cursor', 'cursor must be the nextCursor of a previous page')
  @notFound()
  async deliveries(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam, @Query() q: WebhookDeliveryQueryDto): Promise<WebhookDeliveryPageDto> {
    await this.webhooks.get(asPartner(p), id);
    return listDeliveries(this.readModels.dataSource.manager, { subscriptionId: id, status: q.status, limit: q.limit ?? 50, cursor: q.cursor }).catch(
      (error: unknown) => {
        throw error instanceof InvalidCursorError ? badCursor(error.message) : error;
      },
    );
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send again what this subscription would have got from a store position on (each event judged against the share as it stood then)' })
  @ApiAcceptedResponse({ type: WebhookReplayedDto, example: { enqueued: 12 } })
  @badBody('fromPosition', 'fromPosition must be a position "<commit>/<prepare>"')
  @notFound()
  @unsupported()
  async replay(@CurrentPrincipal() p: Principal, @Param() { id }: WebhookIdParam, @Body() dto: ReplayWebhookDto): Promise<WebhookReplayedDto> {
    await this.webhooks.get(asPartner(p), id);
    return { enqueued: await replayFrom(this.readModels.dataSource.manager, id, dto.fromPosition) };
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: "Send a dead delivery again (its customer's later deliveries wait for it again)" })
  @ApiOkResponse({ type: WebhookDeliveryDto, example: { ...DELIVERY_EXAMPLE, attempts: 0, lastStatusCode: 500, lastError: null, nextAttemptAt: null } })
  @notFound()
  @ApiProblem(409, 'Conflict: only a dead delivery is retried', { detail: 'delivery is delivered, not dead' })
  async retry(@CurrentPrincipal() p: Principal, @Param() { id, deliveryId }: WebhookDeliveryIdParam): Promise<WebhookDeliveryDto> {
    await this.webhooks.get(asPartner(p), id);
    const r = await retryDead(this.readModels.dataSource.manager, id, deliveryId, this.clock.now());
    if (r === undefined) throw new NotFoundError(`delivery ${deliveryId} not found`);
    if (r === false) throw new HttpProblem(409, `delivery ${deliveryId} is not dead`, { type: ProblemTypes.conflict });
    return r;
  }
}
