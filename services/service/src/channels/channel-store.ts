import { crmRegistry } from '@crm/contracts';
import type { EventStore } from '@crm/event-store';
import { withPersonalData } from '@crm/personal-data';
import type { Platform } from '@crm/platform';
import { contractCheckedStore } from '@crm/relationship-api';
import { PLATFORM } from '@crm/service-kit';

/**
 * The store the channels' own aggregates (calls, IVR menus, mail messages) write to: the same
 * write path as the relationship commands' — contract-checked (`CallEnded` must satisfy its
 * contract), personal fields sealed with their subject's key — never the raw store.
 */
export const CHANNEL_STORE = Symbol('CHANNEL_STORE');

export const channelStoreProvider = {
  provide: CHANNEL_STORE,
  inject: [PLATFORM],
  useFactory: (platform: Platform): EventStore =>
    contractCheckedStore(withPersonalData(platform.eventStore, platform.personalData, platform.sql), crmRegistry()),
};
