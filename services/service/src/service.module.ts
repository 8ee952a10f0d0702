import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';
import { customerServiceReadModels } from './read-models';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: customerServiceReadModels.service,
      projections: customerServiceReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [OpenCaseController, CasesController],
})
export class CustomerServiceModule {}
