import type { IntegrationEventRegistry } from '@crm/bus';
import { withCheckedAppends, type EventStore } from '@crm/event-store';

/** An event a command produced breaks its published contract: nothing was appended. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
  constructor(
    readonly eventType: string,
    /** Paths into the event's payload, with what is wrong there. */
    readonly problems: readonly { path: string; message: string }[],
  ) {
    super(`the change would record a ${eventType} that breaks its contract: ${problems.map((p) => `${p.path}: ${p.message}`).join(', ')}`);
  }
}

/**
 * The write side accepts exactly what the contracts accept: every event about to be appended whose
 * type is a published integration event is checked against its contract (the same registry the
 * relay and every consumer use) first, so an event no consumer could apply is never stored. The
 * services answer a violation with 400 naming the fields (request fields share the payload's names).
 */
export function contractCheckedStore(store: EventStore, registry: IntegrationEventRegistry): EventStore {
  return withCheckedAppends(store, (event) => {
    const problems = registry.payloadProblems(event.type, event.schemaVersion ?? 1, event.data);
    return problems?.length ? new ContractViolationError(event.type, problems) : undefined;
  });
}
