import { Body, Controller, Get, Headers, HttpCode, Patch, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { RecordInteractionDto, EpisodeCommands, type OpportunityView } from '@crm/relationship-api';
import {
  CurrentPrincipal,
  expectedRevisionFromIfMatch,
  RequireDepartment,
  RequireKind,
  type Principal,
  setEtag,
  type HeaderResponse,
  UuidParam,
} from '@crm/service-kit';
import {
  ChangeStageDto,
  CloseOpportunityDto,
  OpenedOpportunityDto,
  OpenOpportunityDto,
  OpportunityAttributesDto,
  OpportunityClosedDto,
  OpportunityDto,
  OpportunityInteractionRecordedDto,
  OpportunityStageChangedDto,
} from './opportunities.dto';

const IF_MATCH = {
  name: 'if-match',
  required: false,
  description: 'The ETag ("<revision>") of the opportunity as last read: a stale one is 412',
  example: '"3"',
};
const PROBLEM = 'application/problem+json';
const OPPORTUNITY_ID = '0b7c4f0e-3b1a-4a8e-9f51-2f0c4d6a1e11';
const problem = (status: number, code: string | undefined, detail: string) => ({
  content: { [PROBLEM]: { example: { type: 'urn:crm:problem:domain-rule-violation', title: 'Unprocessable Entity', status, detail, ...(code && { code }) } } },
});

/**
 * Opportunity management along the sales process: an opportunity is an episode of the customer's
 * relationship that moves through the stages of a pipeline (Buttle's sales process unless another
 * is named) and closes won or lost. Changes take `If-Match: "<revision>"` for optimistic concurrency
 * (412 when stale, before any rule); without it a concurrent change still answers 409.
 */
@ApiTags('opportunities')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@ApiUnauthorizedResponse({ description: 'No or a bad bearer token' })
@ApiForbiddenResponse({ description: 'Not staff of sales or management' })
@Controller('opportunities')
export class OpportunitiesController {
  constructor(private readonly episodes: EpisodeCommands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Open an opportunity on a pipeline, with what is known of it' })
  @ApiCreatedResponse({ type: OpenedOpportunityDto, description: 'Opened; `Location` names it (GET /opportunities/{id}); ETag for the next change' })
  @ApiUnsupportedMediaTypeResponse({ description: 'A body that is not JSON' })
  @ApiUnprocessableEntityResponse({
    description: 'A rule was broken; `code` names it: unknown-customer, unknown-pipeline, unknown-stage, amount-needs-currency, episode-exists…',
    ...problem(422, 'unknown-stage', 'pipeline Renewals has no stage closing'),
  })
  async open(
    @CurrentPrincipal() p: Principal,
    @Body() dto: OpenOpportunityDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string }> {
    const r = await this.episodes.open(p, 'opportunity', dto, { correlationId });
    res.setHeader('Location', `/opportunities/${r.id}`);
    setEtag(res, r.revision);
    return { episodeId: r.id };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An opportunity: stages with the time spent in each, amount, probability, close date, owner, next step, competitors, interactions' })
  @ApiOkResponse({ type: OpportunityDto, description: 'As its own history tells it; ETag for If-Match' })
  @ApiNotFoundResponse({ description: 'No such opportunity (or it is not the company’s)' })
  async get(@CurrentPrincipal() p: Principal, @UuidParam('id') id: string, @Res({ passthrough: true }) res: HeaderResponse): Promise<OpportunityView> {
    const view = await this.episodes.opportunity(p, id);
    setEtag(res, BigInt(view.revision));
    return view;
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change amount, currency, expected close date, owner, team, next step, competitors or probability' })
  @ApiHeader(IF_MATCH)
  @ApiBody({ type: OpportunityAttributesDto, examples: { amount: { value: { amount: 1250000, currency: 'EUR', expectedCloseDate: '2026-06-30' } } } })
  @ApiOkResponse({ type: OpportunityDto, description: 'Changed (only what differs is recorded, as OpportunityUpdated); the opportunity now; ETag' })
  @ApiNotFoundResponse({ description: 'No such opportunity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match names an older revision' })
  @ApiConflictResponse({ description: 'Changed by someone else at the same time (without If-Match)' })
  @ApiUnsupportedMediaTypeResponse({ description: 'A body that is not JSON' })
  @ApiUnprocessableEntityResponse({
    description: 'A rule was broken; `code` names it: amount-needs-currency, currency-needs-amount, competitors-unique, episode-closed…',
    ...problem(422, 'amount-needs-currency', 'an amount needs its currency'),
  })
  async update(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: OpportunityAttributesDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<OpportunityView> {
    await this.episodes.updateOpportunity(p, id, { ...dto }, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    const view = await this.episodes.opportunity(p, id);
    setEtag(res, BigInt(view.revision));
    return view;
  }

  @Post(':id/interactions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an interaction (an action and the response to it) in the opportunity' })
  @ApiHeader(IF_MATCH)
  @ApiCreatedResponse({
    type: OpportunityInteractionRecordedDto,
    description: 'Recorded (a retried request with the same interactionId records it once); ETag',
    example: { interactionId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f' },
  })
  @ApiNotFoundResponse({ description: 'No such opportunity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match names an older revision' })
  @ApiUnprocessableEntityResponse({ description: 'A rule was broken (episode-closed, interaction-before-episode…)' })
  async interact(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: RecordInteractionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ interactionId: string }> {
    const r = await this.episodes.recordInteraction(p, id, dto, {
      episodeType: 'opportunity',
      expectedRevision: expectedRevisionFromIfMatch(ifMatch),
      correlationId,
    });
    setEtag(res, r.revision);
    return { interactionId: r.id };
  }

  @Post(':id/stage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the opportunity to another stage of its pipeline; back to an earlier one only with a reason' })
  @ApiHeader(IF_MATCH)
  @ApiBody({
    type: ChangeStageDto,
    examples: { forward: { value: { stage: 'proposal-creation' } }, back: { value: { stage: 'needs-identification', reason: 'a new buyer' } } },
  })
  @ApiOkResponse({
    type: OpportunityStageChangedDto,
    description: 'Moved (timestamped from the clock; already there: nothing recorded); ETag',
    example: { episodeId: OPPORTUNITY_ID, stage: 'proposal-creation' },
  })
  @ApiNotFoundResponse({ description: 'No such opportunity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match names an older revision' })
  @ApiUnprocessableEntityResponse({
    description: 'A rule was broken; `code` names it: backward-move-needs-reason, unknown-stage, episode-closed',
    ...problem(422, 'backward-move-needs-reason', 'moving back from proposal-creation to needs-identification needs a reason'),
  })
  async changeStage(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ChangeStageDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; stage: string }> {
    const r = await this.episodes.changeStage(p, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { episodeId: id, stage: dto.stage };
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close the opportunity won or lost, saying why' })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({
    type: OpportunityClosedDto,
    description: 'Closed (a win is worth the amount unless `value` says otherwise); ETag',
    example: { episodeId: OPPORTUNITY_ID, outcome: 'won' },
  })
  @ApiNotFoundResponse({ description: 'No such opportunity' })
  @ApiPreconditionFailedResponse({ description: 'If-Match names an older revision' })
  @ApiUnprocessableEntityResponse({
    description: 'A rule was broken; `code` names it: episode-closed, won-needs-value, close-needs-reason',
    ...problem(422, 'episode-closed', 'episode … was closed (lost) at …'),
  })
  async close(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: CloseOpportunityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; outcome: string }> {
    const r = await this.episodes.close(p, id, dto, { episodeType: 'opportunity', expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { episodeId: id, outcome: dto.outcome };
  }
}
