/**
 * The port the mail outbox sends through. Adapters: `SmtpEmailSender` (nodemailer, `CRM_SMTP_URL`),
 * `LoggingEmailSender` (the embedded default: nothing leaves the machine, the reply is logged and
 * counts as sent) and `InMemoryEmailSender` (tests: keeps what was sent, fails when told to).
 */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** With angle brackets: `<…@domain>`. */
  messageId: string;
  inReplyTo?: string;
  references: string[];
}

export interface EmailSender {
  /** Resolves once the mail server accepted the message; rejects when it did not (the outbox retries). */
  send(mail: OutgoingMail): Promise<void>;
  close?(): Promise<void>;
}

export const EMAIL_SENDER = Symbol('EMAIL_SENDER');

export class LoggingEmailSender implements EmailSender {
  constructor(private readonly log: (message: string) => void) {}
  async send(mail: OutgoingMail): Promise<void> {
    // The message id only: addresses and text are personal data, not log lines.
    this.log(`no CRM_SMTP_URL: reply ${mail.messageId} (in reply to ${mail.inReplyTo ?? 'nothing'}) logged, not sent`);
  }
}

export class InMemoryEmailSender implements EmailSender {
  readonly sent: OutgoingMail[] = [];
  /** The next sends that fail (each takes one). */
  failures: string[] = [];
  async send(mail: OutgoingMail): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw new Error(failure);
    this.sent.push(mail);
  }
}
