import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CloseEpisodeDto, EpisodeCommands, RecordInteractionDto } from '@crm/relationship-api';
import {
  ApiIfMatch,
  ApiProblem,
  CurrentPrincipal,
  ETAG_HEADER,
  expectedRevisionFromIfMatch,
  IfMatchCommandErrors,
  LOCATION_HEADER,
  ProblemTypes,
  RequireKind,
  type Principal,
  setEtag,
  type HeaderResponse,
} from '@crm/service-kit';
import { asPartner } from '../auth/principals';
import { EpisodeIdParam, OpenPartnerEpisodeDto } from './portal.dto';
import { EpisodeClosedDto, EpisodeOpenedDto, InteractionRecordedDto } from './portal-responses.dto';

const EPISODE_ID = '9b2f6c1e-4a7d-4f0b-8e3c-5d6a7b8c9d0e';
/** The errors a change of the caller's own episode shares: If-Match (412), raced (409), not JSON (415), not its own (404). */
const ownEpisodeErrors = () =>
  IfMatchCommandErrors({
    notFound: {
      problem: 'Not Found: not your episode, or its customer is no longer shared with you — the same answer as for one that does not exist',
      example: { detail: `episode ${EPISODE_ID} not found` },
    },
    stale: { description: 'Precondition Failed: If-Match names an older revision of the episode', detail: 'expected revision 2, found 3' },
  });
/** A share with `access: read` lets the partner read the customer but not write on it. */
const readOnlyShare = () =>
  ApiProblem(403, 'Forbidden: the customer is shared with you read-only (or the caller is not a partner)', { type: ProblemTypes.forbidden });

/**
 * A partner's own episodes — partner deals and returns and repairs — on customers shared with it.
 * They carry visibility `partners: [<partnerId>]` (EpisodeCommands sets it for partner callers),
 * so no other partner ever reads them. Another partner's or a department's episode, or an episode on
 * a customer no longer shared, answers 404 like one that does not exist. Changes take
 * `If-Match: "<revision>"` (412 when stale). Who may change what is checked by `EpisodeCommands` on
 * the episode it loads, with `PartnerScope` as the partner access (credential, share, read model).
 */
@ApiTags('portal')
@ApiBearerAuth()
@RequireKind('partner')
@Controller('episodes')
export class PortalEpisodesController {
  constructor(private readonly episodes: EpisodeCommands) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Open a partner deal or a return and repair on a customer shared with you (read-write)' })
  @ApiCreatedResponse({
    type: EpisodeOpenedDto,
    description: 'Opened; Location names the episode, ETag its revision',
    headers: { ...LOCATION_HEADER, ...ETAG_HEADER },
    example: { episodeId: EPISODE_ID },
  })
  @ApiProblem(400, 'A field that is not valid: errors name it', {
    errors: [{ field: 'episodeType', message: 'episodeType must be one of the following values: partner-deal, return-repair' }],
  })
  @ApiProblem(404, 'Not Found: the customer is not shared with you — the same answer as for one that does not exist', {
    detail: 'customer 3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70 not found',
  })
  @ApiProblem(415, 'Unsupported Media Type: a body that is not JSON')
  @ApiProblem(422, 'Unprocessable Entity: a rule of the domain was broken; `code` names it (episode-exists, episode-needs-name, negative-value)', {
    code: 'episode-exists',
  })
  @readOnlyShare()
  async open(
    @CurrentPrincipal() p: Principal,
    @Body() dto: OpenPartnerEpisodeDto,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string }> {
    const { episodeType, ...episode } = dto;
    const r = await this.episodes.open(asPartner(p), episodeType, episode);
    res.setHeader('Location', `/episodes/${r.id}`);
    setEtag(res, r.revision);
    return { episodeId: r.id };
  }

  @Post(':id/interactions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record an interaction on one of your episodes (the actor: your user, the customer or a system — never company staff)' })
  @ApiCreatedResponse({ type: InteractionRecordedDto, description: 'Recorded; ETag of the episode', headers: { ...ETAG_HEADER } })
  @ApiIfMatch('The ETag of the episode last read (`"<revision>"`): a stale one is a 412 before any rule is judged')
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'channel', message: 'channel must be one of the following values: …' }] })
  @ownEpisodeErrors()
  @ApiProblem(422, 'Unprocessable Entity: a rule was broken; `code` names it (partner-cannot-act-as-staff, episode-closed, interaction-before-episode)', {
    code: 'partner-cannot-act-as-staff',
  })
  @readOnlyShare()
  async interact(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: EpisodeIdParam,
    @Body() dto: RecordInteractionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ interactionId: string }> {
    // A partner naming company staff as the actor breaks a rule of the domain (422 partner-cannot-act-as-staff).
    const r = await this.episodes.recordInteraction(asPartner(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    setEtag(res, r.revision);
    return { interactionId: r.id };
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Close one of your episodes' })
  @ApiOkResponse({
    type: EpisodeClosedDto,
    description:
      'Closed: a partner deal as won (with its value), lost or cancelled; a return and repair as resolved, unresolved or cancelled. ETag of the episode',
    headers: { ...ETAG_HEADER },
    example: { episodeId: EPISODE_ID, outcome: 'won' },
  })
  @ApiIfMatch('The ETag of the episode last read (`"<revision>"`): a stale one is a 412 before any rule is judged')
  @ApiProblem(400, 'A field that is not valid: errors name it', { errors: [{ field: 'outcome', message: 'outcome must be one of the following values: …' }] })
  @ownEpisodeErrors()
  @ApiProblem(
    422,
    'Unprocessable Entity: a rule was broken; `code` names it (invalid-outcome, episode-closed, won-needs-value, close-needs-reason, closed-before-opened)',
    {
      code: 'invalid-outcome',
    },
  )
  @readOnlyShare()
  async close(
    @CurrentPrincipal() p: Principal,
    @Param() { id }: EpisodeIdParam,
    @Body() dto: CloseEpisodeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; outcome: string }> {
    const r = await this.episodes.close(asPartner(p), id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    setEtag(res, r.revision);
    return { episodeId: id, outcome: dto.outcome };
  }
}
