import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireDepartment, RequireKind, type Principal } from '@crm/service-kit';
import { CampaignResult, RunCampaignDto } from '../campaigns.dto';
import { RunCampaignHandler } from './run-campaign.handler';

@ApiTags('campaigns')
@ApiBearerAuth()
@RequireKind('staff')
@RequireDepartment('marketing', 'management')
@Controller('campaigns')
export class RunCampaignController {
  constructor(private readonly runCampaign: RunCampaignHandler) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ type: CampaignResult, description: 'Each targeted customer touched once on the channel, or listed in `rejected` with the reason' })
  run(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: RunCampaignDto,
    @Headers('x-correlation-id') correlationId: string | undefined,
  ): Promise<CampaignResult> {
    return this.runCampaign.handle(principal, dto, correlationId);
  }
}
