import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { RecordCampaignResponseController } from './campaigns/record-response/record-response.controller';
import { RecordCampaignResponseHandler } from './campaigns/record-response/record-response.handler';
import { campaignAudienceProvider } from './campaigns/campaign-audience';
import { CampaignCommands } from './campaigns/campaign-commands';
import { CampaignDirectory } from './campaigns/campaign-directory';
import { campaignSendersProvider } from './campaigns/campaign-senders';
import { CampaignsController } from './campaigns/campaigns.controller';
import { CampaignDispatcherService } from './campaigns/dispatch/campaign-dispatcher.service';
import { ConsentCommands } from './consent/consent-commands';
import { ConsentController } from './consent/consent.controller';
import { consentLinksProvider } from './consent/consent-links';
import { UnsubscribeController } from './consent/unsubscribe.controller';
import { marketingReadModels } from './read-models';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: marketingReadModels.service,
      projections: marketingReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [CampaignsController, RecordCampaignResponseController, ConsentController, UnsubscribeController],
  providers: [
    RecordCampaignResponseHandler,
    ConsentCommands,
    consentLinksProvider,
    // campaigns that really send (issue 13 §3)
    CampaignDirectory,
    CampaignCommands,
    CampaignDispatcherService,
    campaignAudienceProvider,
    campaignSendersProvider,
  ],
})
export class MarketingModule {}
