import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createServiceApp, serviceConfigClass, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { CustomerServiceModule } from './service.module';
import { CHANNEL_FORM_ROUTES, CHANNEL_STREAM_ROUTES } from './channels/channels';

export const CustomerServiceConfig = serviceConfigClass(3002);

/** `embedded`: hosted beside other services, the host owns the platform and the signals. `clock`: where "now" comes from (tests). */
export function createCustomerServiceApp(config: ServiceConfig, platform: Platform, hosting: { embedded?: boolean; clock?: Clock } = {}): Promise<ServiceApp> {
  return createServiceApp({
    name: 'service',
    ownsPlatform: !hosting.embedded,
    shutdownHooks: !hosting.embedded,
    module: CustomerServiceModule,
    config,
    platform,
    clock: hosting.clock,
    // The providers' webhooks: telephony posts forms, inbound mail multipart (read by its handler).
    formRoutes: CHANNEL_FORM_ROUTES,
    streamRoutes: CHANNEL_STREAM_ROUTES,
    openApi: {
      title: 'CRM service',
      description: 'Service automation (call and contact centre): cases on every channel, their interactions and resolution, the shared timeline.',
      version: '1',
    },
  });
}
