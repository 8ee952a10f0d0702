import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

/** RFC 5545 §3.1: a CRLF followed by one space or tab is removed. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

// The iCalendar feed of each user's activities, for calendar apps that cannot send a bearer token:
// a secret token in the address, issued, rotated and revoked by the user alone.
describe('calendar feed (GET /calendar/{userId}.ics)', () => {
  const clock = new TestClock('2026-03-01T09:00:00.000Z');
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let sari: string;
  let budi: string;
  let dpo: string;
  let customerId: string;
  const as = (bearer: string) =>
    httpCaller(
      () => base,
      () => bearer,
    );
  /** The feed as a calendar app fetches it: no Authorization header. */
  const feed = (url: string) => fetch(`${base}${url}`);
  async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
    const until = Date.now() + 10_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > until) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async function expectRefused(r: Response, status = 401): Promise<void> {
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(await r.text()).not.toContain('BEGIN:VCALENDAR');
  }
  const text = async (url: string) => unfold(await (await feed(url)).text());
  const plan = async (bearer: string, body: Record<string, unknown>) => {
    const r = await as(bearer)('POST', '/activities', { kind: 'call', customerId, subject: 'Fleet', dueAt: '2026-03-02T09:00:00Z', ...body });
    expect(r.status).toBe(201);
    return String(r.body.activityId);
  };

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-calendar', SalesConfig, (c, p, h) => createSalesApp(c, p, { ...h, clock }), crmRegistry()));
    const mint = app.app.get(TokenMint);
    sari = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    budi = await mint.mint({ kind: 'staff', subject: 'budi', department: 'sales', roles: ['agent'] });
    dpo = await mint.mint({ kind: 'staff', subject: 'dpo', department: 'sales', roles: ['data-protection'] });
    customerId = String((await as(sari)('POST', '/customers', { kind: 'organisation', name: 'PT Maju' })).body.customerId);
  });
  afterAll(async () => {
    await stop?.();
  });

  it("a user's feed shows their own activities and no one else's, as RFC 5545 with stable UIDs, UTC times and alarms", async () => {
    const issued = await as(sari)('POST', '/calendar/feed-token');
    expect(issued.status).toBe(201);
    const { token, feedUrl } = issued.body as { userId: string; token: string; feedUrl: string };
    expect(issued.body.userId).toBe('sari');
    expect(token).toMatch(/^cal_[A-Za-z0-9_-]{43}$/);
    expect(feedUrl).toBe(`/calendar/sari.ics?token=${token}`);
    const budiToken = String((await as(budi)('POST', '/calendar/feed-token')).body.token);

    const meeting = await plan(sari, {
      kind: 'meeting',
      durationMinutes: 90,
      reminderMinutesBefore: 15,
      subject: 'Fleet renewal; price, terms',
      notes: 'Bring:\nthe price list',
      dueAt: '2026-03-02T16:00:00+07:00',
    });
    const task = await plan(sari, { kind: 'task', subject: `Proposal ${'ü'.repeat(60)}`, dueAt: '2026-03-03T09:00:00Z', reminderMinutesBefore: 60 });
    const budisCall = await plan(budi, { subject: "Budi's private call" });

    const r = await feed(feedUrl);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const body = await eventually(
      () => text(feedUrl),
      (t) => t.includes(task),
    );
    const raw = await (await feed(feedUrl)).text();
    expect(raw.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(raw.endsWith('END:VCALENDAR\r\n')).toBe(true);
    for (const line of raw.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(raw).toMatch(/\r\n /); // the long subject is folded
    // sari's, not budi's
    expect(body).toContain(`UID:${meeting}@crm-activities`);
    expect(body).toContain(`UID:${task}@crm-activities`);
    expect(body).not.toContain(budisCall);
    expect(body).not.toContain('Budi');
    // the meeting: a VEVENT in UTC, 90 minutes, escaped text, a reminder alarm 15 minutes before
    const event = body.slice(body.indexOf(`UID:${meeting}`), body.indexOf('END:VEVENT'));
    expect(event).toContain('DTSTART:20260302T090000Z\r\n');
    expect(event).toContain('DTEND:20260302T103000Z\r\n');
    expect(event).toContain('SUMMARY:Meeting: Fleet renewal\\; price\\, terms\r\n');
    expect(event).toContain('DESCRIPTION:Bring:\\nthe price list\r\n');
    expect(event).toContain('TRIGGER:-PT15M\r\n');
    // the task: a VTODO due then, its alarm before the due time
    const todo = body.slice(body.indexOf('BEGIN:VTODO'), body.indexOf('END:VTODO'));
    expect(todo).toContain(`SUMMARY:Task: Proposal ${'ü'.repeat(60)}\r\n`);
    expect(todo).toContain('DUE:20260303T090000Z\r\n');
    expect(todo).toContain('TRIGGER;RELATED=END:-PT60M\r\n');
    // budi's feed has budi's call only
    const budis = await eventually(
      () => text(`/calendar/budi.ics?token=${budiToken}`),
      (t) => t.includes(budisCall),
    );
    expect(budis).not.toContain(meeting);

    // a reschedule: same UID, a new SEQUENCE and start; a cancellation stays in the feed as cancelled
    expect(event).toContain('SEQUENCE:0\r\n');
    await as(sari)('PUT', `/activities/${meeting}/schedule`, { dueAt: '2026-03-04T09:00:00Z', durationMinutes: 30 });
    await as(sari)('POST', `/activities/${task}/cancellation`, {});
    const after = await eventually(
      () => text(feedUrl),
      (t) => t.includes('STATUS:CANCELLED'),
    );
    const moved = after.slice(after.indexOf(`UID:${meeting}`), after.indexOf('END:VEVENT'));
    expect(moved).toContain('SEQUENCE:1\r\n');
    expect(moved).toContain('DTSTART:20260304T090000Z\r\n');
    expect(after.slice(after.indexOf('BEGIN:VTODO'))).toContain('STATUS:CANCELLED\r\n');
    expect(after.slice(after.indexOf('BEGIN:VTODO'), after.indexOf('END:VTODO'))).not.toContain('VALARM'); // no alarm for what is cancelled
  });

  it('a wrong, missing, rotated, revoked or other user’s token is refused (401), and what a feed answers is never another user’s', async () => {
    const first = String((await as(sari)('POST', '/calendar/feed-token')).body.token);
    expect((await feed(`/calendar/sari.ics?token=${first}`)).status).toBe(200);
    const budiToken = String((await as(budi)('POST', '/calendar/feed-token')).body.token);
    await expectRefused(await feed('/calendar/sari.ics'));
    await expectRefused(await feed('/calendar/sari.ics?token='));
    await expectRefused(await feed(`/calendar/sari.ics?token=${first.slice(0, -1)}${first.endsWith('A') ? 'B' : 'A'}`));
    await expectRefused(await feed(`/calendar/sari.ics?token=${budiToken}`)); // budi's token on sari's feed
    await expectRefused(await feed(`/calendar/nobody.ics?token=${first}`));
    // a bearer token does not open someone's feed either
    await expectRefused(await fetch(`${base}/calendar/sari.ics`, { headers: { authorization: `Bearer ${sari}` } }));
    // rotation: the old token stops at once, the new one works
    const second = String((await as(sari)('POST', '/calendar/feed-token')).body.token);
    await expectRefused(await feed(`/calendar/sari.ics?token=${first}`));
    expect((await feed(`/calendar/sari.ics?token=${second}`)).status).toBe(200);
    // revocation: nothing answers until a new token is issued
    expect((await as(sari)('DELETE', '/calendar/feed-token')).status).toBe(204);
    await expectRefused(await feed(`/calendar/sari.ics?token=${second}`));
    expect((await as(sari)('DELETE', '/calendar/feed-token')).status).toBe(204);
    expect((await feed(`/calendar/budi.ics?token=${budiToken}`)).status).toBe(200);
  });

  it('bad addresses are a 400 naming the field', async () => {
    const token = String((await as(sari)('POST', '/calendar/feed-token')).body.token);
    for (const [url, field] of [
      [`/calendar/a%2Fb.ics?token=${token}`, 'userId'],
      [`/calendar/%00.ics?token=${token}`, 'userId'],
      [`/calendar/${'x'.repeat(201)}.ics?token=${token}`, 'userId'],
      [`/calendar/sari.ics?token=${token}&token=${token}`, 'token'],
      [`/calendar/sari.ics?token=%00`, 'token'],
      [`/calendar/sari.ics?token=${token}&format=json`, 'format'],
    ]) {
      const r = await feed(url);
      expect({ url, status: r.status }).toEqual({ url, status: 400 });
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(((await r.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    }
    expect((await feed(`/calendar/sari.ics?token=${token}`)).status).toBe(200);
  });

  it("the customer's erasure reaches the feed: its activities' subjects and notes read as erased", async () => {
    const token = String((await as(sari)('POST', '/calendar/feed-token')).body.token);
    const secret = 'Visit Ibu Ratna at home, Jalan Melati 7';
    const id = await plan(sari, { subject: secret, notes: 'her private number 0812' });
    await eventually(
      () => text(`/calendar/sari.ics?token=${token}`),
      (t) => t.includes(id),
    );
    expect((await as(dpo)('DELETE', `/customers/${customerId}/personal-data`)).status).toBe(200);
    const erased = await eventually(
      () => text(`/calendar/sari.ics?token=${token}`),
      (t) => !t.includes('Ibu Ratna'),
    );
    expect(erased).toContain('SUMMARY:Call: [erased]');
    expect(erased).not.toContain('0812');
    expect((await as(sari)('GET', `/activities/${id}`)).body).toMatchObject({ subject: '[erased]' });
  });
});
