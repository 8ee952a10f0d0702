import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createRelationshipCommands, READ_MODELS, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { type Principal } from '@crm/service-kit';
import { startServiceWithChannels } from './channels-testing';
import { twilioSignature } from './telephony/twilio-signature';

// The telephony webhooks driven as a Twilio-style provider calls them: form-encoded POSTs signed
// with X-Twilio-Signature, answered with TwiML.
describe('telephony and IVR webhooks (embedded)', () => {
  const AUTH_TOKEN = 'twilio-auth-token-for-tests';
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  let svc: Awaited<ReturnType<typeof startServiceWithChannels>>;
  let commands: RelationshipCommands;
  let readModels: ReadModelRunners;
  const agent: Principal = { kind: 'staff', subject: 'dewi', department: 'service', roles: ['agent'] };
  let customerId: string;

  beforeAll(async () => {
    svc = await startServiceWithChannels(clock, { CRM_TELEPHONY_AUTH_TOKEN: AUTH_TOKEN });
    commands = createRelationshipCommands(svc.platform.eventStore, { clock });
    readModels = svc.app.app.get<ReadModelRunners>(READ_MODELS);
    // The customer typed the number in its own way; the caller id comes as E.164.
    customerId = (
      await commands.customers.register(agent, {
        kind: 'person',
        name: 'Budi Santoso',
        identities: [{ kind: 'phone', value: '+62 812-3456-7890' }],
      })
    ).id;
    await waitFor(async () => (await svc.call('GET', `/customers/${customerId}`)).status === 200, 20000, 'the customer directory');
  });
  afterAll(async () => {
    await svc?.stop();
  });

  /** POSTs a form as the provider does; signed unless `signature` says otherwise. */
  const provider = async (pathAndQuery: string, params: Record<string, string>, signature?: string | null, headers: Record<string, string> = {}) => {
    const url = `${svc.base}${pathAndQuery}`;
    const sig = signature === undefined ? twilioSignature(AUTH_TOKEN, url, params) : signature;
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(sig !== null && { 'x-twilio-signature': sig }), ...headers },
      body: new URLSearchParams(params).toString(),
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
  };
  const callParams = (callSid: string, status: string, from = '+6281234567890', extra: Record<string, string> = {}) => ({
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    From: from,
    To: '+622150001234',
    Direction: 'inbound',
    CallStatus: status,
    ...extra,
  });
  const callEvents = async (callSid: string) => (await svc.platform.eventStore.readStream(`call-${callSid}`)).map((e) => ({ type: e.type, data: e.data }));
  const timeline = async () => {
    const r = await svc.call('GET', `/customers/${customerId}/timeline?limit=100`);
    return r.body.episodes as {
      episodeId: string;
      episodeType: string;
      channel?: string;
      interactions: { channel: string; action: string; actor: { kind: string; id: string } }[];
    }[];
  };

  it('a known caller: offered → a phone case with the inbound call; answered by an agent; ended → CallEnded once, however often the provider retries', async () => {
    const ringing = callParams('CA0001', 'ringing');
    const first = await provider('/telephony/voice', ringing);
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/xml/);
    // No IVR menu yet: straight into the default queue.
    expect(first.text).toContain('<Enqueue>support</Enqueue>');
    // The provider retries the same request (it timed out waiting): the same answer, nothing recorded twice.
    expect((await provider('/telephony/voice', ringing)).status).toBe(200);
    const offered = await callEvents('CA0001');
    expect(offered.map((e) => e.type)).toEqual(['CallOffered', 'CallRouted']);
    const episodeId = (offered[0].data as { case: string }).case;
    expect(episodeId).toBeDefined();
    await waitFor(async () => (await timeline()).some((e) => e.episodeId === episodeId && e.interactions.length === 1), 20000, 'the call on the timeline');
    const opened = (await timeline()).find((e) => e.episodeId === episodeId)!;
    expect(opened).toMatchObject({ episodeType: 'case' });
    expect(opened.interactions).toEqual([
      expect.objectContaining({ channel: 'phone', action: 'called the contact centre', actor: { kind: 'customer', id: customerId } }),
    ]);

    clock.advance(30_000);
    expect((await provider('/telephony/status', callParams('CA0001', 'in-progress', undefined, { AgentId: 'dewi' }))).status).toBe(200);
    clock.advance(95_000);
    const completed = callParams('CA0001', 'completed', undefined, { CallDuration: '125' });
    const ended = await provider('/telephony/status', completed);
    expect(ended.status).toBe(200);
    expect(ended.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    clock.advance(5_000);
    await provider('/telephony/status', completed);
    await provider('/telephony/status', completed);
    const events = await callEvents('CA0001');
    const callEnded = events.filter((e) => e.type === 'CallEnded');
    expect(callEnded).toHaveLength(1);
    expect(callEnded[0].data).toMatchObject({
      callId: 'CA0001',
      customerId,
      episodeId,
      agentId: 'dewi',
      team: 'support',
      offeredAt: '2026-03-02T09:00:00.000Z',
      answeredAt: '2026-03-02T09:00:30.000Z',
      endedAt: '2026-03-02T09:02:05.000Z',
      abandoned: false,
      handleSeconds: 95,
      containedInIvr: false,
    });
    // The caller's number is personal data: sealed with the customer's key in the store.
    expect(String((callEnded[0].data as { from: string }).from)).toMatch(/^pii:/);
    await waitFor(async () => (await timeline()).find((e) => e.episodeId === episodeId)!.interactions.length === 2, 20000, 'the answer on the timeline');
    // A second call minutes later continues the same open case instead of opening another.
    await provider('/telephony/voice', callParams('CA0002', 'ringing', '0812 3456 7890'));
    expect(((await callEvents('CA0002'))[0].data as { case: string }).case).toBe(episodeId);
  });

  it('an unknown caller is a call without a customer or a case; never answered, it is abandoned', async () => {
    const offeredAt = clock.now().toISOString();
    expect((await provider('/telephony/voice', callParams('CA0100', 'ringing', '+4930999999999'))).status).toBe(200);
    clock.advance(40_000);
    expect((await provider('/telephony/status', callParams('CA0100', 'no-answer', '+4930999999999'))).status).toBe(200);
    const events = await callEvents('CA0100');
    expect(events[0].data).toEqual({ sid: 'CA0100', offeredAt });
    const ended = events.find((e) => e.type === 'CallEnded')!.data as Record<string, unknown>;
    expect(ended).not.toHaveProperty('customerId');
    expect(ended).not.toHaveProperty('episodeId');
    expect(ended).toMatchObject({ abandoned: true, containedInIvr: false, handleSeconds: 0 });
  });

  it('a completed callback for a call the CRM never saw offered is still recorded once', async () => {
    expect((await provider('/telephony/status', callParams('CA0200', 'busy', 'anonymous'))).status).toBe(200);
    expect((await callEvents('CA0200')).map((e) => e.type)).toEqual(['CallOffered', 'CallEnded']);
  });

  it('without CRM_INBOUND_MAIL_SECRET the inbound-mail webhook is off (503)', async () => {
    const form = new FormData();
    form.append('from', 'budi@example.com');
    const r = await fetch(`${svc.base}/email/inbound?key=anything`, { method: 'POST', body: form });
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  describe('the provider’s signature', () => {
    it('refuses a forged, missing or other-URL signature with 403 problem+json, recording nothing', async () => {
      const params = callParams('CA0300', 'ringing');
      const forged = await provider('/telephony/voice', params, twilioSignature('not-the-token', `${svc.base}/telephony/voice`, params));
      expect(forged.status).toBe(403);
      expect(forged.type).toContain('application/problem+json');
      expect((await provider('/telephony/voice', params, null)).status).toBe(403);
      expect((await provider('/telephony/voice', params, twilioSignature(AUTH_TOKEN, `${svc.base}/telephony/status`, params))).status).toBe(403);
      // Signed, then a parameter changed on the way.
      const tampered = await provider(
        '/telephony/voice',
        { ...params, From: '+6200000000' },
        twilioSignature(AUTH_TOKEN, `${svc.base}/telephony/voice`, params),
      );
      expect(tampered.status).toBe(403);
      expect(await callEvents('CA0300')).toEqual([]);
    });

    it('answers bad input with 4xx problem+json naming the field, never 5xx', async () => {
      const bad = async (params: Record<string, string>) => {
        const r = await provider('/telephony/status', params);
        expect(r.type).toContain('application/problem+json');
        return { status: r.status, fields: [...new Set((JSON.parse(r.text).errors as { field: string }[] | undefined)?.map((e) => e.field))] };
      };
      expect(await bad(callParams('CA0400', 'exploded'))).toEqual({ status: 400, fields: ['CallStatus'] });
      expect(await bad(callParams('CA 04 00', 'ringing'))).toEqual({ status: 400, fields: ['CallSid'] });
      expect(await bad({ CallStatus: 'ringing', From: '+62812', To: '+62' })).toEqual({ status: 400, fields: ['CallSid'] });
      expect((await bad(callParams('CA0400', 'ringing', '+62\u0000812'))).status).toBe(400);
      // (A lone surrogate cannot travel in a form: percent-encoded UTF-8 has no way to spell one.)
      expect(await bad(callParams('CA0400', 'in-progress', undefined, { AgentId: 'x y' }))).toEqual({ status: 400, fields: ['AgentId'] });
      // Neither text nor XML is what the provider sends (415); JSON, unsigned, is refused before it is read (403).
      const text = await fetch(`${svc.base}/telephony/voice`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'CallSid=CA1' });
      expect(text.status).toBe(415);
      expect(text.headers.get('content-type')).toContain('application/problem+json');
      const json = await fetch(`${svc.base}/telephony/voice`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"CallSid":"CA1"}' });
      expect(json.status).toBe(403);
      const ivrQuery = await provider('/telephony/ivr?menu=Main%20Menu', callParams('CA0001', 'in-progress', undefined, { Digits: '1' }));
      expect(ivrQuery.status).toBe(400);
      expect(JSON.parse(ivrQuery.text).errors.map((e: { field: string }) => e.field)).toEqual(['menu']);
      expect(await callEvents('CA0400')).toEqual([]);
    });
  });

  describe('IVR', () => {
    const menu = {
      prompt: 'Welcome to PT Maju Jaya.',
      options: [
        { digits: '1', label: 'the status of your order', action: { kind: 'order-status' } },
        { digits: '2', label: 'the status of your case', action: { kind: 'case-status' } },
        {
          digits: '3',
          label: 'billing',
          action: {
            kind: 'menu',
            menu: {
              prompt: 'Billing & invoices.',
              options: [
                { digits: '1', label: 'a billing agent', action: { kind: 'enqueue', team: 'billing' } },
                { digits: '9', label: 'the main menu', action: { kind: 'back' } },
              ],
            },
          },
        },
        { digits: '0', label: 'an agent', action: { kind: 'enqueue', team: 'support' } },
      ],
    };
    let supervisorToken: string;

    beforeAll(async () => {
      supervisorToken = await svc.mint({ kind: 'staff', subject: 'sri', department: 'service', roles: ['supervisor'] });
    });

    it('supervisors set menus; agents, other departments, partners and strangers may not', async () => {
      const salesToken = await svc.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['supervisor'] });
      const partnerToken = await svc.mint({ kind: 'partner', subject: 'p-user', partnerId: 'partner-1', roles: ['supervisor'] });
      expect((await svc.call('PUT', '/ivr/menus/main', menu)).status).toBe(403);
      expect((await svc.call('PUT', '/ivr/menus/main', menu, {}, salesToken)).status).toBe(403);
      expect((await svc.call('PUT', '/ivr/menus/main', menu, {}, partnerToken)).status).toBe(403);
      expect((await svc.call('GET', '/ivr/menus/main', undefined, {}, partnerToken)).status).toBe(403);
      expect((await fetch(`${svc.base}/ivr/menus/main`)).status).toBe(401);
      expect((await fetch(`${svc.base}/ivr/containment?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z`)).status).toBe(401);

      const set = await svc.call('PUT', '/ivr/menus/main', menu, {}, supervisorToken);
      expect(set.status).toBe(200);
      expect(set.etag).toBe('"0"');
      expect((await svc.call('PUT', '/ivr/menus/main', menu, { 'if-match': '"0"' }, supervisorToken)).etag).toBe('"0"');
      const read = await svc.call('GET', '/ivr/menus/main');
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ menuId: 'main', root: menu });
      expect((await svc.call('GET', '/ivr/menus/nothing-here')).status).toBe(404);
    });

    it('refuses menus that break a rule (422) or are malformed (400 naming the field)', async () => {
      const put = (body: unknown, id = 'other', headers: Record<string, string> = {}) => svc.call('PUT', `/ivr/menus/${id}`, body, headers, supervisorToken);
      const loop = { prompt: 'x', options: [{ digits: '1', label: 'again', action: { kind: 'repeat' } }] };
      const looped = await put(loop);
      expect(looped.status).toBe(422);
      expect(looped.type).toContain('application/problem+json');
      let deep: Record<string, unknown> = { prompt: 'bottom', options: [{ digits: '1', label: 'agent', action: { kind: 'enqueue', team: 'support' } }] };
      for (let i = 0; i < 5; i++) deep = { prompt: `level ${i}`, options: [{ digits: '1', label: 'down', action: { kind: 'menu', menu: deep } }] };
      expect((await put(deep)).status).toBe(422);
      const fields = async (body: unknown, id?: string) => {
        const r = await put(body, id);
        expect(r.status).toBe(400);
        return (r.body.errors as { field: string }[]).map((e) => e.field);
      };
      expect(await fields({ ...menu, options: [{ ...menu.options[0], digits: '12' }] })).toContain('options.0.digits');
      expect(await fields({ ...menu, options: [{ ...menu.options[0], action: { kind: 'teleport' } }] })).toContain('options.0.action.kind');
      expect(await fields({ ...menu, options: [{ ...menu.options[0], action: { kind: 'enqueue' } }] })).toContain('options.0.action.team');
      expect(await fields({ ...menu, options: [{ ...menu.options[0], action: { kind: 'menu' } }] })).toContain('options.0.action.menu');
      expect(await fields({ ...menu, options: [[menu.options[0]]] })).toContain('options');
      expect(await fields({ ...menu, options: { digits: '1' } })).toContain('options');
      expect(await fields({ ...menu, prompt: 'a\u0000b' })).toContain('prompt');
      expect(await fields(menu, 'Main%20Menu')).toEqual(['id']);
      expect((await put(menu, 'main', { 'if-match': '"7"' })).status).toBe(412);
      const text = await fetch(`${svc.base}/ivr/menus/other`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${supervisorToken}`, 'content-type': 'text/plain' },
        body: 'x',
      });
      expect(text.status).toBe(415);
    });

    it('a caller walks the menu: order status in self-service, the path recorded as ivr interactions, the call contained', async () => {
      await commands.orders.place(agent, {
        customerId,
        orderDate: '2026-02-20',
        currency: 'EUR',
        lines: [{ productId: 'printer-x1', quantity: 1, unitPrice: 12_950 }],
      });
      await waitFor(
        async () => (await readModels.dataSource.query(`SELECT 1 FROM service.order_list WHERE customer_id = $1`, [customerId])).length === 1,
        20000,
        'the orders list',
      );

      const entry = await provider('/telephony/voice', callParams('CA0500', 'ringing'));
      expect(entry.text).toContain('<Gather numDigits="1" action="');
      expect(entry.text).toContain('<Say>Welcome to PT Maju Jaya. For the status of your order, press 1.');
      const gatherUrl = (twimlText: string) => decodeURIComponent(/<Gather numDigits="1" action="([^"]+)"/.exec(twimlText)![1].replace(/&amp;/g, '&'));
      const next = gatherUrl(entry.text).slice(svc.base.length);
      expect(next).toBe('/telephony/ivr?menu=main&path=&step=0&silences=0');

      // Into billing (escaped as XML), then back, then the order status.
      const billing = await provider(next, callParams('CA0500', 'in-progress', undefined, { Digits: '3' }));
      expect(billing.text).toContain('<Say>Billing &amp; invoices.');
      const back = await provider(gatherUrl(billing.text).slice(svc.base.length), callParams('CA0500', 'in-progress', undefined, { Digits: '9' }));
      const orderStatus = await provider(gatherUrl(back.text).slice(svc.base.length), callParams('CA0500', 'in-progress', undefined, { Digits: '1' }));
      expect(orderStatus.text).toContain('<Say>Your latest order, of 2026-02-20, for 129.50 EUR, is placed.</Say><Redirect method="POST">');
      clock.advance(60_000);
      await provider('/telephony/status', callParams('CA0500', 'completed'));
      const ended = (await callEvents('CA0500')).find((e) => e.type === 'CallEnded')!.data;
      expect(ended).toMatchObject({ containedInIvr: true, abandoned: false, handleSeconds: 0 });

      const episodeId = ((await callEvents('CA0500'))[0].data as { case: string }).case;
      await waitFor(
        async () => (await timeline()).find((e) => e.episodeId === episodeId)!.interactions.filter((i) => i.channel === 'ivr').length === 3,
        20000,
        'the IVR path on the timeline',
      );
      const path = (await timeline()).find((e) => e.episodeId === episodeId)!.interactions.filter((i) => i.channel === 'ivr');
      expect(path.map((i) => i.action)).toEqual([
        'pressed 3 in menu main: billing',
        'pressed 9 in menu main: the main menu',
        'pressed 1 in menu main: the status of your order',
      ]);

      // And a caller who goes on to an agent after self-service is not contained.
      await provider('/telephony/voice', callParams('CA0501', 'ringing'));
      await provider('/telephony/ivr?menu=main&path=&step=0&silences=0', callParams('CA0501', 'in-progress', undefined, { Digits: '2' }));
      const queued = await provider('/telephony/ivr?menu=main&path=&step=1&silences=0', callParams('CA0501', 'in-progress', undefined, { Digits: '0' }));
      expect(queued.text).toContain('<Enqueue>support</Enqueue>');
      await provider('/telephony/status', callParams('CA0501', 'completed'));
      expect((await callEvents('CA0501')).find((e) => e.type === 'CallEnded')!.data).toMatchObject({ containedInIvr: false, abandoned: true });

      const measure = async () => (await svc.call('GET', '/ivr/containment?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z')).body;
      // CA0001 answered, CA0100 and CA0200 never answered, CA0500 contained, CA0501 abandoned in the queue (CA0002 goes on).
      await waitFor(async () => (await measure()).calls === 5, 20000, 'the call log');
      expect(await measure()).toEqual({
        from: '2026-03-02T00:00:00.000Z',
        to: '2026-03-03T00:00:00.000Z',
        calls: 5,
        contained: 1,
        answered: 1,
        abandoned: 3,
        containmentRate: 0.2,
      });
      expect((await svc.call('GET', '/ivr/containment?from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z')).status).toBe(400);
      expect((await svc.call('GET', '/ivr/containment?from=yesterday&to=2026-03-02T00:00:00Z')).status).toBe(400);
    });

    it('silence twice says goodbye; a key that is no option says so and repeats the menu', async () => {
      await provider('/telephony/voice', callParams('CA0600', 'ringing'));
      const wrong = await provider('/telephony/ivr?menu=main&path=&step=0&silences=0', callParams('CA0600', 'in-progress', undefined, { Digits: '7' }));
      expect(wrong.text).toContain('<Say>Sorry, that is not an option.</Say><Gather');
      const silent = await provider('/telephony/ivr?menu=main&path=&step=1&silences=1', callParams('CA0600', 'in-progress'));
      expect(silent.text).toContain('<Hangup/>');
      // A call the CRM never saw offered cannot walk a menu.
      expect((await provider('/telephony/ivr?menu=main&path=&step=0&silences=0', callParams('CA0699', 'in-progress', undefined, { Digits: '1' }))).status).toBe(
        404,
      );
    });
  });
});
