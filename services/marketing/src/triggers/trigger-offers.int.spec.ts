import { crmRegistry } from '@crm/contracts';
import { uuidV5 } from '@crm/kernel';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import {
  firingOfMessage,
  offersOf,
  TriggerOfferMessageRow,
  TriggerOfferRow,
  triggerOffersProjection,
  type TriggerOffersEvent,
} from './trigger-offers.projection';

// What became of a trigger's offer (issue 13 §4), given / when / then on a real projection runner:
// the campaign's decision on the firing, and each message of the firing in its last state.
describe('marketing.trigger-offers', () => {
  const given = ProjectionSpecification.for({ projection: triggerOffersProjection(), registry: crmRegistry() });
  const U = (name: string) => uuidV5(name, '5d0e8f53-6a1c-4b7e-9d2a-3c4b5a6f7e81');
  const campaignId = 'thank-you';
  const customerId = U('customer');
  const firingId = U('firing');
  const base = { campaignId, customerId, firingId, ruleId: U('rule'), ruleRevision: 0 };
  const triggered: SpecEvent<TriggerOffersEvent> = {
    type: 'CampaignRecipientTriggered',
    subject: customerId,
    data: { ...base, steps: [{ stepId: 'thanks', dueAt: '2026-03-01T09:05:00.000Z' }], variants: ['a'], triggeredAt: '2026-03-01T09:05:00.000Z' },
  };
  const message = { campaignId, customerId, messageId: U('message'), stepId: 'thanks', channel: 'email' };
  const onFiring = `campaignmessage-${campaignId}-${firingId}`;
  const basis = { eventId: U('consent'), position: '10/10', revision: '0' };
  const sent = (streamid: string, attempt = 1, sentAt = '2026-03-01T09:05:01.000Z'): SpecEvent<TriggerOffersEvent> => ({
    type: 'CampaignMessageSent',
    subject: customerId,
    streamid,
    data: { ...message, variantId: 'a', attempt, sentAt, consentBasis: basis },
  });

  it('keeps the admission, and the message in its last state even when it comes before the decision', async () => {
    const deferred: SpecEvent<TriggerOffersEvent> = {
      type: 'CampaignMessageDeferred',
      subject: customerId,
      streamid: onFiring,
      data: { ...message, retryCount: 1, reason: '421 try later', deferredAt: '2026-03-01T09:05:02.000Z', retryAt: '2026-03-01T09:10:00.000Z' },
    };
    await given([sent(onFiring), deferred])
      .when([triggered, sent(onFiring, 2, '2026-03-01T09:10:00.000Z')])
      .then(async (m) => {
        expect(await offersOf(m, [firingId, U('other firing')])).toEqual(
          new Map([
            [
              firingId,
              {
                campaignId,
                status: 'admitted',
                at: '2026-03-01T09:05:00.000Z',
                messages: [{ messageId: message.messageId, stepId: 'thanks', channel: 'email', status: 'sent', at: '2026-03-01T09:10:00.000Z' }],
              },
            ],
          ]),
        );
      });
  });

  it('a skipped firing keeps its reason; a control-group admission says so', async () => {
    const other = U('firing 2');
    await given([])
      .when([
        {
          type: 'CampaignTriggerSkipped',
          subject: customerId,
          data: { ...base, reason: 'campaign-not-running', campaignStatus: 'paused', skippedAt: '2026-03-01T09:00:00.000Z' },
        },
        { ...triggered, data: { ...triggered.data, firingId: other, control: true, variants: undefined } } as SpecEvent<TriggerOffersEvent>,
      ])
      .thenRows(
        TriggerOfferRow,
        [
          { firingId, status: 'skipped', reason: 'campaign-not-running', control: false },
          { firingId: other, status: 'admitted', reason: null, control: true },
        ].sort((a, b) => a.firingId.localeCompare(b.firingId)),
      );
  });

  it('a message to a frozen audience (on the customer’s stream) belongs to no firing and leaves nothing', async () => {
    await given([])
      .when([sent(`campaignmessage-${campaignId}-${customerId}`)])
      .thenRows(TriggerOfferMessageRow, []);
  });

  it('finds the firing at the end of the message stream, whatever the campaign id holds', () => {
    expect(firingOfMessage(`campaignmessage-a-b-c-${firingId}`, { campaignId: 'a-b-c', customerId })).toBe(firingId);
    expect(firingOfMessage(`campaignmessage-a-b-c-${customerId}`, { campaignId: 'a-b-c', customerId })).toBeUndefined();
    expect(firingOfMessage(`campaignmessage-other-${firingId}`, { campaignId: 'a-b-c', customerId })).toBeUndefined();
    expect(firingOfMessage(undefined, { campaignId: 'a-b-c', customerId })).toBeUndefined();
  });
});
