import { parsePosition, type RecordedEvent } from '@crm/event-store';
import { toIntegrationEvent } from './integration-mapping';

// Event-based marketing (issue 13 §4): a trigger rule has no customer but is published (marketing's
// trigger timers, fed by Kafka, must know the rules), keyed by the rule; a firing is about a customer.
describe('trigger events → integration events', () => {
  const stored = (streamId: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: '0b9f2c1e-4a57-4d1b-9a55-1b1f6f1c2d3e',
    type,
    streamId,
    revision: 0n,
    position: parsePosition('12/11'),
    recordedAt: '2026-03-01T09:00:01.000Z',
    schemaVersion: 1,
    data,
    metadata: { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-03-01T09:00:00.000Z', actor: { type: 'staff', id: 'mira' } },
  });

  it('a rule by its id, a firing by its customer', () => {
    expect(toIntegrationEvent(stored('triggerrule-r1', 'TriggerRuleDefined', { ruleId: 'r1', name: 'x' }))).toMatchObject({
      subject: 'r1',
      source: '/crm/triggerrule',
    });
    expect(toIntegrationEvent(stored('triggerfirings-c1', 'MarketingTriggerFired', { ruleId: 'r1', customerId: 'c1' }))).toMatchObject({
      subject: 'c1',
      source: '/crm/triggerfirings',
    });
    expect(toIntegrationEvent(stored('triggerrule-r1', 'TriggerRuleDisabled', { name: 'no id' }))).toBeUndefined();
  });

  it("a firing's offer (its own stream, campaigntrigger-<firingId>) by its customer, in order with the customer's other events", () => {
    const data = { campaignId: 'k1', customerId: 'c1', firingId: 'f1', ruleId: 'r1' };
    expect(toIntegrationEvent(stored('campaigntrigger-f1', 'CampaignRecipientTriggered', data))).toMatchObject({
      subject: 'c1',
      source: '/crm/campaigntrigger',
    });
    expect(toIntegrationEvent(stored('campaigntrigger-f1', 'CampaignTriggerSkipped', data))).toMatchObject({ subject: 'c1' });
  });

  it("the e-mail suppression list (issue 13 §3) by the address's key, even when the event names a customer: an address's events keep their order", () => {
    const key = 'ab'.repeat(32);
    const suppressed = { addressKey: key, reason: 'hard-bounce', customerId: 'c1', by: 'campaign-dispatcher', at: '2026-03-01T09:00:00.000Z' };
    expect(toIntegrationEvent(stored(`emailsuppression-${key}`, 'EmailAddressSuppressed', suppressed))).toMatchObject({
      subject: key,
      source: '/crm/emailsuppression',
    });
    expect(toIntegrationEvent(stored(`emailsuppression-${key}`, 'EmailAddressUnsuppressed', { addressKey: key, by: 'mira', reason: 'fixed' }))).toMatchObject({
      subject: key,
    });
  });
});
