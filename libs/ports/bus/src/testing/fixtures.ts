import { randomUUID } from 'node:crypto';
import { IsInt, IsNotEmpty, IsString, Min } from 'class-validator';
import type { IntegrationEvent } from '../envelope';
import { IntegrationEventRegistry } from '../registry';

/** Payload of the conformance suite's test event, `crm.test.CustomerNoted` schema version 1. */
export class CustomerNotedV1 {
  @IsString() @IsNotEmpty() note!: string;
  @IsInt() @Min(0) seq!: number;
}

export const TEST_EVENT_TYPE = 'crm.test.CustomerNoted';

export interface CustomerNoted {
  note: string;
  seq: number;
}

/** A registry that knows only the test event. */
export function testRegistry(): IntegrationEventRegistry {
  return new IntegrationEventRegistry().register(TEST_EVENT_TYPE, 1, CustomerNotedV1);
}

/** A valid `CustomerNoted` integration event for `subject`. */
export function testIntegrationEvent(subject: string, seq = 0, note = `note ${seq}`): IntegrationEvent<typeof TEST_EVENT_TYPE, CustomerNoted> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/crm/test',
    type: TEST_EVENT_TYPE,
    time: new Date().toISOString(),
    subject,
    datacontenttype: 'application/json',
    schemaversion: 1,
    correlationid: randomUUID(),
    causationid: randomUUID(),
    actor: JSON.stringify({ type: 'staff', id: 'user-1', department: 'sales' }),
    visibility: JSON.stringify({ departments: '*', partners: [] }),
    data: { note, seq },
  };
}

/** The `seq` of a test event's payload, or undefined for anything else. */
export function seqOf(event: IntegrationEvent): number | undefined {
  const data = event.data;
  if (typeof data !== 'object' || data === null || !('seq' in data)) return undefined;
  return typeof data.seq === 'number' ? data.seq : undefined;
}

export function uniqueSubject(prefix = 'cust'): string {
  return `${prefix}-${randomUUID()}`;
}

export function uniqueGroup(prefix = 'conformance'): string {
  return `${prefix}.${randomUUID()}`;
}

// One bounded-wait helper for every suite.
export { waitFor } from '@crm/event-store/testing';

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
