import type { Platform } from '@crm/platform';
import { createServiceApp, serviceConfigClass, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { MarketingModule } from './marketing.module';

export const MarketingConfig = serviceConfigClass(3003);

/** `embedded`: hosted beside other services, the host owns the platform and the signals. */
export function createMarketingApp(config: ServiceConfig, platform: Platform, hosting: { embedded?: boolean } = {}): Promise<ServiceApp> {
  return createServiceApp({
    name: 'marketing',
    ownsPlatform: !hosting.embedded,
    shutdownHooks: !hosting.embedded,
    module: MarketingModule,
    config,
    platform,
    openApi: {
      title: 'CRM marketing',
      description: 'Marketing automation: campaigns that touch each targeted customer once on a channel, their responses, the shared timeline.',
      version: '1',
    },
  });
}
