import { Module } from '@nestjs/common';
import { CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CustomerMetricsController } from './metrics/get-customer-metrics/get-customer-metrics.controller';
import { GetCustomerMetricsHandler } from './metrics/get-customer-metrics/get-customer-metrics.query';
import { CustomerPurchasesController } from './purchases/get-purchases/get-purchases.controller';
import { GetCustomerPurchasesHandler } from './purchases/get-purchases/get-purchases.query';
import { JourneyProcessService } from './journey/journey-process.service';
import { analyticsReadModels } from './read-models';
import { SalesForecastController } from './forecast/sales-forecast.controller';
import { SalesForecastHandler } from './forecast/sales-forecast.query';
import { KpisController } from './kpis/get-kpis/get-kpis.controller';
import { GetKpisHandler } from './kpis/get-kpis/get-kpis.query';
import { ReadModelsController } from './read-models/read-models.controller';
import { readModelVersionsProvider, ReadModelVersionsLifecycle } from './read-models/read-model-versions.provider';
import { ProfitabilityController } from './profitability/profitability.controller';
import { ProfitabilityQueries } from './profitability/profitability.query';
import { CustomerRfmController } from './rfm/get-customer-rfm/get-customer-rfm.controller';
import { ListRfmController } from './rfm/list-rfm/list-rfm.controller';
import { RfmQueries } from './rfm/rfm.query';
import { ChurnModelController } from './propensity/churn/churn-model.controller';
import { ChurnRiskQueries } from './propensity/churn/churn-risk.query';
import { TrainChurnModelHandler } from './propensity/churn/train-churn-model.command';
import { AssessChurnRiskHandler } from './propensity/churn/assess-churn-risk.command';
import { ChurnRiskAssessmentService } from './propensity/churn/churn-risk-assessment.service';
import { OfferPropensityController } from './propensity/offer-response/offer-propensity.controller';
import { OfferPropensityQuery } from './propensity/offer-response/offer-propensity.query';
import { CrossSellController } from './cross-sell/cross-sell.controller';
import { CrossSellQueries } from './cross-sell/cross-sell.query';
import { CustomerValuations } from './value/customer-valuations';
import { ClvModelController } from './value/get-clv-model/get-clv-model.controller';
import { CustomerValueController } from './value/get-customer-value/get-customer-value.controller';
import { RankCustomersController } from './value/rank-customers/rank-customers.controller';
import { ValueTierPublisher } from './value/value-tier-publisher';
import { ContactCentreController } from './contact-centre/contact-centre.controller';
import { ContactCentreQueries } from './contact-centre/contact-centre.query';

/**
 * Analytics keeps the shared read models plus its own `customer-metrics` projection, all in schema
 * `analytics` and declared in read-models.ts, run like every other read model: following the store
 * (embedded) or in the service's one Kafka consumer group `read-models.analytics` (distributed).
 */
@Module({
  imports: [
    RelationshipApiModule.forService({
      service: analyticsReadModels.service,
      projections: analyticsReadModels.own,
      migrations: analyticsReadModels.migrations,
      controllers: [CustomersController],
    }),
  ],
  controllers: [
    CustomerMetricsController,
    CustomerPurchasesController,
    // RFM (issue 11 §1)
    CustomerRfmController,
    ListRfmController,
    // KPIs, sales forecast, versioned read models (issue 11 §5–6)
    KpisController,
    SalesForecastController,
    ReadModelsController,
    // lifetime value and value tiers (issue 11 §2, §4); RankCustomersController's /customers/ranking and /customers/at-risk are matched before /customers/:id
    RankCustomersController,
    ClvModelController,
    CustomerValueController,
    // churn, offer response, cross-sell (issue 11 §3)
    ChurnModelController,
    OfferPropensityController,
    CrossSellController,
    // customer and segment profitability (issue 11 §4)
    ProfitabilityController,
    // contact-centre measures and efficiency (issue 12 §6)
    ContactCentreController,
  ],
  providers: [
    GetCustomerMetricsHandler,
    GetCustomerPurchasesHandler,
    // RFM (issue 11 §1)
    RfmQueries,
    // journey stage and relationship phase from behaviour (issue 11 §4)
    JourneyProcessService,
    // KPIs, sales forecast, versioned read models (issue 11 §5–6)
    readModelVersionsProvider,
    ReadModelVersionsLifecycle,
    GetKpisHandler,
    SalesForecastHandler,
    // lifetime value and value tiers (issue 11 §2, §4)
    CustomerValuations,
    ValueTierPublisher,
    // churn, offer response, cross-sell (issue 11 §3)
    TrainChurnModelHandler,
    AssessChurnRiskHandler,
    ChurnRiskAssessmentService,
    ChurnRiskQueries,
    OfferPropensityQuery,
    CrossSellQueries,
    ProfitabilityQueries,
    // contact-centre measures and efficiency (issue 12 §6)
    ContactCentreQueries,
  ],
})
export class AnalyticsModule {}
