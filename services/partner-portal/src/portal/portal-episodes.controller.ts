import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CloseEpisodeDto, EpisodeCommands, RecordInteractionDto } from '@crm/relationship-api';
import { CurrentPrincipal, expectedRevisionFromIfMatch, RequireKind, type Principal, setEtag, type HeaderResponse } from '@crm/service-kit';
import { asPartner } from '../auth/principals';
import { EpisodeIdParam, OpenPartnerEpisodeDto } from './portal.dto';

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
  @ApiCreatedResponse({ description: 'Opened; Location names the episode' })
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
  @ApiOkResponse({ description: 'Closed: a partner deal as won (with its value), lost or cancelled; a return and repair as resolved, unresolved or cancelled' })
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
