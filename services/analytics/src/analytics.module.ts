import { Module } from '@nestjs/common';
import { CustomersController, RelationshipApiModule } from '@crm/relationship-api';
import { CUSTOMER_METRICS_ENTITIES } from './metrics/customer-metrics.entities';
import { customerMetricsProjection } from './metrics/customer-metrics.projection';
import { CustomerMetricsController } from './metrics/get-customer-metrics/get-customer-metrics.controller';
import { GetCustomerMetricsHandler } from './metrics/get-customer-metrics/get-customer-metrics.query';

/**
 * Analytics keeps the shared read models plus its own `customer-metrics` projection, all in schema
 * `analytics`, run like every other read model: following the store (embedded) or as Kafka consumer
 * group `projection.analytics.customer-metrics` (distributed).
 */
@Module({
  imports: [
    RelationshipApiModule.forService({ service: 'analytics', controllers: [CustomersController], projections: [customerMetricsProjection('analytics')], entities: CUSTOMER_METRICS_ENTITIES }),
  ],
  controllers: [CustomerMetricsController],
  providers: [GetCustomerMetricsHandler],
})
export class AnalyticsModule {}
