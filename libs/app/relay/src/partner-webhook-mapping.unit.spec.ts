import { parsePosition, type RecordedEvent } from '@crm/event-store';
import { toIntegrationEvent } from './integration-mapping';

// Partner webhooks (issue 14 §5): a subscription's events carry no customer and are keyed by the
// subscription, so its changes keep their order.
describe('partner webhook events → integration events', () => {
  const stored = (type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: '5c2d7e1a-3b4f-4c6d-8e9f-0a1b2c3d4e5f',
    type,
    streamId: 'partnerwebhook-s1',
    revision: 0n,
    position: parsePosition('14/13'),
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

  it('keys every event of a subscription by the subscription', () => {
    expect(
      toIntegrationEvent(
        stored('PartnerWebhookSubscribed', { subscriptionId: 's1', partnerId: 'p1', url: 'https://x.example', eventTypes: ['EpisodeOpened'] }),
      ),
    ).toMatchObject({ subject: 's1', source: '/crm/partnerwebhook' });
    expect(toIntegrationEvent(stored('PartnerWebhookSecretRotated', { subscriptionId: 's1', partnerId: 'p1', secretVersion: 2 }))).toMatchObject({
      subject: 's1',
    });
    expect(toIntegrationEvent(stored('PartnerWebhookUnsubscribed', { partnerId: 'p1' }))).toBeUndefined();
  });
});
