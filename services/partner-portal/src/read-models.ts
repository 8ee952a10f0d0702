// The read models of partner-portal, declared once: partner-portal.module.ts runs them, and the rebuild and re-drive
// CLIs load this file (npm run rebuild-read-model -- --service partner-portal).
import { serviceReadModels } from '@crm/relationship-api';
// The versioned migrations of the schema (npm run generate-read-model-migration -- --service partner-portal).
import { migrations as schemaMigrations } from './migrations';
import { dealRegistrationsProjection } from './deal-registration/deal-registrations.projection';
import { leadOffersProjection } from './leads/lead-offers.projection';
import { partnerDirectoryProjection } from './partners/partner-directory.projection';
import { repairJobsProjection } from './repairs/repair-jobs.projection';
import { sellThroughProjection } from './sell-through/sell-through.projection';
import { shareRequestsProjection } from './shares/share-requests.projection';
import { partnerWebhooksProjection } from './webhooks/partner-webhooks.projection';

/** The shared relationship read models, and the portal's own. */
export const partnerPortalReadModels = serviceReadModels(
  'partner-portal',
  [
    // the repair providers' jobs (`GET /repairs`; issue 12 §5)
    repairJobsProjection(),
    // the sales each distributor or reseller reported (`GET /sell-through`; issue 14 §6)
    sellThroughProjection(),
    // the partners' share requests (`GET /share-requests`; issue 14 §2)
    shareRequestsProjection(),
    // partners' deal registrations (`/deal-registrations`; issue 14 §3)
    dealRegistrationsProjection(),
    // lead distribution: partners' routing profiles and every offer (`/leads`, `/lead-distribution`; issue 14 §4)
    leadOffersProjection(),
    // partner webhooks: subscriptions, share changes and the partner-scoped delivery queue (`/webhooks`; issue 14 §5)
    partnerWebhooksProjection(),
    // the staff directory of partner companies (`GET /partners`; issue 16)
    partnerDirectoryProjection(),
  ],
  schemaMigrations,
);
export const { readModels, registry, migrations } = partnerPortalReadModels;
