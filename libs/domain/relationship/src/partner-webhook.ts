import { DomainRuleViolation, type Decider } from '@crm/kernel';

/**
 * A partner's webhook subscription (issue 14 §5), on its own stream (`partnerwebhook-<id>`): which
 * integration events of its shared customers the partner wants pushed, and where. The signing secret
 * is never recorded: it is derived from the service's key, the subscription id and `secretVersion`
 * (rotation bumps the version), shown once to the partner and recomputed to sign — so no event, no
 * read model and no bus message ever carries it.
 */

/**
 * The integration events a partner may subscribe to: the steps of episodes that its timeline shows
 * (docs/events.md). Which of them it actually gets is decided per event by the share in force at the
 * event's position (episode types in scope, never another partner's episode).
 */
export const WEBHOOK_EVENT_TYPES = [
  'EpisodeOpened',
  'InteractionRecorded',
  'OpportunityStageAdvanced',
  'OpportunityStageChanged',
  'EpisodeClosed',
  'CaseReopened',
  'ReturnRequested',
  'ReturnAuthorised',
  'ReturnDenied',
  'ReturnShipmentUpdated',
  'RepairAssigned',
  'RepairStatusChanged',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface PartnerWebhook {
  subscriptionId: string;
  partnerId: string;
  url: string;
  eventTypes: WebhookEventType[];
  /** Which derived secret signs now (1 at subscription, +1 per rotation). */
  secretVersion: number;
  subscribedAt: string;
  subscribedBy: string;
  changedAt: string;
  /** Set once unsubscribed: nothing is delivered any more, and the id reads as unknown. */
  unsubscribedAt?: string;
}

export type PartnerWebhookState = PartnerWebhook | undefined;

type Who = { subscriptionId: string; partnerId: string };

export type PartnerWebhookEvent =
  | { type: 'PartnerWebhookSubscribed'; data: Who & { url: string; eventTypes: string[]; secretVersion: number; subscribedAt: string; subscribedBy: string } }
  | { type: 'PartnerWebhookChanged'; data: Who & { url?: string; eventTypes?: string[]; changedAt: string; changedBy: string } }
  | { type: 'PartnerWebhookSecretRotated'; data: Who & { secretVersion: number; rotatedAt: string; rotatedBy: string } }
  | { type: 'PartnerWebhookUnsubscribed'; data: Who & { unsubscribedAt: string; unsubscribedBy: string } };

export type PartnerWebhookCommand =
  | { type: 'SubscribePartnerWebhook'; data: Who & { url: string; eventTypes: string[]; by: string }; now: string }
  | { type: 'ChangePartnerWebhook'; data: { url?: string; eventTypes?: string[]; by: string }; now: string }
  | { type: 'RotatePartnerWebhookSecret'; data: { by: string }; now: string }
  | { type: 'UnsubscribePartnerWebhook'; data: { by: string }; now: string };

export const partnerWebhookStream = (subscriptionId: string) => `partnerwebhook-${subscriptionId}`;

export function evolvePartnerWebhook(state: PartnerWebhookState, event: PartnerWebhookEvent): PartnerWebhookState {
  switch (event.type) {
    case 'PartnerWebhookSubscribed': {
      const d = event.data;
      return {
        subscriptionId: d.subscriptionId,
        partnerId: d.partnerId,
        url: d.url,
        eventTypes: d.eventTypes as WebhookEventType[],
        secretVersion: d.secretVersion,
        subscribedAt: d.subscribedAt,
        subscribedBy: d.subscribedBy,
        changedAt: d.subscribedAt,
      };
    }
    case 'PartnerWebhookChanged':
      return (
        state && {
          ...state,
          ...(event.data.url !== undefined && { url: event.data.url }),
          ...(event.data.eventTypes !== undefined && { eventTypes: event.data.eventTypes as WebhookEventType[] }),
          changedAt: event.data.changedAt,
        }
      );
    case 'PartnerWebhookSecretRotated':
      return state && { ...state, secretVersion: event.data.secretVersion, changedAt: event.data.rotatedAt };
    case 'PartnerWebhookUnsubscribed':
      return state && { ...state, unsubscribedAt: event.data.unsubscribedAt, changedAt: event.data.unsubscribedAt };
  }
}

export function decidePartnerWebhook(command: PartnerWebhookCommand, state: PartnerWebhookState): PartnerWebhookEvent[] {
  if (command.type === 'SubscribePartnerWebhook') {
    if (state) throw new DomainRuleViolation('subscription-exists', `webhook subscription ${command.data.subscriptionId} already exists`);
    const { by, ...d } = command.data;
    return [
      {
        type: 'PartnerWebhookSubscribed',
        data: { ...d, eventTypes: eventTypesOf(d.eventTypes), secretVersion: 1, subscribedAt: command.now, subscribedBy: by },
      },
    ];
  }
  if (!state || state.unsubscribedAt) throw new DomainRuleViolation('unknown-subscription', 'no such webhook subscription');
  const who = { subscriptionId: state.subscriptionId, partnerId: state.partnerId };
  switch (command.type) {
    case 'ChangePartnerWebhook': {
      const url = command.data.url !== undefined && command.data.url !== state.url ? command.data.url : undefined;
      const types = command.data.eventTypes !== undefined ? eventTypesOf(command.data.eventTypes) : undefined;
      const eventTypes = types && types.join('\n') !== [...state.eventTypes].sort().join('\n') ? types : undefined;
      // The same values again change nothing (a retried PATCH).
      if (url === undefined && eventTypes === undefined) return [];
      return [
        {
          type: 'PartnerWebhookChanged',
          data: {
            ...who,
            ...(url !== undefined && { url }),
            ...(eventTypes !== undefined && { eventTypes }),
            changedAt: command.now,
            changedBy: command.data.by,
          },
        },
      ];
    }
    case 'RotatePartnerWebhookSecret':
      return [
        { type: 'PartnerWebhookSecretRotated', data: { ...who, secretVersion: state.secretVersion + 1, rotatedAt: command.now, rotatedBy: command.data.by } },
      ];
    case 'UnsubscribePartnerWebhook':
      return [{ type: 'PartnerWebhookUnsubscribed', data: { ...who, unsubscribedAt: command.now, unsubscribedBy: command.data.by } }];
  }
}

/** At least one type, each one a partner may subscribe to; recorded de-duplicated and sorted. */
function eventTypesOf(types: readonly string[]): string[] {
  if (types.length === 0) throw new DomainRuleViolation('no-event-types', 'a subscription names at least one event type');
  const unknown = types.find((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined) throw new DomainRuleViolation('unknown-event-type', `${unknown} is not an event type a partner may subscribe to`);
  return [...new Set(types)].sort();
}

export const partnerWebhookDecider: Decider<PartnerWebhookState, PartnerWebhookCommand, PartnerWebhookEvent> = {
  decide: decidePartnerWebhook,
  evolve: evolvePartnerWebhook,
  initialState: undefined,
};
