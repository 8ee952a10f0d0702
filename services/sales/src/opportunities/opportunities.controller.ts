import { Body, Controller, Headers, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdvanceStageDto, CloseEpisodeDto, OpenEpisodeDto, RecordInteractionDto, RelationshipCommands, type CommandResult } from '@crm/relationship-api';
import { CurrentPrincipal, etagForRevision, expectedRevisionFromIfMatch, RequireDepartment, RequireKind, type Principal } from '@crm/service-kit';

interface HeaderResponse {
  setHeader(name: string, value: string): void;
}

function withEtag(res: HeaderResponse, r: CommandResult): void {
  if (r.revision !== undefined) res.setHeader('ETag', etagForRevision(r.revision));
}

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
  constructor(private readonly commands: RelationshipCommands) {}

  @Post()
  @HttpCode(201)
  async open(@CurrentPrincipal() p: Principal, @Body() dto: OpenEpisodeDto, @Res({ passthrough: true }) res: HeaderResponse): Promise<{ episodeId: string }> {
    const r = await this.commands.openEpisode(p, 'opportunity', dto);
    res.setHeader('Location', `/opportunities/${r.id}`);
    withEtag(res, r);
    return { episodeId: r.id };
  }

  @Post(':id/interactions')
  @HttpCode(201)
  async interact(
    @CurrentPrincipal() p: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RecordInteractionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ interactionId: string }> {
    const r = await this.commands.recordInteraction(p, id, dto, { episodeType: 'opportunity', expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    withEtag(res, r);
    return { interactionId: r.id };
  }

  @Post(':id/stage')
  @HttpCode(200)
  async advance(
    @CurrentPrincipal() p: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: AdvanceStageDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; stage: string }> {
    const r = await this.commands.advanceStage(p, id, dto.stage, { expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    withEtag(res, r);
    return { episodeId: id, stage: dto.stage };
  }

  @Post(':id/close')
  @HttpCode(200)
  async close(
    @CurrentPrincipal() p: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: CloseEpisodeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; outcome: string }> {
    const r = await this.commands.closeEpisode(p, id, dto, { episodeType: 'opportunity', expectedRevision: expectedRevisionFromIfMatch(ifMatch) });
    withEtag(res, r);
    return { episodeId: id, outcome: dto.outcome };
  }
}
