import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createServiceApp, INBOUND_MAIL_TYPES, serviceConfigClass, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { CAMPAIGN_REPLIES_PATH } from './channels/email/replies/campaign-replies.controller';
import { MarketingModule } from './marketing.module';

export const MarketingConfig = serviceConfigClass(3003);

/** `embedded`: hosted beside other services, the host owns the platform and the signals. `clock`: where "now" comes from (tests). */
export function createMarketingApp(config: ServiceConfig, platform: Platform, hosting: { embedded?: boolean; clock?: Clock } = {}): Promise<ServiceApp> {
  return createServiceApp({
    name: 'marketing',
    ownsPlatform: !hosting.embedded,
    shutdownHooks: !hosting.embedded,
    module: MarketingModule,
    config,
    platform,
    clock: hosting.clock,
    // RFC 8058: mail clients post `List-Unsubscribe=One-Click` form-encoded.
    formRoutes: ['/unsubscribe', '/preferences', '/consent/confirm'],
    // Customers' e-mail replies: the inbound-parse provider's multipart (or form), read by the route itself.
    streamRoutes: [{ path: CAMPAIGN_REPLIES_PATH, types: INBOUND_MAIL_TYPES }],
    // The e-mail provider's delivery events are signed over the bytes it sent (POST /channels/email/events).
    rawBody: true,
    openApi: {
      title: 'CRM marketing',
      description: 'Marketing automation: campaigns that touch each targeted customer once on a channel, their responses, the shared timeline.',
      version: '1',
    },
  });
}
