import { parsePosition, type RecordedEvent } from '@crm/event-store';
import { toIntegrationEvent } from './integration-mapping';

// Deal registration (issue 14 §3): a registration on a prospect has no customer, and one on a customer
// must keep its order with its own later events: every event of the stream is keyed by the registration.
describe('deal registration events → integration events', () => {
  const stored = (type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: '0b9f2c1e-4a57-4d1b-9a55-1b1f6f1c2d3e',
    type,
    streamId: 'dealregistration-r1',
    revision: 0n,
    position: parsePosition('12/11'),
    recordedAt: '2026-06-01T09:00:01.000Z',
    schemaVersion: 1,
    data,
    metadata: {
      correlationId: 'corr',
      causationId: 'cause',
      occurredAt: '2026-06-01T09:00:00.000Z',
      actor: { type: 'partner-user', id: 'p1.key', partnerId: 'p1' },
    },
  });

  it('keys a prospect’s and a customer’s registration by the registration, never by the customer', () => {
    expect(toIntegrationEvent(stored('DealRegistered', { registrationId: 'r1', leadId: 'l1', partnerId: 'p1' }))).toMatchObject({
      subject: 'r1',
      source: '/crm/dealregistration',
    });
    expect(toIntegrationEvent(stored('DealRegistrationApproved', { registrationId: 'r1', customerId: 'c1', partnerId: 'p1' }))).toMatchObject({
      subject: 'r1',
    });
    expect(toIntegrationEvent(stored('DealRegistrationExpired', { customerId: 'c1' }))).toBeUndefined();
  });
});
