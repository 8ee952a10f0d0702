import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { RegisterCustomerController } from './customers/register-customer/register-customer.controller';
import { LeadsController } from './leads/leads.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';
import { salesReadModels } from './read-models';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: salesReadModels.service,
      projections: salesReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  controllers: [RegisterCustomerController, OpportunitiesController, LeadsController],
})
export class SalesModule {}
