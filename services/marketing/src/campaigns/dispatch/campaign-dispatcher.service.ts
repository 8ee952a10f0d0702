import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { frequencyCapOf } from '@crm/campaigns';
import type { EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import { CustomerCommands, EpisodeCommands, WRITE_STORE } from '@crm/relationship-api';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { MESSAGE_SENDERS, type MessageSender } from '../../channels/message-sender';
import { CONSENT_LINKS, type ConsentLinks } from '../../consent/consent-links';
import { CampaignCommands } from '../campaign-commands';
import { CampaignDirectory } from '../campaign-directory';
import { CampaignDispatcher } from './campaign-dispatcher';
import { EmailSuppressionCommands } from '../../suppressions/email-suppression-commands';

/**
 * The campaign dispatcher in the marketing service, embedded and distributed alike: it starts with
 * the app (every `CRM_CAMPAIGN_DISPATCH_INTERVAL_MS`; 0: only when a test ticks it) and stops after
 * its tick under way when the app closes. The senders are the channels' adapters by channel
 * (`MESSAGE_SENDERS`; the SMTP one sends from `CRM_CAMPAIGN_FROM`); a channel without one defers its
 * messages (retried with backoff).
 */
@Injectable()
export class CampaignDispatcherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('CampaignDispatcher');
  readonly dispatcher: CampaignDispatcher;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    campaigns: CampaignCommands,
    directory: CampaignDirectory,
    customers: CustomerCommands,
    episodes: EpisodeCommands,
    @Inject(CONSENT_LINKS) links: ConsentLinks,
    @Inject(CLOCK) clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    suppressions: EmailSuppressionCommands,
    @Optional() @Inject(MESSAGE_SENDERS) senders?: ReadonlyMap<string, MessageSender>,
  ) {
    this.dispatcher = new CampaignDispatcher(store, campaigns, directory, customers, episodes, links, senders ?? new Map(), clock, {
      intervalMs: config.CRM_CAMPAIGN_DISPATCH_INTERVAL_MS,
      publicUrl: config.CRM_MARKETING_PUBLIC_URL ?? `http://localhost:${config.CRM_HTTP_PORT}`,
      frequencyCap: frequencyCapOf(config.CRM_MARKETING_FREQUENCY_CAP),
      suppressions,
      logger: { warn: (message) => this.logger.warn(message) },
    });
  }

  onApplicationBootstrap(): void {
    this.dispatcher.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher.stop();
  }
}
