import { WRITE_STORE } from '@crm/relationship-api';

/**
 * The store the channels' own aggregates (calls, IVR menus, mail messages) write to: the relationship
 * commands' write store itself — contract-checked (`CallEnded` must satisfy its contract), personal
 * fields sealed with their subject's key — never the raw store.
 */
export const CHANNEL_STORE = Symbol('CHANNEL_STORE');

export const channelStoreProvider = { provide: CHANNEL_STORE, useExisting: WRITE_STORE };
