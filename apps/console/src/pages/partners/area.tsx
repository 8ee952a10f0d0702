import { IconBuildingWarehouse } from '@tabler/icons-react';
import { Navigate } from 'react-router';
import type { Area } from '../../layout/area';
import type { Principal } from '../../auth/session-store';
import { hasRole, isStaff, usePrincipal } from '../../auth/use-session';
import { lazyPage } from '../../layout/lazy-page';

const PartnerAdminPage = lazyPage(() => import('./admin.page'), 'PartnerAdminPage');
const PartnersAdminPage = lazyPage(() => import('./admin.page'), 'PartnersAdminPage');
const PartnerCustomerPage = lazyPage(() => import('./customers.page'), 'PartnerCustomerPage');
const PartnerCustomersPage = lazyPage(() => import('./customers.page'), 'PartnerCustomersPage');
const DealReviewPage = lazyPage(() => import('./deals.page'), 'DealReviewPage');
const PartnerDealsPage = lazyPage(() => import('./deals.page'), 'PartnerDealsPage');
const PartnerLeadsPage = lazyPage(() => import('./leads.page'), 'PartnerLeadsPage');
const PartnerWebhooksPage = lazyPage(() => import('./webhooks.page'), 'PartnerWebhooksPage');
const WebhookDeliveriesPage = lazyPage(() => import('./webhooks.page'), 'WebhookDeliveriesPage');

const isPartner = (p: Principal) => p.kind === 'partner';
/** Partner administration is for channel managers and administrators of sales or management (the API checks it too). */
const isChannelManager = (p: Principal) => isStaff(p, 'sales', 'management') && hasRole(p, 'channel-manager', 'admin');

/** `/partners`: a partner starts at its shared customers; staff at the partner companies. */
function PartnersStart() {
  const principal = usePrincipal();
  return isPartner(principal) ? <Navigate to="/partners/customers" replace /> : <PartnersAdminPage />;
}

/** The partner's own pages (a partner principal) and staff's partner administration. */
export const partnersArea: Area = {
  key: 'partners',
  label: 'nav.partners',
  path: '/partners',
  icon: IconBuildingWarehouse,
  visible: (p) => isPartner(p) || isChannelManager(p),
  links: [
    { label: 'partners.nav.customers', path: '/partners/customers', visible: isPartner },
    { label: 'partners.nav.deals', path: '/partners/deals', visible: isPartner },
    { label: 'partners.nav.leads', path: '/partners/leads', visible: isPartner },
    { label: 'partners.nav.webhooks', path: '/partners/webhooks', visible: isPartner },
    { label: 'partners.nav.admin', path: '/partners', visible: isChannelManager },
    { label: 'partners.nav.review', path: '/partners/review', visible: isChannelManager },
  ],
  routes: [
    { path: 'partners', element: <PartnersStart /> },
    { path: 'partners/customers', element: <PartnerCustomersPage /> },
    { path: 'partners/customers/:id', element: <PartnerCustomerPage /> },
    { path: 'partners/deals', element: <PartnerDealsPage /> },
    { path: 'partners/leads', element: <PartnerLeadsPage /> },
    { path: 'partners/webhooks', element: <PartnerWebhooksPage /> },
    { path: 'partners/webhooks/:id', element: <WebhookDeliveriesPage /> },
    { path: 'partners/review', element: <DealReviewPage /> },
    { path: 'partners/manage/:partnerId', element: <PartnerAdminPage /> },
  ],
};
