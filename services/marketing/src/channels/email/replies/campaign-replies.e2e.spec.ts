import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { campaignEpisodeId } from '../../../campaigns/campaign-ids';
import { CampaignDispatcherService } from '../../../campaigns/dispatch/campaign-dispatcher.service';
import { createMarketingApp, MarketingConfig } from '../../../marketing';
import { MESSAGE_SENDERS, type MessageSender } from '../../message-sender';
import { InMemoryMessageSender } from '../../testing/in-memory-message-sender';

const SECRET = 'inbound-mail-secret-for-tests';

// POST /channels/email/inbound (issue 13 §3): a customer's e-mail answer to a campaign e-mail,
// posted by the inbound-parse provider (SendGrid or Mailgun fields, the shared secret), becomes the
// customer's response on the campaign episode — counted as responded, shown in the timeline.
describe('POST /channels/email/inbound (embedded)', () => {
  const clock = new TestClock('2026-05-04T10:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-replies-'));
  const env = { CRM_DATA_DIR: dataDir, CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0', CRM_INBOUND_MAIL_SECRET: SECRET };
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let token = '';
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  const email = new InMemoryMessageSender('email');
  let campaignId = '';
  const people: { id: string; address: string; messageId: string }[] = [];

  const call = httpCaller(
    () => base,
    () => token,
  );
  /** The Message-ID the SMTP sender gives a campaign message (smtpMessageId). */
  const sentAs = (messageId: string) => `<${messageId}@crm.example.com>`;
  const url = (query = `?key=${SECRET}`) => `${base}/channels/email/inbound${query}`;
  /** Posts fields as multipart/form-data (what SendGrid Inbound Parse sends), with an attachment. */
  const inbound = async (fields: Record<string, string>, auth: { query?: string; basic?: string } = { query: `?key=${SECRET}` }) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('attachment1', new Blob([Buffer.alloc(1024, 1)], { type: 'application/pdf' }), 'scan.pdf');
    const r = await fetch(url(auth.query ?? ''), {
      method: 'POST',
      headers: auth.basic ? { authorization: `Basic ${Buffer.from(`sendgrid:${auth.basic}`).toString('base64')}` } : {},
      body: form,
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Record<string, unknown> };
  };
  const sendGrid = (from: string, subject: string, text: string, headers: string[]) => ({
    from,
    to: 'marketing@crm.example.com',
    subject,
    text,
    headers: headers.join('\r\n'),
  });
  const fields = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const episodeEvents = async (episodeId: string) => platform.eventStore.readStream(`episode-${episodeId}`);

  beforeAll(async () => {
    platform = await createPlatform(loadConfig(MarketingConfig, env), { registry: crmRegistry(), clientId: 'test' });
    app = await createMarketingApp(loadConfig(MarketingConfig, env), platform, { embedded: true, clock });
    base = await app.listen(0);
    app.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS).set('email', email);
    token = await app.app.get(TokenMint).mint(marketer);
    const commands = createRelationshipCommands(platform.eventStore, { clock });
    for (const name of ['Budi', 'Sari', 'Tono']) {
      const address = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
      const { id } = await commands.customers.register(marketer, { kind: 'person', name, identities: [{ kind: 'email', value: address }] });
      const grant = await call('POST', `/customers/${id}/consent/grants`, {
        channel: 'email',
        purpose: 'offers',
        source: 'form',
        evidence: { textVersion: 'offers-2026-04', formId: 'footer' },
      });
      expect(grant.status).toBe(200);
      people.push({ id, address, messageId: '' });
    }
    const defined = await call('POST', '/campaigns', {
      name: 'Spring offer',
      purpose: 'offers',
      audience: { kind: 'list', customerIds: people.map((p) => p.id) },
      steps: [
        {
          stepId: 'mail-1',
          channel: 'email',
          delayMinutes: 0,
          variants: [{ variantId: 'a', weight: 1, template: { subject: 'Spring for {{name}}', text: 'Hello {{name}}. {{unsubscribeUrl}}' } }],
        },
      ],
      controlBasisPoints: 0,
      throttlePerSecond: 100,
      attributionWindowDays: 14,
      costPerMessage: { amountMinor: 3, currency: 'EUR' },
    });
    expect(defined.status).toBe(201);
    campaignId = String(defined.body.campaignId);
    expect((await call('POST', `/campaigns/${campaignId}/start`)).status).toBe(200);
    expect(await app.app.get(CampaignDispatcherService).dispatcher.tick()).toMatchObject({ sent: 3 });
    for (const p of people) p.messageId = email.sent.find((m) => m.customerId === p.id)!.messageId;
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('records a SendGrid reply as the customer’s response: counted as responded, in the timeline; the same mail again records nothing', async () => {
    const budi = people[0];
    const mail = sendGrid(`Budi <${budi.address.toUpperCase()}>`, 'Re: Spring for Budi', 'Yes please, send the brochure.', [
      'Message-ID: <CAF=budi1@mail.example.com>',
      `In-Reply-To: ${sentAs(budi.messageId)}`,
      `References: ${sentAs(budi.messageId)}`,
    ]);
    const r = await inbound(mail);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ outcome: 'response', messageId: '<CAF=budi1@mail.example.com>', campaignId });
    const episodeId = String(r.body.episodeId);
    const events = await episodeEvents(episodeId);
    expect(events.map((e) => e.type)).toEqual(['EpisodeOpened', 'InteractionRecorded', 'InteractionRecorded']);
    expect(events[2].data).toMatchObject({
      interaction: {
        interactionId: r.body.interactionId,
        channel: 'email',
        direction: 'inbound',
        actor: { kind: 'customer', id: budi.id },
        // Sealed (personal data); the timeline shows it.
        response: expect.stringMatching(/^pii:/),
      },
    });

    // The provider posts it again (a retry): acknowledged, recorded once.
    const again = await inbound(mail);
    expect(again.body).toEqual({ ...r.body, outcome: 'duplicate' });
    expect(await episodeEvents(episodeId)).toHaveLength(3);

    await waitFor(
      async () => {
        const s = await call('GET', `/campaigns/${campaignId}/statistics`);
        return s.status === 200 && (s.body.funnel as { responded: number }).responded === 1;
      },
      20000,
      'the reply counted as responded',
    );
    await waitFor(
      async () => {
        const t = await call('GET', `/customers/${budi.id}/timeline`);
        const episodes = (t.body.episodes ?? []) as { episodeType: string; interactions: { direction: string; channel: string; response?: string }[] }[];
        return episodes.some(
          (e) =>
            e.episodeType === 'campaign' &&
            e.interactions.some(
              (i) => i.direction === 'inbound' && i.channel === 'email' && i.response === 'Re: Spring for Budi\n\nYes please, send the brochure.',
            ),
        );
      },
      20000,
      'the reply in the customer’s timeline',
    );
  });

  it('takes Mailgun’s form fields (basic auth), finding the campaign e-mail in References', async () => {
    const sari = people[1];
    const form = new URLSearchParams({
      sender: sari.address,
      from: `Sari <${sari.address}>`,
      subject: 'Re: Spring for Sari',
      'body-plain': 'How much is it?',
      'Message-Id': '<mg-sari1@mail.example.com>',
      References: `<older@mail.example.com> ${sentAs(sari.messageId)}`,
    });
    const r = await fetch(url(''), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`api:${SECRET}`).toString('base64')}` },
      body: form.toString(),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ outcome: 'response', messageId: '<mg-sari1@mail.example.com>', campaignId });
    const events = await episodeEvents(String(body.episodeId));
    expect(events[events.length - 1].data).toMatchObject({ interaction: { direction: 'inbound', actor: { id: sari.id } } });
  });

  it('acknowledges and does not record a mail that answers no campaign e-mail, or one from someone other than the recipient', async () => {
    const tono = people[2];
    const unknown = await inbound(sendGrid(tono.address, 'Re: hello', 'hi', ['Message-ID: <t1@mail.example.com>', `In-Reply-To: ${sentAs(randomUUID())}`]));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ outcome: 'not-a-campaign-reply', messageId: '<t1@mail.example.com>' });
    const none = await inbound(sendGrid(tono.address, 'hello', 'hi', ['Message-ID: <t2@mail.example.com>', 'In-Reply-To: <not-a-uuid@crm.example.com>']));
    expect(none.body.outcome).toBe('not-a-campaign-reply');
    // A forward answered by a colleague: not the customer's response.
    const other = await inbound(
      sendGrid('colleague@elsewhere.example', 'Re: Fwd: Spring for Tono', 'Interesting', [
        'Message-ID: <t3@mail.example.com>',
        `In-Reply-To: ${sentAs(tono.messageId)}`,
      ]),
    );
    expect(other.body).toEqual({ outcome: 'unknown-sender', messageId: '<t3@mail.example.com>', campaignId });
    // Tono's campaign episode holds the message sent, and no response.
    expect((await episodeEvents(campaignEpisodeId(campaignId, tono.id))).map((e) => e.type)).toEqual(['EpisodeOpened', 'InteractionRecorded']);
  });

  it('authenticates by the shared secret (?key= or the basic-auth password): 401 otherwise, the mail unread', async () => {
    const budi = people[0];
    const mail = sendGrid(budi.address, 'Re: x', 'y', ['Message-ID: <auth1@mail.example.com>', `In-Reply-To: ${sentAs(budi.messageId)}`]);
    const none = await inbound(mail, { query: '' });
    expect(none.status).toBe(401);
    expect(none.type).toContain('application/problem+json');
    expect((await inbound(mail, { query: '?key=guess' })).status).toBe(401);
    expect((await inbound(mail, { basic: 'guess' })).status).toBe(401);
    // A bearer token is no substitute for the secret.
    const bearer = await fetch(url(''), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: new FormData() });
    expect(bearer.status).toBe(401);
  });

  it('answers bad bodies with 4xx problem+json naming the field: wrong type, broken multipart, no sender, NUL, lone surrogate, a nested field', async () => {
    const post = (body: string | Buffer, type: string) => fetch(url(), { method: 'POST', headers: { 'content-type': type }, body });
    const json = await post(JSON.stringify({ from: 'a@b.c' }), 'application/json');
    expect(json.status).toBe(415);
    expect(json.headers.get('content-type')).toContain('application/problem+json');
    expect((await post('hello', 'text/plain')).status).toBe(415);
    const broken = await post('--xyz\r\nContent-Disposition: form-data; name="from"\r\n\r\nbudi@example.com\r\n--xy', 'multipart/form-data; boundary=xyz');
    expect(broken.status).toBe(400);
    expect((await post('x', 'multipart/form-data')).status).toBe(400); // no boundary

    const noSender = await inbound({ subject: 'x', text: 'y' });
    expect(noSender.status).toBe(400);
    expect(noSender.type).toContain('application/problem+json');
    expect(fields(noSender.body)).toEqual(['from']);
    const nul = await inbound({ from: people[0].address, subject: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(fields(nul.body)).toEqual(['subject']);
    // A lone surrogate survives only in a UTF-16 part (UTF-8 cannot carry one).
    const surrogate = Buffer.concat([
      Buffer.from(`--b\r\nContent-Disposition: form-data; name="from"\r\n\r\n${people[0].address}\r\n`),
      Buffer.from('--b\r\nContent-Disposition: form-data; name="text"\r\nContent-Type: text/plain; charset=utf-16le\r\n\r\n'),
      Buffer.from([0x61, 0x00, 0x00, 0xd8]),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const lone = await post(surrogate, 'multipart/form-data; boundary=b');
    expect(lone.status).toBe(400);
    expect(fields((await lone.json()) as Record<string, unknown>)).toEqual(['text']);
    // Form-encoded "nested" fields are plain names here; a garbage In-Reply-To is no campaign message.
    const nested = await post(
      new URLSearchParams({ from: people[0].address, 'headers[0][x]': 'y', 'In-Reply-To': '<\u0001@@>' }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(nested.status).toBe(200);
    expect(((await nested.json()) as Record<string, unknown>).outcome).toBe('not-a-campaign-reply');
  });

  it('is in the OpenAPI document: both provider media types, the receipt schema with an example, the error answers', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<
        string,
        {
          post: {
            security?: unknown[];
            requestBody: { content: Record<string, unknown> };
            responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
          };
        }
      >;
    };
    const op = doc.paths['/channels/email/inbound'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['multipart/form-data', 'application/x-www-form-urlencoded']);
    expect(op.responses['200'].content?.['application/json']).toMatchObject({
      schema: { $ref: '#/components/schemas/CampaignReplyReceiptDto' },
      example: { outcome: 'response' },
    });
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '413', '415', '503']));
  });
});
