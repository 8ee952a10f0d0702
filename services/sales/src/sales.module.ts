import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { RegisterCustomerController } from './customers/register-customer/register-customer.controller';
import { RegisterCustomerHandler } from './customers/register-customer/register-customer.command';
import { OpportunitiesController } from './opportunities/opportunities.controller';
import { salesReadModels } from './read-models';

@Module({
  imports: [CqrsModule.forRoot(), RelationshipApiModule.forService({ service: salesReadModels.service, projections: salesReadModels.own, controllers: [CustomersController] })],
  controllers: [RegisterCustomerController, OpportunitiesController],
  providers: [RegisterCustomerHandler],
})
export class SalesModule {}
