import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { RecordCampaignResponseController } from './campaigns/record-response/record-response.controller';
import { RecordCampaignResponseHandler } from './campaigns/record-response/record-response.handler';
import { RunCampaignController } from './campaigns/run-campaign/run-campaign.controller';
import { RunCampaignHandler } from './campaigns/run-campaign/run-campaign.handler';
import { ConsentCommands } from './consent/consent-commands';
import { ConsentController } from './consent/consent.controller';
import { consentLinksProvider } from './consent/consent-links';
import { UnsubscribeController } from './consent/unsubscribe.controller';
import { marketingReadModels } from './read-models';
import { SEGMENT_CONTROLLERS, SEGMENT_PROVIDERS } from './segments/segments';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: marketingReadModels.service,
      projections: marketingReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [
    RunCampaignController,
    RecordCampaignResponseController,
    ConsentController,
    UnsubscribeController,
    // segments down to the individual (issue 13 §2)
    ...SEGMENT_CONTROLLERS,
  ],
  providers: [
    RunCampaignHandler,
    RecordCampaignResponseHandler,
    ConsentCommands,
    consentLinksProvider,
    // segments (issue 13 §2): commands, the membership processor, the audience campaigns freeze
    ...SEGMENT_PROVIDERS,
  ],
})
export class MarketingModule {}
