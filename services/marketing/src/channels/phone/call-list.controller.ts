import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { uuidV5, type Clock } from '@crm/kernel';
import { EpisodeCommands, NotFoundError } from '@crm/relationship-api';
import { cursorParts, decodeCursor, encodeCursor, InvalidCursorError } from '@crm/relationship-read-models';
import { ApiProblem, badCursor, CLOCK, CurrentPrincipal, RequireDepartment, RequireKind, UuidParam, type Principal } from '@crm/service-kit';
import { campaignEpisodeId } from '../../campaigns/campaign-ids';
import { StaffRouteErrors } from '../../marketing.openapi';
import { CAMPAIGN_LISTS, type CallListEntry, type CampaignListsStore } from '../campaign-lists';
import { CallListPageDto, CallListQueryDto, CallOutcomeDto, CallOutcomeResultDto } from './call-list.dto';

const CURSOR = [cursorParts.list('call-list'), cursorParts.text({ min: 1, max: 200 }), cursorParts.integer()] as const;
/** Who may not work the call list (both routes). */
const FORBIDDEN = 'Not staff of service (the contact centre) or marketing';
/** Fixed for good: the derived ids of call interactions. */
const CALL_NAMESPACE = '2d8e61b4-3f0a-4c2e-9a17-6b5c4d3e2f10';

const ENTRY_EXAMPLE: CallListEntry = {
  messageId: '5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a',
  campaignId: 'a3c1e2f4-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  stepId: 'call-1',
  variantId: null,
  customerId: '3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70',
  phone: '+6281234567890',
  script: 'Hello Sari, we have a spring offer for loyal customers…',
  listedAt: '2026-05-01T10:00:00.000Z',
  outcome: null,
  note: null,
  outcomeAt: null,
  attempts: 0,
  lastInteractionId: null,
};

/**
 * A campaign's call list (issue 13 §3, phone channel): the customers its phone step "sent" to, for
 * the contact centre to call, and each call's outcome — recorded as an outbound phone interaction
 * on the customer's campaign episode, so it is in the timeline every department sees.
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'marketing')
@Controller('campaigns')
export class CallListController {
  constructor(
    @Inject(CAMPAIGN_LISTS) private readonly lists: CampaignListsStore,
    private readonly episodes: EpisodeCommands,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':campaignId/call-list')
  @ApiOperation({ summary: 'The campaign’s call list in the order it was listed, one page at a time' })
  @ApiOkResponse({ type: CallListPageDto, schema: { example: { items: [ENTRY_EXAMPLE], nextCursor: 'WyJjYWxsLWxpc3QiLCJhM2MxIiwyXQ' } } })
  @ApiProblem(400, 'A campaign id that is not a UUID, a bad limit or a cursor this list did not give out (`errors` names it)', {
    errors: [{ field: 'cursor', message: 'cursor is not one this list gave out' }],
  })
  @StaffRouteErrors({ forbidden: FORBIDDEN, notFound: 'The campaign has no call list' })
  async list(@UuidParam('campaignId') campaignId: string, @Query() q: CallListQueryDto): Promise<CallListPageDto> {
    let after = 0;
    if (q.cursor !== undefined) {
      try {
        const [, forCampaign, seq] = decodeCursor(q.cursor, CURSOR);
        if (forCampaign !== campaignId) throw new InvalidCursorError('cursor was given out for another campaign');
        after = seq;
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badCursor(error.message);
        throw error;
      }
    }
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    const page = await this.lists.callPage(campaignId, after, limit);
    if (page.items.length === 0 && after === 0 && !(await this.lists.hasCallList(campaignId)))
      throw new NotFoundError(`campaign ${campaignId} has no call list`);
    const last = page.items.at(-1);
    return {
      items: page.items.map(({ seq: _seq, ...entry }) => entry),
      ...(page.more && last && { nextCursor: encodeCursor(['call-list', campaignId, last.seq]) }),
    };
  }

  @Post(':campaignId/call-list/:messageId/outcome')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Record how a call went: an outbound phone interaction (outcome and note) on the customer’s campaign episode; the list shows the latest outcome',
  })
  @ApiOkResponse({
    type: CallOutcomeResultDto,
    schema: {
      example: { ...ENTRY_EXAMPLE, outcome: 'interested', note: 'call back next week', attempts: 1, interactionId: '5b2e8f1c-3d4a-4b6c-9e7f-0a1b2c3d4e5f' },
    },
  })
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'outcome', message: 'outcome must be one of the following values: …' }] })
  @StaffRouteErrors({ forbidden: FORBIDDEN, notFound: 'The message is not on this campaign’s call list' })
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  async outcome(
    @CurrentPrincipal() p: Principal,
    @UuidParam('campaignId') campaignId: string,
    @UuidParam('messageId') messageId: string,
    @Body() dto: CallOutcomeDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<CallOutcomeResultDto> {
    const entry = await this.lists.call(campaignId, messageId);
    if (!entry) throw new NotFoundError(`message ${messageId} is not on the call list of campaign ${campaignId}`);
    // Derived from the message and the attempt: each call is its own interaction; `interactionId` makes a retried request safe.
    const interactionId = dto.interactionId ?? uuidV5(`call/${messageId}/${entry.attempts + 1}`, CALL_NAMESPACE);
    const r = await this.episodes.recordInteraction(
      p,
      campaignEpisodeId(campaignId, entry.customerId),
      {
        interactionId,
        channel: 'phone',
        direction: 'outbound',
        action: `campaign call (${entry.stepId})`,
        response: dto.note ? `${dto.outcome}: ${dto.note}` : dto.outcome,
      },
      { episodeType: 'campaign', correlationId },
    );
    // A retry of the outcome just recorded (same interaction id) recorded nothing: the list is not counted up twice.
    const updated =
      entry.lastInteractionId === interactionId ? entry : await this.lists.recordOutcome(messageId, dto.outcome, dto.note, this.clock.now(), interactionId);
    return { ...updated, interactionId: r.id };
  }
}
