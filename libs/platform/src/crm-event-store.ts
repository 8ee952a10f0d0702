import { InvalidAppendError, withCheckedAppends, type EventStore } from '@crm/event-store';
import { crmMetadataProblem } from '@crm/kernel';

/**
 * The event store as the CRM writes to it: the configured adapter, plus the CRM's own rule on
 * metadata — every event names its actor (`crmMetadataProblem`, `@crm/kernel`). The store port asks
 * only for what it reads; the platform hands every service and tool this store, so the CRM's rule
 * holds whichever adapter runs. A batch that breaks it is refused the way the store refuses a bad
 * batch (`InvalidAppendError`), before anything is written.
 */
export function crmEventStore(store: EventStore): EventStore {
  return withCheckedAppends(store, (event) => {
    const problem = crmMetadataProblem(event?.metadata);
    return problem ? new InvalidAppendError(`event ${event?.id}: ${problem}`) : undefined;
  });
}
