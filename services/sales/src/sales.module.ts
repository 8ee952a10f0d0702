import { Module } from '@nestjs/common';
import { CustomerEditsController, CustomersController, RegisterCustomerController, RelationshipApiModule } from '@crm/relationship-api';
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
import { ProductsController } from './catalogue/products.controller';
import { PriceBooksController } from './catalogue/price-books.controller';
import { QuotesController } from './quotes/quotes.controller';
import { QuoteApprovalPolicyController } from './quotes/approval-policy.controller';
import { ListActivitiesController } from './activities/list-activities/list-activities.controller';
import { ActivitiesController } from './activities/activities.controller';
import { CalendarFeedController } from './activities/calendar/calendar-feed.controller';
import { ActivitySchedulerService } from './activities/activity-scheduler.service';
import { ListOpportunitiesController } from './opportunities/list-opportunities/list-opportunities.controller';
import { PipelinesController } from './opportunities/pipelines/pipelines.controller';
import { PipelineReportController } from './opportunities/pipeline-report/pipeline-report.controller';
import { ExchangeRatesController } from './forecast/exchange-rates.controller';
import { ForecastController } from './forecast/forecast.controller';
import { SalesTargetsController } from './forecast/sales-targets.controller';
import { ActivityReportController } from './forecast/activity-report.controller';
import { OrdersController } from './orders/orders.controller';
import { ListOrdersController } from './orders/list-orders/list-orders.controller';
import { OrderImportsController } from './orders/order-imports/order-imports.controller';

@Module({
  imports: [
    RelationshipApiModule.forService({
      service: salesReadModels.service,
      projections: salesReadModels.own,
      migrations: salesReadModels.migrations,
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
    // product catalogue and quotes (issue 10 §3–4)
    ProductsController,
    PriceBooksController,
    QuotesController,
    QuoteApprovalPolicyController,
    // ListActivitiesController before ActivitiesController: `GET /activities/due` and `/overdue` are its.
    ListActivitiesController,
    ActivitiesController,
    CalendarFeedController,
    ListOpportunitiesController,
    PipelinesController,
    PipelineReportController,
    ExchangeRatesController,
    ForecastController,
    SalesTargetsController,
    ActivityReportController,
    // GET /orders and /orders/import(s) before OrdersController's /orders/:id.
    ListOrdersController,
    OrderImportsController,
    OrdersController,
  ],
  providers: [LeadFormRateLimiter, LeadFormKeyGuard, ActivitySchedulerService],
})
export class SalesModule {}
