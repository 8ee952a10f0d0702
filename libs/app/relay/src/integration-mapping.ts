import type { IntegrationEvent } from '@crm/bus';
import { formatPosition, type RecordedEvent } from '@crm/event-store';
import { visibilityOf } from '@crm/kernel';

/**
 * Turns a stored domain event into the integration event other services consume. The subject is the
 * customer the event is about (`data.customerId`); events about no customer are private to their
 * service and return undefined (the relay does not publish them). The CRM's metadata fields become
 * the envelope's `actor` and `visibility` extensions; an event that states no visibility is published
 * with the company-wide reading, so the envelope keeps carrying the attribute (docs/events.md).
 */
export function toIntegrationEvent(event: RecordedEvent): IntegrationEvent | undefined {
  const data = event.data as { customerId?: unknown } | null;
  if (!data || typeof data.customerId !== 'string' || data.customerId === '') return undefined;
  return {
    specversion: '1.0',
    id: event.id,
    source: `/crm/${streamCategory(event.streamId)}`,
    type: event.type,
    time: event.metadata.occurredAt,
    subject: data.customerId,
    datacontenttype: 'application/json',
    schemaversion: event.schemaVersion,
    correlationid: event.metadata.correlationId,
    causationid: event.metadata.causationId,
    actor: JSON.stringify(event.metadata.actor),
    visibility: JSON.stringify(visibilityOf(event.metadata)),
    position: formatPosition(event.position),
    streamid: event.streamId,
    recordedat: event.recordedAt,
    data: event.data,
  };
}

/** `opportunity-3f2…` → `opportunity`: streams are named `<category>-<id>`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}
