import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, READ_MODELS, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { customerExists, partnerMayRead } from '@crm/relationship-read-models';
import { mintToken, TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';
import { WebhookDispatcher } from './webhook-dispatcher.process';
import { portalHttp, type Json } from '../testing/portal-http';

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  event: Json;
}

// Partner webhooks (issue 14 §5) on the embedded portal with a real local receiver (node:http on
// 127.0.0.1:0) that verifies every signature, on a test clock: a shared customer's events arrive as
// signed CloudEvents; an unshared customer, another partner's episode and an out-of-scope episode
// type never do; a share revoked while events flow lets nothing after it leave; retries with backoff,
// dead-lettering and order per customer; replay; rotation; the attack cases and bad input; OpenAPI.
describe('partner webhooks (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-webhooks-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let dispatcher: WebhookDispatcher;
  let commands: RelationshipCommands;
  let management = '';
  let manager: ReadModelRunners['dataSource']['manager'];
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };

  // The receiver: what each path answers, and everything that arrived.
  let receiver: http.Server;
  let receiverBase = '';
  const answers = new Map<string, number>();
  const received: Received[] = [];

  const { raw, call, problem, exchange } = portalHttp(() => base);
  /** Standard Webhooks verification, its timestamp tolerance (5 minutes) judged on the test clock rather than the wall clock. */
  const verify = (secret: string, r: Received): Json => {
    const webhook = new Webhook(secret);
    (webhook as unknown as { verifyTimestamp: (h: string) => Date }).verifyTimestamp = (h: string) => {
      const t = Number(h);
      if (Math.abs(clock.now().getTime() / 1000 - t) > 300) throw new Error('timestamp outside the tolerance');
      return new Date(t * 1000);
    };
    return webhook.verify(r.body, r.headers) as Json;
  };
  const subscribe = async (token: string, receiverPath: string, eventTypes = ['EpisodeOpened', 'InteractionRecorded']) => {
    const r = await call('POST', '/webhooks', token, { url: `${receiverBase}${receiverPath}`, eventTypes });
    expect(r.status).toBe(201);
    return { id: String(r.body.subscriptionId), secret: String(r.body.secret) };
  };
  const deliveries = async (token: string, subscriptionId: string, query = '') =>
    ((await call('GET', `/webhooks/${subscriptionId}/deliveries?limit=200${query}`, token)).body.items ?? []) as Json[];
  /** Waits until the feed has enqueued the event (by id) for the subscription. */
  const enqueued = async (token: string, subscriptionId: string, eventId: string): Promise<Json> => {
    let found: Json | undefined;
    await waitFor(
      async () => {
        found = (await deliveries(token, subscriptionId)).find((d) => d.eventId === eventId);
        return found !== undefined;
      },
      20000,
      `event ${eventId} to be enqueued for ${subscriptionId}`,
    );
    return found!;
  };
  const arrivedAt = (receiverPath: string) => received.filter((r) => r.path === receiverPath);
  const lastEventId = async (streamId: string) => {
    const events = await platform.eventStore.readStream(streamId);
    return events[events.length - 1].id;
  };
  const interaction = async (episodeId: string, action: string) => {
    await commands.episodes.recordInteraction(alice, episodeId, { channel: 'phone', direction: 'outbound', action });
    return lastEventId(`episode-${episodeId}`);
  };
  const opportunity = async (customerId: string, name: string) => {
    const id = (await commands.episodes.open(alice, 'opportunity', { customerId, name })).id;
    return { id, opened: await lastEventId(`episode-${id}`) };
  };

  let partnerA = '';
  let partnerB = '';
  let credentialA = { clientId: '', clientSecret: '' };
  let tokenA = '';
  let tokenB = '';
  let customerX = ''; // shared with A
  let customerY = ''; // shared with A and B
  let customerZ = ''; // shared with nobody
  let customerS = ''; // shared with A for cases only
  let customerR = ''; // shared with A, revoked while events flow

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        received.push({ path: req.url ?? '', headers, body, event: JSON.parse(body) as Json });
        res.statusCode = answers.get(req.url ?? '') ?? 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    const config = loadConfig(PartnerPortalConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0',
      CRM_DEAL_REGISTRATION_INTERVAL_MS: '0',
      CRM_PARTNER_WEBHOOK_INTERVAL_MS: '0', // the dispatcher sends only when a test ticks
      CRM_PARTNER_WEBHOOK_ALLOW_HTTP: 'true', // the local receiver speaks http
      CRM_PARTNER_WEBHOOK_MAX_ATTEMPTS: '3',
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    dispatcher = app.app.get(WebhookDispatcher);
    dispatcher.random = () => 0; // the jitter's lower bound: half the backoff
    manager = app.app.get<ReadModelRunners>(READ_MODELS).dataSource.manager;
    commands = createRelationshipCommands(platform.eventStore, { clock }); // the staff's events are timed on the test clock too
    management = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });

    const registerPartner = async (name: string) => String((await call('POST', '/partners', management, { name, partnerKind: 'reseller' })).body.partnerId);
    const issue = async (partnerId: string) => {
      const r = await call('POST', `/partners/${partnerId}/credentials`, management);
      return { clientId: String(r.body.clientId), clientSecret: String(r.body.clientSecret) };
    };
    partnerA = await registerPartner('Reseller A');
    partnerB = await registerPartner('Reseller B');
    credentialA = await issue(partnerA);
    tokenA = await exchange(credentialA);
    tokenB = await exchange(await issue(partnerB));
    const register = async (name: string) => (await commands.customers.register(alice, { kind: 'organisation', name })).id;
    customerX = await register('PT Xenon Abadi');
    customerY = await register('PT Yudha Makmur');
    customerZ = await register('PT Zamrud');
    customerS = await register('PT Sempit');
    customerR = await register('PT Revoka');
    for (const [partner, customer, scope] of [
      [partnerA, customerX, {}],
      [partnerA, customerY, {}],
      [partnerB, customerY, {}],
      [partnerA, customerS, { episodeTypes: ['case'] }],
      [partnerA, customerR, {}],
    ] as const) {
      expect((await call('POST', `/partners/${partner}/shares`, management, { customerId: customer, ...scope })).status).toBe(201);
    }
    await waitFor(
      async () =>
        (await partnerMayRead(manager, partnerA, customerR)) &&
        (await partnerMayRead(manager, partnerB, customerY)) &&
        (await customerExists(manager, customerR)),
      20000,
      'the shares to reach the read models',
    );
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("subscribes (secret shown once), and a shared customer's events arrive as signed CloudEvents", async () => {
    const r = await call('POST', '/webhooks', tokenA, { url: `${receiverBase}/first`, eventTypes: ['InteractionRecorded', 'EpisodeOpened'] });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ subscriptionId: expect.any(String), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) });
    const id = String(r.body.subscriptionId);
    expect(r.location).toBe(`/webhooks/${id}`);
    expect(r.etag).toBe('"0"');
    expect(r.cacheControl).toBe('no-store');
    const one = await call('GET', `/webhooks/${id}`, tokenA);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      subscriptionId: id,
      url: `${receiverBase}/first`,
      eventTypes: ['EpisodeOpened', 'InteractionRecorded'],
      secretVersion: 1,
      subscribedAt: clock.now().toISOString(),
      changedAt: clock.now().toISOString(),
    });
    expect(JSON.stringify(one.body)).not.toContain('whsec_');
    // The list is a read model: it shows the subscription once the projection has applied it.
    await waitFor(
      async () => ((await call('GET', '/webhooks', tokenA)).body.items as Json[]).some((s) => s.subscriptionId === id),
      20000,
      'the subscription in the list',
    );
    // no secret in any event
    for (const e of await platform.eventStore.readStream(`partnerwebhook-${id}`)) expect(JSON.stringify(e.data)).not.toContain('whsec_');

    const episode = await opportunity(customerX, 'Fleet renewal');
    const called = await interaction(episode.id, 'called the buyer');
    await enqueued(tokenA, id, called);
    await dispatcher.tick();
    const got = arrivedAt('/first');
    expect(got.map((g) => g.event.id)).toEqual([episode.opened, called]);
    for (const g of got) {
      expect(g.headers['content-type']).toBe('application/cloudevents+json');
      expect(verify(String(r.body.secret), g)).toEqual(g.event);
      expect(g.event).toMatchObject({ specversion: '1.0', source: '/crm/episode', subject: customerX, datacontenttype: 'application/json' });
      expect(typeof g.event.time).toBe('string');
    }
    expect(got[1].event).toMatchObject({ type: 'InteractionRecorded', data: { customerId: customerX, episodeId: episode.id } });
    // the log says delivered
    const log = await deliveries(tokenA, id);
    expect(log.map((d) => d.state)).toEqual(['delivered', 'delivered']);
    expect(log[0]).toMatchObject({ eventId: called, type: 'InteractionRecorded', customerId: customerX, attempts: 1, lastStatusCode: 200, lastError: null });
    expect((await call('DELETE', `/webhooks/${id}`, tokenA)).status).toBe(204);
    problem(await call('GET', `/webhooks/${id}`, tokenA), 404);
  });

  it("never sends an unshared customer's events, another partner's episode or an episode type outside the share's scope", async () => {
    const sub = await subscribe(tokenA, '/scope');
    const onZ = await opportunity(customerZ, 'Not shared');
    await interaction(onZ.id, 'unshared');
    // partner B's own episode on a customer both share
    const bEpisode = await call('POST', '/episodes', tokenB, { episodeType: 'partner-deal', customerId: customerY, name: "B's deal" });
    expect(bEpisode.status).toBe(201);
    const onS = await opportunity(customerS, 'Out of scope (the share is for cases)');
    await interaction(onS.id, 'out of scope');
    // a sentinel the partner may see, after all of them: once it is enqueued, the feed has judged the others
    const sentinel = await opportunity(customerX, 'Sentinel');
    await enqueued(tokenA, sub.id, sentinel.opened);
    await dispatcher.tick();
    const log = await deliveries(tokenA, sub.id);
    expect(log.map((d) => d.eventId)).toEqual([sentinel.opened]);
    expect(arrivedAt('/scope').map((g) => g.event.id)).toEqual([sentinel.opened]);
    const all = JSON.stringify(received);
    for (const leak of [customerZ, customerS, String(bEpisode.body.episodeId)]) expect(all).not.toContain(leak);
    // partner B's subscription gets B's own episode
    const b = await subscribe(tokenB, '/b-own', ['InteractionRecorded']);
    const bId = String(bEpisode.body.episodeId);
    expect((await call('POST', `/episodes/${bId}/interactions`, tokenB, { channel: 'phone', direction: 'outbound', action: 'met the buyer' })).status).toBe(
      201,
    );
    const bInteraction = await lastEventId(`episode-${bId}`);
    await enqueued(tokenB, b.id, bInteraction);
    await dispatcher.tick();
    expect(arrivedAt('/b-own').map((g) => g.event.id)).toEqual([bInteraction]);
    expect(arrivedAt('/scope').map((g) => g.event.id)).toEqual([sentinel.opened]); // A never gets B's episode
    for (const s of [sub, b]) expect((await call('DELETE', `/webhooks/${s.id}`, s === b ? tokenB : tokenA)).status).toBe(204);
  });

  it('a share revoked while events flow: nothing after the revoke leaves, and what was queued before it is dropped', async () => {
    const sub = await subscribe(tokenA, '/revoke');
    const episode = await opportunity(customerR, 'Deal on R');
    const first = await interaction(episode.id, 'before, sent');
    await enqueued(tokenA, sub.id, first);
    await dispatcher.tick(); // the opening and the first interaction leave
    const queued = await interaction(episode.id, 'before, still queued');
    await enqueued(tokenA, sub.id, queued);
    expect((await call('DELETE', `/partners/${partnerA}/shares/${customerR}`, management)).status).toBe(204);
    const after = [await interaction(episode.id, 'after 1'), await interaction(episode.id, 'after 2')];
    const sentinel = await opportunity(customerX, 'Sentinel after the revoke');
    await enqueued(tokenA, sub.id, sentinel.opened);
    await dispatcher.tick();
    expect(arrivedAt('/revoke').map((g) => g.event.id)).toEqual([episode.opened, first, sentinel.opened]);
    const log = await deliveries(tokenA, sub.id);
    for (const id of after) expect(log.find((d) => d.eventId === id)).toBeUndefined();
    expect(log.find((d) => d.eventId === queued)).toMatchObject({
      state: 'dropped',
      lastError: 'the customer is no longer shared with the partner',
      attempts: 0,
    });
    const all = JSON.stringify(received);
    for (const id of [queued, ...after]) expect(all).not.toContain(id);
    // a replay from before the revoke is judged again at send time: nothing of R leaves
    expect((await call('POST', `/webhooks/${sub.id}/replay`, tokenA, { fromPosition: String(log[log.length - 1].position) })).status).toBe(202);
    await dispatcher.tick();
    expect(arrivedAt('/revoke').filter((g) => g.event.subject === customerR)).toHaveLength(2);
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenA)).status).toBe(204);
  });

  it('an expiring share: what happened before the expiry is queued, then dropped at send time once expired; nothing after it is queued', async () => {
    const customerE = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Sementara' })).id;
    const expiresAt = new Date(clock.now().getTime() + 3600_000).toISOString();
    expect((await call('POST', `/partners/${partnerA}/shares`, management, { customerId: customerE, expiresAt })).status).toBe(201);
    const sub = await subscribe(tokenA, '/expiry');
    const episode = await opportunity(customerE, 'Before the expiry');
    await enqueued(tokenA, sub.id, episode.opened);
    clock.advance(2 * 3600_000); // past the expiry, on the test clock
    const late = await interaction(episode.id, 'after the expiry');
    const sentinel = await opportunity(customerX, 'Sentinel after the expiry');
    await enqueued(tokenA, sub.id, sentinel.opened);
    await dispatcher.tick();
    expect(arrivedAt('/expiry').map((g) => g.event.id)).toEqual([sentinel.opened]);
    const log = await deliveries(tokenA, sub.id);
    expect(log.find((d) => d.eventId === late)).toBeUndefined();
    expect(log.find((d) => d.eventId === episode.opened)).toMatchObject({ state: 'dropped', attempts: 0, nextAttemptAt: null });
    expect(JSON.stringify(received)).not.toContain(customerE);
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenA)).status).toBe(204);
  });

  it('retries a failing receiver with backoff on the clock, dead-letters after the limit; later events of the customer wait, then move on', async () => {
    answers.set('/fail', 500);
    const sub = await subscribe(tokenB, '/fail', ['InteractionRecorded']);
    const episode = await opportunity(customerY, 'Retries');
    const i1 = await interaction(episode.id, 'one');
    const i2 = await interaction(episode.id, 'two');
    await enqueued(tokenB, sub.id, i2);
    await dispatcher.tick(); // attempt 1 of i1; i2 waits behind it
    expect(arrivedAt('/fail').map((g) => g.event.id)).toEqual([i1]);
    let head = (await deliveries(tokenB, sub.id)).find((d) => d.eventId === i1)!;
    // backoff 10 s with the jitter at its lower bound: half of it
    // i2 waits behind it, never attempted
    expect((await deliveries(tokenB, sub.id)).find((d) => d.eventId === i2)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(head).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'answered 500',
      nextAttemptAt: new Date(clock.now().getTime() + 5000).toISOString(),
    });
    await dispatcher.tick(); // not due yet
    expect(arrivedAt('/fail')).toHaveLength(1);
    clock.advance(5000);
    await dispatcher.tick(); // attempt 2; the next waits 20 s / 2
    head = (await deliveries(tokenB, sub.id)).find((d) => d.eventId === i1)!;
    expect(head).toMatchObject({ attempts: 2, nextAttemptAt: new Date(clock.now().getTime() + 10_000).toISOString() });
    clock.advance(10_000);
    await dispatcher.tick(); // attempt 3 of 3: dead — and the queue moves on at once: i2's first attempt
    expect(arrivedAt('/fail').map((g) => g.event.id)).toEqual([i1, i1, i1, i2]);
    const dead = (await deliveries(tokenB, sub.id, '&status=dead'))[0];
    expect(dead).toMatchObject({ eventId: i1, state: 'dead', attempts: 3, lastStatusCode: 500, nextAttemptAt: null });
    expect(String(dead.lastError)).toContain('dead-lettered');
    // every attempt of one delivery had the same webhook-id, each signed anew
    expect(
      new Set(
        arrivedAt('/fail')
          .slice(0, 3)
          .map((g) => g.headers['webhook-id']),
      ).size,
    ).toBe(1);
    answers.set('/fail', 204);
    clock.advance(5000);
    await dispatcher.tick();
    expect(arrivedAt('/fail').map((g) => g.event.id)).toEqual([i1, i1, i1, i2, i2]);
    expect((await deliveries(tokenB, sub.id)).find((d) => d.eventId === i2)).toMatchObject({ state: 'delivered', attempts: 2 });
    // a dead one retried by hand
    const retried = await call('POST', `/webhooks/${sub.id}/deliveries/${String(dead.deliveryId)}/retry`, tokenB);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ state: 'pending', attempts: 0 });
    await dispatcher.tick();
    expect((await deliveries(tokenB, sub.id)).find((d) => d.eventId === i1)).toMatchObject({ state: 'delivered', lastStatusCode: 204 });
    problem(await call('POST', `/webhooks/${sub.id}/deliveries/${String(dead.deliveryId)}/retry`, tokenB), 409);
    problem(await call('POST', `/webhooks/${sub.id}/deliveries/${randomUUID()}/retry`, tokenB), 404);
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenB)).status).toBe(204);
  });

  it('replays from a position, rotates the secret (the old one no longer verifies), changes with If-Match', async () => {
    const sub = await subscribe(tokenA, '/replay');
    const episode = await opportunity(customerX, 'Replayed');
    const i1 = await interaction(episode.id, 'replay one');
    await enqueued(tokenA, sub.id, i1);
    await dispatcher.tick();
    expect(arrivedAt('/replay').map((g) => g.event.id)).toEqual([episode.opened, i1]);
    const from = (await deliveries(tokenA, sub.id)).find((d) => d.eventId === i1)!.position;
    const replay = await call('POST', `/webhooks/${sub.id}/replay`, tokenA, { fromPosition: from });
    expect(replay.status).toBe(202);
    expect(replay.body.enqueued).toBeGreaterThanOrEqual(1);
    await dispatcher.tick();
    expect(arrivedAt('/replay').map((g) => g.event.id)).toEqual([episode.opened, i1, i1]);

    const rotated = await call('POST', `/webhooks/${sub.id}/secret`, tokenA);
    expect(rotated.status).toBe(200);
    expect(rotated.cacheControl).toBe('no-store');
    expect(rotated.body.secret).not.toBe(sub.secret);
    const i2 = await interaction(episode.id, 'after the rotation');
    await enqueued(tokenA, sub.id, i2);
    await dispatcher.tick();
    const last = arrivedAt('/replay').at(-1)!;
    expect(last.event.id).toBe(i2);
    expect(verify(String(rotated.body.secret), last)).toEqual(last.event);
    expect(() => verify(sub.secret, last)).toThrow();

    // If-Match: a stale one is 412 before any rule
    const read = await call('GET', `/webhooks/${sub.id}`, tokenA);
    expect(read.etag).toBe('"1"');
    problem(await call('PATCH', `/webhooks/${sub.id}`, tokenA, { eventTypes: ['Nope'] }, { 'if-match': '"0"' }), 400, 'eventTypes');
    problem(await call('PATCH', `/webhooks/${sub.id}`, tokenA, { eventTypes: ['EpisodeClosed'] }, { 'if-match': '"0"' }), 412);
    const changed = await call('PATCH', `/webhooks/${sub.id}`, tokenA, { eventTypes: ['EpisodeClosed'] }, { 'if-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.body.eventTypes).toEqual(['EpisodeClosed']);
    expect(changed.etag).toBe('"2"');
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenA, undefined, { 'if-match': '"1"' })).status).toBe(412);
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenA, undefined, { 'if-match': '"2"' })).status).toBe(204);
  });

  it("answers another partner's subscription, an unsubscribed one and an unknown id with the same 404", async () => {
    const sub = await subscribe(tokenA, '/attack');
    const episode = await opportunity(customerX, 'Attack');
    await enqueued(tokenA, sub.id, episode.opened);
    const deliveryId = String((await deliveries(tokenA, sub.id))[0].deliveryId);
    const gone = await subscribe(tokenA, '/gone');
    expect((await call('DELETE', `/webhooks/${gone.id}`, tokenA)).status).toBe(204);
    for (const id of [sub.id, gone.id, randomUUID()]) {
      const bodies = [
        await call('GET', `/webhooks/${id}`, tokenB),
        await call('PATCH', `/webhooks/${id}`, tokenB, { eventTypes: ['EpisodeOpened'] }),
        await call('DELETE', `/webhooks/${id}`, tokenB),
        await call('POST', `/webhooks/${id}/secret`, tokenB),
        await call('GET', `/webhooks/${id}/deliveries`, tokenB),
        await call('POST', `/webhooks/${id}/replay`, tokenB, { fromPosition: '0/0' }),
        await call('POST', `/webhooks/${id}/deliveries/${deliveryId}/retry`, tokenB),
      ];
      for (const r of bodies) {
        problem(r, 404);
        expect(JSON.stringify(r.body)).not.toContain(customerX);
      }
    }
    expect(((await call('GET', '/webhooks', tokenB)).body.items as Json[]).map((s) => s.subscriptionId)).not.toContain(sub.id);
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenA)).status).toBe(204);
  });

  it('refuses missing, forged, expired and revoked tokens (401) and staff (403)', async () => {
    const sub = await subscribe(tokenA, '/auth');
    problem(await call('GET', '/webhooks', undefined), 401);
    problem(await call('POST', '/webhooks', undefined, { url: `${receiverBase}/x`, eventTypes: ['EpisodeOpened'] }), 401);
    const forged = `${tokenA.slice(0, -4)}${tokenA.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    problem(await call('GET', `/webhooks/${sub.id}`, forged), 401);
    const expired = await mintToken(
      { kind: 'partner', subject: credentialA.clientId, partnerId: partnerA, roles: [] },
      { signingKey: path.join(dataDir, 'keys', 'signing-key.json'), issuer: 'crm-embedded', audience: 'crm', now: new Date(Date.now() - 3 * 3600_000) },
    );
    problem(await call('GET', `/webhooks/${sub.id}`, expired), 401);
    problem(await call('GET', '/webhooks', management), 403);
    problem(await call('POST', '/webhooks', management, { url: `${receiverBase}/x`, eventTypes: ['EpisodeOpened'] }), 403);
    problem(await call('GET', `/webhooks/${sub.id}/deliveries`, management), 403);
    const credential = await call('POST', `/partners/${partnerA}/credentials`, management);
    const tokenA2 = await exchange({ clientId: String(credential.body.clientId), clientSecret: String(credential.body.clientSecret) });
    expect((await call('DELETE', `/partners/${partnerA}/credentials/${String(credential.body.clientId)}`, management)).status).toBe(204);
    problem(await call('GET', `/webhooks/${sub.id}`, tokenA2), 401);
    problem(await call('POST', '/webhooks', tokenA2, { url: `${receiverBase}/x`, eventTypes: ['EpisodeOpened'] }), 401);
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenA)).status).toBe(204);
  });

  it('answers bad input with problem+json naming the field, never 5xx', async () => {
    const post = (body: string, contentType = 'application/json') => raw('POST', '/webhooks', tokenA, body, { 'content-type': contentType });
    const ok = { url: `${receiverBase}/bad`, eventTypes: ['EpisodeOpened'] };
    problem(await post('url=x', 'text/plain'), 415);
    problem(await post(JSON.stringify({ ...ok, eventTypes: [['EpisodeOpened']] })), 400, 'eventTypes');
    problem(await post(JSON.stringify({ ...ok, url: [ok.url] })), 400, 'url');
    problem(await post(JSON.stringify({ ...ok, eventTypes: ['CustomerRegistered'] })), 400, 'eventTypes');
    problem(await post(JSON.stringify({ ...ok, eventTypes: [] })), 400, 'eventTypes');
    problem(await post(JSON.stringify({ ...ok, url: `${receiverBase}/\u0000` })), 400);
    problem(await post(`{"url":"${receiverBase}/\\ud800","eventTypes":["EpisodeOpened"]}`), 400);
    problem(await post(JSON.stringify({ ...ok, url: 'ftp://hooks.example.com/x' })), 400, 'url');
    problem(await post(JSON.stringify({ ...ok, url: 'not a url' })), 400, 'url');
    problem(await post(JSON.stringify({ ...ok, url: 'https://user:pass@hooks.example.com/x' })), 400, 'url');
    problem(await post(JSON.stringify({ ...ok, url: `https://hooks.example.com/${'a'.repeat(2000)}` })), 400, 'url');
    problem(await post('[1,2]'), 400);
    const sub = await subscribe(tokenA, '/bad');
    problem(await call('GET', '/webhooks/not-a-uuid', tokenA), 400, 'id');
    problem(await call('GET', `/webhooks/${sub.id}/deliveries?cursor=garbage`, tokenA), 400, 'cursor');
    problem(
      await call('GET', `/webhooks/${sub.id}/deliveries?cursor=${Buffer.from('["deliveries","x","1","y"]').toString('base64url')}`, tokenA),
      400,
      'cursor',
    );
    problem(await call('GET', `/webhooks/${sub.id}/deliveries?status=sent`, tokenA), 400, 'status');
    problem(await call('GET', `/webhooks/${sub.id}/deliveries?limit=0`, tokenA), 400, 'limit');
    problem(await call('POST', `/webhooks/${sub.id}/replay`, tokenA, { fromPosition: 'start' }), 400, 'fromPosition');
    problem(await call('POST', `/webhooks/${sub.id}/replay`, tokenA, { fromPosition: [['0/0']] }), 400, 'fromPosition');
    problem(await raw('POST', `/webhooks/${sub.id}/replay`, tokenA, 'fromPosition=0/0', { 'content-type': 'text/plain' }), 415);
    problem(await call('POST', `/webhooks/${sub.id}/deliveries/not-a-uuid/retry`, tokenA), 400, 'deliveryId');
    problem(await call('PATCH', `/webhooks/${sub.id}`, tokenA, { url: 'http://user@x.example/h' }), 400, 'url');
    problem(await call('PATCH', `/webhooks/${sub.id}`, tokenA, { url: null }), 400, 'url');
    problem(await call('PATCH', `/webhooks/${sub.id}`, tokenA, { eventTypes: null }), 400, 'eventTypes');
    problem(await call('PATCH', `/webhooks/${sub.id}`, tokenA, { eventTypes: { 0: 'EpisodeOpened' } }), 400, 'eventTypes');
    problem(await call('POST', `/webhooks/${sub.id}/replay`, tokenA, { fromPosition: '9999999999999999999/1' }), 400, 'fromPosition');
    problem(await raw('PATCH', `/webhooks/${sub.id}`, tokenA, 'url=x', { 'content-type': 'text/plain' }), 415);
    expect((await call('DELETE', `/webhooks/${sub.id}`, tokenA)).status).toBe(204);
  });

  it('documents every route in OpenAPI with response schemas, errors and examples', async () => {
    const doc = (await call('GET', '/openapi.json', undefined)).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> }>>;
    };
    const ops: [string, string, string[]][] = [
      ['/webhooks', 'post', ['201', '400', '401', '403', '415']],
      ['/webhooks', 'get', ['200', '401', '403']],
      ['/webhooks/{id}', 'get', ['200', '401', '403', '404']],
      ['/webhooks/{id}', 'patch', ['200', '400', '401', '403', '404', '412', '415']],
      ['/webhooks/{id}/secret', 'post', ['200', '401', '403', '404']],
      ['/webhooks/{id}/deliveries', 'get', ['200', '400', '401', '403', '404']],
      ['/webhooks/{id}/replay', 'post', ['202', '400', '401', '403', '404', '415']],
      ['/webhooks/{id}/deliveries/{deliveryId}/retry', 'post', ['200', '401', '403', '404', '409']],
    ];
    for (const [route, method, statuses] of ops) {
      const op = doc.paths[route]?.[method];
      expect(op).toBeDefined();
      for (const s of statuses) expect(op.responses[s]).toBeDefined();
      const success = op.responses[statuses[0]].content?.['application/json'];
      expect(success?.schema).toBeDefined();
      expect(success?.example).toBeDefined();
    }
    const del = doc.paths['/webhooks/{id}']?.delete;
    for (const s of ['204', '401', '403', '404', '412']) expect(del?.responses[s]).toBeDefined();
  });
});
