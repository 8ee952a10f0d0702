import type { ComponentType } from 'react';
import type { RouteObject } from 'react-router';
import type { MessageKey } from '../i18n/t';
import type { Principal } from '../auth/session-store';

/**
 * One area of the console (customers, sales, service, …): its pages and its place in the navigation.
 * Each area lives in `pages/<area>/` and exports one `Area` from `area.tsx`; `app.tsx` lists them.
 */
export interface Area {
  key: string;
  label: MessageKey;
  /** First page of the area (the navigation's link). */
  path: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Whether this principal sees the area in the navigation (the APIs still decide what it may read). */
  visible(principal: Principal): boolean;
  /** Sub-links shown under the area's entry when it is open. */
  links?: { label: MessageKey; path: string; visible?(principal: Principal): boolean }[];
  routes: RouteObject[];
}
