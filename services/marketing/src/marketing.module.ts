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
import { CampaignStatisticsController } from './campaign-statistics/campaign-statistics.controller';
import { CampaignStatisticsQueries } from './campaign-statistics/campaign-statistics.query';
import { PrintListController } from './channels/mail/print-list.controller';
import { campaignListsProvider, MessageSendersLifecycle, messageSendersProvider } from './channels/message-senders.provider';
import { CallListController } from './channels/phone/call-list.controller';
import { TrackingController } from './tracking/tracking.controller';
import { trackingLinksProvider } from './tracking/tracking-links';
import { ConsentConfirmController, ConsentRequestsController } from './consent/double-opt-in.controller';
import { PreferenceCentreController, PreferenceLinkController } from './consent/preference-centre.controller';
import { preferenceLinksProvider } from './consent/consent-links';

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
    // Channels (issue 13 §3): the phone step's call list, the mail step's print list.
    CallListController,
    PrintListController,
    // Tracking (issue 13 §3): opens and clicks as responses.
    TrackingController,
    // Preference centre and double opt-in (issue 13 §1).
    PreferenceLinkController,
    PreferenceCentreController,
    ConsentRequestsController,
    ConsentConfirmController,
    // Campaign statistics (issue 13 §5).
    CampaignStatisticsController,
  ],
  providers: [
    RunCampaignHandler,
    RecordCampaignResponseHandler,
    ConsentCommands,
    consentLinksProvider,
    // Channels (issue 13 §3): MESSAGE_SENDERS by channel, from the settings.
    campaignListsProvider,
    messageSendersProvider,
    MessageSendersLifecycle,
    trackingLinksProvider,
    preferenceLinksProvider,
    CampaignStatisticsQueries,
  ],
})
export class MarketingModule {}
