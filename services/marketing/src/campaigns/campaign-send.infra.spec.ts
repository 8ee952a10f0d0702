import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import type { GlobalPosition } from '@crm/event-store';
import { ProjectionRunner } from '@crm/projections';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { PgSqlClient } from '@crm/sql-clients';
import { campaignStatisticsProjection } from '../campaign-statistics/campaign-statistics.projection';
import { CampaignStatisticsQueries } from '../campaign-statistics/campaign-statistics.query';
import type { MessageSender } from '../channels/message-sender';
import { openCampaignSendFixture, sendCampaign, type CampaignSendFixture } from './testing/campaign-send-fixture';

// Needs a Mailpit: deploy/local/mailpit.sh up prints MAILPIT_SMTP_URL and MAILPIT_URL (npm run test:infra
// passes them on when Mailpit runs; without MAILPIT_URL this suite is skipped, saying so).
const mailpitUrl = process.env.MAILPIT_URL;
const smtpUrl = process.env.MAILPIT_SMTP_URL ?? 'smtp://127.0.0.1:11025';
const SKIP_REASON = 'MAILPIT_URL is not set (start it with deploy/local/mailpit.sh up)';
const MESSAGES = 10_000;
/**
 * On the PostgreSQL of `npm run test:infra` (DATABASE_URL) the store, the platform tables and the
 * read models live in schemas of this run; 10,000 customers set up on embedded PGlite would take
 * most of the suite's time. The marketing service runs distributed without a relay: the dispatcher
 * reads the store, and the statistics read model is rebuilt from the store below.
 */
const databaseUrl = process.env.DATABASE_URL;
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
      ...(databaseUrl && {
        env: {
          CRM_MODE: 'distributed',
          CRM_DATABASE_URL: databaseUrl,
          CRM_EVENT_STORE_SCHEMA: `campaign_send_${tag}_es`,
          CRM_PLATFORM_SCHEMA: `campaign_send_${tag}_pl`,
          CRM_KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
          CRM_KAFKA_TOPIC: `crm.test.campaign-send.${tag}`,
        },
      }),
    });
  }, 30 * 60_000);
  afterAll(async () => {
    await sender?.close?.();
    await fixture?.close();
    if (databaseUrl) {
      const sql = new PgSqlClient({ connectionString: databaseUrl, max: 1 });
      for (const s of ['es', 'pl']) await sql.exec(`DROP SCHEMA IF EXISTS campaign_send_${tag}_${s} CASCADE`);
      await sql.close();
    }
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
      let withoutBasis = 0;
      // Page through the whole store (a read answers one page).
      for (let after: GlobalPosition | undefined; ;) {
        const page = await fixture.platform.eventStore.readAll({ after, maxCount: 5000 });
        if (page.length === 0) break;
        for (const e of page) {
          if (e.type !== 'CampaignMessageSent') continue;
          sentEvents++;
          if (typeof (e.data as { consentBasis?: { eventId?: unknown } }).consentBasis?.eventId !== 'string') withoutBasis++;
        }
        after = page[page.length - 1].position;
      }
      expect(withoutBasis).toBe(0);
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

      // The campaign's statistics, from its events: the statistics read model rebuilt from the store.
      const readModels = fixture.app.app.get<ReadModelRunners>(READ_MODELS);
      const runner = new ProjectionRunner(readModels.dataSource, campaignStatisticsProjection(), {
        schema: `campaign_send_${tag}_pl`,
        group: `campaign-send-${tag}`,
      });
      await runner.migrate();
      await runner.rebuild(fixture.platform.eventStore, crmRegistry(), toIntegrationEvent);
      const statistics = await fixture.app.app.get(CampaignStatisticsQueries).statistics(campaignId, 0.95);
      expect(statistics).toMatchObject({
        audience: MESSAGES,
        funnel: { audience: MESSAGES, sent: MESSAGES, delivered: MESSAGES, bounced: 0, suppressed: 0, pending: 0, cost: MESSAGES },
        cost: MESSAGES,
        revenue: 0,
      });
      const variants = statistics.byStep[0].byVariant;
      expect(variants.map((v) => v.variantId)).toEqual(['a', 'b']);
      expect(variants.reduce((n, v) => n + v.recipients, 0)).toBe(MESSAGES);
      // The variants split the audience by hash, half and half within a few per cent.
      expect(Math.abs(variants[0].recipients - MESSAGES / 2)).toBeLessThan(MESSAGES * 0.03);
    },
    60 * 60_000,
  );
});
