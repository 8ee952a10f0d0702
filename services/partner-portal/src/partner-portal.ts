/**
 * partner-portal — collaborative CRM: the company's partners (suppliers, distributors, resellers,
 * service providers) work on the one shared relationship history through this API.
 *
 * Staff (management, sales):
 *   POST   /partners                               register a partner { name, partnerKind }
 *   GET    /partners/:id                           the partner, its active client ids and shares
 *   POST   /partners/:id/credentials               issue { clientId, clientSecret } — the secret shown once
 *   DELETE /partners/:id/credentials/:clientId     revoke a credential
 *   POST   /partners/:id/shares { customerId }     share a customer (explicit grant)
 *   DELETE /partners/:id/shares/:customerId        revoke the grant — in force at once
 *   GET    /partners/:id/access-log                the partner's reads of customers (access-log/: who read which customer, when)
 *   GET    /partner-access-log?customerId=          the same across partners, for one customer
 * Partners authenticate as their organisation:
 *   POST   /auth/token                             OAuth client credentials (Basic or in the body) → Bearer token, 1 h; 429 past the failure limits
 * Partners (token kind `partner`):
 *   GET    /customers                              the customers shared with the caller
 *   GET    /customers/:id                          one of them (404 for anything not shared)
 *   GET    /customers/:id/timeline                 its history without other partners' episodes
 *   POST   /episodes                               open a partner-deal or return-repair episode on a shared customer
 *   POST   /episodes/:id/interactions              record an interaction on the caller's own episode
 *   POST   /episodes/:id/close                     close the caller's own episode
 *   POST   /sell-through, /sell-through.csv        distributors and resellers report sales to end customers (JSON or CSV)
 *   GET    /sell-through                           the sales the caller reported
 *   POST   /webhooks, GET /webhooks[/:id], PATCH/DELETE /webhooks/:id   signed webhooks of the caller's shared customers (webhooks/)
 *   POST   /webhooks/:id/secret, /replay, /deliveries/:deliveryId/retry; GET /webhooks/:id/deliveries
 *
 * Port 3004 by default (CRM_HTTP_PORT). See `portal/partner-scope.ts` for how scoping is enforced.
 */
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createServiceApp, serviceConfigClass, type ServiceApp, type ServiceConfig } from '@crm/service-kit';
import { PartnerPortalModule } from './partner-portal.module';
import { SELL_THROUGH_CSV_PATH } from './sell-through/sell-through.controller';

export const PartnerPortalConfig = serviceConfigClass(3004);

/** `embedded`: hosted beside other services, the host owns the platform and the signals. `clock`: where "now" comes from (tests). */
export async function createPartnerPortalApp(
  config: ServiceConfig,
  platform: Platform,
  hosting: { embedded?: boolean; clock?: Clock } = {},
): Promise<ServiceApp> {
  const service = await createServiceApp({
    name: 'partner-portal',
    ownsPlatform: !hosting.embedded,
    shutdownHooks: !hosting.embedded,
    module: PartnerPortalModule,
    config,
    platform,
    clock: hosting.clock,
    openApi: {
      title: 'CRM partner portal',
      description: 'Collaborative CRM: partner administration, partner token exchange, and the customers and history shared with each partner.',
      version: '1',
      // Partner operations name the OAuth 2.0 client-credentials scheme (staff operations keep bearer).
      partnerTokenUrl: '/auth/token',
    },
    // The token endpoint also takes the OAuth 2.0 form encoding (`grant_type=client_credentials&client_id=…`).
    formRoutes: ['/auth/token'],
    // A sell-through CSV is read as it arrives, not parsed as JSON.
    streamRoutes: [{ path: SELL_THROUGH_CSV_PATH, types: ['text/csv'] }],
  });
  return service;
}
