import type { Provider } from '@nestjs/common';
import { crmRegistry } from '@crm/contracts';
import type { Clock } from '@crm/kernel';
import { withPersonalData } from '@crm/personal-data';
import type { Platform } from '@crm/platform';
import { contractCheckedStore, ServiceLevelCommands } from '@crm/relationship-api';
import { CLOCK, PLATFORM } from '@crm/service-kit';

/**
 * The service-level commands on the same write side as the relationship commands: through the
 * contract check (nothing a consumer could not apply is stored) and the personal-data seal.
 */
export const serviceLevelCommandsProvider: Provider = {
  provide: ServiceLevelCommands,
  inject: [PLATFORM, CLOCK],
  useFactory: (platform: Platform, clock: Clock) =>
    new ServiceLevelCommands(contractCheckedStore(withPersonalData(platform.eventStore, platform.personalData, platform.sql), crmRegistry()), {
      clock,
      retries: 2,
    }),
};
