import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecutionContext } from '@nestjs/common';
import { campaignMessageId } from '@crm/campaigns';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { testEvent, testMetadata, waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import { HttpProblem, TokenMint, type ServiceApp, type ServiceConfig, type StaffPrincipal } from '@crm/service-kit';
import { CampaignDirectory } from '../../../campaigns/campaign-directory';
import { createMarketingApp, MarketingConfig } from '../../../marketing';
import { EmailWebhookSignatureGuard } from './email-webhook-signature.guard';
import { signWebhook } from './standard-webhook-signature';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

// POST /channels/email/events (issue 13 §3): the provider's later word on campaign e-mails, signed
// per Standard Webhooks. A campaign's messages are appended as the dispatcher writes them; the
// provider's reports then turn into a late bounce (counted by the statistics) and a consent withdrawal.
describe('POST /channels/email/events (embedded)', () => {
  const clock = new TestClock('2026-05-02T10:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-delivery-events-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let token = '';
  let otherToken = '';
  const mia: StaffPrincipal = { kind: 'staff', subject: 'mia', department: 'marketing', roles: [] };
  const campaignId = randomUUID();
  const customers: string[] = [];
  const ids: string[] = [];
  const messageStream = (i: number) => `campaignmessage-${campaignId}-${customers[i]}`;

  beforeAll(async () => {
    const config = loadConfig(MarketingConfig, { CRM_DATA_DIR: dataDir, CRM_EMAIL_WEBHOOK_SECRET: SECRET, CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0' });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createMarketingApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    token = await app.app.get(TokenMint).mint(mia);
    otherToken = await app.app.get(TokenMint).mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: [] });
    const commands = createRelationshipCommands(platform.eventStore, { clock });
    for (let i = 0; i < 3; i++) {
      customers.push((await commands.customers.register(mia, { kind: 'person', name: `Customer ${i}` })).id);
      ids.push(campaignMessageId(campaignId, customers[i], 'mail-1'));
    }
    const meta = testMetadata({ actor: { type: 'system', id: 'campaign-dispatcher' }, occurredAt: clock.now().toISOString() });
    const append = (stream: string, type: string, data: Record<string, unknown>) => platform.eventStore.appendToStream(stream, [testEvent(type, data, meta)]);
    await append(`campaign-${campaignId}`, 'CampaignDefined', {
      campaignId,
      name: 'Spring offer',
      purpose: 'offers',
      audience: { kind: 'list', customerIds: customers },
      steps: [
        { stepId: 'mail-1', channel: 'email', delayMinutes: 0, variants: [{ variantId: 'a', weight: 1, template: { subject: 'Spring', text: 'Hello' } }] },
      ],
      controlBasisPoints: 0,
      throttlePerSecond: 10,
      attributionWindowDays: 14,
      costPerMessage: { amountMinor: 50, currency: 'EUR' },
      definedBy: 'mia',
      definedAt: '2026-05-01T08:00:00.000Z',
    });
    await append(`campaign-${campaignId}`, 'CampaignStarted', {
      campaignId,
      startedAt: '2026-05-02T09:00:00.000Z',
      startedBy: { subject: 'mia', department: 'marketing' },
      audienceSize: 3,
      controlSize: 0,
      chunks: 1,
    });
    await append(`campaign-${campaignId}`, 'CampaignAudienceFrozen', {
      campaignId,
      chunk: 0,
      chunks: 1,
      members: customers.map((customerId) => ({ customerId, variants: ['a'] })),
    });
    const key = (i: number) => ({ campaignId, customerId: customers[i], messageId: ids[i], stepId: 'mail-1', channel: 'email' });
    const consentBasis = { eventId: randomUUID(), position: '1/1', revision: '0' };
    // Customers 0 and 1 got the e-mail (the server accepted it); customer 2 had no consent.
    for (const i of [0, 1])
      await append(messageStream(i), 'CampaignMessageSent', { ...key(i), variantId: 'a', attempt: 1, sentAt: '2026-05-02T09:00:01.000Z', consentBasis });
    await append(messageStream(2), 'CampaignMessageSuppressed', {
      ...key(2),
      variantId: 'a',
      reason: 'no-consent',
      suppressedAt: '2026-05-02T09:00:01.000Z',
      consent: { status: 'no-consent' },
    });
    // Customer 1 agreed to offers by e-mail.
    const granted = await fetch(`${base}/customers/${customers[1]}/consent/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'email', purpose: 'offers', source: 'staff', evidence: { note: 'said yes on the phone' } }),
    });
    expect(granted.status).toBe(200);
    const directory = app.app.get(CampaignDirectory);
    await waitFor(async () => ids.every((id) => directory.findMessage(id) !== undefined), 10_000, 'the directory to know the messages');
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A call as the provider makes it: the body's bytes signed with the id and timestamp given. */
  const post = async (
    body: unknown,
    o: { id?: string; signedAt?: Date; secret?: string; headers?: Record<string, string>; raw?: string; unsigned?: boolean } = {},
  ) => {
    const text = o.raw ?? JSON.stringify(body);
    const id = o.id ?? `msg_${randomUUID()}`;
    const timestamp = String(Math.floor((o.signedAt ?? clock.now()).getTime() / 1000));
    const r = await fetch(`${base}/channels/email/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(!o.unsigned && { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signWebhook(o.secret ?? SECRET, id, timestamp, text) }),
        ...o.headers,
      },
      body: text,
    });
    const answer = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (answer ? JSON.parse(answer) : {}) as Record<string, unknown> };
  };
  const event = (i: number, type: string, extra: Record<string, unknown> = {}) => ({ type, messageId: ids[i], at: '2026-05-02T09:30:00Z', ...extra });
  const fields = (body: Record<string, unknown>) => ((body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const bounces = async (i: number) => (await platform.eventStore.readStream(messageStream(i))).filter((e) => e.type === 'CampaignMessageBounced');

  it('a signed hard bounce marks the sent message bounced (async-hard, schema version 2); replaying the call changes nothing', async () => {
    const body = { events: [event(0, 'bounce', { bounceType: 'hard', messageId: `<${ids[0]}@crm.localhost>`, reason: '550 5.1.1 mailbox unknown' })] };
    const first = await post(body, { id: 'msg_bounce-1' });
    expect(first.status).toBe(200);
    expect(first.type).toContain('application/json');
    expect(first.body).toEqual({ webhookId: 'msg_bounce-1', results: [{ index: 0, type: 'bounce', messageId: ids[0], outcome: 'recorded' }] });
    const [bounced] = await bounces(0);
    expect(bounced).toMatchObject({
      schemaVersion: 2,
      data: { kind: 'async-hard', reason: '550 5.1.1 mailbox unknown', attempt: 1, bouncedAt: '2026-05-02T09:30:00.000Z', messageId: ids[0] },
      metadata: { actor: { type: 'system', id: 'email-provider' } },
    });

    // The same call again (a provider retrying after a lost answer), a minute later: answered, nothing appended.
    clock.advance(60_000);
    const replay = await post(body, { id: 'msg_bounce-1' });
    expect(replay.status).toBe(200);
    expect(replay.body.results).toEqual([{ index: 0, type: 'bounce', messageId: ids[0], outcome: 'unchanged' }]);
    expect(await bounces(0)).toHaveLength(1);

    const messages = await fetch(`${base}/campaigns/${campaignId}/messages`, { headers: { authorization: `Bearer ${token}` } });
    const items = ((await messages.json()) as { items: { customerId: string; messages: { status: string; reason?: string }[] }[] }).items;
    expect(items.find((r) => r.customerId === customers[0])!.messages[0]).toMatchObject({ status: 'bounced', reason: '550 5.1.1 mailbox unknown' });
  });

  it('the statistics count the late bounce: sent, then bounced, not delivered', async () => {
    let funnel: Record<string, number> = {};
    await waitFor(
      async () => {
        const r = await fetch(`${base}/campaigns/${campaignId}/statistics`, { headers: { authorization: `Bearer ${token}` } });
        if (r.status !== 200) return false;
        funnel = ((await r.json()) as { funnel: Record<string, number> }).funnel;
        return funnel.bounced === 1;
      },
      20_000,
      'the statistics to count the bounce',
    );
    expect(funnel).toMatchObject({ audience: 3, sent: 2, bounced: 1, delivered: 1, suppressed: 1 });
  });

  it("a complaint withdraws the customer's e-mail consent (source complaint, the message as evidence) before the answer", async () => {
    const r = await post({ events: [event(1, 'complaint', { reason: 'abuse' })] });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([{ index: 0, type: 'complaint', messageId: ids[1], outcome: 'recorded' }]);
    const consent = await fetch(`${base}/customers/${customers[1]}/consent`, { headers: { authorization: `Bearer ${token}` } });
    const view = (await consent.json()) as { permissions: Record<string, unknown>[]; channelOptOuts: Record<string, unknown>[] };
    expect(view.channelOptOuts).toEqual([expect.objectContaining({ channel: 'email', source: 'complaint' })]);
    expect(view.permissions).toEqual([expect.objectContaining({ channel: 'email', purpose: 'offers', status: 'withdrawn', source: 'complaint' })]);
    const withdrawal = (await platform.eventStore.readStream(`consent-${customers[1]}`)).at(-1)!;
    expect(withdrawal).toMatchObject({
      type: 'ConsentWithdrawn',
      data: { source: 'complaint', evidence: { campaignId, messageId: ids[1], recordedBy: 'email-provider' } },
    });
    // Reported again: nothing more.
    expect((await post({ events: [event(1, 'complaint')] })).body.results).toEqual([{ index: 0, type: 'complaint', messageId: ids[1], outcome: 'unchanged' }]);
    expect(await platform.eventStore.readStream(`consent-${customers[1]}`)).toHaveLength(2);
  });

  it('answers each event on its own: an unknown message, delivered, a soft bounce, a bounce of a suppressed message are ignored, saying why', async () => {
    const unknown = randomUUID();
    const r = await post({
      events: [
        { type: 'bounce', messageId: unknown, at: '2026-05-02T09:40:00Z' },
        event(1, 'delivered'),
        event(1, 'bounce', { bounceType: 'soft', reason: '452 mailbox full' }),
        event(2, 'bounce', { reason: '550' }),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { index: 0, type: 'bounce', messageId: unknown, outcome: 'ignored', reason: 'unknown message' },
      { index: 1, type: 'delivered', messageId: ids[1], outcome: 'ignored', reason: expect.stringContaining('delivered is not recorded') },
      { index: 2, type: 'bounce', messageId: ids[1], outcome: 'ignored', reason: expect.stringContaining('soft bounce') },
      { index: 3, type: 'bounce', messageId: ids[2], outcome: 'ignored', reason: expect.stringContaining('suppressed') },
    ]);
    expect(await bounces(1)).toHaveLength(0);
    expect(await bounces(2)).toHaveLength(0);
  });

  it('refuses a missing or wrong signature, another secret, and a bearer token in its place (401, nothing recorded)', async () => {
    const body = { events: [event(1, 'bounce')] };
    for (const r of [
      await post(body, { unsigned: true }),
      await post(body, { unsigned: true, headers: { authorization: `Bearer ${token}` } }),
      await post(body, { secret: 'whsec_b3RoZXItc2VjcmV0LW9mLWVub3VnaC1sZW5ndGg=' }),
      await post(body, { headers: { 'webhook-signature': 'v1,AAAA' } }),
      await post(body, { headers: { 'webhook-timestamp': 'yesterday' } }),
      await post(body, { headers: { 'webhook-id': 'msg_another' } }),
      await post(body, { unsigned: true, headers: { authorization: `Bearer ${otherToken}` } }),
    ]) {
      expect(r.status).toBe(401);
      expect(r.type).toContain('application/problem+json');
    }
    expect(await bounces(1)).toHaveLength(0);
  });

  it('refuses a timestamp more than five minutes old (or ahead) by the injected clock: a replay later than that', async () => {
    const body = { events: [event(1, 'bounce')] };
    const signedAt = clock.now();
    clock.advance(5 * 60_000 + 1000);
    const stale = await post(body, { id: 'msg_late', signedAt });
    expect(stale.status).toBe(401);
    expect(stale.body.detail).toContain('more than 5 minutes');
    const ahead = await post(body, { signedAt: new Date(clock.now().getTime() + 6 * 60_000) });
    expect(ahead.status).toBe(401);
    expect(await bounces(1)).toHaveLength(0);
  });

  it('bad input is 400 naming the field (or 415), signed or not, never 5xx', async () => {
    const good = event(1, 'bounce');
    const cases: { body?: unknown; raw?: string; field?: string; status?: number; headers?: Record<string, string> }[] = [
      { body: { events: [[good]] }, field: 'events' },
      { body: { events: good }, field: 'events' },
      { body: { events: [{ ...good, messageId: [ids[1]] }] }, field: 'events.0.messageId' },
      { body: { events: [{ ...good, messageId: 'not-a-message' }] }, field: 'events.0.messageId' },
      { body: { events: [{ ...good, messageId: `${ids[1]}\u0000` }] }, field: 'events.0.messageId' },
      { body: { events: [{ ...good, reason: 'bad\u0000byte' }] }, field: 'events.0.reason' },
      { body: { events: [{ ...good, reason: 'lone \ud800 surrogate' }] }, field: 'events.0.reason' },
      { body: { events: [{ ...good, type: 'opened' }] }, field: 'events.0.type' },
      { body: { events: [{ ...good, bounceType: 'permanent' }] }, field: 'events.0.bounceType' },
      { body: { events: [{ ...good, at: 'yesterday' }] }, field: 'events.0.at' },
      { body: { events: [] }, field: 'events' },
      { body: { events: Array.from({ length: 101 }, () => good) }, field: 'events' },
      { raw: `${'['.repeat(2000)}${']'.repeat(2000)}` },
      { raw: `{"events":${'['.repeat(2000)}${']'.repeat(2000)}}` },
      { raw: '{"events": [' },
      { body: { events: [good] }, status: 415, headers: { 'content-type': 'text/plain' } },
      { body: { events: [good] }, status: 415, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ];
    for (const c of cases) {
      const r = await post(c.body, { raw: c.raw, headers: c.headers });
      const label = c.field ?? c.raw?.slice(0, 20) ?? c.headers?.['content-type'];
      expect([label, r.status]).toEqual([label, c.status ?? 400]);
      expect(r.type).toContain('application/problem+json');
      if (c.field) expect(fields(r.body)).toContain(c.field);
    }
    // Unsigned hostile input is refused the same way (before anything is read), and still never 5xx.
    expect((await post({ events: [{ ...good, reason: 'x\u0000' }] }, { unsigned: true })).status).toBe(400);
    expect(await bounces(1)).toHaveLength(0);
  });

  it('is in the OpenAPI document with its headers, body, answer and errors', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, { post: { parameters: { name: string }[]; responses: Record<string, { content?: Record<string, unknown> }> } }>;
      components: { schemas: Record<string, unknown> };
    };
    const op = doc.paths['/channels/email/events'].post;
    expect(op.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '415']));
    expect(op.responses['200'].content?.['application/json']).toMatchObject({
      schema: { $ref: '#/components/schemas/DeliveryEventsAnswerDto' },
      example: { results: expect.any(Array) },
    });
    expect(doc.components.schemas.DeliveryEventsAnswerDto).toBeDefined();
    expect(doc.components.schemas.EmailDeliveryEventsDto).toBeDefined();
  });
});

describe('the e-mail webhook without CRM_EMAIL_WEBHOOK_SECRET', () => {
  it('is not there: 404 before anything is read', () => {
    const guard = new EmailWebhookSignatureGuard({} as ServiceConfig, new TestClock('2026-05-02T10:00:00.000Z'));
    const context = { switchToHttp: () => ({ getRequest: () => ({ headers: {} }) }) } as unknown as ExecutionContext;
    expect(() => guard.canActivate(context)).toThrow(HttpProblem);
    try {
      guard.canActivate(context);
    } catch (e) {
      expect((e as HttpProblem).status).toBe(404);
    }
  });
});
