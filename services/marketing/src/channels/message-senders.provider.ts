import { Inject, Injectable, Logger, type OnModuleDestroy, type Provider } from '@nestjs/common';
import type { Clock, ConsentChannel } from '@crm/kernel';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { CAMPAIGN_LISTS, CampaignListsStore } from './campaign-lists';
import { SmtpMessageSender } from './email/smtp-message-sender';
import { LoggingMessageSender } from './logging-message-sender';
import { PrintListSender } from './mail/print-list-sender';
import { MESSAGE_SENDERS, type MessageSender } from './message-sender';
import { CallListSender } from './phone/call-list-sender';
import { HttpSmsSender } from './sms/http-sms-sender';

/** The call and print lists, in the service's read-model database. */
export const campaignListsProvider: Provider = {
  provide: CAMPAIGN_LISTS,
  inject: [READ_MODELS],
  useFactory: (readModels: ReadModelRunners) => new CampaignListsStore(() => readModels.dataSource.manager),
};

/** The senders the settings name, one per channel. */
export function messageSenders(
  config: ServiceConfig,
  lists: CampaignListsStore,
  clock: Clock,
  log: (line: string) => void,
): Map<ConsentChannel, MessageSender> {
  const senders: MessageSender[] = [
    config.CRM_SMTP_URL
      ? new SmtpMessageSender(config.CRM_SMTP_URL, config.CRM_CAMPAIGN_FROM, config.CRM_CAMPAIGN_REPLY_TO)
      : new LoggingMessageSender('email', log),
    config.CRM_SMS_URL ? new HttpSmsSender(config.CRM_SMS_URL, config.CRM_SMS_TOKEN, { now: () => clock.now() }) : new LoggingMessageSender('sms', log),
    new CallListSender(lists, clock),
    new PrintListSender(lists, clock),
  ];
  return new Map(senders.map((s) => [s.channel, s]));
}

/**
 * `MESSAGE_SENDERS`: e-mail over SMTP with `CRM_SMTP_URL` (from `CRM_CAMPAIGN_FROM`), SMS through the
 * provider at `CRM_SMS_URL`, each logged instead (ids only) when unset — the embedded default, nothing
 * leaves the machine; phone and mail as the campaign's call and print lists.
 */
export const messageSendersProvider: Provider = {
  provide: MESSAGE_SENDERS,
  inject: [SERVICE_CONFIG, CAMPAIGN_LISTS, CLOCK],
  useFactory: (config: ServiceConfig, lists: CampaignListsStore, clock: Clock) => {
    const logger = new Logger('MessageSenders');
    return messageSenders(config, lists, clock, (line) => logger.log(line));
  },
};

/** Closes the senders' connections (the SMTP pool) when the service stops. */
@Injectable()
export class MessageSendersLifecycle implements OnModuleDestroy {
  constructor(@Inject(MESSAGE_SENDERS) private readonly senders: Map<ConsentChannel, MessageSender>) {}

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.close?.()));
  }
}
