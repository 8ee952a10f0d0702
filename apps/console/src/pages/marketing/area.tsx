import { IconSpeakerphone } from '@tabler/icons-react';
import type { Area } from '../../layout/area';
import { lazyPage } from '../../layout/lazy-page';

const CampaignPage = lazyPage(() => import('./campaign.page'), 'CampaignPage');
const NewCampaignPage = lazyPage(() => import('./campaign-new.page'), 'NewCampaignPage');
const CampaignsPage = lazyPage(() => import('./campaigns.page'), 'CampaignsPage');
const ConsentPage = lazyPage(() => import('./consent.page'), 'ConsentPage');
const ConsentSearchPage = lazyPage(() => import('./consent.page'), 'ConsentSearchPage');
const NewSegmentPage = lazyPage(() => import('./segment-builder.page'), 'NewSegmentPage');
const SegmentPage = lazyPage(() => import('./segment-builder.page'), 'SegmentPage');
const SegmentsPage = lazyPage(() => import('./segments.page'), 'SegmentsPage');

export const marketingArea: Area = {
  key: 'marketing',
  label: 'nav.marketing',
  path: '/marketing/segments',
  icon: IconSpeakerphone,
  visible: (p) => p.kind === 'staff' && ['marketing', 'management'].includes(p.department),
  links: [
    { label: 'marketing.nav.segments', path: '/marketing/segments' },
    { label: 'marketing.nav.newSegment', path: '/marketing/segments/new' },
    { label: 'marketing.nav.campaigns', path: '/marketing/campaigns' },
    { label: 'marketing.nav.newCampaign', path: '/marketing/campaigns/new' },
    { label: 'marketing.nav.consent', path: '/marketing/consent' },
  ],
  routes: [
    { path: 'marketing', element: <SegmentsPage /> },
    { path: 'marketing/segments', element: <SegmentsPage /> },
    { path: 'marketing/segments/new', element: <NewSegmentPage /> },
    { path: 'marketing/segments/:id', element: <SegmentPage /> },
    { path: 'marketing/campaigns', element: <CampaignsPage /> },
    { path: 'marketing/campaigns/new', element: <NewCampaignPage /> },
    { path: 'marketing/campaigns/:id', element: <CampaignPage /> },
    { path: 'marketing/consent', element: <ConsentSearchPage /> },
    { path: 'marketing/consent/:customerId', element: <ConsentPage /> },
  ],
};
