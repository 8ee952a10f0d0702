import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, EpisodeCommands } from '@crm/relationship-api';
import type { Principal, ServiceApp } from '@crm/service-kit';
import { campaignEpisodeId } from '../campaigns/campaign-ids';
import type { OutboundMessage } from '../channels/message-sender';
import { createMarketingApp, MarketingConfig } from '../marketing';
import { TRANSPARENT_GIF } from './tracking.controller';
import { TRACKING_LINKS, type TrackingLinks } from './tracking-links';

// Opens and clicks over HTTP (issue 13 §3): the pixel, the signed redirect, each a response once per message.
describe('tracking: open pixel and tracked links (embedded)', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-tracking-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let links: TrackingLinks;
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  const campaignId = randomUUID();
  let message: OutboundMessage;

  beforeAll(async () => {
    const config = loadConfig(MarketingConfig, { CRM_DATA_DIR: dataDir, CRM_MARKETING_PUBLIC_URL: 'https://crm.example.com/marketing/' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createMarketingApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    links = app.app.get(TRACKING_LINKS);
    const customerId = (await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, { kind: 'person', name: 'Sari Wijaya' }))
      .id;
    await app.app
      .get(EpisodeCommands)
      .open(marketer, 'campaign', { episodeId: campaignEpisodeId(campaignId, customerId), customerId, name: 'Spring offer', channel: 'email', campaignId });
    message = { messageId: randomUUID(), campaignId, stepId: 'mail-1', variantId: 'b', customerId, channel: 'email', to: 'sari@example.com', text: 'Hi' };
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // The links carry the public address; the test calls this process.
  const local = (url: string) => url.replace('https://crm.example.com/marketing', base);
  const responses = async () =>
    (await platform.eventStore.readStream(`episode-${campaignEpisodeId(campaignId, message.customerId)}`))
      .filter((e) => e.type === 'InteractionRecorded')
      .map((e) => (e.data as { interaction: Record<string, unknown> }).interaction);

  it('links start with the public address', () => {
    expect(links.openPixelUrl(message)).toMatch(/^https:\/\/crm\.example\.com\/marketing\/t\/o\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(links.trackedLink(message, 'https://shop.example.com/spring?utm=1')).toMatch(/^https:\/\/crm\.example\.com\/marketing\/t\/c\//);
    expect(() => links.trackedLink(message, 'javascript:alert(1)')).toThrow(RangeError);
    expect(() => links.trackedLink(message, `https://shop.example.com/${'x'.repeat(500)}`)).toThrow(RangeError);
  });

  it('the pixel answers a transparent GIF, never cached, and records one opened response however often it loads', async () => {
    const url = local(links.openPixelUrl(message));
    for (let i = 0; i < 3; i++) {
      const r = await fetch(url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/gif');
      expect(r.headers.get('cache-control')).toContain('no-store');
      expect(Buffer.from(await r.arrayBuffer()).equals(TRANSPARENT_GIF)).toBe(true);
    }
    expect(await responses()).toEqual([
      expect.objectContaining({
        channel: 'email',
        direction: 'inbound',
        actor: { kind: 'customer', id: message.customerId },
        action: `opened the e-mail (step mail-1, variant b, message ${message.messageId})`,
      }),
    ]);
  });

  it('a tracked link redirects (302) to the signed URL only, and records one clicked response', async () => {
    const target = 'https://shop.example.com/spring?utm_campaign=spring&x=%2F';
    const url = local(links.trackedLink(message, target));
    for (let i = 0; i < 2; i++) {
      const r = await fetch(url, { redirect: 'manual' });
      expect(r.status).toBe(302);
      expect(r.headers.get('location')).toBe(target);
      expect(r.headers.get('cache-control')).toBe('no-store');
    }
    // Another link of the same message: redirected, the click already counted.
    const other = await fetch(local(links.trackedLink(message, 'https://shop.example.com/other')), { redirect: 'manual' });
    expect(other.headers.get('location')).toBe('https://shop.example.com/other');
    const recorded = await responses();
    expect(recorded).toHaveLength(2);
    expect(recorded[1]).toMatchObject({ direction: 'inbound', action: expect.stringMatching(/^clicked a link in the message/) });
  });

  it('a forged, garbled or tampered token is 404 and records nothing; a query cannot change where a link goes', async () => {
    const before = (await responses()).length;
    const genuine = links.trackedLink(message, 'https://shop.example.com/spring');
    const token = genuine.slice(genuine.lastIndexOf('/') + 1);
    const [payload, mac] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${Buffer.from(JSON.stringify({ ...claims, u: 'https://evil.example.com' })).toString('base64url')}.${mac}`;
    const pixelToken = links.openPixelUrl(message).split('/').pop()!;
    for (const path of [
      `/t/c/${tampered}`,
      `/t/c/garbage`,
      `/t/o/garbage`,
      `/t/o/${'a'.repeat(2000)}.${'b'.repeat(43)}`,
      `/t/o/%00`,
      `/t/c/${pixelToken}`, // an open token is not a click token
      `/t/o/${token}`, // nor the other way round
    ]) {
      const r = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.headers.get('location')).toBeNull();
    }
    // A path that is not even UTF-8 (a lone surrogate's bytes) is refused before the route.
    const undecodable = await fetch(`${base}/t/o/%ED%A0%80`);
    expect(undecodable.status).toBe(400);
    expect(undecodable.headers.get('content-type')).toContain('application/problem+json');
    const redirected = await fetch(`${base}/t/c/${token}?url=https://evil.example.com&u=https://evil.example.com`, { redirect: 'manual' });
    expect(redirected.headers.get('location')).toBe('https://shop.example.com/spring');
    expect((await responses()).length).toBe(before);
  });

  it('a genuine link whose campaign episode does not exist still answers, recording nothing', async () => {
    const stray = { ...message, campaignId: randomUUID(), messageId: randomUUID() };
    const r = await fetch(local(links.openPixelUrl(stray)));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/gif');
  });

  it('is in the OpenAPI document: the pixel (image/gif) and the redirect (302 with Location), each with its 404', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const open = doc.paths['/t/o/{token}'].get;
    expect(Object.keys(open.responses)).toEqual(expect.arrayContaining(['200', '404']));
    expect(JSON.stringify(open.responses['200'])).toContain('image/gif');
    const click = doc.paths['/t/c/{token}'].get;
    expect(Object.keys(click.responses)).toEqual(expect.arrayContaining(['302', '404']));
    expect(JSON.stringify(click.responses['302'])).toContain('Location');
  });
});
