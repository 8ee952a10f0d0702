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
import { httpCaller, servedResponseProblems } from '@crm/service-kit/testing';
import { MESSAGE_SENDERS, type MessageSender } from '../channels/message-sender';
import { createMarketingApp, MarketingConfig } from '../marketing';
import { SegmentMembershipService } from '../segments/segment-membership.processor';
import { CampaignDispatcherService } from './dispatch/campaign-dispatcher.service';
import { InMemoryMessageSender } from '../channels/testing/in-memory-message-sender';

type Recipient = {
  customerId: string;
  group: string;
  messages: {
    stepId: string;
    status: string;
    variantId?: string;
    reason?: string;
    consentSeen?: string;
    consentBasis?: { eventId: string; position: string };
    attempts: number;
  }[];
};

// Campaigns that really send (issue 13 §3) over HTTP, on the embedded platform, a test clock and
// in-memory senders; the dispatcher ticks only when a test says so (CRM_CAMPAIGN_DISPATCH_INTERVAL_MS=0).
describe('campaigns (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-campaigns-'));
  const env = { CRM_DATA_DIR: dataDir, CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0', CRM_MARKETING_PUBLIC_URL: 'https://crm.example.com/marketing' };
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  const tokens: Record<string, string> = {};
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  let email: InMemoryMessageSender;
  let sms: InMemoryMessageSender;

  const boot = async () => {
    app = await createMarketingApp(loadConfig(MarketingConfig, env), platform, { embedded: true, clock });
    base = await app.listen(0);
    email = new InMemoryMessageSender('email');
    sms = new InMemoryMessageSender('sms');
    const senders = app.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS);
    senders.set('email', email);
    senders.set('sms', sms);
  };

  beforeAll(async () => {
    platform = await createPlatform(loadConfig(MarketingConfig, env), { registry: crmRegistry(), clientId: 'test' });
    await boot();
    const mint = app.app.get(TokenMint);
    tokens.marketing = await mint.mint(marketer);
    tokens.management = await mint.mint({ kind: 'staff', subject: 'maya', department: 'management', roles: [] });
    tokens.service = await mint.mint({ kind: 'staff', subject: 'dewi', department: 'service', roles: [] });
    tokens.partner = await mint.mint({ kind: 'partner', subject: 'acme.key', partnerId: 'acme', roles: [] });
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = httpCaller(
    () => base,
    () => tokens.marketing,
  );
  const fields = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const tick = () => app.app.get(CampaignDispatcherService).dispatcher.tick();

  /** A person with an e-mail address, who agreed to offers by e-mail (and SMS) unless told otherwise. */
  const customer = async (name: string, consent: ('email' | 'sms')[] = ['email']) => {
    const address = `${name.toLowerCase().replace(/[^a-z]/g, '')}-${randomUUID().slice(0, 8)}@example.com`;
    const { id } = await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, {
      kind: 'person',
      name,
      identities: [{ kind: 'email', value: address }],
    });
    for (const channel of consent) {
      const r = await call('POST', `/customers/${id}/consent/grants`, {
        channel,
        purpose: 'offers',
        source: 'form',
        evidence: { textVersion: 'offers-2026-04', formId: 'footer' },
      });
      expect(r.status).toBe(200);
    }
    return { id, address };
  };
  const definition = (customerIds: string[], over: Record<string, unknown> = {}) => ({
    name: 'Spring offer',
    purpose: 'offers',
    audience: { kind: 'list', customerIds },
    steps: [
      {
        stepId: 'mail-1',
        channel: 'email',
        delayMinutes: 0,
        variants: [
          {
            variantId: 'a',
            weight: 1,
            template: { subject: 'Spring for {{name}}', text: 'Hello {{name}} ({{email}}). Unsubscribe: {{unsubscribeUrl}}', html: '<p>Hello {{name}}</p>' },
          },
          { variantId: 'b', weight: 1, template: { subject: '20 % off, {{name}}', text: 'Spring is here, {{name}}' } },
        ],
      },
    ],
    controlBasisPoints: 0,
    throttlePerSecond: 2,
    attributionWindowDays: 14,
    costPerMessage: { amountMinor: 3, currency: 'EUR' },
    ...over,
  });
  const recipients = async (campaignId: string): Promise<Recipient[]> => {
    const r = await call('GET', `/campaigns/${campaignId}/messages?limit=1000`);
    expect(r.status).toBe(200);
    return r.body.items as Recipient[];
  };
  const stepOf = (rs: Recipient[], customerId: string, stepId = 'mail-1') =>
    rs.find((r) => r.customerId === customerId)!.messages.find((m) => m.stepId === stepId)!;
  const defineAndStart = async (body: Record<string, unknown>) => {
    const defined = await call('POST', '/campaigns', body);
    expect(defined.status).toBe(201);
    const id = String(defined.body.campaignId);
    expect((await call('POST', `/campaigns/${id}/start`)).status).toBe(200);
    return id;
  };

  it('defines a draft (201, Location, ETag), reads it back, lists it, revises it under If-Match (412 when stale)', async () => {
    const { id } = await customer('Budi Santoso');
    const campaignId = randomUUID();
    const defined = await call('POST', '/campaigns', { campaignId, ...definition([id]) });
    expect(defined.status).toBe(201);
    expect(defined.location).toBe(`/campaigns/${campaignId}`);
    expect(defined.etag).toBe('"0"');
    expect(defined.body).toMatchObject({
      campaignId,
      status: 'draft',
      name: 'Spring offer',
      definedBy: 'mira',
      revision: '0',
      counts: { audience: 0, sent: 0 },
    });
    // The same request again (a retry): the same campaign, nothing new.
    expect((await call('POST', '/campaigns', { campaignId, ...definition([id]) })).etag).toBe('"0"');

    const got = await call('GET', `/campaigns/${campaignId}`);
    expect(got.status).toBe(200);
    expect(got.etag).toBe('"0"');
    const list = await call('GET', '/campaigns?status=draft');
    expect((list.body.items as { campaignId: string }[]).map((c) => c.campaignId)).toContain(campaignId);

    const revised = await call('PUT', `/campaigns/${campaignId}`, definition([id], { name: 'Spring offer 2' }), { 'if-match': '"0"' });
    expect(revised.status).toBe(200);
    expect(revised.etag).toBe('"1"');
    expect(revised.body.name).toBe('Spring offer 2');
    const stale = await call('PUT', `/campaigns/${campaignId}`, definition([id], { name: 'Spring offer 3' }), { 'if-match': '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    // 412 before any rule: a stale start of a draft with a broken rule still answers 412.
    expect((await call('POST', `/campaigns/${campaignId}/pause`, {}, { 'if-match': '"0"' })).status).toBe(412);
    expect((await call('POST', `/campaigns/${campaignId}/pause`, {})).status).toBe(422);

    const closed = await call('POST', `/campaigns/${campaignId}/close`, { reason: 'never mind' }, { 'if-match': '"1"' });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    const again = await call('PUT', `/campaigns/${campaignId}`, definition([id]));
    expect(again.status).toBe(422);
    expect(again.body.code).toBe('campaign-status');
    expect((await call('GET', '/campaigns?status=closed')).body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ campaignId, status: 'closed' })]),
    );
  });

  it('sends within the throttle over several ticks, and a customer who withdraws half-way gets nothing more: the suppression names the withdrawal', async () => {
    const people = await Promise.all(['Sari <Wijaya> & Co', 'Budi', 'Citra', 'Dewi', 'Eko', 'Fajar'].map((n) => customer(n)));
    const ids = people.map((p) => p.id);
    const campaignId = await defineAndStart(
      definition(ids, {
        steps: [
          definition([]).steps[0],
          {
            stepId: 'mail-2',
            channel: 'email',
            delayMinutes: 1,
            variants: [{ variantId: 'a', weight: 1, template: { subject: 'Last day, {{name}}', text: 'Last day' } }],
          },
        ],
      }),
    );
    const started = await call('GET', `/campaigns/${campaignId}`);
    expect(started.body).toMatchObject({ status: 'running', counts: { audience: 6, control: 0, pending: 12 } });

    // Throttle 2/s: two messages a second of the test clock.
    expect((await tick()).sent).toBe(2);
    expect((await tick()).sent).toBe(0);
    clock.advance(1000);
    expect((await tick()).sent).toBe(2);
    const order = (await recipients(campaignId)).map((r) => r.customerId);
    expect(order).toEqual(ids);
    const sentSoFar = email.sent.filter((m) => m.campaignId === campaignId);
    expect(sentSoFar.map((m) => m.customerId).sort()).toEqual(ids.slice(0, 4).sort()); // in audience order, a few at a time

    // The message as it left: merge fields filled (escaped in HTML), the one-click unsubscribe headers.
    const first = sentSoFar.find((m) => m.customerId === ids[0])!;
    expect(first.to).toBe(people[0].address);
    if (first.variantId === 'a') {
      expect(first.html).toBe('<p>Hello Sari &lt;Wijaya&gt; &amp; Co</p>');
      expect(first.text).toContain(`Hello Sari <Wijaya> & Co (${people[0].address})`);
      expect(first.subject).toBe('Spring for Sari <Wijaya> & Co');
    } else expect(first.text).toBe('Spring is here, Sari <Wijaya> & Co');
    expect(first.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(first.headers?.['List-Unsubscribe']).toMatch(/^<https:\/\/crm\.example\.com\/marketing\/unsubscribe\?t=[^>]+>$/);

    // Half-way: Eko (5th) withdraws by staff; Sari (1st) unsubscribes with one click from her first message.
    const withdrawn = await call('POST', `/customers/${ids[4]}/consent/withdrawals`, {
      channel: 'email',
      purpose: 'offers',
      source: 'staff',
      evidence: { note: 'asked by phone to stop' },
    });
    expect(withdrawn.status).toBe(200);
    const oneClick = new URL(first.headers!['List-Unsubscribe'].slice(1, -1));
    const unsubscribed = await fetch(`${base}${oneClick.pathname.replace('/marketing', '')}${oneClick.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribed.status).toBe(200);
    const consentOf = async (id: string) => platform.eventStore.readStream(`consent-${id}`);
    const [ekoGrant, ekoWithdrawal] = await consentOf(ids[4]);
    expect(ekoWithdrawal.type).toBe('ConsentWithdrawn');
    const sariWithdrawal = (await consentOf(ids[0]))[1];
    expect(sariWithdrawal.data).toMatchObject({ source: 'one-click-unsubscribe', evidence: { campaignId, messageId: first.messageId } });

    clock.advance(1000);
    const third = await tick();
    expect(third).toMatchObject({ sent: 1, suppressed: 1 });
    // The rest of the campaign: step 2 falls due a minute after the start.
    clock.advance(60_000);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await tick();
    }

    const all = email.sent.filter((m) => m.campaignId === campaignId);
    // Eko: nothing at all (withdrawn before the first step reached him); Sari: only the first message.
    expect(all.filter((m) => m.customerId === ids[4])).toEqual([]);
    expect(all.filter((m) => m.customerId === ids[0]).map((m) => m.stepId)).toEqual(['mail-1']);
    expect(all).toHaveLength(4 + 1 + 4); // step 1 to all but Eko, step 2 to all but Eko and Sari
    expect(new Set(all.map((m) => m.messageId)).size).toBe(all.length); // never one message twice

    const rs = await recipients(campaignId);
    const eko = stepOf(rs, ids[4]);
    expect(eko).toMatchObject({ status: 'suppressed', reason: 'no-consent', consentSeen: 'withdrawn' });
    expect(eko.consentBasis).toEqual({
      eventId: ekoWithdrawal.id,
      position: `${ekoWithdrawal.position.commit}/${ekoWithdrawal.position.prepare}`,
      revision: '1',
    });
    expect(stepOf(rs, ids[0], 'mail-2')).toMatchObject({ status: 'suppressed', consentSeen: 'withdrawn', consentBasis: { eventId: sariWithdrawal.id } });
    // Every message sent names the grant that allowed it.
    const sariGrant = (await consentOf(ids[0]))[0];
    expect(stepOf(rs, ids[0])).toMatchObject({ status: 'sent', consentSeen: 'granted', consentBasis: { eventId: sariGrant.id } });
    expect(ekoGrant.type).toBe('ConsentGranted');
    // The send records it as well (the event, not only the view).
    const [sentEvent] = await platform.eventStore.readStream(`campaignmessage-${campaignId}-${ids[1]}`);
    expect(sentEvent).toMatchObject({ type: 'CampaignMessageSent', data: { consentBasis: { eventId: (await consentOf(ids[1]))[0].id } } });

    const view = await call('GET', `/campaigns/${campaignId}`);
    expect(view.body.counts).toEqual({ audience: 6, control: 0, sent: 9, suppressed: { 'no-consent': 3 }, bounced: 0, deferred: 0, pending: 0 });

    // Each message is an outbound interaction on the customer's campaign episode, in the shared timeline.
    await waitFor(
      async () => {
        const t = await call('GET', `/customers/${ids[1]}/timeline`);
        const episodes = (t.body.episodes ?? []) as { episodeType: string; interactions: { direction: string; channel: string }[] }[];
        return episodes.some(
          (e) => e.episodeType === 'campaign' && e.interactions.filter((i) => i.direction === 'outbound' && i.channel === 'email').length === 2,
        );
      },
      20000,
      'the two messages in the timeline',
    );
  });

  it('suppresses the control group and customers without consent or address, retries deferrals with backoff and records bounces', async () => {
    const ok = await customer('Gita');
    const none = await customer('Hadi', []);
    const bouncing = await customer('Indra');
    const busy = await customer('Joko');
    const { id: noAddress } = await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, { kind: 'person', name: 'Kiki' });
    await call('POST', `/customers/${noAddress}/consent/grants`, {
      channel: 'email',
      purpose: 'offers',
      source: 'form',
      evidence: { textVersion: 'offers-2026-04' },
    });
    email.script(bouncing.address, { status: 'bounced', kind: 'hard', reason: '550 5.1.1 no such mailbox' });
    email.script(busy.address, { status: 'deferred', reason: '421 try later' }, { status: 'deferred', reason: '421 try later' });
    const campaignId = await defineAndStart(definition([ok.id, none.id, bouncing.id, busy.id, noAddress], { throttlePerSecond: 100 }));
    const first = await tick();
    expect(first).toMatchObject({ sent: 1, bounced: 1, deferred: 1, suppressed: 2 });
    let rs = await recipients(campaignId);
    expect(stepOf(rs, none.id)).toMatchObject({ status: 'suppressed', reason: 'no-consent', consentSeen: 'no-consent' });
    expect(stepOf(rs, none.id).consentBasis).toBeUndefined();
    expect(stepOf(rs, noAddress)).toMatchObject({ status: 'suppressed', reason: 'no-address', consentSeen: 'granted' });
    expect(stepOf(rs, bouncing.id)).toMatchObject({ status: 'bounced', reason: '550 5.1.1 no such mailbox' });
    expect(stepOf(rs, busy.id)).toMatchObject({ status: 'deferred', attempts: 1 });

    // Not before its backoff (one minute), then again (two minutes), then accepted.
    clock.advance(59_000);
    expect((await tick()).sent + (await tick()).deferred).toBe(0);
    clock.advance(1_000);
    expect(await tick()).toMatchObject({ deferred: 1 });
    clock.advance(120_000);
    expect(await tick()).toMatchObject({ sent: 1 });
    rs = await recipients(campaignId);
    expect(stepOf(rs, busy.id)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(email.to(busy.address)).toHaveLength(3);
    expect(new Set(email.to(busy.address).map((m) => m.messageId)).size).toBe(1); // the same message id: the provider's idempotency key
    expect(email.to(bouncing.address)).toHaveLength(1); // a hard bounce is never retried
    clock.advance(3_600_000);
    expect(await tick()).toMatchObject({ sent: 0, bounced: 0, deferred: 0, suppressed: 0 });

    // A control group of half the audience: members held out are recorded, never sent.
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => customer(`Member ${i}`)));
    const controlled = await defineAndStart(
      definition(
        many.map((m) => m.id),
        { controlBasisPoints: 5000, throttlePerSecond: 100 },
      ),
    );
    await tick();
    const crs = await recipients(controlled);
    const control = crs.filter((r) => r.group === 'control');
    expect(control.length).toBeGreaterThan(0);
    for (const r of control) expect(r.messages[0]).toMatchObject({ status: 'suppressed', reason: 'control-group', consentSeen: 'granted' });
    for (const r of crs.filter((x) => x.group === 'treatment')) expect(r.messages[0].status).toBe('sent');
    expect(email.sent.filter((m) => m.campaignId === controlled)).toHaveLength(10 - control.length);

    // The messages list in pages of the audience's order; the campaign list newest first, keyset-paged.
    const pages: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/campaigns/${controlled}/messages?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      pages.push(...(page.body.items as Recipient[]).map((r) => r.customerId));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    expect(pages).toEqual(many.map((m) => m.id));
    const firstPage = await call('GET', '/campaigns?limit=1');
    expect((firstPage.body.items as { campaignId: string }[]).map((c) => c.campaignId)).toEqual([controlled]);
    const secondPage = await call('GET', `/campaigns?limit=1&cursor=${String(firstPage.body.nextCursor)}`);
    expect((secondPage.body.items as { campaignId: string }[]).map((c) => c.campaignId)).toEqual([campaignId]);
  });

  it('sends nothing while paused or once closed; a scheduled campaign starts when its time comes', async () => {
    const people = await Promise.all(['Lina', 'Maya', 'Nina'].map((n) => customer(n)));
    const campaignId = await defineAndStart(
      definition(
        people.map((p) => p.id),
        { throttlePerSecond: 1 },
      ),
    );
    expect((await tick()).sent).toBe(1);
    const paused = await call('POST', `/campaigns/${campaignId}/pause`, { reason: 'wrong price' });
    expect(paused.body.status).toBe('paused');
    clock.advance(5000);
    expect((await tick()).sent).toBe(0);
    expect((await call('POST', `/campaigns/${campaignId}/resume`)).body.status).toBe('running');
    expect((await tick()).sent).toBe(1);
    expect((await call('POST', `/campaigns/${campaignId}/close`)).body.status).toBe('closed');
    clock.advance(5000);
    expect((await tick()).sent).toBe(0);
    expect(email.sent.filter((m) => m.campaignId === campaignId)).toHaveLength(2);

    const later = await call('POST', '/campaigns', definition([people[2].id]));
    const laterId = String(later.body.campaignId);
    const startAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const scheduled = await call('POST', `/campaigns/${laterId}/schedule`, { startAt }, { 'if-match': '"0"' });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ status: 'scheduled', startAt });
    expect((await call('POST', `/campaigns/${laterId}/schedule`, { startAt: clock.now().toISOString() })).body.code).toBe('campaign-schedule');
    expect((await tick()).started).toEqual([]);
    clock.advance(3_600_000);
    const t = await tick();
    expect(t.started).toEqual([laterId]);
    expect(t.sent).toBe(1);
    expect((await call('GET', `/campaigns/${laterId}`)).body).toMatchObject({ status: 'running', startedAt: clock.now().toISOString() });
  });

  it('carries on after a restart from what is recorded, and sends nothing twice', async () => {
    const people = await Promise.all(['Oki', 'Putri', 'Rudi', 'Sinta'].map((n) => customer(n)));
    const campaignId = await defineAndStart(
      definition(
        people.map((p) => p.id),
        { throttlePerSecond: 2 },
      ),
    );
    expect((await tick()).sent).toBe(2);
    const before = email.sent.filter((m) => m.campaignId === campaignId);
    await app.close();
    await boot(); // a new app on the same store: a new directory, dispatcher and sender
    clock.advance(1000);
    expect((await tick()).sent).toBe(2);
    clock.advance(1000);
    expect((await tick()).sent).toBe(0);
    const after = email.sent.filter((m) => m.campaignId === campaignId);
    expect([...before, ...after].map((m) => m.customerId).sort()).toEqual(people.map((p) => p.id).sort());
  });

  it('two dispatchers (two instances of the service) ticking at once hand each message over once', async () => {
    const people = await Promise.all(Array.from({ length: 8 }, (_, i) => customer(`Twin ${i}`)));
    const campaignId = await defineAndStart(
      definition(
        people.map((p) => p.id),
        { throttlePerSecond: 100 },
      ),
    );
    const other = await createMarketingApp(loadConfig(MarketingConfig, env), platform, { embedded: true, clock });
    await other.app.init();
    const otherEmail = new InMemoryMessageSender('email');
    other.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS).set('email', otherEmail);
    try {
      const [a, b] = await Promise.all([tick(), other.app.get(CampaignDispatcherService).dispatcher.tick()]);
      const handedOver = [...email.sent, ...otherEmail.sent].filter((m) => m.campaignId === campaignId);
      expect(handedOver.map((m) => m.customerId).sort()).toEqual(people.map((p) => p.id).sort());
      expect(a.sent + b.sent).toBe(8);
    } finally {
      await other.close();
    }
  });

  it('records a response on the campaign episode of a customer the campaign sent to (If-Match on the episode; 404 where it sent nothing)', async () => {
    const reached = await customer('Tono');
    const silent = await customer('Umi', []);
    const campaignId = await defineAndStart(definition([reached.id, silent.id], { throttlePerSecond: 100 }));
    expect(await tick()).toMatchObject({ sent: 1, suppressed: 1 });
    // After the first message the episode is at revision 1 (opened, one outbound interaction): "0" is stale.
    const stale = await call(
      'POST',
      `/campaigns/${campaignId}/responses`,
      { customerId: reached.id, channel: 'email', response: 'yes please' },
      { 'if-match': '"0"' },
    );
    expect(stale.status).toBe(412);
    const interactionId = randomUUID();
    const body = { customerId: reached.id, channel: 'email', response: 'asked for a quote', action: 'replied', interactionId };
    const ok = await call('POST', `/campaigns/${campaignId}/responses`, body, { 'if-match': '"1"' });
    expect(ok.status).toBe(201);
    expect(ok.etag).toBe('"2"');
    const again = await call('POST', `/campaigns/${campaignId}/responses`, body);
    expect(again.body).toEqual(ok.body);
    expect(await servedResponseProblems(base, 'post', '/campaigns/{campaignId}/responses', 201, ok.body)).toEqual([]);
    const episode = await platform.eventStore.readStream(`episode-${String(ok.body.episodeId)}`);
    expect(episode.map((e) => e.type)).toEqual(['EpisodeOpened', 'InteractionRecorded', 'InteractionRecorded']);
    expect(episode[1].data).toMatchObject({ interaction: { direction: 'outbound', channel: 'email', actor: { kind: 'system', id: 'campaign-dispatcher' } } });
    // Suppressed: no message, no episode, nothing to respond to.
    expect((await call('POST', `/campaigns/${campaignId}/responses`, { customerId: silent.id, channel: 'email', response: 'hi' })).status).toBe(404);
    const badResponse = await call('POST', `/campaigns/${campaignId}/responses`, { customerId: 'who', channel: 'pigeon' });
    expect(badResponse.status).toBe(400);
    expect(fields(badResponse.body)).toEqual(expect.arrayContaining(['customerId', 'channel', 'response']));
    expect((await call('POST', `/campaigns/${campaignId}/responses`, body, {}, tokens.service)).status).toBe(403);
    expect((await call('POST', `/campaigns/${campaignId}/responses`, body, {}, tokens.partner)).status).toBe(403);
  });

  it('a campaign over a segment freezes the members the segment has when it starts; an unknown segment is 404', async () => {
    const unknown = await call('POST', '/campaigns', definition([], { audience: { kind: 'segment', segmentId: randomUUID() } }));
    expect(unknown.status).toBe(201);
    const refused = await call('POST', `/campaigns/${String(unknown.body.campaignId)}/start`);
    expect([refused.status, refused.type]).toEqual([404, expect.stringContaining('application/problem+json')]);

    const tag = `spring-${randomUUID().slice(0, 8)}`;
    const tagged = [await customer('Vera'), await customer('Wim')];
    await customer('Xena'); // not in the segment
    for (const c of tagged) expect((await call('PATCH', `/customers/${c.id}`, { tags: [tag] })).status).toBe(200);
    const rule = { tags: { contains: tag } };
    await waitFor(async () => (await call('POST', '/segments/preview', { rule })).body.count === 2, 20000, 'the tags to reach the segment facts');
    const segment = await call('POST', '/segments', { name: 'Spring list', rule });
    expect(segment.status).toBe(201);
    const segmentId = String(segment.body.segmentId);
    await waitFor(
      async () => {
        await app.app.get(SegmentMembershipService).loop.tick();
        return ((await call('GET', `/segments/${segmentId}/members`)).body.items as unknown[]).length === 2;
      },
      20000,
      'the segment to have its members',
    );
    const campaignId = await defineAndStart(definition([], { audience: { kind: 'segment', segmentId }, throttlePerSecond: 100 }));
    expect(await tick()).toMatchObject({ sent: 2 });
    const messages = (await call('GET', `/campaigns/${campaignId}/messages`)).body.items as { customerId: string }[];
    expect(messages.map((m) => m.customerId).sort()).toEqual(tagged.map((c) => c.id).sort());
  });

  it('answers bad input with 4xx problem+json naming the field, never 5xx', async () => {
    const valid = definition([randomUUID()]);
    const bad = async (body: unknown, expected: string[], route = '/campaigns', method = 'POST') => {
      const r = await call(method, route, body);
      expect(r.status).toBe(400);
      expect(r.type).toContain('application/problem+json');
      expect(fields(r.body)).toEqual(expect.arrayContaining(expected));
    };
    await bad({ ...valid, name: '', purpose: 'Not A Slug', extra: 1 }, ['name', 'purpose', 'extra']);
    await bad({ ...valid, campaignId: 'c-1' }, ['campaignId']);
    await bad({ ...valid, audience: [[]] }, ['audience']);
    await bad({ ...valid, audience: { kind: 'list', customerIds: ['x'] } }, ['audience.customerIds']);
    await bad({ ...valid, audience: { kind: 'list', customerIds: Array.from({ length: 10_001 }, () => randomUUID()) } }, ['audience.customerIds']);
    await bad({ ...valid, steps: [[valid.steps[0]]] }, ['steps']);
    await bad({ ...valid, steps: [{ ...valid.steps[0], channel: 'pigeon', delayMinutes: -1 }] }, ['steps.0.channel', 'steps.0.delayMinutes']);
    await bad({ ...valid, steps: [{ ...valid.steps[0], variants: [] }] }, ['steps.0.variants']);
    await bad({ ...valid, throttlePerSecond: '5', controlBasisPoints: 10_001, costPerMessage: { amountMinor: 1.5, currency: 'eur' } }, [
      'throttlePerSecond',
      'controlBasisPoints',
      'costPerMessage.amountMinor',
      'costPerMessage.currency',
    ]);
    await bad({ ...valid, name: 'nul\u0000byte' }, ['name']);
    await bad({ ...valid, name: 'lone \ud800 surrogate' }, ['name']);
    // A template with an unknown merge field, or unescaped HTML, is refused when defined.
    const unknownField = await call('POST', '/campaigns', {
      ...valid,
      steps: [{ ...valid.steps[0], variants: [{ variantId: 'a', weight: 1, template: { subject: 's', text: 'Hi {{firstName}}' } }] }],
    });
    expect(unknownField.status).toBe(422);
    expect(unknownField.body.code).toBe('campaign-template');
    const raw = await fetch(`${base}/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.marketing}`, 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(raw.status).toBe(415);
    const broken = await fetch(`${base}/campaigns`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.marketing}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(broken.status).toBe(400);

    await bad(undefined, ['campaignId'], '/campaigns/not-a-uuid', 'GET');
    expect((await call('GET', `/campaigns/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', `/campaigns/${randomUUID()}/messages`)).status).toBe(404);
    expect((await call('POST', `/campaigns/${randomUUID()}/start`)).status).toBe(404);
    expect((await call('PUT', `/campaigns/${randomUUID()}`, valid)).status).toBe(404);
    await bad(undefined, ['status'], '/campaigns?status=sending', 'GET');
    await bad(undefined, ['limit'], '/campaigns?limit=abc', 'GET');
    await bad(undefined, ['cursor'], '/campaigns?cursor=garbage', 'GET');
    await bad(undefined, ['cursor'], `/campaigns?cursor=${Buffer.from('["campaign-messages","x",1]').toString('base64url')}`, 'GET');
    const defined = await call('POST', '/campaigns', valid);
    const id = String(defined.body.campaignId);
    await bad(undefined, ['cursor'], `/campaigns/${id}/messages?cursor=garbage`, 'GET');
    await bad(
      undefined,
      ['cursor'],
      `/campaigns/${id}/messages?cursor=${Buffer.from(`["campaign-messages","${randomUUID()}",1]`).toString('base64url')}`,
      'GET',
    );
    await bad({ startAt: 'tomorrow' }, ['startAt'], `/campaigns/${id}/schedule`);
    await bad({ startAt: ['2026-06-01T00:00:00Z'] }, ['startAt'], `/campaigns/${id}/schedule`);
    await bad({ reason: '' }, ['reason'], `/campaigns/${id}/pause`);
    await bad({ reason: { text: 'x' } }, ['reason'], `/campaigns/${id}/close`);
    expect((await call('POST', `/campaigns/${id}/start`, undefined, { 'if-match': 'soon' })).status).toBe(400);
  });

  it('refuses callers without a token (401), other departments and partners (403); management may', async () => {
    expect((await fetch(`${base}/campaigns`)).status).toBe(401);
    expect((await call('GET', '/campaigns', undefined, {}, 'not-a-token')).status).toBe(401);
    const routes: [string, string][] = [
      ['POST', '/campaigns'],
      ['GET', '/campaigns'],
      ['GET', `/campaigns/${randomUUID()}`],
      ['PUT', `/campaigns/${randomUUID()}`],
      ['GET', `/campaigns/${randomUUID()}/messages`],
      ...['schedule', 'start', 'pause', 'resume', 'close'].map((a): [string, string] => ['POST', `/campaigns/${randomUUID()}/${a}`]),
    ];
    for (const [method, route] of routes) {
      for (const who of ['service', 'partner']) {
        const r = await call(method, route, method === 'GET' ? undefined : {}, {}, tokens[who]);
        expect([method, route, who, r.status]).toEqual([method, route, who, 403]);
        expect(r.type).toContain('application/problem+json');
      }
    }
    const { id } = await customer('Managed');
    expect((await call('POST', '/campaigns', definition([id]), {}, tokens.management)).status).toBe(201);
  });

  it('documents every campaign route in OpenAPI with its answers', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    for (const [p, methods] of Object.entries({
      '/campaigns': ['post', 'get'],
      '/campaigns/{campaignId}': ['get', 'put'],
      '/campaigns/{campaignId}/messages': ['get'],
      '/campaigns/{campaignId}/schedule': ['post'],
      '/campaigns/{campaignId}/start': ['post'],
      '/campaigns/{campaignId}/pause': ['post'],
      '/campaigns/{campaignId}/resume': ['post'],
      '/campaigns/{campaignId}/close': ['post'],
    }))
      for (const m of methods) {
        const op = doc.paths[p]?.[m];
        expect([p, m, op !== undefined]).toEqual([p, m, true]);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    expect(Object.keys(doc.paths['/campaigns/{campaignId}/start'].post.responses)).toEqual(expect.arrayContaining(['200', '404', '412', '422']));
  });
});
