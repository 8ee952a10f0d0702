import { InvalidAppendError } from './errors';
import type { NewEvent } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks shared by every adapter, so a bad batch fails the same way whatever the store. Metadata is
 * checked only for what the store and its followers read (`EventMetadata`); the application's own
 * fields are its business (the CRM checks its actor where it writes, `crmMetadataProblem`).
 */
export function validateNewEvents(streamId: string, events: readonly NewEvent[]): void {
  if (!streamId || streamId.length > 200) throw new InvalidAppendError('streamId must be 1..200 characters');
  if (streamId.startsWith('$')) throw new InvalidAppendError('streamId must not start with "$" (reserved for system streams)');
  if (events.length === 0) throw new InvalidAppendError('append needs at least one event');
  const seen = new Set<string>();
  for (const e of events) {
    if (!UUID.test(e.id)) throw new InvalidAppendError(`event id "${e.id}" is not a UUID`);
    if (seen.has(e.id.toLowerCase())) throw new InvalidAppendError(`event id ${e.id} appears twice in one batch`);
    seen.add(e.id.toLowerCase());
    if (!e.type) throw new InvalidAppendError('event type is required');
    if (typeof e.metadata !== 'object' || e.metadata === null || Array.isArray(e.metadata))
      throw new InvalidAppendError(`event ${e.id}: metadata must be an object`);
    if (!e.metadata.correlationId || !e.metadata.causationId) throw new InvalidAppendError(`event ${e.id}: correlationId and causationId are required`);
    if (Number.isNaN(Date.parse(e.metadata.occurredAt))) throw new InvalidAppendError(`event ${e.id}: metadata.occurredAt is not an ISO-8601 instant`);
  }
}
