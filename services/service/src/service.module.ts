import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';
import { OpenCaseHandler } from './cases/open-case/open-case.command';
import { customerServiceReadModels } from './read-models';

@Module({
  imports: [CqrsModule.forRoot(), RelationshipApiModule.forService({ service: customerServiceReadModels.service, projections: customerServiceReadModels.own, controllers: [CustomersController] })],
  controllers: [OpenCaseController, CasesController],
  providers: [OpenCaseHandler],
})
export class CustomerServiceModule {}
