import { DeciderSpecification } from '@crm/kernel/testing';
import { TestClock } from '@crm/kernel';
import { partnerWebhookDecider, type PartnerWebhookEvent } from './partner-webhook';

const given = DeciderSpecification.for(partnerWebhookDecider);

describe('partner webhook decide', () => {
  // Every instant comes from a controllable clock: no wall-clock thresholds.
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const now = clock.now().toISOString();
  const who = { subscriptionId: 's1', partnerId: 'p1' };
  const subscribed: PartnerWebhookEvent = {
    type: 'PartnerWebhookSubscribed',
    data: {
      ...who,
      url: 'https://hooks.example.com/crm',
      eventTypes: ['EpisodeOpened', 'InteractionRecorded'],
      secretVersion: 1,
      subscribedAt: now,
      subscribedBy: 'p1.key',
    },
  };

  it('subscribes with the event types de-duplicated and sorted, at secret version 1 (no secret in the event)', () => {
    given([])
      .when({
        type: 'SubscribePartnerWebhook',
        data: { ...who, url: 'https://hooks.example.com/crm', eventTypes: ['InteractionRecorded', 'EpisodeOpened', 'InteractionRecorded'], by: 'p1.key' },
        now,
      })
      .then([subscribed]);
  });

  it('refuses no event type, an event type a partner may not see, and an id already used', () => {
    given([])
      .when({ type: 'SubscribePartnerWebhook', data: { ...who, url: 'https://x.example', eventTypes: [], by: 'p1.key' }, now })
      .thenBreaks('no-event-types');
    given([])
      .when({ type: 'SubscribePartnerWebhook', data: { ...who, url: 'https://x.example', eventTypes: ['CustomerRegistered'], by: 'p1.key' }, now })
      .thenBreaks('unknown-event-type');
    given([subscribed])
      .when({ type: 'SubscribePartnerWebhook', data: { ...who, url: 'https://x.example', eventTypes: ['EpisodeOpened'], by: 'p1.key' }, now })
      .thenBreaks('subscription-exists');
  });

  it('changes the URL or the types; the same values again change nothing', () => {
    given([subscribed])
      .when({ type: 'ChangePartnerWebhook', data: { url: 'https://new.example.com/h', by: 'p1.key' }, now })
      .then([{ type: 'PartnerWebhookChanged', data: { ...who, url: 'https://new.example.com/h', changedAt: now, changedBy: 'p1.key' } }]);
    given([subscribed])
      .when({ type: 'ChangePartnerWebhook', data: { eventTypes: ['EpisodeClosed'], by: 'p1.key' }, now })
      .then([{ type: 'PartnerWebhookChanged', data: { ...who, eventTypes: ['EpisodeClosed'], changedAt: now, changedBy: 'p1.key' } }]);
    given([subscribed])
      .when({
        type: 'ChangePartnerWebhook',
        data: { url: 'https://hooks.example.com/crm', eventTypes: ['InteractionRecorded', 'EpisodeOpened'], by: 'p1.key' },
        now,
      })
      .then([]);
    given([subscribed])
      .when({ type: 'ChangePartnerWebhook', data: { eventTypes: ['Nope'], by: 'p1.key' }, now })
      .thenBreaks('unknown-event-type');
  });

  it('rotates the secret by bumping its version', () => {
    const rotated: PartnerWebhookEvent = { type: 'PartnerWebhookSecretRotated', data: { ...who, secretVersion: 2, rotatedAt: now, rotatedBy: 'p1.key' } };
    given([subscribed])
      .when({ type: 'RotatePartnerWebhookSecret', data: { by: 'p1.key' }, now })
      .then([rotated]);
    given([subscribed, rotated])
      .when({ type: 'RotatePartnerWebhookSecret', data: { by: 'p1.key' }, now })
      .then([{ type: 'PartnerWebhookSecretRotated', data: { ...who, secretVersion: 3, rotatedAt: now, rotatedBy: 'p1.key' } }]);
  });

  it('unsubscribes once; an unknown or unsubscribed subscription takes no command', () => {
    const gone: PartnerWebhookEvent = { type: 'PartnerWebhookUnsubscribed', data: { ...who, unsubscribedAt: now, unsubscribedBy: 'p1.key' } };
    given([subscribed])
      .when({ type: 'UnsubscribePartnerWebhook', data: { by: 'p1.key' }, now })
      .then([gone]);
    given([subscribed, gone])
      .when({ type: 'UnsubscribePartnerWebhook', data: { by: 'p1.key' }, now })
      .thenBreaks('unknown-subscription');
    given([subscribed, gone])
      .when({ type: 'RotatePartnerWebhookSecret', data: { by: 'p1.key' }, now })
      .thenBreaks('unknown-subscription');
    given([])
      .when({ type: 'ChangePartnerWebhook', data: { url: 'https://x.example', by: 'p1.key' }, now })
      .thenBreaks('unknown-subscription');
  });
});
