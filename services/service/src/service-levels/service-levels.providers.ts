import type { Provider } from '@nestjs/common';
import type { EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { ServiceLevelCommands, WRITE_STORE } from '@crm/relationship-api';
import { CLOCK } from '@crm/service-kit';

/**
 * The service-level commands on the same write side as the relationship commands (their write
 * store): through the contract check (nothing a consumer could not apply is stored) and the
 * personal-data seal.
 */
export const serviceLevelCommandsProvider: Provider = {
  provide: ServiceLevelCommands,
  inject: [WRITE_STORE, CLOCK],
  useFactory: (store: EventStore, clock: Clock) => new ServiceLevelCommands(store, { clock, retries: 2 }),
};
