import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdvanceStageDto, CloseEpisodeDto, OpenEpisodeDto, RecordInteractionDto, EpisodeCommands } from '@crm/relationship-api';
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

/**
 * Opportunity management along the sales process. Changes take `If-Match: "<revision>"` for
 * optimistic concurrency (412 when stale); without it a concurrent change still answers 409.
 */
@ApiTags('opportunities')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('sales', 'management')
@Controller('opportunities')
export class OpportunitiesController {
  constructor(private readonly episodes: EpisodeCommands) {}

  @Post()
  @HttpCode(201)
  async open(
    @CurrentPrincipal() p: Principal,
    @Body() dto: OpenEpisodeDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string }> {
    const r = await this.episodes.open(p, 'opportunity', dto, { correlationId });
    res.setHeader('Location', `/opportunities/${r.id}`);
    setEtag(res, r.revision);
    return { episodeId: r.id };
  }

  @Post(':id/interactions')
  @HttpCode(201)
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
  async advance(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AdvanceStageDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; stage: string }> {
    const r = await this.episodes.advanceStage(p, id, dto.stage, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { episodeId: id, stage: dto.stage };
  }

  @Post(':id/close')
  @HttpCode(200)
  async close(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: CloseEpisodeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; outcome: string }> {
    const r = await this.episodes.close(p, id, dto, { episodeType: 'opportunity', expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { episodeId: id, outcome: dto.outcome };
  }
}
