import { IconChartPie } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { lazyPage } from '../../layout/lazy-page';

const AnalyticsCustomersPage = lazyPage(() => import('./customers.page'), 'AnalyticsCustomersPage');
const ClvPage = lazyPage(() => import('./clv.page'), 'ClvPage');
const KpisPage = lazyPage(() => import('./kpis.page'), 'KpisPage');
const RfmPage = lazyPage(() => import('./rfm.page'), 'RfmPage');

export const analyticsArea: Area = {
  key: 'analytics',
  label: 'nav.analytics',
  path: '/analytics',
  icon: IconChartPie,
  visible: (p) => p.kind === 'staff',
  links: [
    { label: 'analytics.nav.kpis', path: '/analytics' },
    { label: 'analytics.nav.rfm', path: '/analytics/rfm' },
    { label: 'analytics.nav.clv', path: '/analytics/clv' },
    { label: 'analytics.nav.customers', path: '/analytics/customers' },
  ],
  routes: [
    { path: 'analytics', element: <KpisPage /> },
    { path: 'analytics/rfm', element: <RfmPage /> },
    { path: 'analytics/clv', element: <ClvPage /> },
    { path: 'analytics/customers', element: <AnalyticsCustomersPage /> },
  ],
};
