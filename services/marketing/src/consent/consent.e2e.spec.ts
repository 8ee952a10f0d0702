import { TestClock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import type { Principal, ServiceApp } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { CALLERS, mintTokens, startMarketing } from '../testing/marketing-under-test';

// A customer's consent over HTTP (issue 13 §1), on the embedded platform and a test clock.
describe('consent routes (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let stop: (() => Promise<void>) | undefined;
  const tokens: Record<string, string> = {};
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  let customerId: string;

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startMarketing('consent', clock));
    const { service, analytics, partner } = CALLERS;
    Object.assign(tokens, await mintTokens(app, { marketing: marketer, service, analytics, partner }));
    customerId = (await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, { kind: 'person', name: 'Sari Wijaya' })).id;
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => tokens.marketing,
  );
  const fields = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const newsletter = {
    channel: 'email',
    purpose: 'newsletter',
    source: 'form',
    evidence: { textVersion: 'newsletter-2026-03', formId: 'footer-signup', ipAddress: '203.0.113.7' },
  };

  it('records a grant with its evidence, answers what holds with the event it rests on, and what held at any instant', async () => {
    const before = clock.now().toISOString();
    clock.advance(60_000);
    const granted = await call('POST', `/customers/${customerId}/consent/grants`, newsletter);
    expect(granted.status).toBe(200);
    expect(granted.etag).toBe('"0"');
    const permission = (granted.body.permissions as Record<string, unknown>[])[0];
    expect(permission).toMatchObject({ channel: 'email', purpose: 'newsletter', status: 'granted', source: 'form', since: clock.now().toISOString() });
    const [event] = await platform.eventStore.readStream(`consent-${customerId}`);
    expect(permission.basis).toEqual({ eventId: event.id, position: `${event.position.commit}/${event.position.prepare}`, revision: '0' });
    // The network detail is personal: sealed in the store.
    expect(JSON.stringify(event.data)).not.toContain('203.0.113.7');
    expect(event.metadata.actor).toMatchObject({ type: 'staff', id: 'mira' });

    // The same grant again records nothing.
    clock.advance(60_000);
    expect((await call('POST', `/customers/${customerId}/consent/grants`, newsletter)).etag).toBe('"0"');

    clock.advance(60_000);
    const grantedAt = permission.since as string;
    const withdrawn = await call(
      'POST',
      `/customers/${customerId}/consent/withdrawals`,
      { channel: 'email', source: 'staff', evidence: { note: 'no e-mail at all, please' } },
      {
        'if-match': '"0"',
      },
    );
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.permissions).toEqual([expect.objectContaining({ status: 'withdrawn', channelWide: true })]);
    expect(withdrawn.body.channelOptOuts).toEqual([
      expect.objectContaining({ channel: 'email', source: 'staff', basis: expect.objectContaining({ revision: '1' }) }),
    ]);

    const asOf = async (at: string) => (await call('GET', `/customers/${customerId}/consent?asOf=${encodeURIComponent(at)}`)).body;
    expect((await asOf(before)).permissions).toEqual([]);
    expect((await asOf(grantedAt)).permissions).toEqual([expect.objectContaining({ status: 'granted', basis: expect.objectContaining({ revision: '0' }) })]);
    expect((await asOf(clock.now().toISOString())).permissions).toEqual([expect.objectContaining({ status: 'withdrawn' })]);
    const now = await call('GET', `/customers/${customerId}/consent`);
    expect(now.etag).toBe('"1"');
    expect(now.body.revision).toBe('1');
  });

  it('a stale If-Match is 412 before any rule; a broken rule is 422 with its code', async () => {
    const stale = await call('POST', `/customers/${customerId}/consent/grants`, { ...newsletter, purpose: 'offers', evidence: {} }, { 'if-match': '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    const noText = await call('POST', `/customers/${customerId}/consent/grants`, { ...newsletter, purpose: 'offers', evidence: {} });
    expect(noText.status).toBe(422);
    expect(noText.body.code).toBe('consent-evidence');
    clock.advance(60_000);
    const staffGrant = await call('POST', `/customers/${customerId}/consent/grants`, {
      channel: 'sms',
      purpose: 'offers',
      source: 'staff',
      evidence: { note: 'asked on the phone for offers by SMS' },
    });
    expect(staffGrant.status).toBe(200);
    // An import may date its statement, not in the future, and not before the latest on the permission.
    const old = await call('POST', `/customers/${customerId}/consent/withdrawals`, {
      channel: 'sms',
      purpose: 'offers',
      source: 'import',
      evidence: { note: 'legacy list' },
      withdrawnAt: '2026-01-01T00:00:00Z',
    });
    expect(old.status).toBe(422);
    expect(old.body.code).toBe('consent-out-of-order');
    const future = await call('POST', `/customers/${customerId}/consent/grants`, {
      channel: 'mail',
      purpose: 'catalogue',
      source: 'import',
      evidence: { note: 'legacy list' },
      grantedAt: '2099-01-01T00:00:00Z',
    });
    expect(future.status).toBe(400);
    expect(fields(future.body)).toEqual(['grantedAt']);
  });

  it('answers bad input with 400 problem+json naming the field, a body that is not JSON with 415, unknown customers with 404', async () => {
    const post = (body: unknown) => call('POST', `/customers/${customerId}/consent/grants`, body);
    expect(fields((await post({ ...newsletter, channel: 'pigeon' })).body)).toEqual(['channel']);
    expect(fields((await post({ ...newsletter, purpose: 'News Letter' })).body)).toEqual(['purpose']);
    expect(fields((await post({ ...newsletter, source: 'double-opt-in' })).body)).toEqual(['source']);
    expect(fields((await post({ ...newsletter, evidence: [[]] })).body)).toEqual(['evidence']);
    expect(fields((await post({ ...newsletter, evidence: { textVersion: 'v\u0000' } })).body)).toEqual(['evidence.textVersion']);
    expect(fields((await post({ ...newsletter, evidence: { note: 'x\ud800' } })).body)).toEqual(['evidence.note']);
    const nested = await post({ ...newsletter, evidence: { textVersion: 'v1', formId: ['a'] } });
    expect(nested.status).toBe(400);
    expect([...new Set(fields(nested.body))]).toEqual(['evidence.formId']);
    const bad = await call('GET', `/customers/${customerId}/consent?asOf=yesterday`);
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['asOf']);
    const text = await fetch(`${base}/customers/${customerId}/consent/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.marketing}`, 'content-type': 'text/plain' },
      body: 'grant it',
    });
    expect(text.status).toBe(415);
    expect((await call('GET', '/customers/not-a-uuid/consent')).status).toBe(400);
    const unknown = await call('GET', '/customers/7e0b5d3c-1f2a-4b6c-8d9e-0a1b2c3d4e5f/consent');
    expect(unknown.status).toBe(404);
    expect((await call('POST', '/customers/7e0b5d3c-1f2a-4b6c-8d9e-0a1b2c3d4e5f/consent/grants', newsletter)).status).toBe(404);
  });

  it('staff read it; marketing, sales, service and management record it; analytics only reads; partners and strangers never reach it', async () => {
    const as = (who: string) => (method: string, url: string, body?: unknown) => call(method, url, body, {}, tokens[who]);
    expect((await as('service')('GET', `/customers/${customerId}/consent`)).status).toBe(200);
    clock.advance(60_000);
    expect(
      (await as('service')('POST', `/customers/${customerId}/consent/withdrawals`, { channel: 'phone', source: 'staff', evidence: { note: 'no calls' } }))
        .status,
    ).toBe(200);
    expect((await as('analytics')('GET', `/customers/${customerId}/consent`)).status).toBe(200);
    const analytics = await as('analytics')('POST', `/customers/${customerId}/consent/grants`, newsletter);
    expect(analytics.status).toBe(403);
    expect(analytics.type).toContain('application/problem+json');
    for (const [method, url, body] of [
      ['GET', `/customers/${customerId}/consent`, undefined],
      ['POST', `/customers/${customerId}/consent/grants`, newsletter],
      ['POST', `/customers/${customerId}/consent/withdrawals`, { channel: 'email', source: 'staff', evidence: { note: 'x' } }],
    ] as const) {
      expect((await as('partner')(method, url, body)).status).toBe(403);
      expect((await call(method, url, body, {}, 'not-a-token')).status).toBe(401);
    }
  });

  it('one-click unsubscribe (RFC 8058): the signed link withdraws the permission at once; GET changes nothing; forged links are 403', async () => {
    clock.advance(60_000);
    expect(
      (
        await call('POST', `/customers/${customerId}/consent/grants`, {
          ...newsletter,
          channel: 'sms',
          purpose: 'flash-sales',
          evidence: { textVersion: 'sms-1' },
        })
      ).status,
    ).toBe(200);
    const link = await call(
      'GET',
      `/customers/${customerId}/consent/unsubscribe-link?channel=sms&purpose=flash-sales&campaignId=spring&messageId=${encodeURIComponent('<m7@crm.example>')}`,
    );
    expect(link.status).toBe(200);
    const headers = link.body.headers as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['List-Unsubscribe']).toBe(`<${String(link.body.path)}>`);
    // The same link every time (nothing stored per link).
    expect(
      (
        await call(
          'GET',
          `/customers/${customerId}/consent/unsubscribe-link?channel=sms&purpose=flash-sales&campaignId=spring&messageId=${encodeURIComponent('<m7@crm.example>')}`,
        )
      ).body.path,
    ).toBe(link.body.path);
    const url = `${base}${String(link.body.path)}`;

    // A GET (a link scanner, a preview) describes and changes nothing.
    const described = await fetch(url);
    expect(described.status).toBe(200);
    expect(await described.json()).toEqual({ channel: 'sms', purpose: 'flash-sales', unsubscribed: false });
    const permission = async () =>
      ((await call('GET', `/customers/${customerId}/consent`)).body.permissions as { channel: string; purpose: string; status: string; source: string }[]).find(
        (p) => p.channel === 'sms' && p.purpose === 'flash-sales',
      );
    expect(await permission()).toMatchObject({ status: 'granted' });

    clock.advance(60_000);
    const oneClick = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    const done = await oneClick();
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ channel: 'sms', purpose: 'flash-sales', unsubscribed: true });
    expect(await permission()).toMatchObject({ status: 'withdrawn', source: 'one-click-unsubscribe' });
    const events = await platform.eventStore.readStream(`consent-${customerId}`);
    const last = events[events.length - 1];
    expect(last).toMatchObject({
      type: 'ConsentWithdrawn',
      data: {
        channel: 'sms',
        purpose: 'flash-sales',
        source: 'one-click-unsubscribe',
        evidence: { campaignId: 'spring', messageId: '<m7@crm.example>', recordedBy: 'unsubscribe' },
      },
      metadata: { actor: { type: 'system', id: 'unsubscribe' } },
    });
    // Again: 200, nothing recorded.
    expect((await oneClick()).status).toBe(200);
    expect(await platform.eventStore.readStream(`consent-${customerId}`)).toHaveLength(events.length);
    expect(await (await fetch(url)).json()).toEqual({ channel: 'sms', purpose: 'flash-sales', unsubscribed: true });

    // Refusals: a forged or altered token, no token, a body that is not the one-click one, text/plain.
    const token = new URL(url).searchParams.get('t')!;
    const tampered = `${base}/unsubscribe?t=${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = await fetch(tampered, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${base}/unsubscribe?t=garbage`)).status).toBe(403);
    const noToken = await fetch(`${base}/unsubscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(noToken.status).toBe(400);
    const wrongBody = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=Yes' });
    expect(wrongBody.status).toBe(400);
    expect(fields((await wrongBody.json()) as Record<string, unknown>)).toEqual(['List-Unsubscribe']);
    expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(415);
    // Minting a link is staff's: partners 403, no token 401; a bad channel is 400 naming it.
    expect((await call('GET', `/customers/${customerId}/consent/unsubscribe-link?channel=sms`, undefined, {}, tokens.partner)).status).toBe(403);
    expect((await call('GET', `/customers/${customerId}/consent/unsubscribe-link?channel=sms`, undefined, {}, 'nope')).status).toBe(401);
    expect(fields((await call('GET', `/customers/${customerId}/consent/unsubscribe-link?channel=fax`)).body)).toEqual(['channel']);
  });

  it('answers the history of grants and withdrawals per channel and purpose, newest first, personal evidence left sealed; staff only', async () => {
    const marketer2: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
    const id = (await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer2, { kind: 'person', name: 'Budi Santoso' })).id;
    expect((await call('GET', `/customers/${id}/consent/history`)).body).toEqual({ customerId: id, entries: [] });
    clock.advance(60_000);
    await call('POST', `/customers/${id}/consent/grants`, newsletter);
    const grantedAt = clock.now().toISOString();
    clock.advance(60_000);
    // An import dated before the grant above: the history orders by when it happened, not by when it was recorded.
    const imported = new Date(clock.now().getTime() - 3_600_000).toISOString();
    await call('POST', `/customers/${id}/consent/grants`, {
      channel: 'sms',
      purpose: 'offers',
      source: 'import',
      evidence: { note: 'old CRM export' },
      grantedAt: imported,
    });
    clock.advance(60_000);
    await call('POST', `/customers/${id}/consent/withdrawals`, {
      channel: 'email',
      purpose: 'newsletter',
      source: 'staff',
      evidence: { note: 'asked on the phone' },
    });
    const withdrawnAt = clock.now().toISOString();

    const history = await call('GET', `/customers/${id}/consent/history`);
    expect(history.status).toBe(200);
    expect(history.body).toEqual({
      customerId: id,
      revision: '2',
      entries: [
        expect.objectContaining({
          kind: 'withdrawn',
          channel: 'email',
          purpose: 'newsletter',
          source: 'staff',
          at: withdrawnAt,
          recordedBy: 'mira',
          basis: expect.objectContaining({ revision: '2' }),
        }),
        expect.objectContaining({
          kind: 'granted',
          channel: 'email',
          purpose: 'newsletter',
          source: 'form',
          at: grantedAt,
          textVersion: 'newsletter-2026-03',
          formId: 'footer-signup',
          basis: expect.objectContaining({ revision: '0' }),
        }),
        expect.objectContaining({
          kind: 'granted',
          channel: 'sms',
          purpose: 'offers',
          source: 'import',
          at: imported,
          basis: expect.objectContaining({ revision: '1' }),
        }),
      ],
    });
    // Notes and network details are personal data: sealed in the store, never in the history.
    expect(JSON.stringify(history.body)).not.toMatch(/asked on the phone|old CRM export|203\.0\.113\.7|note|ipAddress/);

    expect((await call('GET', '/customers/not-a-uuid/consent/history')).status).toBe(400);
    expect(fields((await call('GET', '/customers/not-a-uuid/consent/history')).body)).toEqual(['id']);
    expect((await call('GET', '/customers/7e0b5d3c-1f2a-4b6c-8d9e-0a1b2c3d4e5f/consent/history')).status).toBe(404);
    const as = (who: string) => call('GET', `/customers/${id}/consent/history`, undefined, {}, tokens[who]);
    expect((await as('analytics')).status).toBe(200);
    expect((await as('service')).status).toBe(200);
    const partner = await as('partner');
    expect(partner.status).toBe(403);
    expect(partner.type).toContain('application/problem+json');
    expect((await call('GET', `/customers/${id}/consent/history`, undefined, {}, 'not-a-token')).status).toBe(401);
  });

  it('is in the OpenAPI document with its responses, errors and examples', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const grants = doc.paths['/customers/{id}/consent/grants'].post;
    expect(Object.keys(grants.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '412', '415', '422']));
    expect(JSON.stringify(grants)).toContain('newsletter-2026-03');
    expect(Object.keys(doc.paths['/customers/{id}/consent'].get.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(doc.paths['/customers/{id}/consent/withdrawals'].post).toBeDefined();
    expect(Object.keys(doc.paths['/unsubscribe'].post.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '415']));
    expect(doc.paths['/customers/{id}/consent/unsubscribe-link'].get).toBeDefined();
    const history = doc.paths['/customers/{id}/consent/history'].get;
    expect(Object.keys(history.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(JSON.stringify(history)).toContain('footer-signup');
  });
});
