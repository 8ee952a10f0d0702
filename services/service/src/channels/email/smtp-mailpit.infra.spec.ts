import { randomUUID } from 'node:crypto';
import { SmtpEmailSender } from './smtp-email-sender';

// Needs a Mailpit: deploy/local/mailpit.sh up prints MAILPIT_SMTP_URL and MAILPIT_URL (npm run test:infra
// passes them on when Mailpit runs; without MAILPIT_URL this suite is skipped, saying so).
const mailpitUrl = process.env.MAILPIT_URL;
const smtpUrl = process.env.MAILPIT_SMTP_URL ?? 'smtp://127.0.0.1:11025';
const SKIP_REASON = 'MAILPIT_URL is not set (start it with deploy/local/mailpit.sh up)';

interface MailpitSummary {
  ID: string;
  MessageID: string;
  Subject: string;
}

// A case reply through the real SMTP adapter, read back from Mailpit's API with its threading headers.
(mailpitUrl ? describe : describe.skip)(`SMTP adapter → Mailpit (infra)${mailpitUrl ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  const sender = new SmtpEmailSender(smtpUrl);
  afterAll(() => sender.close());

  it('sends a reply with its Message-ID, In-Reply-To and References, as the customer’s mail client threads it', async () => {
    const run = randomUUID();
    const messageId = `<${run}@crm.example.com>`;
    await sender.send({
      from: 'service@crm.example.com',
      to: 'budi@example.com',
      subject: `Re: Printer jams ${run}`,
      text: 'Please update the driver to 4.2.',
      messageId,
      inReplyTo: '<c1@mail.example.com>',
      references: ['<c0@mail.example.com>', '<c1@mail.example.com>'],
    });
    let found: MailpitSummary | undefined;
    for (let i = 0; i < 50 && !found; i++) {
      const list = (await (await fetch(`${mailpitUrl}/api/v1/messages?limit=200`)).json()) as { messages: MailpitSummary[] };
      found = list.messages.find((m) => m.MessageID === `${run}@crm.example.com`);
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBeDefined();
    expect(found!.Subject).toBe(`Re: Printer jams ${run}`);
    const message = (await (await fetch(`${mailpitUrl}/api/v1/message/${found!.ID}`)).json()) as {
      MessageID: string;
      From: { Address: string };
      To: { Address: string }[];
      Text: string;
    };
    expect(message.From.Address).toBe('service@crm.example.com');
    expect(message.To.map((t) => t.Address)).toEqual(['budi@example.com']);
    expect(message.Text.trim()).toBe('Please update the driver to 4.2.');
    const headers = (await (await fetch(`${mailpitUrl}/api/v1/message/${found!.ID}/headers`)).json()) as Record<string, string[]>;
    expect(headers['Message-Id'] ?? headers['Message-ID']).toEqual([messageId]);
    expect(headers['In-Reply-To']).toEqual(['<c1@mail.example.com>']);
    expect(headers['References']?.[0]?.split(/\s+/)).toEqual(['<c0@mail.example.com>', '<c1@mail.example.com>']);
  });
});
