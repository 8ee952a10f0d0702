import { randomUUID } from 'node:crypto';
import { SmtpMessageSender } from './smtp-message-sender';

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

// A campaign e-mail through the real SMTP adapter, read back from Mailpit's API with its one-click unsubscribe headers.
(mailpitUrl ? describe : describe.skip)(`campaign SMTP adapter → Mailpit (infra)${mailpitUrl ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  const sender = new SmtpMessageSender(smtpUrl, 'news@crm.example.com');
  afterAll(() => sender.close());

  it('delivers text and HTML with List-Unsubscribe, List-Unsubscribe-Post and the derived Message-ID', async () => {
    const messageId = randomUUID();
    const outcome = await sender.send({
      messageId,
      campaignId: 'c-infra',
      stepId: 'step-1',
      customerId: randomUUID(),
      channel: 'email',
      to: 'sari@example.com',
      subject: `Spring offer ${messageId}`,
      text: 'Hello Sari, 20% off.',
      html: '<p>Hello Sari, <b>20%</b> off.</p>',
      headers: { 'List-Unsubscribe': '<https://crm.example.com/unsubscribe?t=abc.def>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    expect(outcome.status).toBe('accepted');
    let found: MailpitSummary | undefined;
    for (let i = 0; i < 50 && !found; i++) {
      const list = (await (await fetch(`${mailpitUrl}/api/v1/messages?limit=200`)).json()) as { messages: MailpitSummary[] };
      found = list.messages.find((m) => m.MessageID === `${messageId}@crm.example.com`);
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toBeDefined();
    const message = (await (await fetch(`${mailpitUrl}/api/v1/message/${found!.ID}`)).json()) as { Text: string; HTML: string; To: { Address: string }[] };
    expect(message.To.map((t) => t.Address)).toEqual(['sari@example.com']);
    expect(message.Text.trim()).toBe('Hello Sari, 20% off.');
    expect(message.HTML).toContain('<b>20%</b>');
    const headers = (await (await fetch(`${mailpitUrl}/api/v1/message/${found!.ID}/headers`)).json()) as Record<string, string[]>;
    expect(headers['List-Unsubscribe']).toEqual(['<https://crm.example.com/unsubscribe?t=abc.def>']);
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
  });
});
