import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createServiceApp, serviceConfigClass, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { LEAD_IMPORTS_PATH } from './leads/lead-imports/lead-imports.controller';
import { SalesModule } from './sales.module';
import { ORDER_IMPORT_PATH } from './orders/order-imports/order-imports.controller';

export const SalesConfig = serviceConfigClass(3001);

/** `embedded`: hosted beside other services, the host owns the platform and the signals. `clock`: where "now" comes from (tests). */
export function createSalesApp(config: ServiceConfig, platform: Platform, hosting: { embedded?: boolean; clock?: Clock } = {}): Promise<ServiceApp> {
  return createServiceApp({
    name: 'sales',
    ownsPlatform: !hosting.embedded,
    shutdownHooks: !hosting.embedded,
    module: SalesModule,
    config,
    platform,
    clock: hosting.clock,
    // CSV imports are read as they arrive, not parsed as JSON.
    streamRoutes: [
      { path: LEAD_IMPORTS_PATH, types: ['text/csv'] },
      { path: ORDER_IMPORT_PATH, types: ['text/csv'] },
    ],
    openApi: {
      title: 'CRM sales',
      description: 'Sales-force automation: customers, leads, opportunities along the sales process, sales orders and purchase history, the shared timeline.',
      version: '1',
    },
  });
}
