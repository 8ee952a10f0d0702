import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { CAMPAIGN_EVENTS, crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import type { EventStore } from '@crm/event-store';
import { ContractViolationError, createRelationshipCommands, WRITE_STORE } from '@crm/relationship-api';
import type { ServiceApp, StaffPrincipal } from '@crm/service-kit';
import { MESSAGE_SENDERS, type MessageSender } from '../channels/message-sender';
import { ConsentCommands } from '../consent/consent-commands';
import { createMarketingApp, MarketingConfig } from '../marketing';
import { CampaignCommands } from './campaign-commands';
import { CampaignDirectory, type PendingFiring } from './campaign-directory';
import { CampaignTriggerOffers } from './campaign-trigger-offers';
import { CampaignDispatcherService } from './dispatch/campaign-dispatcher.service';
import { InMemoryMessageSender } from '../channels/testing/in-memory-message-sender';
import { EmailSuppressionCommands } from '../suppressions/email-suppression-commands';

// The write side accepts exactly what the contracts accept (as write-side-contracts.int.spec.ts does
// for the shared commands): every event the campaign commands and the dispatcher can produce
// validates against its published contract, and one the domain would take but the contract not is
// refused before anything is stored.
describe('campaign commands and the event contracts', () => {
  const clock = new TestClock('2026-05-01T10:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-campaign-write-side-'));
  const env = { CRM_DATA_DIR: dataDir, CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0' };
  const registry = crmRegistry();
  const mira: StaffPrincipal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };
  let platform: Platform;
  let app: ServiceApp;

  beforeAll(async () => {
    platform = await createPlatform(loadConfig(MarketingConfig, env), { registry, clientId: 'test' });
    app = await createMarketingApp(loadConfig(MarketingConfig, env), platform, { embedded: true, clock });
    await app.app.init();
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const definition = (customerIds: string[]) => ({
    name: 'Spring offer',
    purpose: 'offers',
    audience: { kind: 'list' as const, customerIds },
    steps: [
      {
        stepId: 'mail-1',
        channel: 'email' as const,
        delayMinutes: 0,
        variants: [{ variantId: 'a', weight: 1, template: { subject: 'Hi {{name}}', text: 'Hello {{name}}', html: '<p>{{name}}</p>' } }],
      },
    ],
    controlBasisPoints: 0,
    throttlePerSecond: 100,
    attributionWindowDays: 14,
    costPerMessage: { amountMinor: 3, currency: 'EUR' },
  });

  it('every event the campaign commands and the dispatcher produce validates against its contract', async () => {
    const campaigns = app.app.get(CampaignCommands);
    const consent = app.app.get(ConsentCommands);
    const email = new InMemoryMessageSender('email');
    app.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS).set('email', email);
    const customers = createRelationshipCommands(platform.eventStore, { clock }).customers;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const { id } = await customers.register(mira, { kind: 'person', name: `Person ${i}`, identities: [{ kind: 'email', value: `p${i}@example.com` }] });
      if (i > 0) await consent.grant(mira, id, { channel: 'email', purpose: 'offers', source: 'staff', evidence: { note: 'said yes' } });
      ids.push(id);
    }
    email.script('p1@example.com', { status: 'bounced', kind: 'hard', reason: '550 unknown' });
    email.script('p2@example.com', { status: 'deferred', reason: '421 later' });

    const first = await campaigns.define(mira, definition(ids));
    await campaigns.revise(mira, first.id, { ...definition(ids), name: 'Spring offer (revised)' });
    await campaigns.schedule(mira, first.id, '2026-05-01T11:00:00Z');
    await campaigns.start(mira, first.id);
    await app.app.get(CampaignDispatcherService).dispatcher.tick();
    await campaigns.pause(mira, first.id, 'a typo');
    await campaigns.resume(mira, first.id);
    await campaigns.close(mira, first.id, 'done');
    // p1's hard bounce put the address on the suppression list; staff release it.
    expect((await app.app.get(EmailSuppressionCommands).release(mira, 'p1@example.com', 'the mailbox was fixed')).recorded).toBe(true);

    // A triggered campaign (issue 13 §4): started with no audience, a firing admitted (and sent), one for no campaign skipped.
    const triggered = await campaigns.define(mira, { ...definition(ids), audience: { kind: 'triggered' } });
    await campaigns.start(mira, triggered.id);
    const offers = new CampaignTriggerOffers(app.app.get<EventStore>(WRITE_STORE), app.app.get(CampaignDirectory), clock);
    const firing = (campaignId: string, eventId: string): PendingFiring =>
      ({ eventId, customerId: ids[3], ruleId: 'thank-you', ruleRevision: 0, action: { campaignId }, firedAt: clock.now().toISOString() }) as PendingFiring;
    expect(await offers.decide(firing(triggered.id, '5f0e7c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b'))).toEqual({ admitted: true });
    expect(await offers.decide(firing('no-such-campaign', '6a1f8d3b-2c4e-4f60-9b0c-1d2e3f4a5b6c'))).toEqual({ admitted: false, reason: 'campaign-unknown' });
    await app.app.get(CampaignDispatcherService).dispatcher.tick();
    expect(email.to('p3@example.com')).toHaveLength(2);

    const produced = new Set<string>();
    for (const e of await platform.eventStore.readAll()) {
      if (!e.streamId.startsWith('campaign') && !e.streamId.startsWith('emailsuppression-')) continue;
      produced.add(e.type);
      expect([e.type, registry.payloadProblems(e.type, e.schemaVersion, e.data) ?? 'unregistered']).toEqual([e.type, []]);
    }
    expect([...produced].sort()).toEqual(Object.keys(CAMPAIGN_EVENTS).sort());
  });

  it('refuses, before storing anything, an event the domain would take but its contract not', async () => {
    const campaigns = app.app.get(CampaignCommands);
    const tooLong = { ...definition(['3f0c9a4e-8d2b-4c61-9b7e-2a5d1c8e4f70']), name: 'x'.repeat(201) };
    const campaignId = '6b0f5a1e-0c2d-4e3f-9a8b-7c6d5e4f3a2b';
    await expect(campaigns.define(mira, { ...tooLong, campaignId })).rejects.toBeInstanceOf(ContractViolationError);
    expect(await platform.eventStore.readStream(`campaign-${campaignId}`)).toEqual([]);
  });
});
