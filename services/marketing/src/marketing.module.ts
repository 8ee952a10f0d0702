import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { InboundMailSecretGuard } from '@crm/service-kit';
import { RecordCampaignResponseController } from './campaigns/record-response/record-response.controller';
import { RecordCampaignResponseHandler } from './campaigns/record-response/record-response.handler';
import { CAMPAIGN_AUDIENCE } from './campaigns/campaign-audience';
import { CampaignCommands } from './campaigns/campaign-commands';
import { CampaignDirectory } from './campaigns/campaign-directory';
import { CampaignsController } from './campaigns/campaigns.controller';
import { CampaignDispatcherService } from './campaigns/dispatch/campaign-dispatcher.service';
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
import { EmailDeliveryEventsController } from './channels/email/delivery-events/delivery-events.controller';
import { EmailDeliveryEventsHandler } from './channels/email/delivery-events/delivery-events.handler';
import { CampaignRepliesController } from './channels/email/replies/campaign-replies.controller';
import { CampaignRepliesHandler } from './channels/email/replies/campaign-replies.handler';
import { trackingLinksProvider } from './tracking/tracking-links';
import { ConsentConfirmController, ConsentRequestsController } from './consent/double-opt-in.controller';
import { PreferenceCentreController, PreferenceLinkController } from './consent/preference-centre.controller';
import { preferenceLinksProvider } from './consent/consent-links';
import { triggerActionsProvider } from './triggers/trigger-actions';
import { TriggerCommands } from './triggers/trigger-commands';
import { TriggerTimerService } from './triggers/trigger-timer.service';
import { TriggersController } from './triggers/triggers.controller';
import { SEGMENT_CONTROLLERS, SEGMENT_PROVIDERS } from './segments/segments';
import { SegmentAudience } from './segments/segment-audience';
import { emailAddressKeysProvider } from './suppressions/email-address-keys';
import { EmailSuppressionCommands } from './suppressions/email-suppression-commands';
import { SuppressionsController } from './suppressions/suppressions.controller';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: marketingReadModels.service,
      projections: marketingReadModels.own,
      migrations: marketingReadModels.migrations,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [
    // campaigns that really send (issue 13 §3)
    CampaignsController,
    RecordCampaignResponseController,
    ConsentController,
    UnsubscribeController,
    // Channels (issue 13 §3): the phone step's call list, the mail step's print list.
    CallListController,
    PrintListController,
    // Tracking (issue 13 §3): opens and clicks as responses.
    TrackingController,
    // The e-mail provider's later word (issue 13 §3): bounces and complaints, signed webhooks.
    EmailDeliveryEventsController,
    CampaignRepliesController,
    // Preference centre and double opt-in (issue 13 §1).
    PreferenceLinkController,
    PreferenceCentreController,
    ConsentRequestsController,
    ConsentConfirmController,
    // event-based marketing (issue 13 §4)
    TriggersController,
    // segments down to the individual (issue 13 §2)
    ...SEGMENT_CONTROLLERS,
    // Campaign statistics (issue 13 §5).
    CampaignStatisticsController,
    // The e-mail suppression list (issue 13 §3): hard bounces, complaints, staff.
    SuppressionsController,
  ],
  providers: [
    RecordCampaignResponseHandler,
    ConsentCommands,
    EmailDeliveryEventsHandler,
    CampaignRepliesHandler,
    InboundMailSecretGuard,
    consentLinksProvider,
    // campaigns that really send (issue 13 §3)
    CampaignDirectory,
    CampaignCommands,
    CampaignDispatcherService,
    // a campaign over a segment freezes the segment's members when it starts
    { provide: CAMPAIGN_AUDIENCE, useExisting: SegmentAudience },
    // Channels (issue 13 §3): MESSAGE_SENDERS by channel, from the settings.
    campaignListsProvider,
    messageSendersProvider,
    MessageSendersLifecycle,
    trackingLinksProvider,
    preferenceLinksProvider,
    // event-based marketing (issue 13 §4): the rule commands, the durable trigger timer, the action port
    TriggerCommands,
    TriggerTimerService,
    triggerActionsProvider,
    // segments (issue 13 §2): commands, the membership processor, the audience campaigns freeze
    ...SEGMENT_PROVIDERS,
    CampaignStatisticsQueries,
    // the e-mail suppression list (issue 13 §3): its key (CRM_EMAIL_SUPPRESSION_SECRET) and commands
    emailAddressKeysProvider,
    EmailSuppressionCommands,
  ],
})
export class MarketingModule {}
