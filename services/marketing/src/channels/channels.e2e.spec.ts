import { randomUUID } from 'node:crypto';
import { TestClock, type ConsentChannel } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands, EpisodeCommands } from '@crm/relationship-api';
import type { Principal, ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { campaignEpisodeId } from '../campaigns/campaign-ids';
import { CALLERS, mintTokens, startMarketing } from '../testing/marketing-under-test';
import { LoggingMessageSender } from './logging-message-sender';
import { MESSAGE_SENDERS, type MessageSender, type OutboundMessage } from './message-sender';

// The phone and mail channels over HTTP (issue 13 §3): what the senders list, the call list the
// contact centre works (outcomes into the timeline), the print list CSV; embedded, on a test clock.
describe('campaign channels: call list and print list (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let stop: (() => Promise<void>) | undefined;
  let senders: Map<ConsentChannel, MessageSender>;
  const tokens: Record<string, string> = {};
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  const campaignId = randomUUID();
  const customers: string[] = [];

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startMarketing('channels', clock));
    const { service, sales, partner } = CALLERS;
    Object.assign(tokens, await mintTokens(app, { marketing: marketer, service, sales, partner }));
    senders = app.app.get(MESSAGE_SENDERS);
    const commands = createRelationshipCommands(platform.eventStore, { clock });
    const episodes = app.app.get(EpisodeCommands);
    for (const name of ['Sari Wijaya', 'Budi Santoso', 'Ayu Lestari']) {
      const id = (await commands.customers.register(marketer, { kind: 'person', name })).id;
      customers.push(id);
      // The campaign dispatcher opens each customer's campaign episode before it sends.
      await episodes.open(marketer, 'campaign', {
        episodeId: campaignEpisodeId(campaignId, id),
        customerId: id,
        name: 'Spring offer',
        channel: 'phone',
        campaignId,
      });
    }
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => tokens.marketing,
  );
  const waitFor = async (ok: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the read model did not catch up');
  };
  const fields = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const message = (channel: ConsentChannel, customerId: string, to: string | string[], extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    messageId: randomUUID(),
    campaignId,
    stepId: channel === 'phone' ? 'call-1' : 'letter-1',
    customerId,
    channel,
    to,
    text: 'Hello, we have a spring offer for you.',
    ...extra,
  });

  it('the embedded senders: e-mail and SMS are logged (nothing leaves the machine), phone and mail are lists', () => {
    expect([...senders.keys()].sort()).toEqual(['email', 'mail', 'phone', 'sms']);
    expect(senders.get('email')).toBeInstanceOf(LoggingMessageSender);
    expect(senders.get('sms')).toBeInstanceOf(LoggingMessageSender);
  });

  const calls: OutboundMessage[] = [];
  it('phone: sending lists the customer; the contact centre pages through the list; a number that cannot be dialled bounces', async () => {
    for (const [i, customerId] of customers.entries()) {
      const m = message('phone', customerId, `+62812345678${i}0`);
      calls.push(m);
      expect(await senders.get('phone')!.send(m)).toEqual({ status: 'accepted', providerId: `call-list/${m.messageId}` });
      clock.advance(1000);
    }
    // Listing the same message again changes nothing.
    await senders.get('phone')!.send(calls[0]);
    expect(await senders.get('phone')!.send(message('phone', customers[0], '0812'))).toMatchObject({ status: 'bounced', kind: 'hard' });

    const first = await call('GET', `/campaigns/${campaignId}/call-list?limit=2`, undefined, {}, tokens.service);
    expect(first.status).toBe(200);
    const items = first.body.items as Record<string, unknown>[];
    expect(items.map((e) => e.messageId)).toEqual([calls[0].messageId, calls[1].messageId]);
    expect(items[0]).toMatchObject({
      customerId: customers[0],
      phone: '+6281234567800',
      stepId: 'call-1',
      outcome: null,
      attempts: 0,
      listedAt: '2026-05-01T10:00:00.000Z',
    });
    const next = await call('GET', `/campaigns/${campaignId}/call-list?limit=2&cursor=${first.body.nextCursor as string}`);
    expect((next.body.items as Record<string, unknown>[]).map((e) => e.messageId)).toEqual([calls[2].messageId]);
    expect(next.body.nextCursor).toBeUndefined();
  });

  it('phone: an outcome lands in the customer’s timeline as an outbound call on the campaign episode, and on the list', async () => {
    clock.advance(60_000);
    const url = `/campaigns/${campaignId}/call-list/${calls[1].messageId}/outcome`;
    const r = await call('POST', url, { outcome: 'no-answer' }, {}, tokens.service);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ outcome: 'no-answer', note: null, attempts: 1, outcomeAt: clock.now().toISOString() });
    clock.advance(60_000);
    const interactionId = randomUUID();
    const again = await call('POST', url, { outcome: 'interested', note: 'wants the brochure', interactionId }, {}, tokens.service);
    expect(again.body).toMatchObject({ outcome: 'interested', note: 'wants the brochure', attempts: 2, interactionId, lastInteractionId: interactionId });
    // A retried request (same interaction id) records nothing more.
    const retry = await call('POST', url, { outcome: 'interested', note: 'wants the brochure', interactionId }, {}, tokens.service);
    expect(retry.body).toMatchObject({ attempts: 2 });
    const events = await platform.eventStore.readStream(`episode-${campaignEpisodeId(campaignId, customers[1])}`);
    const recorded = events.filter((e) => e.type === 'InteractionRecorded').map((e) => (e.data as { interaction: Record<string, unknown> }).interaction);
    expect(recorded).toEqual([
      expect.objectContaining({ channel: 'phone', direction: 'outbound', action: 'campaign call (call-1)', actor: { kind: 'staff', id: 'dewi' } }),
      expect.objectContaining({ interactionId, channel: 'phone', direction: 'outbound' }),
    ]);
    // What the customer said is personal: sealed in the store, read back in the timeline.
    expect(JSON.stringify(recorded)).not.toContain('brochure');
    await waitFor(async () =>
      JSON.stringify((await call('GET', `/customers/${customers[1]}/timeline`, undefined, {}, tokens.service)).body).includes('interested: wants the brochure'),
    );
    const list = await call('GET', `/campaigns/${campaignId}/call-list`);
    expect((list.body.items as Record<string, unknown>[])[1]).toMatchObject({ outcome: 'interested', attempts: 2 });
  });

  it('call list: bad input is 400 naming the field, unknown campaigns and messages 404', async () => {
    const list = (q: string) => call('GET', `/campaigns/${campaignId}/call-list${q}`);
    expect(fields((await list('?cursor=garbage')).body)).toEqual(['cursor']);
    expect(fields((await list('?cursor=WyJvcmRlcnMiLCJ4IiwxXQ')).body)).toEqual(['cursor']);
    const otherCampaign = Buffer.from(JSON.stringify(['call-list', randomUUID(), 1])).toString('base64url');
    expect(fields((await list(`?cursor=${otherCampaign}`)).body)).toEqual(['cursor']);
    expect(fields((await list('?limit=0')).body)).toEqual(['limit']);
    expect(fields((await list('?limit=abc')).body)).toEqual(['limit']);
    expect(fields((await list('?limit=1&limit=2')).body)).toEqual(['limit']);
    expect(fields((await call('GET', '/campaigns/not-a-uuid/call-list')).body)).toEqual(['campaignId']);
    const unknown = await call('GET', `/campaigns/${randomUUID()}/call-list`);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');

    const post = (body: unknown, messageId = calls[0].messageId) => call('POST', `/campaigns/${campaignId}/call-list/${messageId}/outcome`, body);
    expect(fields((await post({ outcome: 'maybe' })).body)).toEqual(['outcome']);
    expect(fields((await post({ outcome: ['reached'] })).body)).toEqual(['outcome']);
    expect(fields((await post({ outcome: 'reached', note: 'x\u0000' })).body)).toEqual(['note']);
    expect(fields((await post({ outcome: 'reached', note: 'x\ud800' })).body)).toEqual(['note']);
    expect([...new Set(fields((await post({ outcome: 'reached', note: 12 })).body))]).toEqual(['note']);
    expect(fields((await post({ outcome: 'reached', interactionId: 'x' })).body)).toEqual(['interactionId']);
    expect((await post([[{ outcome: 'reached' }]])).status).toBe(400);
    expect(fields((await post({ outcome: 'reached' }, 'nope')).body)).toEqual(['messageId']);
    expect((await post({ outcome: 'reached' }, randomUUID())).status).toBe(404);
    const text = await fetch(`${base}/campaigns/${campaignId}/call-list/${calls[0].messageId}/outcome`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.marketing}`, 'content-type': 'text/plain' },
      body: 'reached',
    });
    expect(text.status).toBe(415);
    // Nothing was recorded by any of these.
    expect((await call('GET', `/campaigns/${campaignId}/call-list`)).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ messageId: calls[0].messageId, attempts: 0 })]),
    );
  });

  it('call list: the contact centre (service) and marketing only; other departments, partners and strangers never', async () => {
    const list = `/campaigns/${campaignId}/call-list`;
    const outcome = `/campaigns/${campaignId}/call-list/${calls[2].messageId}/outcome`;
    for (const [method, url, body] of [
      ['GET', list, undefined],
      ['POST', outcome, { outcome: 'reached' }],
    ] as const) {
      expect((await call(method, url, body, {}, tokens.sales)).status).toBe(403);
      expect((await call(method, url, body, {}, tokens.partner)).status).toBe(403);
      const stranger = await call(method, url, body, {}, 'not-a-token');
      expect(stranger.status).toBe(401);
      expect(stranger.type).toContain('application/problem+json');
    }
  });

  it('mail: sending lists the addressee; the print list is CSV with formula-safe cells; an address that cannot be printed bounces', async () => {
    const mail = senders.get('mail')!;
    const letters = [
      message('mail', customers[0], ['Sari Wijaya', 'Jl. Merdeka 5, RT 2', 'Jakarta 10110']),
      message('mail', customers[1], '=HYPERLINK("http://evil.example")\n-Jl. Sudirman 1\nBandung'),
    ];
    for (const m of letters) expect(await mail.send(m)).toMatchObject({ status: 'accepted' });
    expect(await mail.send(message('mail', customers[2], ['Ayu Lestari']))).toMatchObject({ status: 'bounced', kind: 'hard' });
    const r = await fetch(`${base}/campaigns/${campaignId}/print-list.csv`, { headers: { authorization: `Bearer ${tokens.marketing}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="print-list-${campaignId}.csv"`);
    const lines = (await r.text()).split('\r\n');
    expect(lines[0]).toMatch(/^message_id,customer_id,step_id,variant_id,name,address_line_1,/);
    expect(lines[1]).toBe(
      `${letters[0].messageId},${customers[0]},letter-1,,Sari Wijaya,"Jl. Merdeka 5, RT 2",Jakarta 10110,,,,,,,"Hello, we have a spring offer for you."`,
    );
    expect(lines[2]).toBe(
      `${letters[1].messageId},${customers[1]},letter-1,,"'=HYPERLINK(""http://evil.example"")",'-Jl. Sudirman 1,Bandung,,,,,,,"Hello, we have a spring offer for you."`,
    );
    expect(lines).toHaveLength(4);
  });

  it('print list: marketing only; unknown campaigns 404; a bad id 400', async () => {
    const url = `/campaigns/${campaignId}/print-list.csv`;
    expect((await call('GET', url, undefined, {}, tokens.service)).status).toBe(403);
    expect((await call('GET', url, undefined, {}, tokens.partner)).status).toBe(403);
    expect((await call('GET', url, undefined, {}, 'nope')).status).toBe(401);
    const unknown = await call('GET', `/campaigns/${randomUUID()}/print-list.csv`);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
    expect(fields((await call('GET', '/campaigns/x/print-list.csv')).body)).toEqual(['campaignId']);
  });

  it('is in the OpenAPI document with responses, errors and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const list = doc.paths['/campaigns/{campaignId}/call-list'].get;
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(JSON.stringify(list)).toContain('+6281234567890');
    const outcome = doc.paths['/campaigns/{campaignId}/call-list/{messageId}/outcome'].post;
    expect(Object.keys(outcome.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '415']));
    const csv = doc.paths['/campaigns/{campaignId}/print-list.csv'].get;
    expect(Object.keys(csv.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(JSON.stringify(csv.responses['200'])).toContain('text/csv');
  });
});
