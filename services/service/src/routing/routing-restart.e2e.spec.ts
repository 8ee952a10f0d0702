import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type Principal } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from '../service';
import { CaseRouterService } from './routing.providers';

/** The service on an embedded platform in `dataDir` (kept across stops), on a test clock, its router ticking only when told. */
async function startService(dataDir: string, clock: TestClock) {
  const config = loadConfig(CustomerServiceConfig, { CRM_DATA_DIR: dataDir, CRM_ROUTING_INTERVAL_MS: '3600000', CRM_ROUTING_OFFER_TIMEOUT_SECONDS: '30' });
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
  const app = await createCustomerServiceApp(config, platform, { embedded: true, clock });
  const base = await app.listen(0);
  const lead: Principal = { kind: 'staff', subject: 'lena', department: 'service', roles: ['team-lead'] };
  const token = await app.app.get(TokenMint).mint(lead);
  return {
    platform,
    lead,
    router: app.app.get(CaseRouterService).router,
    call: httpCaller(
      () => base,
      () => token,
    ),
    async stop() {
      await app.close();
      await platform.close();
    },
  };
}

// The offer timer keeps nothing of its own: an offer made before a restart expires after it, at its
// exact time, once, and the case goes to the next agent.
describe('routing across a restart', () => {
  const clock = new TestClock('2026-03-02T09:00:00.000Z');
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-service-routing-restart-'));
  });
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('an offer made before a restart expires after it at its exact time, once, and the case is re-routed', async () => {
    let service = await startService(dataDir, clock);
    let episodeId: string;
    try {
      for (const [id, minute] of [
        ['dewi', 0],
        ['budi', 1],
      ] as const) {
        clock.set(`2026-03-02T09:0${minute}:00.000Z`);
        expect((await service.call('PUT', `/agents/${id}`, { name: id, teams: [], skills: [], capacity: 2, active: true })).status).toBe(200);
        expect((await service.call('POST', `/agents/${id}/presence`, { presence: 'available' })).status).toBe(200);
      }
      const customerId = (
        await createRelationshipCommands(service.platform.eventStore, { clock }).customers.register(service.lead, { kind: 'person', name: 'Sinta' })
      ).id;
      clock.set('2026-03-02T09:10:00.000Z');
      episodeId = String((await service.call('POST', '/cases', { customerId, name: 'Broken screen', channel: 'phone' })).body.episodeId);
      await waitFor(
        async () =>
          ((await service.call('GET', '/routing/queue')).body.items as unknown[]).length === 1 &&
          ((await service.call('GET', '/agents?presence=available')).body.items as unknown[]).length === 2,
        20000,
        'the case and both agents in the read model',
      );
      // dewi has been idle longest
      expect((await service.router.tick()).offered.map((o) => o.agentId)).toEqual(['dewi']);
    } finally {
      await service.stop();
    }

    clock.set('2026-03-02T09:20:00.000Z');
    service = await startService(dataDir, clock);
    try {
      // the router's first tick runs as the service starts and finds the offer due; once the read
      // model has the expiry, a tick offers the case to the next agent
      const types = async () => (await service.platform.eventStore.readStream(`caserouting-${episodeId!}`)).map((e) => e.type);
      await waitFor(
        async () => {
          await service.router.tick();
          return (await types()).length >= 3;
        },
        20000,
        'the expiry and the next offer',
      );
      for (let i = 0; i < 2; i++) await service.router.tick();
      const events = (await service.platform.eventStore.readStream(`caserouting-${episodeId!}`)).map((e) => [e.type, (e.data as { agentId: string }).agentId]);
      expect(events).toEqual([
        ['CaseOffered', 'dewi'],
        ['CaseOfferExpired', 'dewi'],
        ['CaseOffered', 'budi'],
      ]);
      const expired = (await service.platform.eventStore.readStream(`caserouting-${episodeId!}`)).find((e) => e.type === 'CaseOfferExpired')!;
      expect((expired.data as { expiredAt: string }).expiredAt).toBe('2026-03-02T09:10:30.000Z');
    } finally {
      await service.stop();
    }
  });
});
