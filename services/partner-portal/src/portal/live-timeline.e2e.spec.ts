import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { openEventStreamForTest, type EventStreamUnderTest } from '@crm/service-kit/testing';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';
import { portalHttp } from '../testing/portal-http';

// GET /customers/{id}/timeline/live as a partner: server-sent events of what the partner may see of a
// shared customer — never another partner's episodes — and the stream ends when the share does.
describe('live timeline (partner, server-sent events)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-portal-live-'));
  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let management = '';
  let commands: RelationshipCommands;
  const streams: EventStreamUnderTest[] = [];
  // Shares expire by this clock (the tests move it); heartbeats — when a stream checks its share again — come every 100 ms.
  const clock = new TestClock(new Date(Date.now()).toISOString());
  const { call, exchange } = portalHttp(() => base);

  const ok = async (method: string, url: string, token: string, body?: unknown) => {
    const r = await call(method, url, token, body);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.text}`);
    return r.body;
  };
  const partner = async (name: string) => {
    const partnerId = String((await ok('POST', '/partners', management, { name, partnerKind: 'distributor' })).partnerId);
    const credential = (await ok('POST', `/partners/${partnerId}/credentials`, management)) as { clientId: string; clientSecret: string };
    return { partnerId, token: await exchange(credential) };
  };
  const share = async (partnerId: string, customerId: string, token: string) => {
    await ok('POST', `/partners/${partnerId}/shares`, management, { customerId });
    await waitFor(async () => (await call('GET', `/customers/${customerId}`, token)).status === 200, 20000, 'the share in the read model');
  };
  const open = async (customerId: string, token: string | undefined) => {
    const s = await openEventStreamForTest(`${base}/customers/${customerId}/timeline/live`, token);
    streams.push(s);
    return s;
  };
  const data = (e: { data: string }) => JSON.parse(e.data) as Record<string, string>;
  const interaction = { channel: 'phone', direction: 'outbound', action: 'called the buyer' };

  let a: { partnerId: string; token: string };
  let b: { partnerId: string; token: string };
  let sharedWithBoth = '';
  let onlyB = '';

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0',
      CRM_DEAL_REGISTRATION_INTERVAL_MS: '0',
      CRM_LEAD_DISTRIBUTION_INTERVAL_MS: '0',
      CRM_PARTNER_WEBHOOK_INTERVAL_MS: '0',
      CRM_LIVE_HEARTBEAT_MS: '100',
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    management = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    commands = createRelationshipCommands(platform.eventStore);
    a = await partner('Distributor A');
    b = await partner('Distributor B');
    sharedWithBoth = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Bersama' })).id;
    onlyB = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Hanya B' })).id;
    await share(a.partnerId, sharedWithBoth, a.token);
    await share(b.partnerId, sharedWithBoth, b.token);
    await share(b.partnerId, onlyB, b.token);
  }, 120000);

  afterAll(async () => {
    for (const s of streams) s.close();
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("tells A of its own and the departments' new steps, never of B's episode", async () => {
    const s = await open(sharedWithBoth, a.token);
    expect(s.status).toBe(200);
    expect(s.type).toContain('text/event-stream');
    expect(data(await s.next((e) => e.event === 'ready', 'ready'))).toEqual({ customerId: sharedWithBoth });

    // B's episode and interaction first: judged (and left out) before A's own steps arrive.
    const bEpisode = String((await ok('POST', '/episodes', b.token, { customerId: sharedWithBoth, name: 'Rahasia B', episodeType: 'partner-deal' })).episodeId);
    await ok('POST', `/episodes/${bEpisode}/interactions`, b.token, interaction);
    // A department's episode: every partner the customer is shared with sees it.
    const department = (await commands.episodes.open(alice, 'opportunity', { customerId: sharedWithBoth, name: 'Fleet renewal' })).id;
    await s.next((e) => e.event === 'timeline' && data(e).episodeId === department, "the department's opening");
    const aEpisode = String((await ok('POST', '/episodes', a.token, { customerId: sharedWithBoth, name: 'Deal A', episodeType: 'partner-deal' })).episodeId);
    await ok('POST', `/episodes/${aEpisode}/interactions`, a.token, interaction);
    const told = await s.next((e) => e.event === 'timeline' && data(e).episodeId === aEpisode && data(e).kind === 'InteractionRecorded', "A's interaction");
    expect(data(told)).toMatchObject({ customerId: sharedWithBoth, episodeId: aEpisode });
    // The page's refetch shows it; nothing of B's was sent.
    const timeline = await call('GET', `/customers/${sharedWithBoth}/timeline`, a.token);
    expect((timeline.body.episodes as { episodeId: string }[]).map((e) => e.episodeId)).toEqual(expect.arrayContaining([department, aEpisode]));
    expect(s.events.some((e) => e.data.includes(bEpisode) || e.data.includes(b.partnerId))).toBe(false);
    expect(s.events.filter((e) => e.event === 'timeline').map((e) => data(e).episodeId)).toEqual([department, aEpisode, aEpisode]);
    s.close();
  });

  it("a customer not shared with A (B's) is 404 problem+json, the same as an unknown one; a bad id is 400 naming it", async () => {
    const theirs = await open(onlyB, a.token);
    expect(theirs.status).toBe(404);
    expect(theirs.type).toContain('application/problem+json');
    const unknownId = randomUUID();
    const unknown = await open(unknownId, a.token);
    expect(unknown.status).toBe(404);
    expect(theirs.text.split(onlyB).join('<id>')).toBe(unknown.text.split(unknownId).join('<id>'));
    const bad = await open('not-a-uuid', a.token);
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((JSON.parse(bad.text) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain('id');
  });

  it('401 problem+json without a token; staff are refused with 403', async () => {
    const anonymous = await open(sharedWithBoth, undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toContain('application/problem+json');
    const staff = await open(sharedWithBoth, management);
    expect(staff.status).toBe(403);
  });

  it('ends the stream with a `closed` event when the share is revoked; B keeps its own', async () => {
    const sa = await open(sharedWithBoth, a.token);
    const sb = await open(sharedWithBoth, b.token);
    await sa.next((e) => e.event === 'ready', 'ready');
    await sb.next((e) => e.event === 'ready', 'ready');
    expect((await call('DELETE', `/partners/${a.partnerId}/shares/${sharedWithBoth}`, management)).status).toBeLessThan(300);
    expect(data(await sa.next((e) => e.event === 'closed', 'closed'))).toEqual({ reason: 'not-shared' });
    await sa.ended;
    // reopening is refused like any customer not shared
    expect((await open(sharedWithBoth, a.token)).status).toBe(404);
    // B's stream is still open and still told
    const episode = (await commands.episodes.open(alice, 'opportunity', { customerId: sharedWithBoth, name: 'After the revoke' })).id;
    await sb.next((e) => e.event === 'timeline' && data(e).episodeId === episode, 'the new opening');
    expect(sb.events.some((e) => e.event === 'closed')).toBe(false);
  });

  it('ends the stream when the share expires — no event records an expiry: the next heartbeat finds it', async () => {
    const c = await partner('Distributor C');
    const customer = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Sebentar' })).id;
    const expiresAt = new Date(clock.now().getTime() + 86_400_000).toISOString();
    await ok('POST', `/partners/${c.partnerId}/shares`, management, { customerId: customer, expiresAt });
    await waitFor(async () => (await call('GET', `/customers/${customer}`, c.token)).status === 200, 20000, 'the share in the read model');
    const sc = await open(customer, c.token);
    await sc.next((e) => e.event === 'ready', 'ready');
    const heartbeats = () => sc.comments.filter((x) => x.includes('heartbeat')).length;
    // Heartbeats come and go while the share is in force: the stream stays open.
    await waitFor(async () => heartbeats() >= 3, 20000, 'three heartbeats');
    expect(sc.events.some((e) => e.event === 'closed')).toBe(false);
    clock.advance(2 * 86_400_000);
    expect(data(await sc.next((e) => e.event === 'closed', 'closed'))).toEqual({ reason: 'not-shared' });
    await sc.ended;
    expect((await open(customer, c.token)).status).toBe(404);
  });
});
