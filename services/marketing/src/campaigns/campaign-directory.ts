import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  campaignDecider,
  campaignMessageDecider,
  triggeredMember,
  type CampaignMember,
  type CampaignRecipientTriggeredData,
  type CampaignEvent,
  type CampaignMessageEvent,
  type CampaignMessagesState,
  type CampaignState,
  type StepMessage,
} from '@crm/campaigns';
import type { EventStore, RecordedEvent, Subscription } from '@crm/event-store';
import type { ConsentChannel } from '@crm/kernel';
import type { MarketingTriggerFiredData } from '@crm/marketing-triggers';
import { WRITE_STORE } from '@crm/relationship-api';
import { EmailSuppressionList, SUPPRESSION_PREFIX } from '../suppressions/email-suppression-list';

/** A recorded trigger firing whose offer is not decided yet: the `MarketingTriggerFired` and its event id. */
export interface PendingFiring extends MarketingTriggerFiredData {
  eventId: string;
}

export interface DirectoryCampaign {
  state: CampaignState;
  /** Stream revision of `state` (−1: nothing yet). */
  revision: number;
  /** By customer id: that recipient's messages, and the revision of its stream they are at. */
  recipients: Map<string, { state: CampaignMessagesState; revision: number }>;
  /** A triggered campaign's recipients admitted so far (`CampaignRecipientTriggered`), in the order admitted; keyed by firing. */
  triggered: CampaignMember[];
}

/** Where a message is: its campaign, recipient and step (what its stream and command are named by). */
export interface MessageLocation {
  campaignId: string;
  /** The customer the message went to. */
  customerId: string;
  /** What its stream is named by: the customer of a frozen audience, the firing of a triggered recipient (`recipientKey`). */
  recipientKey: string;
  stepId: string;
  channel: ConsentChannel;
}

const CAMPAIGN_PREFIX = 'campaign-';
const TRIGGER_PREFIX = 'campaigntrigger-';
const MESSAGE_PREFIX = 'campaignmessage-';
const UUID_LENGTH = 36;

/**
 * What the campaign routes list and the dispatcher walks: every campaign's state and every
 * recipient's messages, folded from the store by the campaigns' own deciders and kept in memory —
 * and the trigger firings (`MarketingTriggerFired`) whose offer is not decided yet, with the
 * recipients the decided ones admitted to triggered campaigns (`campaigntrigger-<firingId>`).
 *
 * Why not a read-model table: campaign events have no customer, so the relay (and with it every
 * projection runner) does not carry them. The directory follows the write store itself
 * (`subscribeToAll`, from the start on every boot), which works the same embedded and on
 * PostgreSQL. It is a guide, never the judge: each command and each send loads its own stream and
 * decides on that, so a directory a moment behind costs a wasted read, never a second message. The
 * writers tell it what they appended (`note`), so it is current for what this process did; other
 * processes' writes arrive through the subscription. Memory: a few hundred bytes per recipient.
 */
@Injectable()
export class CampaignDirectory implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CampaignDirectory');
  private readonly campaigns = new Map<string, DirectoryCampaign>();
  /** Trigger firings recorded and not yet decided for a campaign (by firing id), in the store's order. */
  private readonly firings = new Map<string, PendingFiring>();
  /**
   * Firings decided (admitted or skipped) — a writer's note and the store's event may both arrive —
   * with the customer an admitted one made a recipient (what its recipient key, the firing, stands for).
   */
  private readonly decided = new Map<string, string | undefined>();
  /** Per customer, across campaigns: when each message was last sent (by message id), for the frequency cap. */
  private readonly sent = new Map<string, Map<string, number>>();
  /**
   * By message id (lower case): where each message decided so far is. A message id is derived one
   * way from campaign, recipient and step; a provider reporting on a message names only the id, so
   * this is how its stream is found. About 150 bytes per message.
   */
  private readonly messages = new Map<string, MessageLocation>();
  /** The e-mail suppression list (issue 13 §3), by address key: fed from the same subscription, read by the dispatcher before every e-mail. */
  readonly suppressions = new EmailSuppressionList();
  private subscription?: Subscription;
  private caughtUp!: () => void;
  /** Resolves once the directory has read everything committed when it started. */
  readonly ready = new Promise<void>((resolve) => (this.caughtUp = resolve));

  constructor(@Inject(WRITE_STORE) private readonly store: EventStore) {}

  onApplicationBootstrap(): void {
    this.subscription = this.store.subscribeToAll({
      batchSize: 1000,
      onBatch: async (events) => {
        for (const e of events) this.apply(e);
      },
      onCaughtUp: () => this.caughtUp(),
      onError: (error) => this.logger.error(`the campaign directory stopped following the store: ${String(error)}`),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
  }

  all(): DirectoryCampaign[] {
    return [...this.campaigns.values()];
  }

  get(campaignId: string): DirectoryCampaign | undefined {
    return this.campaigns.get(campaignId.toLowerCase());
  }

  /** A campaign's state as a writer of this process left it (newer revisions only). */
  noteCampaign(campaignId: string, state: CampaignState, revision: number): void {
    const c = this.entry(campaignId);
    if (revision > c.revision) Object.assign(c, { state, revision });
  }

  /** A recipient's messages as a writer of this process left them (newer revisions only). */
  noteRecipient(campaignId: string, key: string, state: CampaignMessagesState, revision: number): void {
    const r = this.entry(campaignId).recipients.get(key.toLowerCase());
    if (!r || revision > r.revision) this.entry(campaignId).recipients.set(key.toLowerCase(), { state, revision });
    const customerId = this.customerOf(key);
    for (const [stepId, m] of Object.entries(state.steps)) this.locate(m.messageId, campaignId, customerId, key, stepId);
  }

  /** The customer behind a recipient key: itself, or the customer a triggered recipient's firing was for. */
  private customerOf(key: string): string {
    return this.decided.get(key.toLowerCase()) ?? key;
  }

  private locate(messageId: string, campaignId: string, customerId: string, recipientKey: string, stepId: string, channel?: ConsentChannel): void {
    const id = messageId.toLowerCase();
    const known = this.messages.get(id);
    if (!known || (channel && known.channel !== channel))
      this.messages.set(id, {
        campaignId: campaignId.toLowerCase(),
        customerId,
        recipientKey,
        stepId,
        channel: channel ?? known?.channel ?? this.channelOf(campaignId, stepId),
      });
  }

  private channelOf(campaignId: string, stepId: string): ConsentChannel {
    return this.get(campaignId)?.state.definition?.steps.find((s) => s.stepId === stepId)?.channel ?? 'email';
  }

  /** Where the message with this id is, once it was sent or suppressed (undefined: unknown here). */
  findMessage(messageId: string): MessageLocation | undefined {
    return this.messages.get(messageId.toLowerCase());
  }

  /** `key`: the customer of a frozen audience, the firing of a triggered recipient (`recipientKey`). */
  stepOf(campaignId: string, key: string, stepId: string): StepMessage | undefined {
    return this.get(campaignId)?.recipients.get(key.toLowerCase())?.state.steps[stepId];
  }

  /**
   * The frequency cap, judged and reserved at once (no await between, so two sends of this process
   * cannot both pass it): true, and the message counted, when the customer's other messages sent in
   * the cap's window leave room; false otherwise. Another instance's sends count once the store shows them.
   */
  reserveSend(customerId: string, messageId: string, at: number, reached: (others: Iterable<number>) => boolean): boolean {
    const mine = this.sent.get(customerId.toLowerCase()) ?? new Map<string, number>();
    const others = [...mine].filter(([id]) => id !== messageId).map(([, t]) => t);
    if (reached(others)) return false;
    mine.set(messageId, at);
    this.sent.set(customerId.toLowerCase(), mine);
    return true;
  }

  /** A reservation whose send was not recorded (another writer decided the message first). */
  releaseSend(customerId: string, messageId: string): void {
    this.sent.get(customerId.toLowerCase())?.delete(messageId);
  }

  /** Trigger firings whose offer is not decided yet, oldest first. */
  pendingFirings(): PendingFiring[] {
    return [...this.firings.values()];
  }

  /** A firing's offer decided (by a writer of this process, or seen on the store): admitted, with its recipient, or skipped. */
  noteFiringDecided(firingId: string, admitted?: CampaignRecipientTriggeredData): void {
    const id = firingId.toLowerCase();
    this.firings.delete(id);
    if (this.decided.has(id)) return;
    this.decided.set(id, admitted?.customerId);
    if (admitted) this.entry(admitted.campaignId).triggered.push(triggeredMember(admitted));
  }

  private entry(campaignId: string): DirectoryCampaign {
    const id = campaignId.toLowerCase();
    let c = this.campaigns.get(id);
    if (!c) this.campaigns.set(id, (c = { state: campaignDecider.initialState, revision: -1, recipients: new Map(), triggered: [] }));
    return c;
  }

  /** An event from the store: applied only in order (the next revision of its stream); what a writer noted already is skipped. */
  private apply(e: RecordedEvent): void {
    const revision = Number(e.revision);
    if (e.streamId.startsWith(SUPPRESSION_PREFIX)) {
      this.suppressions.apply(e);
      return;
    }
    if (e.type === 'MarketingTriggerFired') {
      const id = e.id.toLowerCase();
      if (!this.decided.has(id)) this.firings.set(id, { ...(e.data as MarketingTriggerFiredData), eventId: e.id });
      return;
    }
    if (e.streamId.startsWith(TRIGGER_PREFIX)) {
      const firingId = e.streamId.slice(TRIGGER_PREFIX.length);
      this.noteFiringDecided(firingId, e.type === 'CampaignRecipientTriggered' ? (e.data as CampaignRecipientTriggeredData) : undefined);
      return;
    }
    if (e.type === 'CampaignMessageSent') {
      const d = e.data as { customerId: string; messageId: string; sentAt: string };
      const mine = this.sent.get(d.customerId.toLowerCase()) ?? new Map<string, number>();
      mine.set(d.messageId, Date.parse(d.sentAt));
      this.sent.set(d.customerId.toLowerCase(), mine);
    }
    if (e.streamId.startsWith(MESSAGE_PREFIX)) {
      const rest = e.streamId.slice(MESSAGE_PREFIX.length);
      const campaignId = rest.slice(0, UUID_LENGTH);
      const customerId = rest.slice(UUID_LENGTH + 1);
      const c = this.entry(campaignId);
      const r = c.recipients.get(customerId.toLowerCase()) ?? { state: campaignMessageDecider.initialState, revision: -1 };
      if (revision !== r.revision + 1) return;
      const event = { type: e.type, data: e.data } as CampaignMessageEvent;
      c.recipients.set(customerId.toLowerCase(), { state: campaignMessageDecider.evolve(r.state, event), revision });
      const data = event.data as { messageId?: unknown; customerId?: string; stepId: string; channel?: ConsentChannel };
      if (typeof data?.messageId === 'string') this.locate(data.messageId, campaignId, data.customerId ?? customerId, customerId, data.stepId, data.channel);
    } else if (e.streamId.startsWith(CAMPAIGN_PREFIX)) {
      const c = this.entry(e.streamId.slice(CAMPAIGN_PREFIX.length));
      if (revision !== c.revision + 1) return;
      c.state = campaignDecider.evolve(c.state, { type: e.type, data: e.data } as CampaignEvent);
      c.revision = revision;
    }
  }
}
