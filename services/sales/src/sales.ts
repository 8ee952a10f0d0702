import type { Platform } from '@crm/platform';
import { createServiceApp, serviceConfigClass, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { SalesModule } from './sales.module';

export const SalesConfig = serviceConfigClass(3001);

/** `embedded`: hosted beside other services, the host owns the platform and the signals. */
export function createSalesApp(config: ServiceConfig, platform: Platform, hosting: { embedded?: boolean } = {}): Promise<ServiceApp> {
  return createServiceApp({
    name: 'sales',
    ownsPlatform: !hosting.embedded,
    shutdownHooks: !hosting.embedded,
    module: SalesModule,
    config,
    platform,
    openApi: {
      title: 'CRM sales',
      description: 'Sales-force automation: customers, opportunities along the sales process, the shared timeline.',
      version: '1',
    },
  });
}
