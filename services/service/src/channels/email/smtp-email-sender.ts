import nodemailer from 'nodemailer';
import type { EmailSender, OutgoingMail } from './email-sender';

/**
 * Sends through an SMTP server (`smtp://user:password@host:port`, or `smtps://` for TLS from the
 * start) with nodemailer, with the Message-ID, In-Reply-To and References the reply was recorded
 * with — so the customer's mail client threads it, and the customer's answer names it.
 */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: nodemailer.Transporter;

  constructor(url: string) {
    this.transport = nodemailer.createTransport(url);
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      ...(mail.inReplyTo && { inReplyTo: mail.inReplyTo }),
      ...(mail.references.length > 0 && { references: mail.references }),
    });
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
