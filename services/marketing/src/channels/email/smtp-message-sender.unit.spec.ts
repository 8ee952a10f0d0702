import net from 'node:net';
import type { OutboundMessage } from '../message-sender';
import { smtpOutcome, SmtpMessageSender } from './smtp-message-sender';
import { FakeSmtpServer } from './testing/fake-smtp-server';

const message = (n: number, to = `customer${n}@example.com`): OutboundMessage => ({
  messageId: `0b8f9a52-6c3e-4d1a-9f7b-00000000000${n % 10}`,
  campaignId: 'c-spring',
  stepId: 'step-1',
  variantId: 'a',
  customerId: `customer-${n}`,
  channel: 'email',
  to,
  subject: 'Spring offer',
  text: 'Hello Sari, 20% off.',
  html: '<p>Hello Sari, 20% off.</p>',
  headers: { 'List-Unsubscribe': '<https://crm.example.com/unsubscribe?t=abc.def>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
});

// The SMTP adapter against a small SMTP server in the test: what arrives, and how refusals map to outcomes.
describe('SmtpMessageSender', () => {
  const server = new FakeSmtpServer((address) => {
    if (address.startsWith('gone@')) return '550 5.1.1 mailbox unavailable';
    if (address.startsWith('busy@')) return '451 4.3.0 try again later';
    return '250 2.1.5 OK';
  });
  let url: string;
  let sender: SmtpMessageSender;

  beforeAll(async () => {
    url = await server.listen();
    sender = new SmtpMessageSender(url, 'Marketing <news@crm.example.com>');
  });
  afterAll(async () => {
    await sender.close();
    await server.close();
  });

  it('sends text and HTML with the message’s headers and a Message-ID derived from the message id', async () => {
    const outcome = await sender.send(message(1));
    expect(outcome).toEqual({ status: 'accepted', providerId: '<0b8f9a52-6c3e-4d1a-9f7b-000000000001@crm.example.com>' });
    const mail = server.received.at(-1)!;
    expect(mail.from).toBe('news@crm.example.com');
    expect(mail.to).toEqual(['customer1@example.com']);
    expect(mail.data).toMatch(/^Message-ID: <0b8f9a52-6c3e-4d1a-9f7b-000000000001@crm\.example\.com>$/im);
    expect(mail.data).toMatch(/^List-Unsubscribe: <https:\/\/crm\.example\.com\/unsubscribe\?t=abc\.def>$/m);
    expect(mail.data).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    // What a provider's bounce or complaint report quotes back (POST /channels/email/events).
    expect(mail.data).toMatch(/^X-CRM-Message: 0b8f9a52-6c3e-4d1a-9f7b-000000000001$/im); // header names are case-insensitive (nodemailer writes X-Crm-Message)
    expect(mail.data).toMatch(/^Subject: Spring offer$/m);
    expect(mail.data).toContain('multipart/alternative');
    expect(mail.data).toContain('Hello Sari, 20% off.');
    expect(mail.data).toContain('<p>Hello Sari, 20% off.</p>');
  });

  it('a permanent refusal (5xx) is a hard bounce; a temporary one (4xx) is deferred', async () => {
    expect(await sender.send(message(2, 'gone@example.com'))).toEqual({ status: 'bounced', kind: 'hard', reason: expect.stringContaining('550') });
    expect(await sender.send(message(3, 'busy@example.com'))).toEqual({ status: 'deferred', reason: expect.stringContaining('451') });
    expect(server.received.map((m) => m.to[0])).not.toContain('gone@example.com');
    // No recipient at all: refused before the server is asked, and would be again.
    expect(await sender.send(message(5, ''))).toEqual({ status: 'bounced', kind: 'hard', reason: expect.any(String) });
  });

  it('reuses a few pooled connections for many messages', async () => {
    const before = server.connections;
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => sender.send(message(10 + i))));
    expect(outcomes.every((o) => o.status === 'accepted')).toBe(true);
    expect(server.connections - before).toBeLessThanOrEqual(5);
  });

  it('no server listening: deferred (a connection error is temporary)', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const nowhere = new SmtpMessageSender(`smtp://127.0.0.1:${port}`, 'news@crm.example.com');
    try {
      expect(await nowhere.send(message(4))).toEqual({ status: 'deferred', reason: expect.any(String) });
    } finally {
      await nowhere.close();
    }
  });

  it('maps SMTP reply codes: 5xx bounced, 4xx and no code deferred', () => {
    expect(smtpOutcome({ responseCode: 552, response: '552 mailbox full' })).toMatchObject({ status: 'bounced', kind: 'hard' });
    expect(smtpOutcome({ responseCode: 421, response: '421 closing' })).toMatchObject({ status: 'deferred' });
    expect(smtpOutcome({ code: 'ETIMEDOUT', message: 'Connection timeout' })).toEqual({ status: 'deferred', reason: 'Connection timeout' });
  });

  it('sets Reply-To when the marketing inbound address is configured (CRM_CAMPAIGN_REPLY_TO), and none otherwise', async () => {
    expect(server.received.at(-1)?.data ?? '').not.toMatch(/^Reply-To:/im);
    const replying = new SmtpMessageSender(url, 'Marketing <news@crm.example.com>', 'replies@crm.example.com');
    try {
      expect((await replying.send(message(7))).status).toBe('accepted');
      expect(server.received.at(-1)!.data).toMatch(/^Reply-To: replies@crm\.example\.com$/im);
    } finally {
      await replying.close();
    }
  });
});
