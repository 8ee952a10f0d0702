import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { CommandOptions } from '@crm/relationship-api';
import { InvalidCursorError } from '@crm/relationship-read-models';
import {
  ApiProblem,
  badCursor,
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  IF_MATCH_HEADER,
  IfMatchCommandErrors,
  RequireDepartment,
  RequireKind,
  setEtag,
  type HeaderResponse,
  type Principal,
} from '@crm/service-kit';
import { CampaignCommands } from './campaign-commands';
import { CampaignDirectory } from './campaign-directory';
import { campaignMessages, campaignView, listCampaigns } from './campaign-views';
import {
  CampaignDefinitionDto,
  CampaignIdParam,
  CampaignListPageDto,
  CampaignListQueryDto,
  CampaignMessagesPageDto,
  CampaignMessagesQueryDto,
  CampaignReasonDto,
  CampaignViewDto,
  DefineCampaignDto,
  ScheduleCampaignDto,
} from './campaigns.dto';

const ID = '7d4c2f10-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const DEFINITION_EXAMPLE = {
  name: 'Spring offer',
  purpose: 'offers',
  audience: { kind: 'list', customerIds: ['3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70'] },
  steps: [
    {
      stepId: 'mail-1',
      channel: 'email',
      delayMinutes: 0,
      variants: [
        {
          variantId: 'a',
          weight: 1,
          template: { subject: 'Spring offer for {{name}}', text: 'Hello {{name}}, 20 % off. {{unsubscribeUrl}}', html: '<p>Hello {{name}}</p>' },
        },
        { variantId: 'b', weight: 1, template: { subject: '20 % off, {{name}}', text: 'Spring is here. {{unsubscribeUrl}}' } },
      ],
    },
    { stepId: 'sms-1', channel: 'sms', delayMinutes: 2880, variants: [{ variantId: 'a', weight: 1, template: { text: 'Last day: 20 % off' } }] },
  ],
  controlBasisPoints: 1000,
  throttlePerSecond: 50,
  attributionWindowDays: 14,
  costPerMessage: { amountMinor: 3, currency: 'EUR' },
};
const COUNTS = { audience: 1, control: 0, sent: 1, suppressed: {}, bounced: 0, deferred: 0, pending: 1 };
const VIEW_EXAMPLE = {
  campaignId: ID,
  status: 'running',
  ...DEFINITION_EXAMPLE,
  definedAt: '2026-05-01T10:00:00.000Z',
  definedBy: 'mira',
  startedAt: '2026-05-02T09:00:00.000Z',
  counts: COUNTS,
  revision: '2',
};
const IF_MATCH = {
  ...IF_MATCH_HEADER,
  description: 'The ETag of the campaign as last read ("<revision>"): a stale one is 412 before any rule',
  example: '"2"',
};
const commandErrors = () => IfMatchCommandErrors({ ifMatch: IF_MATCH, notFound: { problem: 'No such campaign' } });
const RULES = 'A rule was broken; `code` names it (campaign-status, campaign-template, campaign-schedule, campaign-audience-empty, segments-unavailable, …)';

/**
 * Campaigns that really send (issue 13 §3): define (and revise) a draft, schedule or start it — the
 * audience is frozen then — pause, resume, close; read one with its counts so far, list them, and
 * read what became of every recipient's messages with the consent each rests on. Staff of
 * marketing and management only; partners never.
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('marketing', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiProblem(403, 'Forbidden: not staff of marketing or management (partners never)')
@Controller('campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignCommands,
    private readonly directory: CampaignDirectory,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Define a campaign (a draft): audience, steps with A/B variants and templates, control group, throttle, attribution window, cost' })
  @ApiBody({
    type: DefineCampaignDto,
    examples: { twoSteps: { value: DEFINITION_EXAMPLE }, triggered: { value: { ...DEFINITION_EXAMPLE, audience: { kind: 'triggered' } } } },
  })
  @ApiCreatedResponse({
    type: CampaignViewDto,
    description: 'The draft; Location its URL, ETag its revision',
    schema: { example: { ...VIEW_EXAMPLE, status: 'draft', revision: '0' } },
  })
  @ApiProblem(400, 'A field that is not valid: errors name it', {
    errors: [{ field: 'steps.0.channel', message: 'channel must be one of the following values: email, sms, phone, mail' }],
  })
  @ApiProblem(409, 'Conflict: defined by someone else at the same time')
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  @ApiProblem(422, RULES, { code: 'campaign-template' })
  async define(
    @CurrentPrincipal() p: Principal,
    @Body() dto: DefineCampaignDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CampaignViewDto> {
    const r = await this.campaigns.define(p, dto as DefineCampaignDto & CampaignDefinitionDto & { audience: never }, { correlationId });
    res.setHeader('Location', `/campaigns/${r.id}`);
    return this.answer(p, r.id, res);
  }

  @Get()
  @ApiOperation({ summary: 'Campaigns, newest first, optionally of one status; keyset-paged' })
  @ApiOkResponse({
    type: CampaignListPageDto,
    schema: {
      example: {
        items: [{ campaignId: ID, name: 'Spring offer', purpose: 'offers', status: 'running', definedAt: '2026-05-01T10:00:00.000Z', counts: COUNTS }],
      },
    },
  })
  @ApiProblem(400, 'A filter or cursor that is not valid', { errors: [{ field: 'status', message: 'status must be one of the following values: draft, …' }] })
  list(@CurrentPrincipal() _p: Principal, @Query() q: CampaignListQueryDto): CampaignListPageDto {
    try {
      return listCampaigns(this.directory, q);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }

  @Get(':campaignId')
  @ApiOperation({ summary: 'A campaign: its definition, status and counts so far' })
  @ApiOkResponse({ type: CampaignViewDto, description: 'ETag its revision', schema: { example: VIEW_EXAMPLE } })
  @ApiProblem(400, 'An id that is not a UUID', { errors: [{ field: 'campaignId', message: 'campaignId must be a UUID' }] })
  @ApiProblem(404, 'No such campaign')
  get(@CurrentPrincipal() p: Principal, @Param() { campaignId }: CampaignIdParam, @Res({ passthrough: true }) res: HeaderResponse): Promise<CampaignViewDto> {
    return this.answer(p, campaignId, res);
  }

  @Get(':campaignId/messages')
  @ApiOperation({
    summary: 'Per recipient of the frozen audience: control or treatment, and each step’s message — status, variant, and the consent event it rests on',
  })
  @ApiOkResponse({
    type: CampaignMessagesPageDto,
    schema: {
      example: {
        items: [
          {
            customerId: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70',
            group: 'treatment',
            messages: [
              {
                stepId: 'mail-1',
                channel: 'email',
                messageId: '0b7c4f0e-3b1a-5a8e-9f51-2f0c4d6a1e11',
                status: 'sent',
                variantId: 'a',
                attempts: 1,
                at: '2026-05-02T09:00:00.000Z',
                consentSeen: 'granted',
                consentBasis: { eventId: '5b1e3c2a-7d4f-4e8a-9c6b-1a2b3c4d5e6f', position: '1042/9137', revision: '0' },
              },
            ],
          },
        ],
        nextCursor: 'WyJjYW1wYWlnbi1tZXNzYWdlcyIsIi4uLiIsMTAwXQ',
      },
    },
  })
  @ApiProblem(400, 'A cursor or limit that is not valid', { errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }] })
  @ApiProblem(404, 'No such campaign')
  async messages(
    @CurrentPrincipal() p: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Query() q: CampaignMessagesQueryDto,
  ): Promise<CampaignMessagesPageDto> {
    const read = await this.campaigns.view(p, campaignId);
    try {
      return campaignMessages(read, this.directory.get(campaignId), q);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw badCursor(error.message);
      throw error;
    }
  }

  @Put(':campaignId')
  @ApiOperation({ summary: 'Revise a campaign before it starts (the whole definition)' })
  @ApiBody({ type: CampaignDefinitionDto, examples: { revised: { value: DEFINITION_EXAMPLE } } })
  @ApiOkResponse({ type: CampaignViewDto, description: 'ETag its revision', schema: { example: { ...VIEW_EXAMPLE, status: 'draft' } } })
  @ApiProblem(400, 'A field that is not valid: errors name it', {
    errors: [{ field: 'throttlePerSecond', message: 'throttlePerSecond must not be less than 1' }],
  })
  @commandErrors()
  @ApiProblem(422, RULES, { code: 'campaign-status' })
  async revise(
    @CurrentPrincipal() p: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Body() dto: CampaignDefinitionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CampaignViewDto> {
    await this.campaigns.revise(p, campaignId, dto as never, options(ifMatch, correlationId));
    return this.answer(p, campaignId, res);
  }

  @Post(':campaignId/schedule')
  @HttpCode(200)
  @ApiOperation({ summary: 'Schedule the start (in the future); the dispatcher starts it then, freezing the audience' })
  @ApiBody({ type: ScheduleCampaignDto, examples: { monday: { value: { startAt: '2026-06-01T08:00:00Z' } } } })
  @ApiOkResponse({ type: CampaignViewDto, schema: { example: { ...VIEW_EXAMPLE, status: 'scheduled', startAt: '2026-06-01T08:00:00.000Z' } } })
  @ApiProblem(400, 'A bad startAt', { errors: [{ field: 'startAt', message: 'startAt must be an ISO 8601 instant' }] })
  @commandErrors()
  @ApiProblem(422, RULES, { code: 'campaign-schedule' })
  async schedule(
    @CurrentPrincipal() p: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Body() dto: ScheduleCampaignDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CampaignViewDto> {
    await this.campaigns.schedule(p, campaignId, dto.startAt, options(ifMatch, correlationId));
    return this.answer(p, campaignId, res);
  }

  @Post(':campaignId/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start now: the audience is frozen (each member in the control group or with a variant per step) and the dispatcher sends' })
  @ApiOkResponse({ type: CampaignViewDto, schema: { example: VIEW_EXAMPLE } })
  @commandErrors()
  @ApiProblem(422, RULES, { code: 'campaign-audience-empty' })
  async start(
    @CurrentPrincipal() p: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CampaignViewDto> {
    await this.campaigns.start(p, campaignId, options(ifMatch, correlationId));
    return this.answer(p, campaignId, res);
  }

  @Post(':campaignId/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a running campaign: nothing more is sent until it resumes' })
  @ApiBody({ type: CampaignReasonDto, required: false, examples: { reason: { value: { reason: 'wrong price in variant b' } } } })
  @ApiOkResponse({ type: CampaignViewDto, schema: { example: { ...VIEW_EXAMPLE, status: 'paused', pausedAt: '2026-05-02T10:00:00.000Z' } } })
  @ApiProblem(400, 'A bad reason', { errors: [{ field: 'reason', message: 'reason should not be empty' }] })
  @commandErrors()
  @ApiProblem(422, RULES, { code: 'campaign-status' })
  async pause(
    @CurrentPrincipal() p: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Body() dto: CampaignReasonDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CampaignViewDto> {
    await this.campaigns.pause(p, campaignId, dto?.reason, options(ifMatch, correlationId));
    return this.answer(p, campaignId, res);
  }

  @Post(':campaignId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused campaign' })
  @ApiOkResponse({ type: CampaignViewDto, schema: { example: VIEW_EXAMPLE } })
  @commandErrors()
  @ApiProblem(422, RULES, { code: 'campaign-status' })
  async resume(
    @CurrentPrincipal() p: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CampaignViewDto> {
    await this.campaigns.resume(p, campaignId, options(ifMatch, correlationId));
    return this.answer(p, campaignId, res);
  }

  @Post(':campaignId/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a campaign for good (a draft never sends); nothing more is sent' })
  @ApiBody({ type: CampaignReasonDto, required: false, examples: { reason: { value: { reason: 'offer ended' } } } })
  @ApiOkResponse({ type: CampaignViewDto, schema: { example: { ...VIEW_EXAMPLE, status: 'closed', closedAt: '2026-05-16T00:00:00.000Z' } } })
  @ApiProblem(400, 'A bad reason', { errors: [{ field: 'reason', message: 'reason should not be empty' }] })
  @commandErrors()
  async close(
    @CurrentPrincipal() p: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Body() dto: CampaignReasonDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<CampaignViewDto> {
    await this.campaigns.close(p, campaignId, dto?.reason, options(ifMatch, correlationId));
    return this.answer(p, campaignId, res);
  }

  private async answer(p: Principal, campaignId: string, res: HeaderResponse): Promise<CampaignViewDto> {
    const read = await this.campaigns.view(p, campaignId);
    setEtag(res, read.revision);
    return campaignView(read, this.directory.get(campaignId));
  }
}

function options(ifMatch: string | undefined, correlationId: string | undefined): CommandOptions {
  return { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId };
}
