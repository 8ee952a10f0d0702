import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import { createPlatform, type Platform } from '@crm/platform';
import { createRelationshipCommands, LeadCommands, READ_MODELS, type ReadModelRunners, type RelationshipCommands } from '@crm/relationship-api';
import { customerExists, partnerMayRead, readTimeline } from '@crm/relationship-read-models';
import { mintToken, TokenMint, type ServiceApp, type StaffPrincipal } from '@crm/service-kit';
import { createPartnerPortalApp, PartnerPortalConfig } from '../partner-portal';
import { DealRegistrationProcess } from './deal-registration.process';
import { openOpportunitiesOf } from './deal-registrations.projection';
import { portalHttp, type Json } from '../testing/portal-http';

const DAY = 86_400_000;

// Deal registration (issue 14 §3) on the embedded portal, on a test clock: a partner registers on a
// shared customer or a prospect; conflicts and possible existing customers are shown to staff only;
// approval opens the partner's partner-deal episode; rejection; expiry; If-Match; the partner attack
// cases (another partner's ids, unshared and revoked customers, forged and expired tokens); bad input.
describe('deal registrations (embedded)', () => {
  const clock = new TestClock('2026-06-01T09:00:00.000Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-deal-registrations-'));
  let platform: Platform;
  let app: ServiceApp;
  let base = '';
  let mint: TokenMint;
  let commands: RelationshipCommands;
  let process: DealRegistrationProcess;
  let management = '';
  let channelManager = '';
  let salesAgent = '';
  let manager: ReadModelRunners['dataSource']['manager'];

  const alice: StaffPrincipal = { kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] };

  const { raw, call, problem, exchange } = portalHttp(() => base);
  const deal = (over: Json = {}) => ({ products: ['VAN-L2'], estimatedValue: 5_000_000, currency: 'EUR', expectedCloseDate: '2026-09-30', ...over });
  const register = async (token: string, over: Json) => {
    const r = await call('POST', '/deal-registrations', token, deal(over));
    expect(r.status).toBe(201);
    return String(r.body.registrationId);
  };
  /** Waits for the portal's read model to show the registration in the staff review (the list is a read model). */
  const reviewed = async (id: string, status = 'pending'): Promise<Json> => {
    let found: Json | undefined;
    await waitFor(
      async () => {
        const r = await call('GET', '/deal-registrations/review?limit=200', channelManager);
        found = ((r.body.items ?? []) as Json[]).find((i) => i.registrationId === id && i.status === status);
        return found !== undefined;
      },
      20000,
      `registration ${id} to show as ${status}`,
    );
    return found!;
  };

  let partnerA = '';
  let partnerB = '';
  let credentialA = { clientId: '', clientSecret: '' };
  let tokenA = '';
  let tokenB = '';
  let customerX = ''; // shared with A
  let customerY = ''; // shared with A and B
  let customerZ = ''; // shared with nobody
  let customerR = ''; // shared with A, then revoked

  beforeAll(async () => {
    const config = loadConfig(PartnerPortalConfig, {
      CRM_DATA_DIR: dataDir,
      CRM_PARTNER_ACCESS_LOG_INTERVAL_MS: '0',
      CRM_DEAL_REGISTRATION_INTERVAL_MS: '0', // ticks only when a test ticks: nothing is timed by the wall clock
    });
    platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
    app = await createPartnerPortalApp(config, platform, { embedded: true, clock });
    base = await app.listen(0);
    mint = app.app.get(TokenMint);
    process = app.app.get(DealRegistrationProcess);
    manager = app.app.get<ReadModelRunners>(READ_MODELS).dataSource.manager;
    commands = createRelationshipCommands(platform.eventStore);
    management = await mint.mint({ kind: 'staff', subject: 'maria', department: 'management', roles: ['admin'] });
    channelManager = await mint.mint({ kind: 'staff', subject: 'rudi', department: 'sales', roles: ['channel-manager'] });
    salesAgent = await mint.mint(alice);

    const registerPartner = async (name: string, partnerKind: string) =>
      String((await call('POST', '/partners', management, { name, partnerKind })).body.partnerId);
    const issue = async (partnerId: string) => {
      const r = await call('POST', `/partners/${partnerId}/credentials`, management);
      return { clientId: String(r.body.clientId), clientSecret: String(r.body.clientSecret) };
    };
    partnerA = await registerPartner('Distributor A', 'distributor');
    partnerB = await registerPartner('Reseller B', 'reseller');
    credentialA = await issue(partnerA);
    tokenA = await exchange(credentialA);
    tokenB = await exchange(await issue(partnerB));
    customerX = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Xenon Abadi' })).id;
    customerY = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Yudha Makmur' })).id;
    customerZ = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Zamrud Khatulistiwa' })).id;
    customerR = (await commands.customers.register(alice, { kind: 'organisation', name: 'PT Revoka' })).id;
    for (const [partner, customer] of [
      [partnerA, customerX],
      [partnerA, customerY],
      [partnerB, customerY],
      [partnerA, customerR],
    ]) {
      expect((await call('POST', `/partners/${partner}/shares`, management, { customerId: customer })).status).toBe(201);
    }
    await waitFor(
      async () =>
        (await partnerMayRead(manager, partnerA, customerX)) &&
        (await partnerMayRead(manager, partnerA, customerY)) &&
        (await partnerMayRead(manager, partnerB, customerY)) &&
        (await partnerMayRead(manager, partnerA, customerR)) &&
        (await customerExists(manager, customerX)) &&
        (await customerExists(manager, customerY)) &&
        (await customerExists(manager, customerZ)) &&
        (await customerExists(manager, customerR)),
      20000,
      'the shares to reach the read models',
    );
  });

  afterAll(async () => {
    await app?.close();
    await platform?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers a deal on a shared customer: pending, Location and ETag, listed and read by its partner', async () => {
    const r = await call('POST', '/deal-registrations', tokenA, deal({ customerId: customerX }));
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ registrationId: expect.any(String), status: 'pending' });
    const id = String(r.body.registrationId);
    expect(r.location).toBe(`/deal-registrations/${id}`);
    expect(r.etag).toBe('"0"');
    // a retried request (the client's id) registers once
    const retried = { ...deal({ customerId: customerX }), registrationId: randomUUID() };
    expect((await call('POST', '/deal-registrations', tokenA, retried)).status).toBe(201);
    clock.advance(1000);
    const again = await call('POST', '/deal-registrations', tokenA, retried);
    expect(again.status).toBe(201);
    expect(again.etag).toBe('"0"');
    clock.advance(-1000);
    const one = await call('GET', `/deal-registrations/${id}`, tokenA);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      registrationId: id,
      customerId: customerX,
      prospect: null,
      products: ['VAN-L2'],
      estimatedValue: 5_000_000,
      currency: 'EUR',
      expectedCloseDate: '2026-09-30',
      status: 'pending',
      registeredAt: clock.now().toISOString(),
      approvalDueAt: new Date(clock.now().getTime() + 5 * DAY).toISOString(),
      protectionEndsAt: null,
      episodeId: null,
    });
    await reviewed(id);
    const list = await call('GET', '/deal-registrations', tokenA);
    expect(list.status).toBe(200);
    expect(((list.body.items ?? []) as Json[]).map((i) => i.registrationId)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain('flags');
  });

  it('registers on a prospect: its contact kept (sealed) with a lead id; a match with an existing customer is flagged to staff only', async () => {
    const id = await register(tokenA, { prospect: { company: 'PT Zamrud Khatulistiwa', contactName: 'Dewi', contactEmail: 'dewi@zamrud.co.id' } });
    const mine = await call('GET', `/deal-registrations/${id}`, tokenA);
    expect(mine.body).toMatchObject({
      customerId: null,
      prospect: { company: 'PT Zamrud Khatulistiwa', contactName: 'Dewi', contactEmail: 'dewi@zamrud.co.id' },
      status: 'pending',
    });
    // The partner is never told that the prospect may be a customer, nor which one (Z is not shared with A).
    expect(JSON.stringify(mine.body)).not.toContain(customerZ);
    expect(JSON.stringify(mine.body)).not.toContain('possible-existing-customer');
    const staff = await reviewed(id);
    expect(staff).toMatchObject({
      partnerId: partnerA,
      flags: ['possible-existing-customer'],
      possibleExistingCustomerIds: [customerZ],
      leadId: expect.any(String),
    });
    // In the store the contact is sealed (personal data, with the lead's key).
    const [stored] = await platform.eventStore.readStream(`dealregistration-${id}`);
    expect(JSON.stringify(stored.data)).not.toContain('dewi@zamrud.co.id');
  });

  it('captures an approved prospect as a lead (source partner), once, under the lead id its contact was sealed with', async () => {
    const id = await register(tokenA, { prospect: { company: 'CV Prospek Baru', contactName: 'Budi', contactEmail: 'budi@prospek.id' } });
    const staff = await reviewed(id);
    const leadId = String(staff.leadId);
    expect((await call('POST', `/deal-registrations/${id}/approve`, channelManager)).status).toBe(200);
    await reviewed(id, 'approved');
    expect(await process.tick()).toMatchObject({ leadsCaptured: 1 });
    const lead = await platform.eventStore.readStream(`lead-${leadId}`);
    expect(lead.map((e) => e.type)).toContain('LeadCaptured');
    expect(lead[0].metadata.actor).toEqual({ type: 'system', id: `lead-form/deal-registration/${id}` });
    // revealed by the write side's reader, the lead is the prospect
    expect(await app.app.get(LeadCommands).get(leadId)).toMatchObject({
      source: 'partner',
      name: 'Budi',
      company: 'CV Prospek Baru',
      email: 'budi@prospek.id',
    });
    expect((await process.tick()).leadsCaptured).toBe(0);
  });

  it("flags a conflict (an open opportunity, another partner's active registration) to staff, while the partner sees only pending", async () => {
    const opp = await commands.episodes.open(alice, 'opportunity', { customerId: customerY, name: 'Fleet renewal' });
    await waitFor(async () => (await openOpportunitiesOf(manager, customerY)).includes(opp.id), 20000, 'the opportunity in the timeline');
    const first = await register(tokenA, { customerId: customerY });
    await reviewed(first);
    const second = await register(tokenB, { customerId: customerY });
    const staff = await reviewed(second);
    expect(staff.flags).toEqual(['conflict']);
    expect(staff.conflicts).toEqual([
      { kind: 'opportunity', id: opp.id },
      { kind: 'deal-registration', id: first, partnerId: partnerA },
    ]);
    const seen = await call('GET', `/deal-registrations/${second}`, tokenB);
    expect(seen.body.status).toBe('pending');
    expect(JSON.stringify(seen.body)).not.toContain(first);
    expect(JSON.stringify(seen.body)).not.toContain(opp.id);
    expect(JSON.stringify(seen.body)).not.toContain('conflict');
  });

  it("approves (If-Match; stale 412 before any rule) and the tick opens the partner's partner-deal episode, in its timeline only", async () => {
    const id = await register(tokenA, { customerId: customerY, products: ['TRUCK-9'] });
    await reviewed(id);
    const before = await call('GET', `/deal-registrations/review/${id}`, channelManager);
    expect(before.etag).toBe('"0"');
    problem(await call('POST', `/deal-registrations/${id}/approve`, channelManager, undefined, { 'if-match': '"7"' }), 412);
    const approved = await call('POST', `/deal-registrations/${id}/approve`, channelManager, undefined, { 'if-match': '"0"' });
    expect(approved.status).toBe(200);
    expect(approved.etag).toBe('"1"');
    expect(approved.body).toMatchObject({ status: 'approved', protectionEndsAt: new Date(clock.now().getTime() + 90 * DAY).toISOString() });
    const episodeId = String(approved.body.episodeId);
    await reviewed(id, 'approved');
    expect(await process.tick()).toMatchObject({ episodesOpened: 1 });
    await waitFor(
      async () => JSON.stringify((await call('GET', `/customers/${customerY}/timeline`, tokenA)).body).includes(episodeId),
      20000,
      "the episode in partner A's timeline",
    );
    const timeline = JSON.stringify((await call('GET', `/customers/${customerY}/timeline`, tokenA)).body);
    expect(timeline).toContain('partner-deal');
    // Y is shared with B too: B's view of Y never shows A's episode
    const ofB = await call('GET', `/customers/${customerY}/timeline`, tokenB);
    expect(ofB.status).toBe(200);
    expect(JSON.stringify(ofB.body)).not.toContain(episodeId);
    // a second tick opens nothing again
    await waitFor(async () => (await process.tick()).episodesOpened === 0, 20000, 'the opened episode to reach the read model');
    problem(await call('POST', `/deal-registrations/${id}/approve`, channelManager), 422);
    expect((await call('GET', `/deal-registrations/${id}`, tokenA)).body).toMatchObject({ status: 'approved', episodeId });
  });

  it("approval links the partner deal to the company's open opportunity: staff see the link, the partner never sees the opportunity", async () => {
    const opp = await commands.episodes.open(alice, 'opportunity', { customerId: customerX, name: 'Depot expansion' });
    const elsewhere = await commands.episodes.open(alice, 'opportunity', { customerId: customerZ, name: 'Not this customer' });
    await waitFor(async () => (await openOpportunitiesOf(manager, customerX)).includes(opp.id), 20000, 'the opportunity in the timeline');
    await waitFor(async () => (await openOpportunitiesOf(manager, customerZ)).includes(elsewhere.id), 20000, 'the other opportunity in the timeline');
    const id = await register(tokenA, { customerId: customerX, products: ['DEPOT-KIT'] });
    await reviewed(id);
    // Bad links: the rules come after the If-Match check, and nothing is recorded.
    problem(await call('POST', `/deal-registrations/${id}/approve`, channelManager, { opportunityId: 'opp-1' }), 400, 'opportunityId');
    problem(await call('POST', `/deal-registrations/${id}/approve`, channelManager, { opportunityId: [opp.id] }), 400, 'opportunityId');
    problem(await call('POST', `/deal-registrations/${id}/approve`, channelManager, { opportunityId: randomUUID() }, { 'if-match': '"5"' }), 412);
    const codes = async (opportunityId: string) => (await call('POST', `/deal-registrations/${id}/approve`, channelManager, { opportunityId })).body.code;
    expect(await codes(randomUUID())).toBe('unknown-opportunity');
    expect(await codes(elsewhere.id)).toBe('opportunity-of-another-customer');
    expect(await platform.eventStore.readStream(`dealregistration-${id}`)).toHaveLength(1);

    const approved = await call('POST', `/deal-registrations/${id}/approve`, channelManager, { opportunityId: opp.id }, { 'if-match': '"0"' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', opportunityId: opp.id });
    const episodeId = String(approved.body.episodeId);
    await reviewed(id, 'approved');
    expect(await process.tick()).toMatchObject({ episodesOpened: 1 });
    const [opened] = await platform.eventStore.readStream(`episode-${episodeId}`);
    expect(opened.data).toMatchObject({ episodeType: 'partner-deal', owner: { kind: 'partner', partnerId: partnerA }, opportunityId: opp.id });
    await waitFor(
      async () => JSON.stringify((await call('GET', `/customers/${customerX}/timeline`, tokenA)).body).includes(episodeId),
      20000,
      "the episode in partner A's timeline",
    );
    // X is shared with A with every episode type, so A sees the opportunity itself; never the link.
    const seen = (await call('GET', `/customers/${customerX}/timeline`, tokenA)).body.episodes as Json[];
    expect(seen.find((e) => e.episodeId === episodeId)).not.toHaveProperty('opportunityId');
    // Staff read the link on the episode (the shared timeline, as sales and service show it).
    const staffView = await readTimeline(manager, { customerId: customerX, limit: 100 });
    expect(staffView.episodes.find((e) => e.episodeId === episodeId)).toMatchObject({ episodeType: 'partner-deal', opportunityId: opp.id });
    const mine = await call('GET', `/deal-registrations/${id}`, tokenA);
    expect(JSON.stringify(mine.body)).not.toContain(opp.id);
  });

  it('rejects with a reason; a reason is required', async () => {
    const id = await register(tokenA, { customerId: customerX });
    await reviewed(id);
    problem(await call('POST', `/deal-registrations/${id}/reject`, channelManager, {}), 400, 'reason');
    const r = await call('POST', `/deal-registrations/${id}/reject`, management, { reason: 'our key account team has it' });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('rejected');
    expect((await call('GET', `/deal-registrations/${id}`, tokenA)).body.status).toBe('rejected');
    problem(await call('POST', `/deal-registrations/${id}/reject`, channelManager, { reason: 'again' }), 422);
  });

  it('expires, on the test clock, a registration not reviewed in time and an approved one when its protection ends', async () => {
    const pending = await register(tokenA, { customerId: customerX, expectedCloseDate: '2027-12-31' });
    const approved = await register(tokenA, { customerId: customerX, expectedCloseDate: '2027-12-31' });
    await reviewed(pending);
    await reviewed(approved);
    expect((await call('POST', `/deal-registrations/${approved}/approve`, channelManager)).status).toBe(200);
    await reviewed(approved, 'approved');
    clock.advance(5 * DAY - 1000);
    await process.tick();
    expect((await call('GET', `/deal-registrations/${pending}`, tokenA)).body.status).toBe('pending');
    clock.advance(1000);
    await process.tick();
    expect((await call('GET', `/deal-registrations/${pending}`, tokenA)).body.status).toBe('expired');
    expect((await platform.eventStore.readStream(`dealregistration-${pending}`)).map((e) => [e.type, (e.data as Json).reason])).toContainEqual([
      'DealRegistrationExpired',
      'not-reviewed',
    ]);
    // approving after the deadline breaks a rule
    await reviewed(pending, 'expired');
    clock.advance(85 * DAY);
    await process.tick();
    expect((await call('GET', `/deal-registrations/${approved}`, tokenA)).body.status).toBe('expired');
    const events = await platform.eventStore.readStream(`dealregistration-${approved}`);
    expect(events.map((e) => e.type)).toEqual(['DealRegistered', 'DealRegistrationApproved', 'DealRegistrationExpired']);
    expect((events[2].data as Json).reason).toBe('protection-ended');
    clock.set('2026-06-01T09:00:00.000Z');
  });

  it("answers another partner's registration, an unshared or revoked customer, and an unknown id with the same 404", async () => {
    const ofA = await register(tokenA, { customerId: customerX });
    const onRevoked = await register(tokenA, { customerId: customerR });
    await reviewed(onRevoked);
    const unknown = randomUUID();
    const bodies: string[] = [];
    for (const r of [await call('GET', `/deal-registrations/${ofA}`, tokenB), await call('GET', `/deal-registrations/${unknown}`, tokenB)]) {
      problem(r, 404);
      bodies.push(String(r.body.title));
    }
    expect(new Set(bodies).size).toBe(1);
    // a customer not shared with the caller reads as one that does not exist
    const unshared = await call('POST', '/deal-registrations', tokenB, deal({ customerId: customerX }));
    const nobody = await call('POST', '/deal-registrations', tokenB, deal({ customerId: randomUUID() }));
    problem(unshared, 404);
    problem(nobody, 404);
    expect(unshared.body.title).toBe(nobody.body.title);
    // B's list never shows A's registrations
    expect(JSON.stringify((await call('GET', '/deal-registrations?limit=200', tokenB)).body)).not.toContain(ofA);
    // another partner reusing A's id: 404, never a 409 that says it exists
    problem(await call('POST', '/deal-registrations', tokenB, deal({ customerId: customerY, registrationId: ofA })), 404);
    // a revoked share: the registration on it disappears for A at once
    expect((await call('DELETE', `/partners/${partnerA}/shares/${customerR}`, management)).status).toBe(204);
    problem(await call('GET', `/deal-registrations/${onRevoked}`, tokenA), 404);
    expect(JSON.stringify((await call('GET', '/deal-registrations?limit=200', tokenA)).body)).not.toContain(onRevoked);
    problem(await call('POST', '/deal-registrations', tokenA, deal({ customerId: customerR })), 404);
  });

  it('refuses missing, forged and expired tokens (401), staff on partner routes and partners or agents on staff routes (403)', async () => {
    const id = await register(tokenA, { customerId: customerX });
    problem(await call('GET', '/deal-registrations', undefined), 401);
    problem(await call('POST', '/deal-registrations', undefined, deal({ customerId: customerX })), 401);
    problem(await call('GET', '/deal-registrations/review', undefined), 401);
    const forged = `${tokenA.slice(0, -4)}${tokenA.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    problem(await call('GET', `/deal-registrations/${id}`, forged), 401);
    const expired = await mintToken(
      { kind: 'partner', subject: credentialA.clientId, partnerId: partnerA, roles: [] },
      { signingKey: path.join(dataDir, 'keys', 'signing-key.json'), issuer: 'crm-embedded', audience: 'crm', now: new Date(Date.now() - 3 * 3600_000) },
    );
    problem(await call('GET', `/deal-registrations/${id}`, expired), 401);
    problem(await call('GET', '/deal-registrations', channelManager), 403);
    problem(await call('POST', '/deal-registrations', management, deal({ customerId: customerX })), 403);
    problem(await call('GET', '/deal-registrations/review', tokenA), 403);
    problem(await call('GET', '/deal-registrations/review', salesAgent), 403);
    problem(await call('POST', `/deal-registrations/${id}/approve`, tokenA), 403);
    problem(await call('POST', `/deal-registrations/${id}/approve`, salesAgent), 403);
    problem(await call('POST', `/deal-registrations/${id}/reject`, tokenB, { reason: 'x' }), 403);
    // a revoked credential's token stops working
    const credential = await call('POST', `/partners/${partnerB}/credentials`, management);
    const tokenB2 = await exchange({ clientId: String(credential.body.clientId), clientSecret: String(credential.body.clientSecret) });
    expect((await call('DELETE', `/partners/${partnerB}/credentials/${String(credential.body.clientId)}`, management)).status).toBe(204);
    problem(await call('GET', `/deal-registrations/${id}`, tokenB2), 401);
  });

  it('answers bad input with problem+json naming the field, never 5xx', async () => {
    const post = (body: string, contentType = 'application/json') => raw('POST', '/deal-registrations', tokenA, body, { 'content-type': contentType });
    problem(await post('customerId=x', 'text/plain'), 415);
    problem(await post(JSON.stringify(deal({ customerId: customerX, products: [['VAN']] }))), 400, 'products');
    problem(await post(JSON.stringify(deal({ prospect: [{ company: 'x', contactName: 'y' }] }))), 400, 'prospect');
    problem(await post(JSON.stringify(deal({ prospect: { company: 'PT\u0000', contactName: 'y' } }))), 400);
    problem(
      await post(`{"customerId":"${customerX}","products":["\\ud800"],"estimatedValue":1,"currency":"EUR","expectedCloseDate":"2026-09-30"}`),
      400,
      'products',
    );
    problem(await post(JSON.stringify(deal({ customerId: 'not-a-uuid' }))), 400, 'customerId');
    problem(await post(JSON.stringify(deal({ customerId: customerX, estimatedValue: 12.5 }))), 400, 'estimatedValue');
    problem(await post(JSON.stringify(deal({ customerId: customerX, currency: 'euro' }))), 400, 'currency');
    problem(await post(JSON.stringify(deal({ customerId: customerX, expectedCloseDate: '2026-02-30' }))), 400, 'expectedCloseDate');
    problem(await post(JSON.stringify(deal({}))), 400, 'customerId');
    problem(await post(JSON.stringify(deal({ customerId: customerX, prospect: { company: 'a', contactName: 'b' } }))), 400, 'customerId');
    problem(await post(JSON.stringify(deal({ customerId: customerX, expectedCloseDate: '2020-01-01' }))), 422);
    problem(await post('[1,2]'), 400);
    problem(await call('GET', '/deal-registrations/not-a-uuid', tokenA), 400, 'id');
    problem(await call('GET', '/deal-registrations?status=open', tokenA), 400, 'status');
    problem(await call('GET', '/deal-registrations?cursor=garbage', tokenA), 400, 'cursor');
    problem(await call('GET', '/deal-registrations/review?limit=0', channelManager), 400, 'limit');
    problem(await call('POST', '/deal-registrations/not-a-uuid/approve', channelManager), 400, 'id');
    problem(await call('POST', `/deal-registrations/${randomUUID()}/approve`, channelManager), 404);
    problem(await raw('POST', `/deal-registrations/${randomUUID()}/reject`, channelManager, 'reason=x', { 'content-type': 'text/plain' }), 415);
    problem(await call('POST', `/deal-registrations/${randomUUID()}/reject`, channelManager, { reason: ['a'] }), 400, 'reason');
  });

  it('documents every route in OpenAPI with response schemas, errors and examples', async () => {
    const doc = (await call('GET', '/openapi.json', undefined)).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> }>>;
    };
    const ops: [string, string, string[]][] = [
      ['/deal-registrations', 'post', ['201', '400', '401', '403', '404', '415', '422']],
      ['/deal-registrations', 'get', ['200', '400', '401', '403']],
      ['/deal-registrations/{id}', 'get', ['200', '401', '403', '404']],
      ['/deal-registrations/review', 'get', ['200', '400', '401', '403']],
      ['/deal-registrations/review/{id}', 'get', ['200', '401', '403', '404']],
      ['/deal-registrations/{id}/approve', 'post', ['200', '401', '403', '404', '412', '422']],
      ['/deal-registrations/{id}/reject', 'post', ['200', '400', '401', '403', '404', '412', '422']],
    ];
    for (const [route, method, statuses] of ops) {
      const op = doc.paths[route]?.[method];
      expect(op).toBeDefined();
      for (const s of statuses) expect(op.responses[s]).toBeDefined();
      const ok = op.responses[statuses[0]].content?.['application/json'];
      expect(ok?.schema).toBeDefined();
      expect(ok?.example).toBeDefined();
    }
  });
});
