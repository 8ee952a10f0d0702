import { randomUUID } from 'node:crypto';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import type { Principal, ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { CampaignDispatcherService } from '../campaigns/dispatch/campaign-dispatcher.service';
import { signWebhook } from '../channels/email/delivery-events/standard-webhook-signature';
import { MESSAGE_SENDERS, type MessageSender } from '../channels/message-sender';
import { InMemoryMessageSender } from '../channels/testing/in-memory-message-sender';
import { CALLERS, mintTokens, startMarketing } from '../testing/marketing-under-test';

type Recipient = { customerId: string; messages: { stepId: string; messageId: string; status: string; reason?: string }[] };
const WEBHOOK_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

// The e-mail suppression list (issue 13 §3) over HTTP, embedded, on a test clock: a hard bounce (at
// the hand-over or reported later) and a complaint put the address on the list; every later campaign
// suppresses its e-mail (`address-suppressed`) and hands nothing to the sender, until staff release it.
describe('e-mail suppression list (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let stop: (() => Promise<void>) | undefined;
  const email = new InMemoryMessageSender('email');
  const tokens: Record<string, string> = {};
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startMarketing('suppressions', clock, {
      CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0',
      CRM_EMAIL_WEBHOOK_SECRET: WEBHOOK_SECRET,
    }));
    app.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS).set('email', email);
    Object.assign(tokens, await mintTokens(app, { marketing: marketer, ...CALLERS }));
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => tokens.marketing,
  );
  const fields = (body: Record<string, unknown>) => [...new Set(((body.errors ?? []) as { field: string }[]).map((e) => e.field))];
  const tick = () => app.app.get(CampaignDispatcherService).dispatcher.tick();
  const lookUp = async (address: string) => {
    const r = await call('GET', `/suppressions?email=${encodeURIComponent(address)}`);
    expect(r.status).toBe(200);
    return r.body;
  };

  /** A person with an e-mail address who agreed to offers by e-mail. */
  const customer = async (name: string) => {
    const address = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
    const { id } = await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, {
      kind: 'person',
      name,
      identities: [{ kind: 'email', value: address }],
    });
    await grant(id);
    return { id, address };
  };
  const grant = async (id: string) => {
    const r = await call('POST', `/customers/${id}/consent/grants`, {
      channel: 'email',
      purpose: 'offers',
      source: 'form',
      evidence: { textVersion: 'offers-2026-04', formId: 'footer' },
    });
    expect(r.status).toBe(200);
  };
  /** A one-step e-mail campaign to these customers, started; the dispatcher ticks once. */
  const campaign = async (customerIds: string[]) => {
    const defined = await call('POST', '/campaigns', {
      name: 'Offer',
      purpose: 'offers',
      audience: { kind: 'list', customerIds },
      steps: [
        { stepId: 'mail-1', channel: 'email', delayMinutes: 0, variants: [{ variantId: 'a', weight: 1, template: { subject: 'Hi {{name}}', text: 'Offer' } }] },
      ],
      controlBasisPoints: 0,
      throttlePerSecond: 100,
      attributionWindowDays: 14,
      costPerMessage: { amountMinor: 3, currency: 'EUR' },
    });
    expect(defined.status).toBe(201);
    const campaignId = String(defined.body.campaignId);
    expect((await call('POST', `/campaigns/${campaignId}/start`)).status).toBe(200);
    clock.advance(1000);
    const ticked = await tick();
    return { campaignId, ticked };
  };
  const messageOf = async (campaignId: string, customerId: string) => {
    const r = await call('GET', `/campaigns/${campaignId}/messages?limit=100`);
    expect(r.status).toBe(200);
    return (r.body.items as Recipient[]).find((x) => x.customerId === customerId)!.messages[0];
  };
  const webhook = async (events: unknown[], id = `msg_${randomUUID()}`) => {
    const text = JSON.stringify({ events });
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    const r = await fetch(`${base}/channels/email/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': timestamp,
        'webhook-signature': signWebhook(WEBHOOK_SECRET, id, timestamp, text),
      },
      body: text,
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { results: { outcome: string }[] }).results;
  };
  const suppressionEvents = async (addressKey: string) => platform.eventStore.readStream(`emailsuppression-${addressKey}`).catch(() => []);

  /** A second campaign to the customer: suppressed `address-suppressed` (schema version 2), nothing handed over. */
  const expectSuppressedNextTime = async (c: { id: string; address: string }) => {
    email.reset();
    const { campaignId, ticked } = await campaign([c.id]);
    expect(ticked).toMatchObject({ sent: 0, suppressed: 1 });
    expect(await messageOf(campaignId, c.id)).toMatchObject({ status: 'suppressed', reason: 'address-suppressed' });
    expect(email.sent).toEqual([]);
    const [suppressed] = await platform.eventStore.readStream(`campaignmessage-${campaignId}-${c.id}`);
    expect(suppressed).toMatchObject({ type: 'CampaignMessageSuppressed', schemaVersion: 2, data: { reason: 'address-suppressed' } });
    return campaignId;
  };

  let budi: { id: string; address: string };

  it('a hard bounce at the hand-over suppresses the address (keyed, never in clear); the next campaign to the customer sends nothing: address-suppressed', async () => {
    budi = await customer('Budi');
    email.failWith({ status: 'bounced', kind: 'hard', reason: '550 5.1.1 mailbox unknown' }, budi.address);
    const first = await campaign([budi.id]);
    expect(first.ticked).toMatchObject({ bounced: 1 });
    const bounced = (await messageOf(first.campaignId, budi.id)) as { status: string; messageId: string };
    expect(bounced.status).toBe('bounced');

    // Looked up in another case and with spaces: the same address.
    const status = await lookUp(budi.address.toUpperCase());
    expect(status).toMatchObject({
      addressKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      suppressed: true,
      reason: 'hard-bounce',
      since: clock.now().toISOString(),
      by: 'campaign-dispatcher',
      note: '550 5.1.1 mailbox unknown',
      campaignId: first.campaignId,
      customerId: budi.id,
    });
    expect(status.messageRef).toBe(bounced.messageId);
    const events = await suppressionEvents(String(status.addressKey));
    expect(events.map((e) => e.type)).toEqual(['EmailAddressSuppressed']);
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(budi.address);
    // The send recorded the address's key: a later report suppresses the address it went to.
    const [sent] = await platform.eventStore.readStream(`campaignmessage-${first.campaignId}-${budi.id}`);
    expect(sent.data).toMatchObject({ addressKey: status.addressKey });

    const second = await expectSuppressedNextTime(budi);
    // The statistics count it suppressed, by its reason.
    await waitFor(
      async () => {
        const r = await call('GET', `/campaigns/${second}/statistics`);
        return r.status === 200 && JSON.stringify(r.body).includes('"address-suppressed":1');
      },
      20_000,
      'the statistics to count the address-suppressed message',
    );
  });

  it('a hard bounce the provider reports later does the same, once however often it is reported', async () => {
    const citra = await customer('Citra');
    email.reset();
    const first = await campaign([citra.id]);
    expect(first.ticked).toMatchObject({ sent: 1 });
    const messageId = email.to(citra.address)[0].messageId;
    const report = [{ type: 'bounce', bounceType: 'hard', messageId, at: clock.now().toISOString(), reason: '550 no such user' }];
    expect((await webhook(report))[0].outcome).toBe('recorded');
    const status = await lookUp(citra.address);
    expect(status).toMatchObject({ suppressed: true, reason: 'async-hard-bounce', by: 'email-provider', messageRef: messageId, note: '550 no such user' });
    // A replay: nothing new anywhere.
    expect((await webhook(report))[0].outcome).toBe('unchanged');
    expect((await suppressionEvents(String(status.addressKey))).length).toBe(1);
    await expectSuppressedNextTime(citra);
  });

  it('a complaint withdraws e-mail consent and suppresses the address: granted again, the address still gets nothing', async () => {
    const dewi = await customer('Dewi');
    email.reset();
    const first = await campaign([dewi.id]);
    expect(first.ticked).toMatchObject({ sent: 1 });
    const messageId = email.to(dewi.address)[0].messageId;
    expect((await webhook([{ type: 'complaint', messageId, at: clock.now().toISOString(), reason: 'abuse' }]))[0].outcome).toBe('recorded');
    expect(await lookUp(dewi.address)).toMatchObject({ suppressed: true, reason: 'complaint', by: 'email-provider', messageRef: messageId });
    clock.advance(60_000);
    await grant(dewi.id);
    await expectSuppressedNextTime(dewi);
  });

  it('staff release an address with a reason and the next campaign sends; suppressing by hand stops it again', async () => {
    clock.advance(60_000);
    const released = await call('POST', '/suppressions/release', { email: budi.address, reason: 'the customer fixed the mailbox' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({
      suppressed: false,
      recorded: true,
      released: { by: 'mira', reason: 'the customer fixed the mailbox', at: clock.now().toISOString() },
    });
    // Released twice: nothing more recorded.
    expect((await call('POST', '/suppressions/release', { email: budi.address, reason: 'again' })).body).toMatchObject({ recorded: false });
    email.reset();
    const { ticked } = await campaign([budi.id]);
    expect(ticked).toMatchObject({ sent: 1, suppressed: 0 });
    expect(email.to(budi.address)).toHaveLength(1);

    // By hand, as management, in capitals: suppressed (manual); a second time records nothing.
    const manual = await call(
      'POST',
      '/suppressions',
      { email: budi.address.toUpperCase(), reason: 'asked by phone never to be e-mailed' },
      {},
      tokens.management,
    );
    expect(manual.status).toBe(200);
    expect(manual.body).toMatchObject({ suppressed: true, reason: 'manual', by: 'maya', note: 'asked by phone never to be e-mailed', recorded: true });
    expect((await call('POST', '/suppressions', { email: budi.address })).body).toMatchObject({ suppressed: true, reason: 'manual', recorded: false });
    await expectSuppressedNextTime(budi);
    // An address never suppressed.
    expect(await lookUp('nobody@example.com')).toEqual({ addressKey: expect.stringMatching(/^[0-9a-f]{64}$/), suppressed: false });
  });

  it('bad input is 400 naming the field, another content type 415; nothing is recorded', async () => {
    const address = 'eko@example.com';
    const post = (path: string, body: unknown) => call('POST', path, body);
    for (const path of ['/suppressions', '/suppressions/release']) {
      for (const email of [
        [['eko@example.com']],
        ['eko@example.com'],
        { a: 1 },
        'not-an-email',
        'e\u0000ko@example.com',
        'e\ud800ko@example.com',
        '',
        42,
        `${'a'.repeat(250)}@example.com`,
      ])
        expect([path, email, fields((await post(path, { email, reason: 'because' })).body)]).toEqual([path, email, ['email']]);
      for (const reason of [[['x']], 'why\u0000', 'why\ud800', '', 'x'.repeat(2001)])
        expect([path, reason, fields((await post(path, { email: address, reason })).body)]).toEqual([path, reason, ['reason']]);
      expect(fields((await post(path, [{ email: address, reason: 'x' }])).body)).toEqual(expect.arrayContaining(['email']));
      const text = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.marketing}`, 'content-type': 'text/plain' },
        body: address,
      });
      expect(text.status).toBe(415);
      expect(text.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(fields((await post('/suppressions/release', { email: address })).body)).toEqual(['reason']);
    for (const q of [
      '',
      'email=not-an-email',
      'email=e%00ko%40example.com',
      'email[]=eko%40example.com',
      'email=e%ED%A0%80ko%40example.com',
      'email=%F0%9F',
      'email=a%40b.c&email=d%40e.f',
      'email[a]=1',
    ]) {
      const r = await call('GET', `/suppressions?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      // The field as it was sent (`email[]` names the bracket form too).
      expect([q, fields(r.body).every((f) => f.startsWith('email'))]).toEqual([q, true]);
    }
    expect((await lookUp(address)).suppressed).toBe(false);
  });

  it('only staff of marketing and management: 401 without a token, 403 for other departments and partners', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/suppressions?email=eko%40example.com'],
      ['POST', '/suppressions', { email: 'eko@example.com', reason: 'x' }],
      ['POST', '/suppressions/release', { email: 'eko@example.com', reason: 'x' }],
    ];
    for (const [method, path, body] of routes) {
      expect([path, (await call(method, path, body, {}, 'nope')).status]).toEqual([path, 401]);
      const anonymous = await fetch(`${base}${path}`, {
        method,
        ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      expect([path, anonymous.status]).toEqual([path, 401]);
      for (const who of ['service', 'analytics', 'sales', 'partner'])
        expect([path, who, (await call(method, path, body, {}, tokens[who])).status]).toEqual([path, who, 403]);
    }
    expect((await lookUp('eko@example.com')).suppressed).toBe(false);
  });

  it('is in the OpenAPI document with its schema, errors and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const get = doc.paths['/suppressions'].get;
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    expect(JSON.stringify(get.responses['200'])).toContain('#/components/schemas/SuppressionStatusDto');
    expect(JSON.stringify(get.responses['200'])).toContain('hard-bounce');
    for (const path of ['/suppressions', '/suppressions/release']) {
      const post = doc.paths[path].post;
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '409', '415']));
      expect(JSON.stringify(post)).toContain('sari@example.com');
    }
    expect(JSON.stringify(doc.components.schemas.SuppressionStatusDto)).toContain('async-hard-bounce');
  });
});
