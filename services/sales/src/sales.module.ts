import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { RegisterCustomerController } from './customers/register-customer/register-customer.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';

@Module({
  imports: [RelationshipApiModule.forService({ service: 'sales', controllers: [CustomersController, CustomerEditsController] })],
  controllers: [RegisterCustomerController, OpportunitiesController],
})
export class SalesModule {}
