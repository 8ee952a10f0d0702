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
import { triggerActionsProvider } from './triggers/trigger-actions';
import { TriggerCommands } from './triggers/trigger-commands';
import { TriggerTimerService } from './triggers/trigger-timer.service';
import { TriggersController } from './triggers/triggers.controller';

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
    // event-based marketing (issue 13 §4)
    TriggersController,
  ],
  providers: [
    RunCampaignHandler,
    RecordCampaignResponseHandler,
    ConsentCommands,
    consentLinksProvider,
    // event-based marketing (issue 13 §4): the rule commands, the durable trigger timer, the action port (logs until campaigns wire it)
    TriggerCommands,
    TriggerTimerService,
    triggerActionsProvider,
  ],
})
export class MarketingModule {}
