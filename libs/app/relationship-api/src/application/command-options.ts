import type { ExpectedRevision } from '@crm/event-store';
import type { Clock, CrmEventMetadata, Visibility } from '@crm/kernel';
import { actorFromPrincipal, type Principal } from '@crm/service-kit';
import { correlationIdFor } from '@crm/telemetry';

/** What every command takes besides its own data. */
export interface CommandOptions {
  /** The revision the client saw (`If-Match`): a stale one is a 412 before any rule is judged. */
  expectedRevision?: ExpectedRevision;
  /** `x-correlation-id` of the request, recorded on every event it causes. */
  correlationId?: string;
}

export interface CommandResult {
  id: string;
  /** Stream revision after the command: the ETag for If-Match on the next change. */
  revision: bigint | undefined;
}

/** Application-layer settings shared by the aggregates' command modules. */
export interface CommandSettings {
  /** Where "now" comes from (`systemClock` in services; a `TestClock` in tests). */
  clock: Clock;
  /** Re-runs of a command that met a concurrent writer (never when the client sent If-Match). */
  retries?: number;
  /** Destroys the data subjects' keys (crypto-shredding); without it, erasure is refused. */
  erasure?: PersonalDataEraser;
}

/** The one write besides the store an erasure makes: destroying keys (`PersonalData.erase`). */
export interface PersonalDataEraser {
  erase(subjects: readonly string[]): Promise<number>;
}

/**
 * A department's events are visible to every partner the customer is shared with; a partner's own
 * only to that partner (and the company).
 */
export function visibilityFor(principal: Principal): Visibility {
  return principal.kind === 'partner' ? { departments: '*', partners: [principal.partnerId] } : { departments: '*', partners: 'shared' };
}

/** Who acted, when, in which request, and who may see it: recorded on every event. */
export function metadataFor(principal: Principal, clock: Clock, visibility: Visibility, correlationId?: string): Omit<CrmEventMetadata, 'causationId'> {
  return { correlationId: correlationIdFor(correlationId), actor: actorFromPrincipal(principal), occurredAt: clock.now().toISOString(), visibility };
}
