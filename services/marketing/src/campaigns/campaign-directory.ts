import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  campaignDecider,
  campaignMessageDecider,
  type CampaignEvent,
  type CampaignMessageEvent,
  type CampaignMessagesState,
  type CampaignState,
  type StepMessage,
} from '@crm/campaigns';
import type { EventStore, RecordedEvent, Subscription } from '@crm/event-store';
import type { ConsentChannel } from '@crm/kernel';
import { WRITE_STORE } from '@crm/relationship-api';

export interface DirectoryCampaign {
  state: CampaignState;
  /** Stream revision of `state` (−1: nothing yet). */
  revision: number;
  /** By customer id: that recipient's messages, and the revision of its stream they are at. */
  recipients: Map<string, { state: CampaignMessagesState; revision: number }>;
}

/** Where a message is: its campaign, recipient and step (what its stream and command are named by). */
export interface MessageLocation {
  campaignId: string;
  customerId: string;
  stepId: string;
  channel: ConsentChannel;
}

const CAMPAIGN_PREFIX = 'campaign-';
const MESSAGE_PREFIX = 'campaignmessage-';
const UUID_LENGTH = 36;

/**
 * What the campaign routes list and the dispatcher walks: every campaign's state and every
 * recipient's messages, folded from the store by the campaigns' own deciders and kept in memory.
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
  /**
   * By message id (lower case): where each message decided so far is. A message id is derived one
   * way from campaign, customer and step (`campaignMessageId`); a provider reporting on a message
   * names only the id, so this is how its stream is found. About 150 bytes per message.
   */
  private readonly messages = new Map<string, MessageLocation>();
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
  noteRecipient(campaignId: string, customerId: string, state: CampaignMessagesState, revision: number): void {
    const r = this.entry(campaignId).recipients.get(customerId.toLowerCase());
    if (!r || revision > r.revision) this.entry(campaignId).recipients.set(customerId.toLowerCase(), { state, revision });
    for (const [stepId, m] of Object.entries(state.steps)) this.locate(m.messageId, campaignId, customerId, stepId);
  }

  private locate(messageId: string, campaignId: string, customerId: string, stepId: string, channel?: ConsentChannel): void {
    const key = messageId.toLowerCase();
    const known = this.messages.get(key);
    if (!known || (channel && known.channel !== channel))
      this.messages.set(key, {
        campaignId: campaignId.toLowerCase(),
        customerId,
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

  stepOf(campaignId: string, customerId: string, stepId: string): StepMessage | undefined {
    return this.get(campaignId)?.recipients.get(customerId.toLowerCase())?.state.steps[stepId];
  }

  private entry(campaignId: string): DirectoryCampaign {
    const id = campaignId.toLowerCase();
    let c = this.campaigns.get(id);
    if (!c) this.campaigns.set(id, (c = { state: campaignDecider.initialState, revision: -1, recipients: new Map() }));
    return c;
  }

  /** An event from the store: applied only in order (the next revision of its stream); what a writer noted already is skipped. */
  private apply(e: RecordedEvent): void {
    const revision = Number(e.revision);
    if (e.streamId.startsWith(MESSAGE_PREFIX)) {
      const rest = e.streamId.slice(MESSAGE_PREFIX.length);
      const campaignId = rest.slice(0, UUID_LENGTH);
      const customerId = rest.slice(UUID_LENGTH + 1);
      const c = this.entry(campaignId);
      const r = c.recipients.get(customerId.toLowerCase()) ?? { state: campaignMessageDecider.initialState, revision: -1 };
      if (revision !== r.revision + 1) return;
      const event = { type: e.type, data: e.data } as CampaignMessageEvent;
      c.recipients.set(customerId.toLowerCase(), { state: campaignMessageDecider.evolve(r.state, event), revision });
      if (typeof event.data?.messageId === 'string') this.locate(event.data.messageId, campaignId, customerId, event.data.stepId, event.data.channel);
    } else if (e.streamId.startsWith(CAMPAIGN_PREFIX)) {
      const c = this.entry(e.streamId.slice(CAMPAIGN_PREFIX.length));
      if (revision !== c.revision + 1) return;
      c.state = campaignDecider.evolve(c.state, { type: e.type, data: e.data } as CampaignEvent);
      c.revision = revision;
    }
  }
}
