import { Module } from '@nestjs/common';
import { CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CasesController } from './cases/cases.controller';
import { OpenCaseController } from './cases/open-case/open-case.controller';

@Module({
  imports: [RelationshipApiModule.forService({ service: 'service', controllers: [CustomersController] })],
  controllers: [OpenCaseController, CasesController],
})
export class CustomerServiceModule {}
