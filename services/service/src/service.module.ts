import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';
import { customerServiceReadModels } from './read-models';
import { AgentsController, TeamsController } from './agents/agents.controller';
import { RoutingController } from './routing/routing.controller';
import { routingProviders } from './routing/routing.providers';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: customerServiceReadModels.service,
      projections: customerServiceReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [
    OpenCaseController,
    CasesController,
    // routing by skill and customer value (issue 12 §3)
    AgentsController,
    TeamsController,
    RoutingController,
  ],
  providers: [...routingProviders],
})
export class CustomerServiceModule {}
