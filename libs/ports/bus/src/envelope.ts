import type { Actor, Visibility } from '@crm/kernel';

/**
 * An integration event as it travels on the bus: a CloudEvents 1.0 envelope (structured JSON mode)
 * whose `subject` is the customer id — the partition key, so one customer's events stay in order.
 * Extension attribute values are strings or integers, as CloudEvents requires; actor and visibility
 * are JSON text in their extensions (read them with `envelopeActor` / `envelopeVisibility`).
 *
 * Generic in `type` and `data` so that a union of events (a contract's, e.g. `CrmIntegrationEvent`
 * in `@crm/contracts`) narrows `data` when code checks `type`; the defaults keep the envelope
 * untyped where the code handles any event (the bus, the relay, the runner).
 */
export interface IntegrationEvent<Type extends string = string, Data = unknown> {
  readonly specversion: '1.0';
  /** The event id in the event store: consumers deduplicate on it. */
  readonly id: string;
  /** The producing service, e.g. `/crm/sales`. */
  readonly source: string;
  readonly type: Type;
  /** When it happened (the event's occurred-at). */
  readonly time: string;
  /** The customer id. */
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  readonly schemaversion: number;
  readonly correlationid: string;
  readonly causationid: string;
  /** JSON of the CRM's `Actor` (`@crm/kernel`): who acted. */
  readonly actor: string;
  /**
   * JSON of the CRM's `Visibility` (`@crm/kernel`). Always present: for an event whose metadata
   * states none the relay writes the company-wide reading (`COMPANY_WIDE_VISIBILITY`).
   */
  readonly visibility: string;
  /** Global position in the event store ("commit/prepare"), when the relay published it. */
  readonly position?: string;
  /** When the event store recorded it (ISO-8601); `asOf` queries read by it. */
  readonly recordedat?: string;
  /** Stream and revision in the event store. */
  readonly streamid?: string;
  /**
   * CloudEvents distributed-tracing extension: the W3C trace context of the publish (its parent is
   * the trace the event was appended in). Optional; a consumer ignores a malformed one.
   */
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly data: Data;
}

export function envelopeActor(event: IntegrationEvent): Actor {
  return JSON.parse(event.actor) as Actor;
}

export function envelopeVisibility(event: IntegrationEvent): Visibility {
  return JSON.parse(event.visibility) as Visibility;
}

export function serializeEnvelope(event: IntegrationEvent): string {
  return JSON.stringify(event);
}
