import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RelationshipApiModule } from '@crm/relationship-api';
import { AccessLogController } from './access-log/access-log.controller';
import { PartnerAccessLog } from './access-log/partner-access-log.service';
import { TokenController } from './auth/token.controller';
import { DealRegistrationCommands } from './deal-registration/deal-registration-commands';
import { DealRegistrationProcess } from './deal-registration/deal-registration.process';
import { DealRegistrationReviewController, DealRegistrationsController } from './deal-registration/deal-registrations.controller';
import { PartnerCredentials } from './credentials/partner-credentials';
import { LeadDistributionCommands } from './leads/lead-distribution-commands';
import { LeadDistributionController, PartnerLeadsController } from './leads/lead-distribution.controller';
import { LeadDistributionProcess } from './leads/lead-distribution.process';
import { PartnersController } from './partners/partners.controller';
import { PartnerScope } from './portal/partner-scope';
import { PortalCustomersController } from './portal/portal-customers.controller';
import { PortalEpisodesController } from './portal/portal-episodes.controller';
import { partnerPortalReadModels } from './read-models';
import { RepairsController } from './repairs/repairs.controller';
import { repairJobProviders } from './repairs/repairs.providers';
import { SellThroughController } from './sell-through/sell-through.controller';
import { SellThroughReporting } from './sell-through/sell-through-reporting';
import { CustomerSharesController } from './shares/customer-shares.controller';
import { PartnerSharesController } from './shares/partner-shares.controller';
import { ShareRequestsController } from './shares/share-requests.controller';
import { PartnerUserRightsInterceptor } from './users/partner-user-rights.interceptor';
import { PartnerUsersAdminController } from './users/partner-users-admin.controller';
import { PartnerUsersController } from './users/partner-users.controller';
import { PartnerWebhookCommands } from './webhooks/partner-webhook-commands';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.process';
import { webhookSecretsProvider } from './webhooks/webhook-secrets';
import { FetchWebhookSender, WEBHOOK_SENDER } from './webhooks/webhook-sender';
import { WebhooksController } from './webhooks/webhooks.controller';

/**
 * The partner portal. It keeps the shared read models (customer directory, timeline, partner access)
 * in schema `partner_portal`, and does NOT mount the staff `CustomersController`: `/customers` here
 * is the partner's view, scoped by `PartnerScope` — which also checks every partner write (`partnerAccess`).
 */
@Module({
  imports: [
    RelationshipApiModule.forService({
      service: partnerPortalReadModels.service,
      projections: partnerPortalReadModels.own,
      migrations: partnerPortalReadModels.migrations,
      partnerAccess: PartnerScope,
      providers: [PartnerScope],
    }),
  ],
  controllers: [
    PartnersController,
    PartnerUsersAdminController,
    PartnerSharesController,
    CustomerSharesController,
    ShareRequestsController,
    AccessLogController,
    TokenController,
    PortalCustomersController,
    PortalEpisodesController,
    RepairsController,
    SellThroughController,
    // the review's fixed paths (`review`) before the partner's `:id`
    DealRegistrationReviewController,
    DealRegistrationsController,
    LeadDistributionController,
    PartnerLeadsController,
    PartnerUsersController,
    WebhooksController,
  ],
  providers: [
    // partner users' roles (issue 14 §1), checked after authentication on every route
    { provide: APP_INTERCEPTOR, useClass: PartnerUserRightsInterceptor },
    PartnerCredentials,
    PartnerAccessLog,
    ...repairJobProviders,
    SellThroughReporting,
    DealRegistrationCommands,
    DealRegistrationProcess,
    LeadDistributionCommands,
    LeadDistributionProcess,
    // partner webhooks (issue 14 §5): derived secrets, commands, the dispatcher and its HTTP port
    webhookSecretsProvider,
    { provide: WEBHOOK_SENDER, useClass: FetchWebhookSender },
    PartnerWebhookCommands,
    WebhookDispatcher,
  ],
})
export class PartnerPortalModule {}
