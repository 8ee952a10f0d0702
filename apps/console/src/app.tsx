import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from 'react-router';
import { OidcCallbackPage, SignInPage } from './auth/sign-in.page';
import { OIDC_CALLBACK_PATH } from './auth/oidc';
import { useSession } from './auth/use-session';
import type { Area } from './layout/area';
import { NotFoundPage, Shell } from './layout/shell';
import { HomePage } from './pages/home.page';
import { analyticsArea } from './pages/analytics/area';
import { customersArea } from './pages/customers/area';
import { marketingArea } from './pages/marketing/area';
import { partnersArea } from './pages/partners/area';
import { salesArea } from './pages/sales/area';
import { serviceArea } from './pages/service/area';
import { LiveTimelinePage } from './live/live-timeline.page';

/** The console's areas, in navigation order. */
export const AREAS: Area[] = [customersArea, salesArea, serviceArea, marketingArea, analyticsArea, partnersArea];

/** Signed in: the shell and the pages. Not signed in: every address shows the sign-in page (and comes back after). */
function Guarded() {
  const s = useSession();
  return s ? <Shell areas={AREAS} /> : <SignInPage />;
}

const routes: RouteObject[] = [
  { path: OIDC_CALLBACK_PATH, element: <OidcCallbackPage /> },
  { path: '/sign-in', element: <Navigate to="/" replace /> },
  {
    path: '/',
    element: <Guarded />,
    children: [
      { index: true, element: <HomePage areas={AREAS} /> },
      ...AREAS.flatMap((a) => a.routes),
      { path: 'live/customers/:id', element: <LiveTimelinePage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export function App() {
  return <RouterProvider router={router} />;
}
