import type { IntegrationEvent } from '@crm/bus';
import { formatPosition, type RecordedEvent } from '@crm/event-store';
import { visibilityOf } from '@crm/kernel';

/**
 * Turns a stored domain event into the integration event other services consume. The subject is the
 * customer the event is about (`data.customerId`), or for a lead's events (stream `lead-<id>`) the
 * lead (`data.leadId`, also on `LeadConverted`, so all of a lead's events share one key and keep
 * their order); other events are private to their service and return undefined (the relay does not
 * publish them: lead forms, assignment rules, the quote approval policy); a product's or a price
 * book's events have the product or the book as subject, the exchange rates their reporting currency. The CRM's metadata fields become
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
    ...traceExtension(event.metadata),
    data: event.data,
  };
}

/** The CloudEvents distributed-tracing extension from the event's metadata, when it carries a trace context. */
function traceExtension(metadata: RecordedEvent['metadata']): { traceparent?: string; tracestate?: string } {
  const { traceparent, tracestate } = metadata;
  if (typeof traceparent !== 'string') return {};
  return { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) };
}

/** Stream categories without a customer (the product catalogue, the contact centre's agents), and the field of their events that is the subject. */
const CATALOGUE_SUBJECTS: Readonly<Record<string, string>> = {
  product: 'productId',
  pricebook: 'priceBookId',
  agent: 'agentId',
  // service levels (issue 12 §4): a business calendar's events are keyed by the calendar
  businesscalendar: 'calendarId',
  // event-based marketing (issue 13 §4): a trigger rule's events are keyed by the rule
  triggerrule: 'ruleId',
  // segments (issue 13 §2): a segment's definition, revisions and archiving are keyed by the segment
  segment: 'segmentId',
  // campaigns (issue 13 §3, §5): a campaign's own events carry no customer, keyed by the campaign
  campaign: 'campaignId',
  // the e-mail suppression list (issue 13 §3): an address's events are keyed by its key (never the address)
  emailsuppression: 'addressKey',
  // deal registration (issue 14 §3): keyed by the registration (a prospect's has no customer)
  dealregistration: 'registrationId',
  // partner webhooks (issue 14 §5): a subscription's events are keyed by the subscription (they carry no secret)
  partnerwebhook: 'subscriptionId',
};

/**
 * Whole streams without a customer that are published anyway, and the field of their events that is
 * the subject: the reporting exchange rates (one stream, every reporting currency) are keyed by their
 * reporting currency, so each reporting currency's rates keep their order (they never depend on
 * another's). Analytics converts the purchase history with them (issue 11 §1).
 */
const STREAM_SUBJECTS: Readonly<Record<string, string>> = {
  'sales-exchange-rates': 'reportingCurrency',
  // service levels (issue 12 §4): the one set of policies and escalation rules, keyed by its id (`default`)
  'service-level-policies': 'policySetId',
};

/**
 * Single event types of a stream that is otherwise private, published keyed by a field of their own:
 * a partner's routing profile (issue 14 §4) is keyed by the partner, so its profiles keep their order.
 * Only these types: the partner's other events without a customer (its people, credentials with their
 * secret hashes) stay unpublished.
 */
const EVENT_SUBJECTS: Readonly<Record<string, string>> = {
  PartnerRoutingProfileSet: 'partnerId',
  // the staff partner directory (issue 16) follows a partner's registration and its end
  PartnerRegistered: 'partnerId',
  PartnerDeactivated: 'partnerId',
};

/** The key an event is published under: its lead for a lead's events, else its customer; undefined: not published. */
function subjectOf(event: RecordedEvent): string | undefined {
  const data = event.data as { customerId?: unknown; leadId?: unknown } | null;
  if (!data) return undefined;
  const streamKey = STREAM_SUBJECTS[event.streamId];
  if (streamKey) {
    const key = (data as Record<string, unknown>)[streamKey];
    return typeof key === 'string' && key !== '' ? key : undefined;
  }
  if (streamCategory(event.streamId) === 'lead' && typeof data.leadId === 'string' && data.leadId !== '') return data.leadId;
  const eventKey = EVENT_SUBJECTS[event.type];
  if (eventKey) {
    const key = (data as Record<string, unknown>)[eventKey];
    return typeof key === 'string' && key !== '' ? key : undefined;
  }
  // The catalogue's events carry no customer: a product's are keyed by the product, a price book's by the book.
  const catalogueKey = CATALOGUE_SUBJECTS[streamCategory(event.streamId)];
  if (catalogueKey) {
    const key = (data as Record<string, unknown>)[catalogueKey];
    return typeof key === 'string' && key !== '' ? key : undefined;
  }
  if (typeof data.customerId === 'string' && data.customerId !== '') return data.customerId;
  // A call from a number no customer holds is still a call the contact centre measures: keyed by the call.
  const callId = (data as { callId?: unknown }).callId;
  if (streamCategory(event.streamId) === 'call' && typeof callId === 'string' && callId !== '') return callId;
  return undefined;
}

/** `opportunity-3f2…` → `opportunity`: streams are named `<category>-<id>`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}
