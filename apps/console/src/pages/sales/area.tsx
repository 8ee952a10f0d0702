import { IconChartArrowsVertical } from '@tabler/icons-react';
import { Navigate } from 'react-router';
import type { Area } from '../../layout/area';
import { lazyPage } from '../../layout/lazy-page';

const ActivitiesPage = lazyPage(() => import('./activities.page'), 'ActivitiesPage');
const ForecastPage = lazyPage(() => import('./forecast.page'), 'ForecastPage');
const OpportunityPage = lazyPage(() => import('./opportunity.page'), 'OpportunityPage');
const PipelineBoardPage = lazyPage(() => import('./pipeline-board.page'), 'PipelineBoardPage');
const QuotePage = lazyPage(() => import('./quote.page'), 'QuotePage');

export const salesArea: Area = {
  key: 'sales',
  label: 'nav.sales',
  path: '/sales',
  icon: IconChartArrowsVertical,
  visible: (p) => p.kind === 'staff' && ['sales', 'management'].includes(p.department),
  links: [
    { label: 'sales.nav.pipeline', path: '/sales/pipeline' },
    { label: 'sales.nav.activities', path: '/sales/activities' },
    { label: 'sales.nav.quotes', path: '/sales/quotes/new' },
    { label: 'sales.nav.forecast', path: '/sales/forecast' },
  ],
  routes: [
    { path: 'sales', element: <Navigate to="/sales/pipeline" replace /> },
    { path: 'sales/pipeline', element: <PipelineBoardPage /> },
    { path: 'sales/opportunities/:id', element: <OpportunityPage /> },
    { path: 'sales/activities', element: <ActivitiesPage /> },
    { path: 'sales/quotes/new', element: <QuotePage key="new" /> },
    { path: 'sales/quotes/:id', element: <QuotePage /> },
    { path: 'sales/forecast', element: <ForecastPage /> },
  ],
};
