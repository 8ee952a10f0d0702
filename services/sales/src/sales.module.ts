import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { RegisterCustomerController } from './customers/register-customer/register-customer.controller';
import { LeadsController } from './leads/leads.controller';
import { LeadAssignmentRulesController } from './leads/assignment-rules/assignment-rules.controller';
import { LeadFormsController } from './leads/lead-forms/lead-forms.controller';
import { LeadFormRateLimiter } from './leads/lead-forms/lead-form-rate-limiter';
import { LeadFormKeyGuard } from './leads/lead-forms/lead-form-key.guard';
import { WebFormCaptureController } from './leads/lead-forms/web-form-capture.controller';
import { LeadImportsController } from './leads/lead-imports/lead-imports.controller';
import { ListLeadsController } from './leads/list-leads/list-leads.controller';
import { OpportunitiesController } from './opportunities/opportunities.controller';
import { salesReadModels } from './read-models';
import { OrdersController } from './orders/orders.controller';
import { ListOrdersController } from './orders/list-orders/list-orders.controller';
import { OrderImportsController } from './orders/order-imports/order-imports.controller';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: salesReadModels.service,
      projections: salesReadModels.own,
      controllers: [CustomersController, CustomerEditsController],
    }),
  ],
  // ListLeadsController and LeadImportsController before LeadsController: `GET /leads` and `/leads/imports` are theirs.
  controllers: [
    RegisterCustomerController,
    OpportunitiesController,
    ListLeadsController,
    LeadImportsController,
    LeadsController,
    LeadAssignmentRulesController,
    LeadFormsController,
    WebFormCaptureController,
    // GET /orders and /orders/import(s) before OrdersController's /orders/:id.
    ListOrdersController,
    OrderImportsController,
    OrdersController,
  ],
  providers: [LeadFormRateLimiter, LeadFormKeyGuard],
})
export class SalesModule {}
