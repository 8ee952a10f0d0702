import { InvalidAppendError, withCheckedAppends, type EventStore } from '@crm/event-store';
import { crmMetadataProblem } from '@crm/kernel';
import { traceFieldsForEvent } from '@crm/telemetry';

/**
 * The event store as the CRM writes to it: the configured adapter, plus the CRM's own rule on
 * metadata — every event names its actor (`crmMetadataProblem`, `@crm/kernel`). The store port asks
 * only for what it reads; the platform hands every service and tool this store, so the CRM's rule
 * holds whichever adapter runs. A batch that breaks it is refused the way the store refuses a bad
 * batch (`InvalidAppendError`), before anything is written.
 */
export function crmEventStore(store: EventStore): EventStore {
  const checked = withCheckedAppends(store, (event) => {
    const problem = crmMetadataProblem(event?.metadata);
    return problem ? new InvalidAppendError(`event ${event?.id}: ${problem}`) : undefined;
  });
  return { ...checked, appendToStream: (streamId, events, options) => checked.appendToStream(streamId, withTraceContext(events), options) };
}

/**
 * Every event appended inside a request (or a handled event) records its trace context
 * (`traceparent`/`tracestate`, see `traceFieldsForEvent`), so the relay can continue the trace on
 * the bus: in one place, whichever command appends. A writer that set them itself keeps its own.
 */
function withTraceContext<E extends { readonly metadata: object } | null | undefined>(events: readonly E[]): readonly E[] {
  const trace = traceFieldsForEvent();
  if (!trace.traceparent || !Array.isArray(events)) return events;
  return events.map((event) =>
    event && typeof event.metadata === 'object' && event.metadata !== null && !('traceparent' in event.metadata)
      ? { ...event, metadata: { ...event.metadata, ...trace } }
      : event,
  );
}
