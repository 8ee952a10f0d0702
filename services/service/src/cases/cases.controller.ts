import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EpisodeCommands, RecordInteractionDto } from '@crm/relationship-api';
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
import { ResolveCaseDto } from './cases.dto';
import { CaseInteractionRecordedDto, CaseResolvedDto } from './cases.responses';

/**
 * Work on an open case. Changes take `If-Match: "<revision>"` for optimistic concurrency (412 when
 * stale); without it a concurrent change still answers 409. Any other episode (an opportunity, a
 * campaign) answers 404 here.
 */
@ApiTags('cases')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@Controller('cases')
export class CasesController {
  constructor(private readonly episodes: EpisodeCommands) {}

  @Post(':id/interactions')
  @HttpCode(201)
  @ApiCreatedResponse({
    type: CaseInteractionRecordedDto,
    description: 'Recorded on the open case; ETag its new revision',
    example: { interactionId: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
  })
  async interact(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: RecordInteractionDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ interactionId: string }> {
    const r = await this.episodes.recordInteraction(p, id, dto, { episodeType: 'case', expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { interactionId: r.id };
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOkResponse({
    type: CaseResolvedDto,
    description: 'Resolved with its outcome; ETag its new revision (a reopen can follow)',
    example: { episodeId: '7c9e6679-7425-40de-944b-e07fc1f90ae7', outcome: 'resolved' },
  })
  async resolve(
    @CurrentPrincipal() p: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ResolveCaseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; outcome: string }> {
    const r = await this.episodes.close(
      p,
      id,
      { outcome: dto.outcome, reason: dto.reason },
      { episodeType: 'case', expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId },
    );
    setEtag(res, r.revision);
    return { episodeId: id, outcome: dto.outcome };
  }
}
