import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { RecordCampaignResponseController } from './campaigns/record-response/record-response.controller';
import { RecordCampaignResponseHandler } from './campaigns/record-response/record-response.command';
import { RunCampaignController } from './campaigns/run-campaign/run-campaign.controller';
import { RunCampaignHandler } from './campaigns/run-campaign/run-campaign.command';
import { marketingReadModels } from './read-models';

@Module({
  imports: [CqrsModule.forRoot(), RelationshipApiModule.forService({ service: marketingReadModels.service, projections: marketingReadModels.own, controllers: [CustomersController] })],
  controllers: [RunCampaignController, RecordCampaignResponseController],
  providers: [RunCampaignHandler, RecordCampaignResponseHandler],
})
export class MarketingModule {}
