import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createMarketingApp, MarketingConfig } from './marketing';

// The marketing service over HTTP on the embedded platform (PGlite on disk).
describe('marketing service (embedded)', () => {
  let platform: Platform;
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let commands: RelationshipCommands;
  const marketer: Principal = { kind: 'staff', subject: 'mira', department: 'marketing', roles: [] };

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startEmbeddedService('marketing', MarketingConfig, createMarketingApp, crmRegistry()));
    token = await app.app.get(TokenMint).mint(marketer);
    commands = createRelationshipCommands(platform.eventStore);
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  // Marketing has no register endpoint: customers come from sales (or anywhere) through the store.
  const registerCustomer = async (name: string) => (await commands.customers.register(marketer, { kind: 'organisation', name })).id;

  // The campaign routes (define, send, pause, close, messages, responses) are in campaigns/campaigns.e2e.spec.ts.

  it('refuses callers without a valid token, and staff of other departments', async () => {
    expect((await fetch(`${base}/customers/${randomUUID()}`)).status).toBe(401);
    expect((await fetch(`${base}/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await call('POST', '/campaigns', {}, {}, 'not-a-token')).status).toBe(401);

    const mint = app.app.get(TokenMint);
    const agent = await mint.mint({ kind: 'staff', subject: 'dewi', department: 'service', roles: [] });
    const denied = await call('POST', '/campaigns', {}, {}, agent);
    expect(denied.status).toBe(403);
    expect(denied.type).toContain('application/problem+json');
    expect((await call('POST', `/campaigns/${randomUUID()}/responses`, {}, {}, agent)).status).toBe(403);
    const partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: [] });
    expect((await call('POST', '/campaigns', {}, {}, partner)).status).toBe(403);

    const manager = await mint.mint({ kind: 'staff', subject: 'maya', department: 'management', roles: [] });
    const customerId = await registerCustomer('Managed');
    // The customer reaches marketing's directory a moment after the append.
    await waitFor(async () => (await call('GET', `/customers/${customerId}`, undefined, {}, manager)).status === 200, 20000, 'the customer in the directory');
    expect((await call('GET', '/campaigns', undefined, {}, manager)).status).toBe(200);
  });

  it('serves its OpenAPI document and health', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/campaigns', '/campaigns/{campaignId}/responses', '/customers/{id}', '/customers/{id}/timeline']),
    );
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
