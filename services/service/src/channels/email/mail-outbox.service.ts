import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TickLoop } from '@crm/relationship-api';
import { SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { EMAIL_SENDER, LoggingEmailSender, type EmailSender } from './email-sender';
import { MailCommands } from './mail-commands';
import { SmtpEmailSender } from './smtp-email-sender';

/** The sender the settings name: SMTP with `CRM_SMTP_URL`, else the logging one (embedded default). */
export const emailSenderProvider = {
  provide: EMAIL_SENDER,
  inject: [SERVICE_CONFIG],
  useFactory: (config: ServiceConfig): EmailSender =>
    config.CRM_SMTP_URL ? new SmtpEmailSender(config.CRM_SMTP_URL) : new LoggingEmailSender((m) => new Logger('MailOutbox').log(m)),
};

export interface OutboxTick {
  sent: number;
  failed: number;
}

/**
 * The mail outbox: reads the queue of replies (`mailoutbox`) and sends each through the
 * `EmailSender`, recording it sent once (or failed, tried again after a doubling wait, given up
 * after 8 attempts). Every instance of the service runs one; a claim on the message keeps two from
 * sending the same reply at once. What it has not settled it keeps in memory, and a restart reads
 * the queue from its start (replies are few beside the rest of the store).
 */
@Injectable()
export class MailOutboxService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MailOutbox');
  private readonly loop: TickLoop<OutboxTick>;
  private read: bigint | undefined;
  private readonly pending = new Set<string>();

  constructor(
    private readonly mail: MailCommands,
    @Inject(EMAIL_SENDER) private readonly sender: EmailSender,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.loop = new TickLoop('mail outbox', () => this.once(), {
      intervalMs: config.CRM_MAIL_OUTBOX_INTERVAL_MS,
      logger: { warn: (m) => this.logger.warn(m) },
    });
  }

  /** One pass: what was queued since, then every unsettled reply whose time has come. */
  tick(): Promise<OutboxTick> {
    return this.loop.tick();
  }

  private async once(): Promise<OutboxTick> {
    for (;;) {
      const { messageIds, last } = await this.mail.queued(this.read);
      messageIds.forEach((id) => this.pending.add(id));
      const more = last !== this.read && messageIds.length === 500;
      this.read = last;
      if (!more) break;
    }
    const result: OutboxTick = { sent: 0, failed: 0 };
    for (const messageId of [...this.pending]) {
      const outcome = await this.mail.sendOne(messageId, this.sender);
      if (outcome === 'sent' || outcome === 'settled') this.pending.delete(messageId);
      if (outcome === 'sent') result.sent++;
      if (outcome === 'failed') {
        result.failed++;
        this.logger.warn(`reply ${messageId}: sending failed; trying again later`);
      }
    }
    return result;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
    await this.sender.close?.();
  }
}
