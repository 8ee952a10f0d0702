import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, expectedRevisionFromIfMatch, RequireDepartment, RequireKind, type Principal, setEtag, type HeaderResponse } from '@crm/service-kit';
import { CampaignIdParam, RecordCampaignResponseDto } from '../campaigns.dto';
import { RecordCampaignResponseHandler } from './record-response.handler';
import { CampaignResponseRecordedDto } from './record-response.responses';

/**
 * Responses to a campaign. `If-Match: "<revision>"` of the customer's campaign episode makes the
 * change conditional (412 when stale); without it a concurrent change still answers 409.
 */
@ApiTags('campaigns')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('marketing', 'management')
@Controller('campaigns')
export class RecordCampaignResponseController {
  constructor(private readonly recordResponse: RecordCampaignResponseHandler) {}

  @Post(':campaignId/responses')
  @HttpCode(201)
  @ApiCreatedResponse({
    type: CampaignResponseRecordedDto,
    description: "Recorded on the customer's campaign episode; ETag its revision. 404 when the campaign did not target the customer",
    example: { episodeId: '5b8d2f1e-9c3a-4e7b-a1d6-0f2e3c4b5a69', interactionId: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
  })
  async respond(
    @CurrentPrincipal() principal: Principal,
    @Param() { campaignId }: CampaignIdParam,
    @Body() dto: RecordCampaignResponseDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('x-correlation-id') correlationId: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): Promise<{ episodeId: string; interactionId: string }> {
    const r = await this.recordResponse.handle(principal, campaignId, dto, { expectedRevision: expectedRevisionFromIfMatch(ifMatch), correlationId });
    setEtag(res, r.revision);
    return { episodeId: r.episodeId, interactionId: r.id };
  }
}
