import { randomUUID } from 'node:crypto';
import type { MessageSender } from '../channels/message-sender';
import { openCampaignSendFixture, sendCampaign, type CampaignSendFixture } from './testing/campaign-send-fixture';

// Needs a Mailpit: deploy/local/mailpit.sh up prints MAILPIT_SMTP_URL and MAILPIT_URL (npm run test:infra
// passes them on when Mailpit runs; without MAILPIT_URL this suite is skipped, saying so).
const mailpitUrl = process.env.MAILPIT_URL;
const smtpUrl = process.env.MAILPIT_SMTP_URL ?? 'smtp://127.0.0.1:11025';
const SKIP_REASON = 'MAILPIT_URL is not set (start it with deploy/local/mailpit.sh up)';
const MESSAGES = 10_000;
/**
 * The SMTP adapter of the marketing channels, by its path (it lives beside the port, in
 * `../channels/email`): imported when the suite runs, so this file compiles before it is there.
 */
const SMTP_ADAPTER = '../channels/email/smtp-message-sender';
type SmtpMessageSenderClass = new (smtpUrl: string, from: string) => MessageSender;

interface MailpitSearch {
  messages_count?: number;
  total?: number;
  messages: { ID: string; Subject: string; To: { Address: string }[] }[];
}

const search = async (query: string, limit = 50): Promise<MailpitSearch> =>
  (await (await fetch(`${mailpitUrl}/api/v1/search?query=${encodeURIComponent(query)}&limit=${limit}`)).json()) as MailpitSearch;
const countOf = (s: MailpitSearch) => s.messages_count ?? s.total ?? 0;

// A campaign of 10,000 e-mails (store: embedded PGlite) through the real SMTP adapter into Mailpit: every message arrives
// once, with its merge fields and the one-click unsubscribe headers, and the campaign's counts say so.
(mailpitUrl ? describe : describe.skip)(`a 10,000-message campaign into Mailpit (infra)${mailpitUrl ? '' : ` — skipped: ${SKIP_REASON}`}`, () => {
  const tag = randomUUID().slice(0, 8);
  let fixture: CampaignSendFixture;
  let sender: MessageSender;

  beforeAll(async () => {
    const { SmtpMessageSender } = (await import(SMTP_ADAPTER)) as { SmtpMessageSender: SmtpMessageSenderClass };
    sender = new SmtpMessageSender(smtpUrl, 'marketing@crm.example.com');
    fixture = await openCampaignSendFixture({
      customers: MESSAGES,
      tag,
      email: sender,
    });
  }, 30 * 60_000);
  afterAll(async () => {
    await sender?.close?.();
    await fixture?.close();
  });

  it(
    'delivers every message once, with merge fields and List-Unsubscribe, and counts them all sent',
    async () => {
      const subject = `Spring ${tag}`;
      const { campaignId, ms, counts } = await sendCampaign(fixture, { throttlePerSecond: 1000, subject });
      console.log(
        `campaign ${campaignId}: ${MESSAGES} messages into Mailpit in ${(ms / 1000).toFixed(1)} s (${((MESSAGES * 1000) / ms).toFixed(0)} messages/s)`,
      );
      expect(counts).toEqual({ audience: MESSAGES, control: 0, sent: MESSAGES, suppressed: {}, bounced: 0, deferred: 0, pending: 0 });

      // Every message in the store names the consent that allowed it.
      let sentEvents = 0;
      for (const e of await fixture.platform.eventStore.readAll()) {
        if (e.type !== 'CampaignMessageSent') continue;
        sentEvents++;
        expect((e.data as { consentBasis?: { eventId?: string } }).consentBasis?.eventId).toEqual(expect.any(String));
      }
      expect(sentEvents).toBe(MESSAGES);

      // Mailpit has them all, once each (SMTP may hand the last ones over a moment later).
      let arrived = 0;
      for (let i = 0; i < 600 && arrived < MESSAGES; i++) {
        arrived = countOf(await search(`subject:"${subject}"`, 1));
        if (arrived < MESSAGES) await new Promise((r) => setTimeout(r, 500));
      }
      expect(arrived).toBe(MESSAGES);
      const one = await search(`to:"c42-${tag}@example.com"`);
      expect(countOf(one)).toBe(1);
      expect(one.messages[0].Subject).toMatch(new RegExp(`^${subject}(: 20 % off,| for) Customer 42$`));
      const headers = (await (await fetch(`${mailpitUrl}/api/v1/message/${one.messages[0].ID}/headers`)).json()) as Record<string, string[]>;
      expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click']);
      expect(headers['List-Unsubscribe']?.[0]).toMatch(/^<https?:\/\/[^>]+\/unsubscribe\?t=[^>]+>$/);
    },
    60 * 60_000,
  );
});
