import { IconHeadset } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { Navigate } from 'react-router';
import { lazyPage } from '../../layout/lazy-page';

const CasePage = lazyPage(() => import('./case.page'), 'CasePage');
const DashboardPage = lazyPage(() => import('./dashboard.page'), 'DashboardPage');
const QueuePage = lazyPage(() => import('./queue.page'), 'QueuePage');
const ReturnPage = lazyPage(() => import('./return.page'), 'ReturnPage');
const ReturnsPage = lazyPage(() => import('./returns.page'), 'ReturnsPage');

export const serviceArea: Area = {
  key: 'service',
  label: 'nav.service',
  path: '/service',
  icon: IconHeadset,
  visible: (p) => p.kind === 'staff' && ['service', 'management'].includes(p.department),
  links: [
    { label: 'service.nav.myQueue', path: '/service/my-queue' },
    { label: 'service.nav.teamQueue', path: '/service/queue' },
    { label: 'service.nav.returns', path: '/service/returns' },
    { label: 'service.nav.dashboard', path: '/service/dashboard' },
  ],
  routes: [
    { path: 'service', element: <Navigate to="/service/my-queue" replace /> },
    { path: 'service/my-queue', element: <QueuePage key="mine" mine /> },
    { path: 'service/queue', element: <QueuePage key="team" mine={false} /> },
    { path: 'service/cases/:id', element: <CasePage /> },
    { path: 'service/returns', element: <ReturnsPage /> },
    { path: 'service/returns/:id', element: <ReturnPage /> },
    { path: 'service/dashboard', element: <DashboardPage /> },
  ],
};
