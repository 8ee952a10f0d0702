import { parsePosition, type RecordedEvent } from '@crm/event-store';
import { toIntegrationEvent } from './integration-mapping';

// Lead distribution (issue 14 §4): the offers are on the lead's stream and keyed by the lead (one
// order per lead); a partner's routing profile is keyed by the partner — and no other event of the
// partner's stream without a customer is published (credentials carry secret hashes).
describe('lead distribution events → integration events', () => {
  const stored = (streamId: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: '0b9f2c1e-4a57-4d1b-9a55-1b1f6f1c2d3e',
    type,
    streamId,
    revision: 0n,
    position: parsePosition('12/11'),
    recordedAt: '2026-06-01T09:00:01.000Z',
    schemaVersion: 1,
    data,
    metadata: { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-06-01T09:00:00.000Z', actor: { type: 'system', id: 'lead-distribution' } },
  });

  it("keys a lead's offers by the lead and a routing profile by the partner; other partner events stay private", () => {
    expect(toIntegrationEvent(stored('lead-l1', 'LeadOfferedToPartner', { leadId: 'l1', partnerId: 'p1', offerId: 'o1' }))).toMatchObject({
      subject: 'l1',
      source: '/crm/lead',
    });
    expect(toIntegrationEvent(stored('partner-p1', 'PartnerRoutingProfileSet', { partnerId: 'p1', tier: 'gold' }))).toMatchObject({
      subject: 'p1',
      source: '/crm/partner',
    });
    expect(toIntegrationEvent(stored('partner-p1', 'PartnerCredentialIssued', { partnerId: 'p1', clientId: 'c', secretHash: 'h' }))).toBeUndefined();
    expect(toIntegrationEvent(stored('partner-p1', 'PartnerUserAdded', { partnerId: 'p1', userId: 'u1', name: 'sealed', email: 'sealed' }))).toBeUndefined();
  });

  it("publishes a partner's registration and deactivation keyed by the partner (the staff partner directory follows them)", () => {
    expect(toIntegrationEvent(stored('partner-p1', 'PartnerRegistered', { partnerId: 'p1', name: 'A', partnerKind: 'distributor' }))).toMatchObject({
      subject: 'p1',
      source: '/crm/partner',
    });
    expect(
      toIntegrationEvent(stored('partner-p1', 'PartnerDeactivated', { partnerId: 'p1', deactivatedAt: '2026-06-01T09:00:00.000Z', deactivatedBy: 'rudi' })),
    ).toMatchObject({
      subject: 'p1',
    });
  });
});
