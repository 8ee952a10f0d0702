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
import { TokenMint, type Principal, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { MESSAGE_SENDERS, type MessageSender } from '../channels/message-sender';
import { createMarketingApp, MarketingConfig } from '../marketing';
import { TriggerTimerService } from '../triggers/trigger-timer.service';
import type { CampaignDispatchTick } from './dispatch/campaign-dispatcher';
import { CampaignDispatcherService } from './dispatch/campaign-dispatcher.service';
import { InMemoryMessageSender } from '../channels/testing/in-memory-message-sender';
import { EmailDeliveryEventsHandler } from '../channels/email/delivery-events/delivery-events.handler';
import { CampaignDirectory } from './campaign-directory';

type Recipient = {
  customerId: string;
  group: string;
  firingId?: string;
  messages: {
    stepId: string;
    messageId: string;
    status: string;
    reason?: string;
    consentSeen?: string;
    consentBasis?: { eventId: string; position: string };
  }[];
};
type Recorded = { customerId: string; ruleId: string; type: string; reason?: string };

const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
const seller: StaffPrincipal = { kind: 'staff', subject: 'sam', department: 'sales', roles: [] };

// A trigger firing really sends the offer (issue 13 §4): a triggered (always-on) campaign, a rule on
// big orders naming it, the trigger timer and the campaign dispatcher ticked by the test on a test
// clock, in-memory senders. Consent is judged at send time; the same firing never sends twice.
describe('triggered campaigns (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-triggered-'));
  const env = { CRM_DATA_DIR: dataDir, CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0', CRM_TRIGGER_TIMER_INTERVAL_MS: '0' };
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let email: InMemoryMessageSender;
  const tokens: Record<string, string> = {};

  const boot = async () => {
    app = await createMarketingApp(loadConfig(MarketingConfig, env), platform, { embedded: true, clock });
    base = await app.listen(0);
    email = new InMemoryMessageSender('email');
    app.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS).set('email', email);
  };

  beforeAll(async () => {
    platform = await createPlatform(loadConfig(MarketingConfig, env), { registry: crmRegistry(), clientId: 'test' });
    await boot();
    tokens.marketing = await app.app.get(TokenMint).mint(marketer);
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
  const commands = () => createRelationshipCommands(platform.eventStore, { clock });

  /** The trigger timer, ticked until what it recorded satisfies `done` (its read model follows the store a moment behind). */
  const timerUntil = async (done: (recorded: Recorded[]) => boolean, what: string): Promise<Recorded[]> => {
    const recorded: Recorded[] = [];
    await waitFor(
      async () => {
        recorded.push(...(await app.app.get(TriggerTimerService).timer.tick()).recorded);
        return done(recorded);
      },
      20000,
      what,
    );
    return recorded;
  };
  /** The dispatcher, ticked until `done` (its directory follows the store a moment behind); every tick's report. */
  const dispatchUntil = async (done: (ticks: CampaignDispatchTick[]) => boolean, what: string): Promise<CampaignDispatchTick[]> => {
    const ticks: CampaignDispatchTick[] = [];
    await waitFor(
      async () => {
        ticks.push(await app.app.get(CampaignDispatcherService).dispatcher.tick());
        return done(ticks);
      },
      20000,
      what,
    );
    return ticks;
  };
  const admitted = (ticks: CampaignDispatchTick[]) => ticks.reduce((n, t) => n + t.firings.admitted, 0);
  const recipients = async (campaignId: string): Promise<Recipient[]> => {
    const r = await call('GET', `/campaigns/${campaignId}/messages?limit=1000`);
    expect(r.status).toBe(200);
    return r.body.items as Recipient[];
  };

  const customer = async (name: string, consenting: boolean) => {
    const address = `${name.toLowerCase().replace(/[^a-z]/g, '')}-${randomUUID().slice(0, 8)}@example.com`;
    const { id } = await commands().customers.register(marketer, { kind: 'person', name, identities: [{ kind: 'email', value: address }] });
    if (consenting) {
      const r = await call('POST', `/customers/${id}/consent/grants`, {
        channel: 'email',
        purpose: 'offers',
        source: 'form',
        evidence: { textVersion: 'offers-2026-04', formId: 'footer' },
      });
      expect(r.status).toBe(200);
    }
    return { id, address };
  };
  const order = (customerId: string, unitPrice: number) =>
    commands().orders.place(seller, { customerId, currency: 'EUR', lines: [{ productId: 'van-1', quantity: 1, unitPrice }] });

  const campaign = (over: Record<string, unknown> = {}) => ({
    name: 'Thank you for your order',
    purpose: 'offers',
    audience: { kind: 'triggered' },
    steps: [
      {
        stepId: 'mail-1',
        channel: 'email',
        delayMinutes: 0,
        variants: [
          { variantId: 'a', weight: 1, template: { subject: 'Thank you, {{name}}', text: 'A gift for you, {{name}}. Unsubscribe: {{unsubscribeUrl}}' } },
        ],
      },
    ],
    controlBasisPoints: 0,
    throttlePerSecond: 10,
    attributionWindowDays: 14,
    costPerMessage: { amountMinor: 3, currency: 'EUR' },
    ...over,
  });

  it('a triggered e-mail campaign: each firing of a rule naming it sends once, with consent judged at send time; a firing in the cooldown sends nothing, one after it sends again', async () => {
    const campaignId = randomUUID();
    expect((await call('POST', '/campaigns', { ...campaign(), campaignId })).status).toBe(201);
    const started = await call('POST', `/campaigns/${campaignId}/start`);
    expect([started.status, started.body.status, (started.body.counts as { audience: number }).audience]).toEqual([200, 'running', 0]);

    const rule = await call('POST', '/triggers', {
      name: 'Thank big spenders',
      on: 'order-placed',
      conditions: { orderTotal: { min: 10_000, currency: 'EUR' } },
      delay: { amount: 1, unit: 'hours' },
      cooldown: { amount: 1, unit: 'days' },
      action: { campaignId },
    });
    expect(rule.status).toBe(201);
    const ruleId = String(rule.body.ruleId);
    // A second rule on the same orders naming a campaign that does not exist: skipped, never a crash.
    const stray = await call('POST', '/triggers', {
      name: 'Offer of a campaign not made yet',
      on: 'order-placed',
      conditions: {},
      action: { campaignId: 'no-such-campaign' },
    });
    expect(stray.status).toBe(201);

    const sari = await customer('Sari Wijaya', true);
    const budi = await customer('Budi Santoso', false);
    await order(sari.id, 12_500);
    await order(budi.id, 15_000);

    // The timer schedules both big orders (due in an hour) and fires the stray rule at once.
    const ours = (r: Recorded) => r.ruleId === ruleId;
    await timerUntil((rs) => rs.filter((r) => ours(r) && r.type === 'MarketingTriggerScheduled').length === 2, 'both orders scheduled');
    clock.set('2026-06-01T10:00:00.000Z');
    const fired = await timerUntil((rs) => rs.filter((r) => ours(r) && r.type === 'MarketingTriggerFired').length === 2, 'both firings');
    expect(new Set(fired.filter(ours).map((r) => r.customerId))).toEqual(new Set([sari.id, budi.id]));

    const ticks = await dispatchUntil((ts) => admitted(ts) === 2 && ts.reduce((n, t) => n + t.firings.skipped.length, 0) === 2, 'the firings admitted');
    // The stray rule's two firings: skipped with the reason, recorded on the firing's own stream.
    const skipped = ticks.flatMap((t) => t.firings.skipped);
    expect(skipped.map((s) => s.reason)).toEqual(['campaign-unknown', 'campaign-unknown']);
    const skip = await platform.eventStore.readStream(`campaigntrigger-${skipped[0].firingId}`);
    expect(skip.map((e) => [e.type, (e.data as { reason: string }).reason])).toEqual([['CampaignTriggerSkipped', 'campaign-unknown']]);

    // Exactly one message reached Sari, with the consent it rests on; Budi (no consent) got none.
    await dispatchUntil(() => email.sent.length >= 1, 'the message handed over');
    expect(email.to(sari.address)).toHaveLength(1);
    expect(email.to(budi.address)).toHaveLength(0);
    expect(email.sent[0]).toMatchObject({ campaignId, customerId: sari.id, stepId: 'mail-1', subject: 'Thank you, Sari Wijaya' });
    const rs = await recipients(campaignId);
    expect(rs).toHaveLength(2);
    const sariGot = rs.find((r) => r.customerId === sari.id)!;
    expect(sariGot.messages).toEqual([
      expect.objectContaining({ stepId: 'mail-1', status: 'sent', consentSeen: 'granted', messageId: email.sent[0].messageId }),
    ]);
    expect(sariGot.messages[0].consentBasis?.eventId).toEqual(expect.any(String));
    const consent = await platform.eventStore.readStream(`consent-${sari.id}`);
    expect(sariGot.messages[0].consentBasis?.eventId).toBe(consent[consent.length - 1].id);
    expect(rs.find((r) => r.customerId === budi.id)!.messages).toEqual([
      expect.objectContaining({ status: 'suppressed', reason: 'no-consent', consentSeen: 'no-consent' }),
    ]);
    const sentEvent = (await platform.eventStore.readStream(`campaignmessage-${campaignId}-${sariGot.firingId}`)).find((e) => e.type === 'CampaignMessageSent');
    expect(sentEvent?.data).toMatchObject({ customerId: sari.id, consentBasis: { eventId: consent[consent.length - 1].id } });

    // Statistics: an audience of two, one sent, one suppressed no-consent.
    await waitFor(
      async () => {
        const r = await call('GET', `/campaigns/${campaignId}/statistics`);
        const f = (r.body as { funnel?: { audience: number; sent: number; suppressedBy: Record<string, number> } }).funnel;
        return r.status === 200 && f?.audience === 2 && f.sent === 1 && f.suppressedBy['no-consent'] === 1;
      },
      20000,
      'the statistics',
    );

    // The rules' firings say what became of each offer: Sari's sent, Budi's suppressed for want of consent, the stray's skipped.
    type Firing = { customerId: string; outcome: string; offer?: { campaignId: string; status: string; reason?: string; messages: object[] } };
    const firings = async (id: string) => ((await call('GET', `/triggers/${id}/firings?outcome=fired`)).body.items ?? []) as Firing[];
    await waitFor(async () => (await firings(ruleId)).filter((f) => f.offer?.messages.length === 1).length === 2, 20000, 'the offers in the firings');
    const offerOf = async (id: string, customerId: string) => (await firings(id)).find((f) => f.customerId === customerId)?.offer;
    expect(await offerOf(ruleId, sari.id)).toEqual({
      campaignId,
      status: 'admitted',
      at: expect.any(String),
      messages: [{ messageId: sariGot.messages[0].messageId, stepId: 'mail-1', channel: 'email', status: 'sent', at: expect.any(String) }],
    });
    expect((await offerOf(ruleId, budi.id))?.messages).toEqual([expect.objectContaining({ status: 'suppressed', reason: 'no-consent' })]);
    await waitFor(async () => (await firings(String(stray.body.ruleId))).every((f) => f.offer !== undefined), 20000, 'the stray offers');
    expect((await firings(String(stray.body.ruleId))).map((f) => [f.offer?.status, f.offer?.reason, f.offer?.messages])).toEqual([
      ['skipped', 'campaign-unknown', []],
      ['skipped', 'campaign-unknown', []],
    ]);

    // A provider's report names only the message: it is found with its customer and the stream it is on (the firing's).
    const located = { campaignId, customerId: sari.id, recipientKey: sariGot.firingId, stepId: 'mail-1', channel: 'email' };
    expect(app.app.get(CampaignDirectory).findMessage(sariGot.messages[0].messageId)).toEqual(located);

    // A restart: the new directory reads every firing again; each is decided already, nothing is sent twice.
    await app.close();
    await boot();
    await dispatchUntil((ts) => ts.length >= 3, 'a few ticks after the restart');
    expect(email.sent).toHaveLength(0);
    expect(await recipients(campaignId)).toHaveLength(2);
    // Read back from the store, the message is found the same way, and a late bounce lands on the firing's stream.
    expect(app.app.get(CampaignDirectory).findMessage(sariGot.messages[0].messageId)).toEqual(located);
    const bounced = await app.app
      .get(EmailDeliveryEventsHandler)
      .handle(
        [{ type: 'bounce', messageId: sariGot.messages[0].messageId, at: clock.now().toISOString(), bounceType: 'hard', reason: '550 mailbox gone' }],
        'test',
      );
    expect(bounced).toEqual([expect.objectContaining({ outcome: 'recorded' })]);
    expect((await recipients(campaignId)).find((r) => r.customerId === sari.id)!.messages).toEqual([expect.objectContaining({ status: 'bounced' })]);
    // The hard bounce put Sari's address on the suppression list; staff release it (the mailbox was fixed), so the next firing may send.
    expect((await call('GET', `/suppressions?email=${encodeURIComponent(sari.address)}`)).body).toMatchObject({
      suppressed: true,
      reason: 'async-hard-bounce',
    });
    expect((await call('POST', '/suppressions/release', { email: sari.address, reason: 'the mailbox was fixed' })).body).toMatchObject({ recorded: true });

    // Another big order within the cooldown: the rule skips it (cooldown), nothing is offered.
    clock.set('2026-06-01T12:00:00.000Z');
    await order(sari.id, 20_000);
    await timerUntil((rs2) => rs2.some((r) => ours(r) && r.type === 'MarketingTriggerScheduled'), 'the order in the cooldown scheduled');
    clock.set('2026-06-01T13:00:00.000Z');
    await timerUntil((rs2) => rs2.some((r) => ours(r) && r.type === 'MarketingTriggerSkipped' && r.reason === 'cooldown'), 'skipped in the cooldown');
    const quiet = await dispatchUntil((ts) => ts.length >= 3, 'ticks after the cooldown skip');
    expect(admitted(quiet)).toBe(0);
    expect(email.sent).toHaveLength(0);

    // After the cooldown (a day from the first firing), the same rule fires again: a second message.
    clock.set('2026-06-02T11:00:00.000Z');
    await order(sari.id, 30_000);
    await timerUntil((rs2) => rs2.some((r) => ours(r) && r.type === 'MarketingTriggerScheduled'), 'the order after the cooldown scheduled');
    clock.set('2026-06-02T12:00:00.000Z');
    await timerUntil((rs2) => rs2.some((r) => ours(r) && r.type === 'MarketingTriggerFired' && r.customerId === sari.id), 'fired after the cooldown');
    await dispatchUntil(() => email.sent.length >= 1, 'the second message');
    await dispatchUntil((ts) => ts.length >= 2, 'a tick more');
    expect(email.to(sari.address)).toHaveLength(1);
    const after = await recipients(campaignId);
    expect(after.filter((r) => r.customerId === sari.id)).toHaveLength(2);
    const [first, second] = after.filter((r) => r.customerId === sari.id);
    expect(first.firingId).not.toBe(second.firingId);
    expect(second.messages[0]).toMatchObject({ status: 'sent', messageId: email.sent[0].messageId });
    expect(first.messages[0].messageId).not.toBe(second.messages[0].messageId);
  });

  it('a firing for a campaign that is not triggered, or paused, is skipped with the reason and sends nothing', async () => {
    const listed = await customer('Dewi Lestari', true);
    const listCampaign = randomUUID();
    expect((await call('POST', '/campaigns', { ...campaign({ audience: { kind: 'list', customerIds: [listed.id] } }), campaignId: listCampaign })).status).toBe(
      201,
    );
    const paused = randomUUID();
    expect((await call('POST', '/campaigns', { ...campaign(), campaignId: paused })).status).toBe(201);
    expect((await call('POST', `/campaigns/${paused}/start`)).status).toBe(200);
    expect((await call('POST', `/campaigns/${paused}/pause`, {}, { 'if-match': '"1"' })).status).toBe(200);
    const ruleIds: string[] = [];
    for (const campaignId of [listCampaign, paused]) {
      const r = await call('POST', '/triggers', { name: `Offer ${campaignId}`, on: 'order-placed', conditions: {}, action: { campaignId } });
      expect(r.status).toBe(201);
      ruleIds.push(String(r.body.ruleId));
    }
    const sent = email.sent.length;
    await order(listed.id, 100);
    await timerUntil((rs) => rs.filter((r) => ruleIds.includes(r.ruleId) && r.type === 'MarketingTriggerFired').length === 2, 'both rules fired');
    const ours = (ts: CampaignDispatchTick[]) => ts.flatMap((t) => t.firings.skipped).filter((s) => s.campaignId === listCampaign || s.campaignId === paused);
    const ticks = await dispatchUntil((ts) => ours(ts).length === 2, 'both firings skipped');
    expect(
      ours(ticks)
        .map((s) => [s.campaignId, s.reason])
        .sort(),
    ).toEqual(
      [
        [listCampaign, 'campaign-not-triggered'],
        [paused, 'campaign-not-running'],
      ].sort(),
    );
    expect(admitted(ticks)).toBe(0);
    expect(email.sent.length).toBe(sent);
  });

  it('a triggered audience needs no customers; an unknown audience kind, or a field of another kind, is 400 naming the field', async () => {
    const bad = await call('POST', '/campaigns', campaign({ audience: { kind: 'everyone' } }));
    expect(bad.status).toBe(400);
    expect(((bad.body.errors ?? []) as { field: string }[]).map((e) => e.field)).toContain('audience.kind');
    for (const kind of ['triggered\u0000', 'trigger\ud800ed', ['triggered']]) {
      const hostile = await call('POST', '/campaigns', campaign({ audience: { kind } }));
      expect([hostile.status, ((hostile.body.errors ?? []) as { field: string }[]).some((e) => e.field.startsWith('audience'))]).toEqual([400, true]);
    }
    // A field of another kind sent along (even a nested array where customer ids belong) is refused, naming it.
    const fieldsOf = (r: { body: Record<string, unknown> }) => ((r.body.errors ?? []) as { field: string }[]).map((e) => e.field);
    for (const audience of [
      { kind: 'triggered', customerIds: [[]] },
      { kind: 'triggered', segmentId: 'vip' },
      { kind: 'segment', segmentId: 'vip', customerIds: [randomUUID()] },
      { kind: 'list', customerIds: [randomUUID()], segmentId: 'vip' },
    ]) {
      const stray = await call('POST', '/campaigns', campaign({ audience }));
      const field = 'customerIds' in audience && audience.kind !== 'list' ? 'audience.customerIds' : 'audience.segmentId';
      expect([stray.status, fieldsOf(stray)]).toEqual([400, expect.arrayContaining([field])]);
    }
    const plain = await call('POST', '/campaigns', campaign({ audience: { kind: 'triggered' } }));
    expect([plain.status, plain.body.audience]).toEqual([201, { kind: 'triggered' }]);
  });
});

// The cross-campaign frequency cap (CRM_MARKETING_FREQUENCY_CAP), judged at send time like consent.
describe('the frequency cap across campaigns (embedded)', () => {
  const clock = new TestClock('2026-07-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-marketing-frequency-cap-'));
  const env = { CRM_DATA_DIR: dataDir, CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0', CRM_MARKETING_FREQUENCY_CAP: '1 per 7 days' };
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let token = '';
  const email = new InMemoryMessageSender('email');

  beforeAll(async () => {
    platform = await createPlatform(loadConfig(MarketingConfig, env), { registry: crmRegistry(), clientId: 'test' });
    app = await createMarketingApp(loadConfig(MarketingConfig, env), platform, { embedded: true, clock });
    base = await app.listen(0);
    app.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS).set('email', email);
    token = await app.app.get(TokenMint).mint(marketer);
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const call = httpCaller(
    () => base,
    () => token,
  );

  it('a customer sent one message in the last 7 days is suppressed frequency-cap by another campaign; after the window, sent again', async () => {
    const address = `rina-${randomUUID().slice(0, 8)}@example.com`;
    const { id } = await createRelationshipCommands(platform.eventStore, { clock }).customers.register(marketer, {
      kind: 'person',
      name: 'Rina',
      identities: [{ kind: 'email', value: address }],
    });
    const granted = await call('POST', `/customers/${id}/consent/grants`, {
      channel: 'email',
      purpose: 'offers',
      source: 'form',
      evidence: { textVersion: 'offers-2026-04', formId: 'footer' },
    });
    expect(granted.status).toBe(200);
    const send = async () => {
      const campaignId = randomUUID();
      const body = {
        campaignId,
        name: 'Offer',
        purpose: 'offers',
        audience: { kind: 'list', customerIds: [id] },
        steps: [{ stepId: 'mail-1', channel: 'email', delayMinutes: 0, variants: [{ variantId: 'a', weight: 1, template: { subject: 'Hi', text: 'Hello' } }] }],
        controlBasisPoints: 0,
        throttlePerSecond: 10,
        attributionWindowDays: 14,
        costPerMessage: { amountMinor: 3, currency: 'EUR' },
      };
      expect((await call('POST', '/campaigns', body)).status).toBe(201);
      expect((await call('POST', `/campaigns/${campaignId}/start`)).status).toBe(200);
      let message: { status: string; reason?: string } | undefined;
      await waitFor(
        async () => {
          await app.app.get(CampaignDispatcherService).dispatcher.tick();
          const r = await call('GET', `/campaigns/${campaignId}/messages`);
          message = (r.body.items as Recipient[])[0]?.messages[0];
          return message !== undefined && message.status !== 'pending';
        },
        20000,
        'the message decided',
      );
      return message!;
    };
    expect(await send()).toMatchObject({ status: 'sent' });
    clock.set('2026-07-05T09:00:00.000Z');
    expect(await send()).toMatchObject({ status: 'suppressed', reason: 'frequency-cap' });
    clock.set('2026-07-08T10:00:00.000Z');
    expect(await send()).toMatchObject({ status: 'sent' });
    expect(email.to(address)).toHaveLength(2);
  });
});
