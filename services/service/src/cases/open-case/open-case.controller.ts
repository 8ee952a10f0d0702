import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { EpisodeCommands } from '@crm/relationship-api';
import { CurrentPrincipal, RequireDepartment, RequireKind, type Principal, setEtag, type HeaderResponse } from '@crm/service-kit';
import { OpenCaseDto } from '../cases.dto';
import { CaseOpenedDto } from '../cases.responses';

@ApiTags('cases')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('service', 'management')
@Controller('cases')
export class OpenCaseController {
  constructor(private readonly episodes: EpisodeCommands) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({
    type: CaseOpenedDto,
    description: 'Opened; Location names the case, ETag its revision',
    example: { episodeId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
  })
  async open(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: OpenCaseDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string }> {
    const r = await this.episodes.open(principal, 'case', dto, { correlationId });
    res.setHeader('Location', `/cases/${r.id}`);
    setEtag(res, r.revision);
    return { episodeId: r.id };
  }
}
