import type { IntegrationEvent } from '@crm/bus';
import { formatPosition, type RecordedEvent } from '@crm/event-store';
import { visibilityOf } from '@crm/kernel';

/**
 * Turns a stored domain event into the integration event other services consume. The subject is the
 * customer the event is about (`data.customerId`), or for a lead's events (stream `lead-<id>`) the
 * lead (`data.leadId`, also on `LeadConverted`, so all of a lead's events share one key and keep
 * their order); other events are private to their service and return undefined (the relay does not
 * publish them: lead forms, assignment rules). The CRM's metadata fields become
 * the envelope's `actor` and `visibility` extensions; an event that states no visibility is published
 * with the company-wide reading, so the envelope keeps carrying the attribute (docs/events.md).
 */
export function toIntegrationEvent(event: RecordedEvent): IntegrationEvent | undefined {
  const subject = subjectOf(event);
  if (subject === undefined) return undefined;
  return {
    specversion: '1.0',
    id: event.id,
    source: `/crm/${streamCategory(event.streamId)}`,
    type: event.type,
    time: event.metadata.occurredAt,
    subject,
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

/** The key an event is published under: its lead for a lead's events, else its customer; undefined: not published. */
function subjectOf(event: RecordedEvent): string | undefined {
  const data = event.data as { customerId?: unknown; leadId?: unknown } | null;
  if (!data) return undefined;
  if (streamCategory(event.streamId) === 'lead' && typeof data.leadId === 'string' && data.leadId !== '') return data.leadId;
  return typeof data.customerId === 'string' && data.customerId !== '' ? data.customerId : undefined;
}

/** `opportunity-3f2…` → `opportunity`: streams are named `<category>-<id>`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}
