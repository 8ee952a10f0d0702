import type { Provider } from '@nestjs/common';
import type { EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { RepairJobCommands, WRITE_STORE } from '@crm/relationship-api';
import { CLOCK } from '@crm/service-kit';
import { PortalRepairProviderAccess } from './portal-repair-provider-access';

/**
 * The repair provider's commands on the relationship API's write store (contract-checked, personal
 * fields sealed on append and revealed on read), with the portal's credential check as their access.
 */
export const repairJobProviders: Provider[] = [
  PortalRepairProviderAccess,
  {
    provide: RepairJobCommands,
    inject: [WRITE_STORE, CLOCK, PortalRepairProviderAccess],
    useFactory: (store: EventStore, clock: Clock, access: PortalRepairProviderAccess) => new RepairJobCommands(store, access, { clock, retries: 2 }),
  },
];
