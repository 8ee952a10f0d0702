import { TestClock } from '@crm/kernel';
import { waitFor } from '@crm/event-store/testing';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import type { Principal } from '@crm/service-kit';
import { startServiceWithChannels } from './channels-testing';
import { EMAIL_SENDER, type EmailSender, type OutgoingMail } from './email/email-sender';
import { mailStream } from './email/mail-commands';
import { MailOutboxService } from './email/mail-outbox.service';

// Inbound e-mail as SendGrid Inbound Parse / Mailgun post it (multipart with real boundaries), and
// agents' replies sent by the outbox with their threading headers.
describe('e-mail in and out (embedded)', () => {
  const SECRET = 'inbound-secret-for-tests';
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  let svc: Awaited<ReturnType<typeof startServiceWithChannels>>;
  let commands: RelationshipCommands;
  let outbox: MailOutboxService;
  let sent: OutgoingMail[];
  let failures: string[];
  const agent: Principal = { kind: 'staff', subject: 'dewi', department: 'service', roles: ['agent'] };
  let customerId: string;

  beforeAll(async () => {
    // The outbox ticks only when the test says so.
    svc = await startServiceWithChannels(clock, {
      CRM_INBOUND_MAIL_SECRET: SECRET,
      CRM_MAIL_FROM: 'service@crm.example.com',
      CRM_MAIL_OUTBOX_INTERVAL_MS: '3600000',
    });
    commands = createRelationshipCommands(svc.platform.eventStore, { clock });
    outbox = svc.app.app.get(MailOutboxService);
    // The embedded default (the logging sender) stands in for SMTP: what it is given is kept, and it fails when told to.
    const sender = svc.app.app.get<EmailSender>(EMAIL_SENDER);
    sent = [];
    failures = [];
    sender.send = async (mail) => {
      const failure = failures.shift();
      if (failure) throw new Error(failure);
      sent.push(mail);
    };
    customerId = (
      await commands.customers.register(agent, { kind: 'person', name: 'Budi Santoso', identities: [{ kind: 'email', value: 'budi@example.com' }] })
    ).id;
    await waitFor(async () => (await svc.call('GET', `/customers/${customerId}`)).status === 200, 20000, 'the customer directory');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  /** Posts fields as multipart/form-data with a real boundary (what fetch builds for FormData). */
  const inbound = async (fields: Record<string, string>, auth: { query?: string; basic?: string } = { query: `?key=${SECRET}` }) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('attachment1', new Blob([Buffer.alloc(2048, 1)], { type: 'application/pdf' }), 'invoice.pdf');
    const r = await fetch(`${svc.base}/email/inbound${auth.query ?? ''}`, {
      method: 'POST',
      headers: auth.basic ? { authorization: `Basic ${Buffer.from(`sendgrid:${auth.basic}`).toString('base64')}` } : {},
      body: form,
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Record<string, unknown> };
  };
  const sendGrid = (from: string, subject: string, text: string, headers: string[]) => ({
    from,
    to: 'service@crm.example.com',
    subject,
    text,
    html: `<p>${text}</p>`,
    headers: headers.join('\r\n'),
    envelope: JSON.stringify({ to: ['service@crm.example.com'], from }),
  });
  const caseInteractions = async (episodeId: string) => {
    const r = await svc.call('GET', `/customers/${customerId}/timeline?limit=100`);
    return ((r.body.episodes as { episodeId: string; interactions: { channel: string; direction: string; action: string }[] }[]).find(
      (e) => e.episodeId === episodeId,
    )?.interactions ?? []) as { channel: string; direction: string; action: string }[];
  };

  it('a new thread from a known sender opens an e-mail case; the reply is sent once with its threading headers; the answer threads back', async () => {
    const first = await inbound(
      sendGrid('Budi Santoso <Budi@Example.com>', 'Printer jams', 'It jams on every page.', ['Message-ID: <c1@mail.example.com>', 'Subject: Printer jams']),
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'new-case', messageId: '<c1@mail.example.com>' });
    const episodeId = String(first.body.episodeId);
    // The provider posts it again (it did not see our 200): recorded once.
    expect(
      (await inbound(sendGrid('Budi Santoso <Budi@Example.com>', 'Printer jams', 'It jams on every page.', ['Message-ID: <c1@mail.example.com>']))).body,
    ).toMatchObject({
      outcome: 'duplicate',
      episodeId,
    });
    await waitFor(async () => (await caseInteractions(episodeId)).length === 1, 20000, 'the e-mail on the timeline');
    expect(await caseInteractions(episodeId)).toEqual([expect.objectContaining({ channel: 'email', direction: 'inbound', action: 'sent an e-mail' })]);

    const reply = await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'Please update the driver to 4.2.' });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ inReplyTo: '<c1@mail.example.com>', to: 'budi@example.com', subject: 'Re: Printer jams' });
    const messageId = String(reply.body.messageId);
    expect(messageId).toMatch(/^<[0-9a-f-]{36}@crm\.example\.com>$/);

    // The mail server is down: tried again after a minute, then sent — once.
    failures.push('connect ECONNREFUSED 127.0.0.1:11025');
    expect(await outbox.tick()).toEqual({ sent: 0, failed: 1 });
    clock.advance(30_000);
    expect(await outbox.tick()).toEqual({ sent: 0, failed: 0 });
    clock.advance(31_000);
    expect(await outbox.tick()).toEqual({ sent: 1, failed: 0 });
    expect(await outbox.tick()).toEqual({ sent: 0, failed: 0 });
    expect(sent).toEqual([
      {
        from: 'service@crm.example.com',
        to: 'budi@example.com',
        subject: 'Re: Printer jams',
        text: 'Please update the driver to 4.2.',
        messageId,
        inReplyTo: '<c1@mail.example.com>',
        references: ['<c1@mail.example.com>'],
      },
    ]);
    const events = (await svc.platform.eventStore.readStream(mailStream(messageId))).map((e) => e.type);
    expect(events).toEqual(['MailRecorded', 'MailSendClaimed', 'MailSendFailed', 'MailSendClaimed', 'MailSent']);

    // The customer answers from another address: the headers thread it into the same case.
    const answer = await inbound(
      sendGrid('Budi at home <budi.home@example.net>', 'Re: Printer jams', 'Updated, it works!', [
        'Message-ID: <c2@mail.example.net>',
        `In-Reply-To: ${messageId}`,
        `References: <c1@mail.example.com>`,
        `\t${messageId}`,
      ]),
    );
    expect(answer.body).toMatchObject({ outcome: 'threaded', episodeId });
    await waitFor(async () => (await caseInteractions(episodeId)).length === 3, 20000, 'the thread on the timeline');
    expect((await caseInteractions(episodeId)).map((i) => `${i.direction} ${i.action}`)).toEqual([
      'inbound sent an e-mail',
      'outbound replied by e-mail',
      'inbound sent an e-mail',
    ]);
    // A reply to that answer names it, and the whole thread.
    const second = await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'Glad to hear it.', replyId: '3b7e2c1a-4d5f-4e6a-8b9c-0d1e2f3a4b5c' });
    expect(second.body).toMatchObject({ inReplyTo: '<c2@mail.example.net>', to: 'budi.home@example.net', subject: 'Re: Printer jams' });
    // The same replyId again is the same message, queued and sent once.
    const again = await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'Glad to hear it.', replyId: '3b7e2c1a-4d5f-4e6a-8b9c-0d1e2f3a4b5c' });
    expect(again.body.messageId).toBe(second.body.messageId);
    expect(await outbox.tick()).toEqual({ sent: 1, failed: 0 });
    expect(sent[1].references).toEqual(['<c1@mail.example.com>', messageId, '<c2@mail.example.net>']);
  });

  it("Mailgun's field names, form-encoded; an unknown sender's new thread is acknowledged and not recorded", async () => {
    const mailgun = new URLSearchParams({
      sender: 'budi@example.com',
      subject: 'Invoice question',
      'body-plain': 'Why two invoices?',
      'Message-Id': '<mg1@mailgun.example>',
    });
    const r = await fetch(`${svc.base}/email/inbound?key=${SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: mailgun,
    });
    expect(r.status).toBe(200);
    // Budi's printer case is open and recent: the new thread goes on it.
    expect(await r.json()).toMatchObject({ outcome: 'continued-case' });
    const stranger = await inbound(sendGrid('someone@else.example', 'Hello', 'Who are you?', ['Message-ID: <s1@else.example>']));
    expect(stranger.body).toEqual({ outcome: 'unknown-sender', messageId: '<s1@else.example>' });
    expect(await svc.platform.eventStore.readStream(mailStream('<s1@else.example>'))).toEqual([]);
  });

  it('a reply request that fails part-way (its interaction recorded, its message not yet queued) is completed by retrying it with the same replyId: one message, sent once', async () => {
    // Budi's printer case is open and recent: the new thread goes on it.
    const opened = await inbound(sendGrid('budi@example.com', 'Toner', 'Which toner fits?', ['Message-ID: <toner1@mail.example.com>']));
    const episodeId = String(opened.body.episodeId);
    const store = svc.platform.eventStore;
    const append = store.appendToStream.bind(store);
    let broken = true;
    // The store fails once, at the third of the reply's four appends (the case's mail thread).
    store.appendToStream = async (streamId, events, options) => {
      if (
        broken &&
        streamId === `casemail-${episodeId}` &&
        events.some((e) => e.type === 'MailThreaded' && (e.data as { direction?: string }).direction === 'outbound')
      ) {
        broken = false;
        throw new Error('connection lost');
      }
      return append(streamId, events, options);
    };
    try {
      const replyId = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
      const failed = await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'The T-20 fits.', replyId });
      expect(failed.status).toBeGreaterThanOrEqual(500);
      expect(broken).toBe(false);
      const retried = await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'The T-20 fits.', replyId });
      expect(retried.status).toBe(201);
      const messageId = String(retried.body.messageId);
      const before = sent.length;
      expect(await outbox.tick()).toEqual({ sent: 1, failed: 0 });
      expect(sent.slice(before).map((m) => m.messageId)).toEqual([messageId]);
      expect((await store.readStream(mailStream(messageId))).map((e) => e.type)).toEqual(['MailRecorded', 'MailSendClaimed', 'MailSent']);
      const thisReply = async () => (await caseInteractions(episodeId)).filter((i) => (i as { response?: string }).response?.endsWith('The T-20 fits.'));
      await waitFor(async () => (await thisReply()).length > 0, 20000, 'the reply on the timeline');
      expect(await thisReply()).toHaveLength(1);
    } finally {
      store.appendToStream = append;
    }
  });

  it('without CRM_TELEPHONY_AUTH_TOKEN the telephony webhooks are off (503), whatever is posted', async () => {
    const r = await fetch(`${svc.base}/telephony/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'anything' },
      body: 'CallSid=CA1&From=%2B62&To=%2B62&CallStatus=ringing',
    });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('authenticates by the secret in the URL or as the basic-auth password; 401 otherwise, the mail unread', async () => {
    const fields = sendGrid('budi@example.com', 'x', 'y', ['Message-ID: <auth1@mail.example.com>']);
    expect((await inbound(fields, { query: '' })).status).toBe(401);
    const wrong = await inbound(fields, { query: '?key=guess' });
    expect(wrong.status).toBe(401);
    expect(wrong.type).toContain('application/problem+json');
    expect((await inbound(fields, { basic: 'guess' })).status).toBe(401);
    expect(await svc.platform.eventStore.readStream(mailStream('<auth1@mail.example.com>'))).toEqual([]);
    expect((await inbound(fields, { basic: SECRET })).status).toBe(200);
  });

  it('answers bad bodies with 4xx problem+json: not multipart, a broken multipart, a missing sender, a NUL, too large', async () => {
    const post = (body: string | Buffer, type: string) =>
      fetch(`${svc.base}/email/inbound?key=${SECRET}`, { method: 'POST', headers: { 'content-type': type }, body });
    const text = await post('hello', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.headers.get('content-type')).toContain('application/problem+json');
    const broken = await post('--xyz\r\nContent-Disposition: form-data; name="from"\r\n\r\nbudi@example.com\r\n--xy', 'multipart/form-data; boundary=xyz');
    expect(broken.status).toBe(400);
    expect((await post('x', 'multipart/form-data')).status).toBe(400); // no boundary
    const noSender = await inbound({ subject: 'x', text: 'y' });
    expect(noSender.status).toBe(400);
    expect((noSender.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['from']);
    const nul = await inbound({ from: 'budi@example.com', text: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect((nul.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['text']);
    const huge = await inbound({ from: 'budi@example.com', text: 'x'.repeat(1024 * 1024 + 10) });
    expect(huge.status).toBe(413);
    expect(huge.type).toContain('application/problem+json');
    // A form-encoded post above 16 kB (Mailgun sends larger mail as multipart).
    const bigForm = await post(new URLSearchParams({ from: 'budi@example.com', text: 'x'.repeat(20_000) }).toString(), 'application/x-www-form-urlencoded');
    expect(bigForm.status).toBe(413);
    expect(bigForm.headers.get('content-type')).toContain('application/problem+json');
  });

  describe('POST /cases/{id}/replies', () => {
    let episodeId: string;
    beforeAll(async () => {
      episodeId = (await commands.episodes.open(agent, 'case', { customerId, name: 'Walk-in: broken screen', channel: 'face-to-face' })).id;
    });

    it('may be called by service and management staff only', async () => {
      const salesToken = await svc.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
      const partnerToken = await svc.mint({ kind: 'partner', subject: 'p-user', partnerId: 'partner-1', roles: [] });
      expect((await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'x' }, {}, salesToken)).status).toBe(403);
      expect((await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'x' }, {}, partnerToken)).status).toBe(403);
      expect(
        (await fetch(`${svc.base}/cases/${episodeId}/replies`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' }))
          .status,
      ).toBe(401);
    });

    it('a case without e-mail goes to the customer’s address; bad input is a 400 naming the field; unknown or resolved cases are refused', async () => {
      const r = await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'Your screen is ready.', subject: 'Repair done' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ to: 'budi@example.com', subject: 'Repair done' });
      expect(r.body).not.toHaveProperty('inReplyTo');
      const fields = async (body: unknown) => {
        const x = await svc.call('POST', `/cases/${episodeId}/replies`, body);
        expect(x.status).toBe(400);
        expect(x.type).toContain('application/problem+json');
        return [...new Set((x.body.errors as { field: string }[]).map((e) => e.field))];
      };
      expect(await fields({ text: 'x', to: 'not an address' })).toEqual(['to']);
      expect(await fields({ text: 42 })).toEqual(['text']);
      expect(await fields({ text: ['x'] })).toEqual(['text']);
      expect(await fields({ text: 'x', subject: { a: 1 } })).toEqual(['subject']);
      expect(await fields({ text: 'a\u0000' })).toEqual(['text']);
      expect(await fields({ text: '\ud800' })).toEqual(['text']);
      expect(await fields({ text: 'x', replyId: 'again' })).toEqual(['replyId']);
      expect(await fields({ text: 'x', bcc: 'spy@example.com' })).toEqual(['bcc']);
      expect((await svc.call('POST', `/cases/not-a-uuid/replies`, { text: 'x' })).status).toBe(400);
      expect((await svc.call('POST', `/cases/00000000-0000-4000-8000-000000000000/replies`, { text: 'x' })).status).toBe(404);
      const opportunity = (await commands.episodes.open({ ...agent, department: 'sales' }, 'opportunity', { customerId, name: 'Fleet' })).id;
      expect((await svc.call('POST', `/cases/${opportunity}/replies`, { text: 'x' })).status).toBe(404);
      await commands.episodes.close(agent, episodeId, { outcome: 'resolved' });
      const closed = await svc.call('POST', `/cases/${episodeId}/replies`, { text: 'One more thing.' });
      expect(closed.status).toBe(422);
    });
  });

  it('web forms and face-to-face visits open cases on their channel (POST /cases)', async () => {
    for (const channel of ['web', 'face-to-face']) {
      const r = await svc.call('POST', '/cases', { customerId, name: `A ${channel} case`, channel });
      expect(r.status).toBe(201);
    }
    expect((await svc.call('POST', '/cases', { customerId, name: 'x', channel: 'pigeon' })).status).toBe(400);
  });

  it('every channel route is in the OpenAPI document: responses with their schemas, errors and examples; the webhooks need no bearer token', async () => {
    type Operation = {
      security?: unknown[];
      responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
      requestBody?: { content: Record<string, unknown> };
    };
    const doc = (await (await fetch(`${svc.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const expected: [string, string, string[]][] = [
      ['/telephony/voice', 'post', ['200', '400', '403', '415', '503']],
      ['/telephony/status', 'post', ['200', '400', '403', '415', '503']],
      ['/telephony/ivr', 'post', ['200', '400', '403', '404', '415', '503']],
      ['/ivr/menus/{id}', 'put', ['200', '400', '401', '403', '412', '415', '422']],
      ['/ivr/menus/{id}', 'get', ['200', '400', '401', '403', '404']],
      ['/ivr/containment', 'get', ['200', '400', '401', '403']],
      ['/email/inbound', 'post', ['200', '400', '401', '413', '415', '503']],
      ['/cases/{id}/replies', 'post', ['201', '400', '401', '403', '404', '415', '422']],
    ];
    for (const [path, method, statuses] of expected) {
      const operation = doc.paths[path]?.[method];
      expect({ path, method, statuses: Object.keys(operation?.responses ?? {}).filter((x) => statuses.includes(x)) }).toEqual({ path, method, statuses });
      for (const status of statuses.filter((x) => Number(x) >= 400))
        expect({ path, method, status, example: operation!.responses[status].content?.['application/problem+json']?.example }).toEqual({
          path,
          method,
          status,
          example: expect.objectContaining({ status: Number(status) }),
        });
    }
    for (const path of ['/telephony/voice', '/telephony/status', '/telephony/ivr', '/email/inbound']) expect(doc.paths[path].post.security).toEqual([]);
    expect(doc.paths['/telephony/voice'].post.responses['200'].content?.['text/xml']?.example).toContain('<Gather');
    expect(Object.keys(doc.paths['/telephony/voice'].post.requestBody?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(doc.paths['/email/inbound'].post.requestBody?.content ?? {})).toEqual(['multipart/form-data', 'application/x-www-form-urlencoded']);
    expect(doc.paths['/ivr/containment'].get.responses['200'].content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/ContainmentDto' });
    expect(doc.paths['/cases/{id}/replies'].post.responses['201'].content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/CaseReplyResultDto',
    });
    expect((await fetch(`${svc.base}/health/ready`)).status).toBe(200);
  });
});
