import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RegisterCustomerController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';
import { customerServiceReadModels } from './read-models';
import { CaseSurveyController } from './satisfaction/case-survey.controller';
import { SurveysController } from './satisfaction/surveys.controller';
import { surveyLinksProvider } from './satisfaction/survey-links.provider';
import { ServiceLevelsController } from './service-levels/service-levels.controller';
import { serviceLevelCommandsProvider } from './service-levels/service-levels.providers';
import { SlaTimerService } from './service-levels/sla-timer.service';
import { EscalationExecutorService } from './service-levels/escalation-executor.service';
import { ListCasesController } from './cases/list-cases/list-cases.controller';
import { WorkCaseController } from './cases/work-case/work-case.controller';
import { AgentsController, TeamsController } from './agents/agents.controller';
import { RoutingController } from './routing/routing.controller';
import { routingProviders } from './routing/routing.providers';
import { CHANNEL_CONTROLLERS, CHANNEL_PROVIDERS } from './channels/channels';
import { ReturnsController, WorkReturnsController } from './returns/returns.controller';
import { CaseFollowsReturnService } from './returns/case-follows-return.service';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: customerServiceReadModels.service,
      projections: customerServiceReadModels.own,
      migrations: customerServiceReadModels.migrations,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [
    OpenCaseController,
    CasesController,
    // the satisfaction survey of resolved cases (issue 12 §6)
    CaseSurveyController,
    SurveysController,
    // service levels (issue 12 §4)
    ServiceLevelsController,
    // cases people work (issue 12 §1): the list and one case, their details, status, assignment, reopening
    ListCasesController,
    WorkCaseController,
    // the contact centre registers the customers who call in (the same route as sales')
    RegisterCustomerController,
    // routing by skill and customer value (issue 12 §3)
    AgentsController,
    TeamsController,
    RoutingController,
    // the channels: telephony, IVR, inbound and outbound e-mail (issue 12 §2)
    ...CHANNEL_CONTROLLERS,
    // returns and repairs (issue 12 §5)
    ReturnsController,
    WorkReturnsController,
  ],
  providers: [
    // the satisfaction survey of resolved cases (issue 12 §6)
    surveyLinksProvider,
    // service levels (issue 12 §4): the commands and the durable SLA timer
    serviceLevelCommandsProvider,
    SlaTimerService,
    // service levels (issue 12 §4): the executor that carries out each CaseEscalated once
    EscalationExecutorService,
    // routing by skill and customer value (issue 12 §3)
    ...routingProviders,
    // the channels: telephony, IVR, inbound and outbound e-mail (issue 12 §2)
    ...CHANNEL_PROVIDERS,
    // returns and repairs (issue 12 §5): the case follows its return
    CaseFollowsReturnService,
  ],
})
export class CustomerServiceModule {}
