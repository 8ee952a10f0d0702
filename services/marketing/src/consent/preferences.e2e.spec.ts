import { randomUUID } from 'node:crypto';
import { TestClock, type ConsentChannel } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import type { Principal, ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { InMemoryMessageSender } from '../channels/testing/in-memory-message-sender';
import { MESSAGE_SENDERS, type MessageSender } from '../channels/message-sender';
import { CALLERS, mintTokens, startMarketing } from '../testing/marketing-under-test';

// The preference centre and double opt-in over HTTP (issue 13 §1), embedded, on a test clock.
describe('preference centre and double opt-in (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const PUBLIC = 'https://crm.example.com/marketing';
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let stop: (() => Promise<void>) | undefined;
  const mail = new InMemoryMessageSender('email');
  const tokens: Record<string, string> = {};
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  let customerId: string;

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startMarketing('preferences', clock, { CRM_MARKETING_PUBLIC_URL: PUBLIC }));
    // The confirmation e-mails, kept to be read (the embedded default only logs them).
    app.app.get<Map<ConsentChannel, MessageSender>>(MESSAGE_SENDERS).set('email', mail);
    const { analytics, partner } = CALLERS;
    Object.assign(tokens, await mintTokens(app, { marketing: marketer, analytics, partner }));
    customerId = (await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, { kind: 'person', name: 'Sari Wijaya' })).id;
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => tokens.marketing,
  );
  const fields = (body: Record<string, unknown>) => [...new Set(((body.errors ?? []) as { field: string }[]).map((e) => e.field))];
  const local = (url: string) => url.replace(PUBLIC, base);
  const form = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TestBrowser/1.0', ...headers }, body });
  const consentEvents = async () => platform.eventStore.readStream(`consent-${customerId}`).catch(() => []);
  const permissions = async () => (await call('GET', `/customers/${customerId}/consent`)).body.permissions as Record<string, unknown>[];

  let preferenceUrl: string;

  it('staff get the customer’s preference link; partners, strangers and unknown customers do not', async () => {
    const r = await call('GET', `/customers/${customerId}/consent/preference-link`);
    expect(r.status).toBe(200);
    expect(r.body.url).toMatch(/^https:\/\/crm\.example\.com\/marketing\/preferences\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(r.body.url).toBe(`${PUBLIC}${r.body.path as string}`);
    preferenceUrl = local(r.body.url as string);
    // The same link every time (nothing stored).
    expect((await call('GET', `/customers/${customerId}/consent/preference-link`, undefined, {}, tokens.analytics)).body.url).toBe(r.body.url);
    expect((await call('GET', `/customers/${customerId}/consent/preference-link`, undefined, {}, tokens.partner)).status).toBe(403);
    expect((await call('GET', `/customers/${customerId}/consent/preference-link`, undefined, {}, 'nope')).status).toBe(401);
    expect(fields((await call('GET', '/customers/x/consent/preference-link')).body)).toEqual(['id']);
    expect((await call('GET', `/customers/${randomUUID()}/consent/preference-link`)).status).toBe(404);
  });

  it('the page lists every channel and purpose with a labelled box, as an uncached HTML page', async () => {
    const r = await fetch(preferenceUrl);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await r.text();
    for (const channel of ['email', 'sms', 'phone', 'mail'])
      for (const purpose of ['newsletter', 'offers']) {
        expect(html).toContain(`<input type="checkbox" id="p-${channel}-${purpose}" name="on" value="${channel}/${purpose}">`);
        expect(html).toContain(`<label for="p-${channel}-${purpose}">`);
      }
    expect(html).not.toContain(' checked');
  });

  it('saving grants what is ticked and withdraws what is not, source preference-centre with its evidence, in force at once', async () => {
    clock.advance(60_000);
    const shown = 'shown=email%2Fnewsletter&shown=email%2Foffers&shown=sms%2Foffers';
    const saved = await form(preferenceUrl, `${shown}&on=email%2Fnewsletter&on=sms%2Foffers`);
    expect(saved.status).toBe(200);
    const html = await saved.text();
    expect(html).toContain('Saved: 2 changes.');
    expect(html).toContain('value="email/newsletter" checked>');
    // In force before the answer: what the next message would be decided on.
    expect(await permissions()).toEqual([
      expect.objectContaining({ channel: 'email', purpose: 'newsletter', status: 'granted', source: 'preference-centre', since: clock.now().toISOString() }),
      expect.objectContaining({ channel: 'sms', purpose: 'offers', status: 'granted', source: 'preference-centre' }),
    ]);
    const events = await consentEvents();
    expect(events.map((e) => e.type)).toEqual(['ConsentGranted', 'ConsentGranted']);
    expect(events[0].metadata.actor).toEqual({ type: 'system', id: 'preference-centre' });
    expect(events[0].data).toMatchObject({
      source: 'preference-centre',
      evidence: { textVersion: 'preference-centre-2026-05', formId: 'preference-centre', recordedBy: 'preference-centre' },
    });
    // The address and the browser are personal: sealed.
    expect(JSON.stringify(events[0].data)).not.toContain('TestBrowser');
    expect((events[0].data as { evidence: Record<string, unknown> }).evidence.userAgent).toEqual(expect.stringMatching(/^pii:/));

    clock.advance(60_000);
    const again = await form(preferenceUrl, `${shown}&on=sms%2Foffers`);
    expect(await again.text()).toContain('Saved: 1 change.');
    expect(await permissions()).toEqual([
      expect.objectContaining({ channel: 'email', purpose: 'newsletter', status: 'withdrawn', source: 'preference-centre' }),
      expect.objectContaining({ channel: 'sms', purpose: 'offers', status: 'granted' }),
    ]);
    // The same choices again record nothing.
    expect(await (await form(preferenceUrl, `${shown}&on=sms%2Foffers`)).text()).toContain('Nothing changed.');
    expect((await consentEvents()).length).toBe(3);
  });

  it('a form the page did not send is 400 naming the field; a forged link a 403 page; nothing is recorded', async () => {
    const before = (await consentEvents()).length;
    const bad = async (body: string, field: string) => {
      const r = await form(preferenceUrl, body);
      expect([body, r.status]).toEqual([body, 400]);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(fields((await r.json()) as Record<string, unknown>)).toEqual([field]);
    };
    await bad('shown=email%2Fnewsletter&on=sms%2Foffers', 'on');
    await bad('shown=pigeon%2Fnewsletter', 'shown');
    await bad('shown=email%2FNews', 'shown');
    await bad('on=email%2Fnewsletter', 'shown');
    await bad('shown=email%2Fnews%00letter', 'shown');
    const json = await fetch(preferenceUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ shown: [['email/newsletter']] }),
    });
    expect(json.status).toBe(400);
    const text = await fetch(preferenceUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'shown=email/newsletter' });
    expect(text.status).toBe(415);
    const noToken = await fetch(`${base}/preferences`);
    expect(noToken.status).toBe(400);
    expect(fields((await noToken.json()) as Record<string, unknown>)).toEqual(['t']);
    // Garbage in the token's place: refused, never a 5xx.
    for (const q of ['t=%00', 't[]=a', 't=a&t=b', `t=${'a'.repeat(2000)}`]) {
      const r = await fetch(`${base}/preferences?${q}`);
      expect([q, r.status]).toEqual([q, 400]);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const forged = `${preferenceUrl.slice(0, -3)}abc`;
    // Bytes that are not UTF-8 decode to U+FFFD in a query: a token that does not verify.
    for (const r of [
      await fetch(`${base}/preferences?t=%ED%A0%80`),
      await fetch(forged),
      await form(forged, 'shown=email%2Fnewsletter&on=email%2Fnewsletter'),
      await fetch(`${base}/preferences?t=garbage`),
    ]) {
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await r.text()).toContain('This link is not valid');
    }
    // An unsubscribe link is not a preference link.
    const unsubscribe = (await call('GET', `/customers/${customerId}/consent/unsubscribe-link?channel=email`)).body.path as string;
    expect((await fetch(`${base}/preferences?t=${unsubscribe.split('t=')[1]}`)).status).toBe(403);
    expect((await consentEvents()).length).toBe(before);
  });

  const request = {
    channel: 'email',
    purpose: 'offers',
    source: 'form',
    evidence: { textVersion: 'offers-2026-05', formId: 'footer-signup' },
    email: 'sari@example.com',
  };
  let confirmUrl: string;

  it('double opt-in: a request records ConsentRequested and mails a signed confirmation link; a retry mails nothing more', async () => {
    clock.advance(60_000);
    const requestId = randomUUID();
    const r = await call('POST', `/customers/${customerId}/consent/requests`, { ...request, requestId });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      requestId,
      channel: 'email',
      purpose: 'offers',
      requestedAt: clock.now().toISOString(),
      expiresAt: new Date(clock.now().getTime() + 7 * 86_400_000).toISOString(),
      status: 'awaiting-confirmation',
      confirmation: { status: 'accepted', providerId: 'memory-1' },
    });
    expect(mail.sent).toHaveLength(1);
    const sent = mail.sent[0];
    expect(sent).toMatchObject({ messageId: requestId, customerId, channel: 'email', to: 'sari@example.com', subject: 'Please confirm your subscription' });
    const link = /Confirm here: (\S+)/.exec(sent.text)![1];
    expect(link.startsWith(`${PUBLIC}/consent/confirm?t=`)).toBe(true);
    expect(sent.html).toContain('/consent/confirm?t&#x3D;');
    confirmUrl = local(link);
    // Not a permission yet.
    const view = await call('GET', `/customers/${customerId}/consent`);
    expect(view.body.awaitingConfirmation).toEqual([expect.objectContaining({ requestId, channel: 'email', purpose: 'offers' })]);
    expect((view.body.permissions as Record<string, unknown>[]).find((p) => p.purpose === 'offers' && p.channel === 'email')).toBeUndefined();
    expect((await consentEvents()).at(-1)).toMatchObject({ type: 'ConsentRequested', data: { requestId, source: 'form' } });
    const retry = await call('POST', `/customers/${customerId}/consent/requests`, { ...request, requestId });
    expect(retry.status).toBe(201);
    expect(retry.body.confirmation).toBeUndefined();
    expect(mail.sent).toHaveLength(1);
  });

  it('double opt-in: GET shows a button and changes nothing; POST grants with source double-opt-in and the request as evidence; again is 409', async () => {
    const before = (await consentEvents()).length;
    const page = await fetch(confirmUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<button type="submit">Yes, I agree</button>');
    expect(html).toContain('Offers by e-mail.');
    expect((await consentEvents()).length).toBe(before);
    clock.advance(3_600_000);
    const confirmed = await form(confirmUrl, '');
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Your confirmation is recorded');
    const granted = (await consentEvents()).at(-1)!;
    expect(granted.type).toBe('ConsentGranted');
    expect(granted.metadata.actor).toEqual({ type: 'system', id: 'double-opt-in' });
    expect(granted.data).toMatchObject({
      channel: 'email',
      purpose: 'offers',
      source: 'double-opt-in',
      grantedAt: clock.now().toISOString(),
      evidence: { textVersion: 'offers-2026-05', requestId: mail.sent[0].messageId, confirmedAt: clock.now().toISOString(), recordedBy: 'double-opt-in' },
    });
    expect(await permissions()).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'email', purpose: 'offers', status: 'granted', source: 'double-opt-in' })]),
    );
    const again = await form(confirmUrl, '');
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('Already confirmed');
    expect((await fetch(confirmUrl)).status).toBe(200);
    // Asking again for what is granted records and sends nothing.
    const granted2 = await call('POST', `/customers/${customerId}/consent/requests`, request);
    expect(granted2.body.status).toBe('already-granted');
    expect(mail.sent).toHaveLength(1);
  });

  it('double opt-in: an expired link is a 410 page and records nothing; a forged one a 403 page', async () => {
    clock.advance(60_000);
    await call('POST', `/customers/${customerId}/consent/requests`, { ...request, channel: 'sms', purpose: 'newsletter' });
    const link = local(/Confirm here: (\S+)/.exec(mail.sent.at(-1)!.text)![1]);
    clock.advance(7 * 86_400_000);
    const before = (await consentEvents()).length;
    for (const r of [await fetch(link), await form(link, '')]) {
      expect(r.status).toBe(410);
      expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await r.text()).toContain('This link has expired');
    }
    const forged = `${link.slice(0, -3)}abc`;
    expect((await form(forged, '')).status).toBe(403);
    expect((await fetch(`${base}/consent/confirm?t=${preferenceUrl.split('t=')[1]}`)).status).toBe(403);
    const noToken = await fetch(`${base}/consent/confirm`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(noToken.status).toBe(400);
    expect((await consentEvents()).length).toBe(before);
  });

  it('double opt-in: a confirmation e-mail that cannot be sent is told in the answer; the request stands', async () => {
    mail.failWith({ status: 'deferred', reason: '451 try again later' }, 'busy@example.com');
    mail.failWith(new Error('adapter broken'), 'broken@example.com');
    clock.advance(60_000);
    const deferred = await call('POST', `/customers/${customerId}/consent/requests`, { ...request, purpose: 'events', email: 'busy@example.com' });
    expect(deferred.status).toBe(201);
    expect(deferred.body).toMatchObject({ status: 'awaiting-confirmation', confirmation: { status: 'deferred', reason: '451 try again later' } });
    const broken = await call('POST', `/customers/${customerId}/consent/requests`, { ...request, purpose: 'surveys', email: 'broken@example.com' });
    expect(broken.status).toBe(201);
    expect(broken.body).toMatchObject({ confirmation: { status: 'deferred', reason: expect.stringContaining('adapter broken') } });
    const waiting = (await call('GET', `/customers/${customerId}/consent`)).body.awaitingConfirmation as { purpose: string }[];
    expect(waiting.map((w) => w.purpose)).toEqual(expect.arrayContaining(['events', 'surveys']));
  });

  it('double opt-in: a confirmation e-mail that failed is sent again when the same request is retried with resend; nothing more is recorded', async () => {
    const requestId = randomUUID();
    const ask = { ...request, purpose: 'webinars', email: 'dewi@example.com', requestId };
    mail.script('dewi@example.com', { status: 'deferred', reason: '421 try again later' });
    const sentBefore = mail.sent.length;
    const first = await call('POST', `/customers/${customerId}/consent/requests`, ask);
    expect([first.status, first.body.status, first.body.confirmation]).toEqual([
      201,
      'awaiting-confirmation',
      { status: 'deferred', reason: '421 try again later' },
    ]);
    const recorded = (await consentEvents()).length;
    const again = await call('POST', `/customers/${customerId}/consent/requests`, { ...ask, resend: true });
    expect([again.status, again.body.status, (again.body.confirmation as { status: string }).status]).toEqual([201, 'awaiting-confirmation', 'accepted']);
    expect(mail.sent.slice(sentBefore)).toEqual([
      expect.objectContaining({ messageId: requestId, to: 'dewi@example.com' }),
      expect.objectContaining({ messageId: requestId, to: 'dewi@example.com' }),
    ]);
    expect((await consentEvents()).length).toBe(recorded);
    expect(fields((await call('POST', `/customers/${customerId}/consent/requests`, { ...ask, resend: 'yes' })).body)).toEqual(['resend']);
    // Once the link expired, a resend sends nothing (a new request is needed).
    clock.advance(8 * 86_400_000);
    const late = await call('POST', `/customers/${customerId}/consent/requests`, { ...ask, resend: true });
    expect([late.status, late.body.confirmation]).toEqual([201, undefined]);
    expect(mail.sent.length).toBe(sentBefore + 2);
  });

  it('consent requests: bad input 400 naming the field, 415, unknown customers 404, and who may not ask', async () => {
    const post = (body: unknown, token = tokens.marketing) => call('POST', `/customers/${customerId}/consent/requests`, body, {}, token);
    expect(fields((await post({ ...request, channel: 'pigeon' })).body)).toEqual(['channel']);
    expect(fields((await post({ ...request, source: 'staff' })).body)).toEqual(['source']);
    expect(fields((await post({ ...request, source: 'double-opt-in' })).body)).toEqual(['source']);
    expect(fields((await post({ ...request, email: 'not-an-address' })).body)).toEqual(['email']);
    expect(fields((await post({ ...request, email: ['sari@example.com'] })).body)).toEqual(['email']);
    expect(fields((await post({ ...request, purpose: 'Offers!' })).body)).toEqual(['purpose']);
    expect(fields((await post({ ...request, requestId: 'x' })).body)).toEqual(['requestId']);
    expect(fields((await post({ ...request, evidence: {} })).body)).toEqual(['evidence.textVersion']);
    expect(fields((await post({ ...request, evidence: [[]] })).body)).toEqual(['evidence']);
    expect(fields((await post({ ...request, evidence: { textVersion: 'v\u0000' } })).body)).toEqual(['evidence.textVersion']);
    expect(fields((await post({ ...request, evidence: { textVersion: 'v\ud800' } })).body)).toEqual(['evidence.textVersion']);
    const text = await fetch(`${base}/customers/${customerId}/consent/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.marketing}`, 'content-type': 'text/plain' },
      body: 'ask',
    });
    expect(text.status).toBe(415);
    expect((await call('POST', `/customers/${randomUUID()}/consent/requests`, request)).status).toBe(404);
    expect(fields((await call('POST', '/customers/nope/consent/requests', request)).body)).toEqual(['id']);
    expect((await post(request, tokens.analytics)).status).toBe(403);
    expect((await post(request, tokens.partner)).status).toBe(403);
    expect((await post(request, 'nope')).status).toBe(401);
  });

  it('is in the OpenAPI document: the staff routes and the public HTML pages, with their errors', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/customers/{id}/consent/preference-link'].get.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404']),
    );
    const requests = doc.paths['/customers/{id}/consent/requests'].post;
    expect(Object.keys(requests.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '415', '422']));
    expect(JSON.stringify(requests)).toContain('sari@example.com');
    expect(Object.keys(doc.paths['/preferences'].get.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404']));
    expect(JSON.stringify(doc.paths['/preferences'].get.responses['200'])).toContain('text/html');
    expect(Object.keys(doc.paths['/preferences'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '415']));
    expect(Object.keys(doc.paths['/consent/confirm'].get.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '410']));
    expect(Object.keys(doc.paths['/consent/confirm'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '404', '409', '410', '415']));
  });
});
