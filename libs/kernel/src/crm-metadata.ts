/**
 * What the CRM records with each event besides what the event store itself reads (correlation,
 * causation, occurred-at): who acted, and who may see it. The store keeps these fields as
 * application-defined metadata without reading them; the CRM's write side requires `actor`, and the
 * relay publishes both as CloudEvents extensions (docs/events.md). They live here, not in the store's
 * port, so the port stays usable by any application and both the contracts and the app layer can
 * name them.
 */

/** Who did it. Every CRM event records its actor so the history says who acted, not just what. */
export interface Actor {
  readonly type: 'staff' | 'partner-user' | 'customer' | 'system';
  readonly id: string;
  /** The department of a staff member (sales, service, marketing, ...). */
  readonly department?: string;
  /** The partner organisation a partner user acts for. */
  readonly partnerId?: string;
}

/**
 * Who may see an event. `departments: '*'` is the normal case inside the company (one shared
 * history). `partners: 'shared'` — every partner the customer is currently shared with (the
 * company's own episodes); a list — only those partners (a partner's own episodes).
 */
export interface Visibility {
  readonly departments: '*' | readonly string[];
  readonly partners: 'shared' | readonly string[];
}

/**
 * The reading of an event that states no visibility: the whole company, and every partner the
 * customer is shared with — what a department's command writes. Nothing reads visibility to filter
 * today (the partner portal scopes by the episode's owner and the customer's shares), so this only
 * decides what the relay publishes for such an event; the bus envelope always carries the attribute.
 */
export const COMPANY_WIDE_VISIBILITY: Visibility = Object.freeze({ departments: '*', partners: 'shared' });

/**
 * The metadata of an event the CRM writes: the store's fields plus the CRM's own. A type alias, not
 * an interface, so it is assignable to the store port's open `EventMetadata` (an interface would
 * lack the index signature).
 */
export type CrmEventMetadata = {
  readonly correlationId: string;
  readonly causationId: string;
  /** When it happened in the world (ISO-8601); distinct from when the store recorded it. */
  readonly occurredAt: string;
  readonly actor: Actor;
  /** Absent: `COMPANY_WIDE_VISIBILITY`. */
  readonly visibility?: Visibility;
  /**
   * W3C trace context of the work that appended it (the request's, or the HTTP server span's when
   * tracing is on): stamped by the platform's event store, published by the relay as the
   * CloudEvents distributed-tracing extension. Absent for events appended outside any request.
   */
  readonly traceparent?: string;
  readonly tracestate?: string;
};

/**
 * What is wrong with an event's metadata for the CRM, or undefined when nothing is. The store no
 * longer asks for an actor (it never reads one); the CRM does, so every write names who acted.
 */
export function crmMetadataProblem(metadata: unknown): string | undefined {
  const actor = isObject(metadata) ? metadata['actor'] : undefined;
  if (!isObject(actor) || typeof actor['id'] !== 'string' || actor['id'] === '') return 'metadata.actor is required';
  return undefined;
}

/** The visibility an event's metadata states, or the reading of one that states none. */
export function visibilityOf(metadata: { readonly [field: string]: unknown }): Visibility {
  return (metadata['visibility'] as Visibility | undefined) ?? COMPANY_WIDE_VISIBILITY;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
