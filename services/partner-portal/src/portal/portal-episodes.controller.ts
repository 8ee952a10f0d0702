import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { loadState, type EventStore } from '@crm/event-store';
import { episodeStream, evolveEpisode, NotFoundError, type Episode, type EpisodeState } from '@crm/relationship';
import { CloseEpisodeDto, RecordInteractionDto, RelationshipCommands } from '@crm/relationship-api';
import { CurrentPrincipal, EVENT_STORE, expectedRevisionFromIfMatch, HttpProblem, ProblemTypes, RequireKind, type PartnerPrincipal, type Principal, setEtag, type HeaderResponse } from '@crm/service-kit';
import { asPartner } from '../auth/principals';
import { PartnerScope } from './partner-scope';
import { EpisodeIdParam, OpenPartnerEpisodeDto } from './portal.dto';



/**
 * A partner's own episodes — partner deals and returns and repairs — on customers shared with it.
 * They carry visibility `partners: [<partnerId>]` (RelationshipCommands sets it for partner callers),
 * so no other partner ever reads them. Another partner's or a department's episode, or an episode on
 * a customer no longer shared, answers 404 like one that does not exist. Changes take
 * `If-Match: "<revision>"` (412 when stale).
 */
@ApiTags('portal')
@ApiBearerAuth()
@RequireKind('partner')
@Controller('episodes')
export class PortalEpisodesController {
  constructor(
    private readonly commands: RelationshipCommands,
    private readonly scope: PartnerScope,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ description: 'Opened; Location names the episode' })
  async open(@CurrentPrincipal() p: Principal, @Body() dto: OpenPartnerEpisodeDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<{ episodeId: string }> {
    const partner = asPartner(p);
    await this.scope.assertMayRead(partner, dto.customerId);
    const { episodeType, ...episode } = dto;
    const r = await this.commands.openEpisode(partner, episodeType, episode);
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
    const partner = asPartner(p);
    await this.ownEpisode(partner, id);
    if (dto.actorKind === 'staff') {
      throw new HttpProblem(422, 'a partner records its own users, the customer or a system as the actor, not company staff', {
        type: ProblemTypes.domainRuleViolation,
        extensions: { code: 'partner-cannot-act-as-staff' },
      });
    }
    const r = await this.commands.recordInteraction(partner, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
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
    const partner = asPartner(p);
    await this.ownEpisode(partner, id);
    const r = await this.commands.closeEpisode(partner, id, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    setEtag(res, r.revision);
    return { episodeId: id, outcome: dto.outcome };
  }

  /** The caller's own episode on a customer still shared with it; 404 for anything else. */
  private async ownEpisode(partner: PartnerPrincipal, episodeId: string): Promise<Episode> {
    const { state } = await loadState(this.store, episodeStream(episodeId), { evolve: evolveEpisode, initialState: undefined as EpisodeState });
    const own = state !== undefined && state.owner.kind === 'partner' && state.owner.partnerId === partner.partnerId;
    if (!own || !(await this.scope.mayRead(partner, state.customerId))) throw new NotFoundError(`episode ${episodeId} not found`);
    return state;
  }
}
