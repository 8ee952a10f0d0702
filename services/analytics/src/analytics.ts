/**
 * analytics — analytical CRM: consumes every service's events into per-customer metrics.
 *
 * Staff of every department:
 *   GET /customers/:id                   the customer (shared CustomersController)
 *   GET /customers/:id/timeline          the shared history
 *   GET /customers/:id/metrics           interactions (total, by channel, by department or partner),
 *                                        last interaction, and RFM inputs: recency in days since the
 *                                        last purchase, frequency and monetary value (optionally over
 *                                        `?periodDays=N`). A purchase is a won opportunity or partner deal.
 *   GET /customers/:id/purchases         sales orders, per currency and in the reporting currency
 *   GET /customers/:id/rfm, GET /rfm     RFM quintile scores, cells and segments (docs/analytics.md)
 *   GET /models/clv                      BG/NBD and Gamma-Gamma fitted on the purchase occasions (value/)
 *   GET /customers/:id/value             expected purchases, P(alive), expected spend, CLV, value tier
 *   GET /customers/ranking, /at-risk     the most valuable customers; valuable ones probably lost
 *
 * It also derives journey stages and relationship phases from behaviour (journey/), recorded through
 * the customer command of the relationship API, and records value tier changes (CustomerValueTierChanged).
 *
 * Port 3005 by default (CRM_HTTP_PORT). Rebuild: npm run rebuild-read-model -- --service analytics
 */
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createServiceApp, serviceConfigClass, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { AnalyticsModule } from './analytics.module';

export const AnalyticsConfig = serviceConfigClass(3005);

/** `embedded`: hosted beside other services, the host owns the platform and the signals. `clock`: "now" (tests pass a TestClock). */
export function createAnalyticsApp(config: ServiceConfig, platform: Platform, hosting: { embedded?: boolean; clock?: Clock } = {}): Promise<ServiceApp> {
  return createServiceApp({
    name: 'analytics',
    ownsPlatform: !hosting.embedded,
    shutdownHooks: !hosting.embedded,
    module: AnalyticsModule,
    config,
    platform,
    clock: hosting.clock,
    openApi: { title: 'CRM analytics', description: 'Analytical CRM: per-customer interaction metrics and RFM inputs, and the shared timeline.', version: '1' },
  });
}
