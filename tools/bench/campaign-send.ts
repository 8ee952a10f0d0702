/**
 * campaign-send: the send rate of a marketing campaign into Mailpit (issue 13 §3) — messages per
 * second from start to the last message decided, through the whole dispatcher (consent re-read per
 * message, the send recorded before the hand-over, the SMTP adapter, the timeline) on embedded PGlite
 * — against raw nodemailer `sendMail` of the same number of messages to the same Mailpit in the same
 * run (a pooled transport, 8 at a time, as the dispatcher hands over 8 at a time): the ratio is what
 * the bookkeeping costs. 2,000 messages (200 with --quick), throttle 1,000/s. Needs MAILPIT_SMTP_URL
 * (deploy/local/mailpit.sh up); skipped without it.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { round, type BenchContext, type BenchModule, type Figure } from './kit';

export const campaignSendBench: BenchModule = {
  name: 'campaign-send',
  description: 'campaign messages/s into Mailpit through the dispatcher vs raw nodemailer sendMail of the same messages (needs MAILPIT_SMTP_URL)',
  run,
};

interface Sender {
  send(message: unknown): Promise<unknown>;
  close?(): Promise<void>;
}
interface Fixture {
  close(): Promise<void>;
  addresses: string[];
}
// The marketing service's own modules, by path at run time (a tool may not import a service at build time).
const marketing = path.join(__dirname, '../../services/marketing/src');
const load = <T>(p: string) => import(path.join(marketing, p)) as Promise<T>;

async function run(ctx: BenchContext): Promise<Figure[]> {
  const smtpUrl = process.env.MAILPIT_SMTP_URL;
  if (!smtpUrl) {
    ctx.log('skipped: MAILPIT_SMTP_URL is not set (deploy/local/mailpit.sh up)');
    return [];
  }
  const n = ctx.quick ? 200 : 2000;
  const tag = `bench${Date.now().toString(36)}`;
  const { SmtpMessageSender } = await load<{ SmtpMessageSender: new (url: string, from: string) => Sender }>('channels/email/smtp-message-sender');
  const { openCampaignSendFixture, sendCampaign } = await load<{
    openCampaignSendFixture(o: { customers: number; tag: string; email: Sender; log?: (m: string) => void }): Promise<Fixture>;
    sendCampaign(f: Fixture, o: { throttlePerSecond: number; subject: string }): Promise<{ ms: number; counts: { sent: number } }>;
  }>('campaigns/testing/campaign-send-fixture');

  const sender = new SmtpMessageSender(smtpUrl, 'marketing@crm.example.com');
  const fixture = await openCampaignSendFixture({ customers: n, tag, email: sender, log: ctx.log });
  try {
    const campaign = await sendCampaign(fixture, { throttlePerSecond: 1000, subject: `Bench ${tag}` });
    const campaignRate = campaign.counts.sent / (campaign.ms / 1000);
    ctx.log(`${campaign.counts.sent} campaign messages in ${round(campaign.ms / 1000)} s`);

    const transport = nodemailer.createTransport(`${smtpUrl}${smtpUrl.includes('?') ? '&' : '?'}pool=true&maxConnections=8`);
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++)
        await transport.sendMail({
          from: 'marketing@crm.example.com',
          to: fixture.addresses[i],
          subject: `Raw ${tag} for Customer ${i}`,
          text: 'Hello Customer. https://crm.example.com/unsubscribe?t=x',
          html: '<p>Hello Customer</p>',
          headers: { 'List-Unsubscribe': '<https://crm.example.com/unsubscribe?t=x>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const rawMs = performance.now() - t0;
    transport.close();
    const rawRate = n / (rawMs / 1000);
    return [
      ctx.report({ name: 'campaign-send.raw-nodemailer.pglite', unit: 'messages/s', value: round(rawRate), details: { messages: n } }),
      ctx.report({
        name: 'campaign-send.dispatcher.pglite',
        unit: 'messages/s',
        value: round(campaignRate),
        baseline: { name: 'campaign-send.raw-nodemailer.pglite', value: round(rawRate) },
        details: { messages: campaign.counts.sent, throttlePerSecond: 1000, concurrency: 8 },
      }),
    ];
  } finally {
    await sender.close?.();
    await fixture.close();
  }
}
