import { parsePosition, type RecordedEvent } from '@crm/event-store';
import { toIntegrationEvent } from './integration-mapping';

// Service-level configuration has no customer but is published (a read model fed by Kafka computes
// the same due times as one following the store): the policy set by its id, a calendar by its id.
// The timer's notices are about a case: keyed by its customer.
describe('service-level events → integration events', () => {
  const stored = (streamId: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: '0b9f2c1e-4a57-4d1b-9a55-1b1f6f1c2d3e',
    type,
    streamId,
    revision: 0n,
    position: parsePosition('12/11'),
    recordedAt: '2026-03-01T09:00:01.000Z',
    schemaVersion: 1,
    data,
    metadata: { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-03-01T09:00:00.000Z', actor: { type: 'staff', id: 'mia' } },
  });

  it('policies by their set, a calendar by its id, a breach by its customer', () => {
    expect(toIntegrationEvent(stored('service-level-policies', 'ServiceLevelPoliciesSet', { policySetId: 'default', policies: [] }))).toMatchObject({
      subject: 'default',
    });
    expect(toIntegrationEvent(stored('businesscalendar-berlin', 'BusinessCalendarSet', { calendarId: 'berlin' }))).toMatchObject({
      subject: 'berlin',
      source: '/crm/businesscalendar',
    });
    expect(toIntegrationEvent(stored('caseservicelevel-e1', 'CaseSlaBreached', { episodeId: 'e1', customerId: 'c1' }))).toMatchObject({
      subject: 'c1',
      source: '/crm/caseservicelevel',
    });
    expect(toIntegrationEvent(stored('businesscalendar-berlin', 'BusinessCalendarSet', { name: 'no id' }))).toBeUndefined();
  });
});
