import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { systemClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import type { ServiceApp, StaffPrincipal } from '@crm/service-kit';
import { MESSAGE_SENDERS, type MessageSender } from '../../channels/message-sender';
import { ConsentCommands } from '../../consent/consent-commands';
import { createMarketingApp, MarketingConfig } from '../../marketing';
import { CampaignCommands } from '../campaign-commands';
import { CampaignDirectory } from '../campaign-directory';
import { countsOf } from '../campaign-views';
import { CampaignDispatcherService } from '../dispatch/campaign-dispatcher.service';

/**
 * A marketing service on embedded PGlite (or the PostgreSQL of `CRM_DATABASE_URL` in `env`) with
 * `customers` people who agreed to offers by e-mail, and an e-mail sender of the caller's choice:
 * what the 10,000-message infra spec and the send-rate bench share. The dispatcher ticks only when
 * `sendCampaign` drives it, on the real clock (the throttle is real messages per second).
 */
export interface CampaignSendFixture {
  app: ServiceApp;
  platform: Platform;
  customerIds: string[];
  addresses: string[];
  close(): Promise<void>;
}

const mira: StaffPrincipal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };

export async function openCampaignSendFixture(options: {
  customers: number;
  /** In every address (`c<i>-<tag>@example.com`), so a run's mail can be told from others'. */
  tag: string;
  email: MessageSender;
  env?: Record<string, string>;
  log?: (message: string) => void;
}): Promise<CampaignSendFixture> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-campaign-send-'));
  const env = { CRM_DATA_DIR: dataDir, CRM_CAMPAIGN_DISPATCH_INTERVAL_MS: '0', ...options.env };
  const platform = await createPlatform(loadConfig(MarketingConfig, env), { registry: crmRegistry(), clientId: 'campaign-send' });
  const app = await createMarketingApp(loadConfig(MarketingConfig, env), platform, { embedded: true, clock: systemClock });
  await app.app.init();
  app.app.get<Map<string, MessageSender>>(MESSAGE_SENDERS).set('email', options.email);
  const customers = createRelationshipCommands(platform.eventStore, { clock: systemClock }).customers;
  const consent = app.app.get(ConsentCommands);
  const addresses = Array.from({ length: options.customers }, (_, i) => `c${i}-${options.tag}@example.com`);
  const customerIds: string[] = new Array<string>(options.customers);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < options.customers; i = next++) {
      const { id } = await customers.register(mira, { kind: 'person', name: `Customer ${i}`, identities: [{ kind: 'email', value: addresses[i] }] });
      await consent.grant(mira, id, { channel: 'email', purpose: 'offers', source: 'staff', evidence: { note: 'fixture' } });
      customerIds[i] = id;
      if ((i + 1) % 1000 === 0) options.log?.(`${i + 1} customers with consent`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return {
    app,
    platform,
    customerIds,
    addresses,
    async close() {
      await app.close();
      await platform.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Defines and starts a one-step e-mail campaign to every customer of the fixture, and drives the dispatcher until every message is decided. */
export async function sendCampaign(
  f: CampaignSendFixture,
  options: { throttlePerSecond: number; subject: string; timeoutMs?: number },
): Promise<{ campaignId: string; ms: number; counts: ReturnType<typeof countsOf> }> {
  const campaigns = f.app.app.get(CampaignCommands);
  const directory = f.app.app.get(CampaignDirectory);
  const dispatcher = f.app.app.get(CampaignDispatcherService).dispatcher;
  const { id: campaignId } = await campaigns.define(mira, {
    name: options.subject,
    purpose: 'offers',
    audience: { kind: 'list', customerIds: f.customerIds },
    steps: [
      {
        stepId: 'mail-1',
        channel: 'email',
        delayMinutes: 0,
        variants: [
          {
            variantId: 'a',
            weight: 1,
            template: { subject: `${options.subject} for {{name}}`, text: 'Hello {{name}}. {{unsubscribeUrl}}', html: '<p>Hello {{name}}</p>' },
          },
          { variantId: 'b', weight: 1, template: { subject: `${options.subject}: 20 % off, {{name}}`, text: 'Spring is here, {{name}}' } },
        ],
      },
    ],
    controlBasisPoints: 0,
    throttlePerSecond: options.throttlePerSecond,
    attributionWindowDays: 14,
    costPerMessage: { amountMinor: 1, currency: 'EUR' },
  });
  const started = performance.now();
  await campaigns.start(mira, campaignId);
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    await dispatcher.tick();
    const counts = countsOf(directory.get(campaignId));
    if (counts.pending === 0 && counts.deferred === 0) return { campaignId, ms: performance.now() - started, counts };
    if (Date.now() > deadline) throw new Error(`campaign ${campaignId} not done in time: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
