import { IconUsers } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { lazyPage } from '../../layout/lazy-page';

const CustomerRoute = lazyPage(() => import('./customer.page'), 'CustomerRoute');
const CustomersListPage = lazyPage(() => import('./customers-list.page'), 'CustomersListPage');
const DuplicatesPage = lazyPage(() => import('./duplicates.page'), 'DuplicatesPage');

export const customersArea: Area = {
  key: 'customers',
  label: 'nav.customers',
  path: '/customers',
  icon: IconUsers,
  visible: (p) => p.kind === 'staff',
  links: [
    { label: 'customers.list.title', path: '/customers' },
    { label: 'customers.duplicates.title', path: '/customers/duplicates' },
  ],
  routes: [
    { path: 'customers', element: <CustomersListPage /> },
    // declared before ':id', which would otherwise take "duplicates" for an id
    { path: 'customers/duplicates', element: <DuplicatesPage /> },
    { path: 'customers/:id', element: <CustomerRoute /> },
  ],
};
