import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RegisterCustomerController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';
import { customerServiceReadModels } from './read-models';
import { ListCasesController } from './cases/list-cases/list-cases.controller';
import { WorkCaseController } from './cases/work-case/work-case.controller';

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
    // cases people work (issue 12 §1): the list and one case, their details, status, assignment, reopening
    ListCasesController,
    WorkCaseController,
    // the contact centre registers the customers who call in (the same route as sales')
    RegisterCustomerController,
  ],
})
export class CustomerServiceModule {}
