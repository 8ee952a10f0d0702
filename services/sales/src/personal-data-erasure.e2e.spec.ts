import { randomUUID } from 'node:crypto';
import { crmRegistry, ERASED } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import { ProjectionRunner } from '@crm/projections';
import { relationshipProjections } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import type { Platform } from '@crm/platform';
import { createSalesApp, SalesConfig } from './sales';

// Crypto-shredding (issue 9 §4): personal fields are sealed with the customer's key before they are
// stored; erasure destroys the key. These strings must then appear nowhere: not in an answer, a read
// model, the store, a rebuild from event 0 or a log line. (The Kafka side: erasure.infra.spec.ts.)
const PERSONAL = {
  name: 'Zyxwvut Feinmechanik GmbH',
  contact: 'Quentin Qwertzuiop',
  email: 'quentin.qwertzuiop@zyxwvut.example',
  phone: '+49 30 5550 4711',
  identity: 'info@zyxwvut.example',
  freeText: 'Quentin mentioned his hip surgery',
  duplicateName: 'Zyxwvut Duplicate Record',
  externalId: 'ERP-ZYXWVUT-77',
  // A postal address (the mail channel's): every part of it is personal, the country too.
  address: { lines: ['Xylophonweg 42', 'Hinterhaus Jklmnop'], postalCode: 'QX-90210', locality: 'Quxhausen', region: 'Vwbrandenburg', country: 'LI' },
  addedAddress: { lines: ['Ypsilonplatz 7'], locality: 'Quxdorf', country: 'LI' },
};
const needles = [
  'Zyxwvut',
  'zyxwvut',
  'Qwertzuiop',
  '5550 4711',
  '55504711',
  'hip surgery',
  'ERP-ZYXWVUT',
  'Xylophon',
  'Jklmnop',
  'QX-90210',
  'Quxhausen',
  'Vwbrandenburg',
  'Ypsilonplatz',
  'Quxdorf',
  '"LI"',
];
const leaks = (text: string) => needles.filter((n) => text.includes(n));

describe('erasing a customer’s personal data', () => {
  let app: ServiceApp;
  let platform: Platform;
  let stop: () => Promise<void>;
  let base: string;
  let agent: string;
  let privacy: string;
  let partner: string;
  const logged: string[] = [];
  const spies: jest.SpyInstance[] = [];

  const call = httpCaller(
    () => base,
    () => agent,
  );
  const eventually = (what: string, check: () => Promise<boolean>) => waitFor(check, 20000, what);

  beforeAll(async () => {
    // Every line any part of the service writes, from the start.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      spies.push(
        jest.spyOn(stream, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
          logged.push(String(chunk));
          return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
        }) as typeof stream.write),
      );
    }
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const original = console[level].bind(console);
      spies.push(
        jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
          logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
          original(...args);
        }),
      );
    }
    let started: Awaited<ReturnType<typeof startEmbeddedService>>;
    ({ app, base, stop, platform } = started = await startEmbeddedService('sales-erasure', SalesConfig, createSalesApp, crmRegistry()));
    void started;
    const mint = app.app.get(TokenMint);
    agent = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
    privacy = await mint.mint({ kind: 'staff', subject: 'dpo', department: 'sales', roles: ['data-protection'] });
    partner = await mint.mint({ kind: 'partner', subject: 'p-user', partnerId: randomUUID(), roles: [] });
  });
  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    await stop?.();
  });

  it('leaves no personal value anywhere, keeps the rest of the history, and frees the identities', async () => {
    const registered = await call('POST', '/customers', {
      kind: 'organisation',
      name: PERSONAL.name,
      contacts: [{ name: PERSONAL.contact, email: PERSONAL.email, phone: PERSONAL.phone, roles: ['decision-maker'], address: PERSONAL.address }],
      identities: [{ kind: 'email', value: PERSONAL.identity }],
    });
    expect(registered.status).toBe(201);
    const a = String(registered.body.customerId);
    const added = await call('POST', `/customers/${a}/contacts`, { name: 'Zyxwvut Reception', address: PERSONAL.addedAddress });
    expect(added.status).toBe(201);
    const opened = await call('POST', '/opportunities', { customerId: a, name: 'Fleet renewal', expectedValue: 120000, currency: 'EUR' });
    expect(opened.status).toBe(201);
    const episodeId = String(opened.body.episodeId);
    expect(
      (
        await call('POST', `/opportunities/${episodeId}/interactions`, {
          channel: 'phone',
          direction: 'outbound',
          action: 'called',
          response: PERSONAL.freeText,
        })
      ).status,
    ).toBe(201);
    const b = String(
      (
        await call('POST', '/customers', {
          kind: 'organisation',
          name: PERSONAL.duplicateName,
          identities: [{ kind: 'external-id', value: PERSONAL.externalId, system: 'erp' }],
        })
      ).body.customerId,
    );
    expect((await call('POST', `/customers/${a}/merges`, { duplicateId: b })).status).toBe(201);

    // Before: the values are there for whoever may read them...
    await eventually('the directory and the timeline', async () => {
      const found = await call('GET', `/customers?q=${encodeURIComponent('qwertzuiop')}`);
      const timeline = await call('GET', `/customers/${a}/timeline`);
      return (found.body.items as unknown[])?.length === 1 && JSON.stringify(timeline.body).includes(PERSONAL.freeText);
    });
    await eventually('the added contact in the directory', async () => ((await call('GET', `/customers/${a}`)).body.contacts as unknown[])?.length === 2);
    expect((await call('GET', `/customers/${a}`)).body).toMatchObject({
      name: PERSONAL.name,
      contacts: [{ address: PERSONAL.address }, { address: PERSONAL.addedAddress }],
    });
    // A typo of the contact's name finds it (through the search words, which hold it for now).
    expect(((await call('GET', `/customers?q=${encodeURIComponent('qwertzuiup')}`)).body.items as unknown[]).length).toBe(1);
    // ...but the store only ever held them sealed.
    const stored = await platform.eventStore.readAll({ maxCount: 10000 });
    expect(stored.length).toBeGreaterThan(5);
    expect(leaks(JSON.stringify(stored, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))).toEqual([]);
    const beforeErasure = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));

    // Who may not: an agent, a partner, nobody; a stale If-Match is refused before anything is done.
    expect((await call('DELETE', `/customers/${a}/personal-data`)).status).toBe(403);
    expect((await call('DELETE', `/customers/${a}/personal-data`, undefined, {}, partner)).status).toBe(403);
    expect((await fetch(`${base}/customers/${a}/personal-data`, { method: 'DELETE' })).status).toBe(401);
    const stale = await call('DELETE', `/customers/${a}/personal-data`, undefined, { 'if-match': '"7"' }, privacy);
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    expect((await call('GET', `/customers/${a}`)).body).toMatchObject({ name: PERSONAL.name });

    const erased = await call('DELETE', `/customers/${a}/personal-data`, undefined, {}, privacy);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ customerId: a, erasedCustomerIds: [a, b] });
    expect(erased.body.keysDestroyed).toBeGreaterThanOrEqual(2);
    expect(erased.etag).toBeTruthy();

    // Answers: the record, the search, the timeline, the history as of before, its changes.
    await eventually('the directory to drop the personal data', async () => (await call('GET', `/customers/${a}`)).body.name === ERASED);
    const record = await call('GET', `/customers/${a}`);
    expect(record.body).toMatchObject({ customerId: a, name: ERASED, contacts: [], identities: [] });
    expect((await call('GET', `/customers/${b}`)).body).toMatchObject({ customerId: a });
    for (const q of ['zyxwvut', 'qwertzuiop', PERSONAL.identity, '5550']) {
      expect(((await call('GET', `/customers?q=${encodeURIComponent(q)}`)).body.items as unknown[]).length).toBe(0);
    }
    await eventually('the timeline to drop the free text', async () => !JSON.stringify((await call('GET', `/customers/${a}/timeline`)).body).includes('hip'));
    const timeline = await call('GET', `/customers/${a}/timeline`);
    // What is not personal stays: the episode, its amount, the interaction's channel and action.
    expect(JSON.stringify(timeline.body)).toContain('Fleet renewal');
    expect(JSON.stringify(timeline.body)).toContain('called');
    const asBefore = await call('GET', `/customers/${a}?asOf=${encodeURIComponent(beforeErasure)}`);
    expect(asBefore.status).toBe(200);
    expect(asBefore.body).toMatchObject({ name: ERASED });
    const changes = await call('GET', `/customers/${a}/changes`);
    expect(changes.status).toBe(200);
    const answers = [record, asBefore, changes, timeline, await call('GET', `/customers/${b}?asOf=${encodeURIComponent(beforeErasure)}`)];
    expect(leaks(JSON.stringify(answers.map((r) => r.body)))).toEqual([]);

    // Read models, as stored.
    const manager = (await platform.createDataSource([], { schema: 'sales' })).manager;
    const tables = await manager.query(
      `SELECT (SELECT coalesce(json_agg(d), '[]') FROM sales.customer_directory d)::text AS directory, (SELECT coalesce(json_agg(t), '[]') FROM sales.timeline_entries t)::text AS timeline,
        (SELECT coalesce(json_agg(w), '[]') FROM sales.customer_search_words w)::text AS words`,
    );
    expect(leaks(JSON.stringify(tables))).toEqual([]);

    // A rebuild from event 0, into a schema of its own.
    const rebuilt = await platform.createDataSource([...new Set(relationshipProjections('rebuilt').flatMap((p) => p.entities as Function[]))], {
      schema: 'rebuilt',
    });
    const runner = new ProjectionRunner(rebuilt, relationshipProjections('rebuilt'), { schema: platform.config.CRM_PLATFORM_SCHEMA, group: 'erasure-rebuild' });
    await runner.migrate();
    await runner.rebuild(platform.eventStore, crmRegistry(), toIntegrationEvent);
    const rebuiltRows = await rebuilt.manager.query(
      `SELECT (SELECT json_agg(d) FROM rebuilt.customer_directory d)::text AS directory, (SELECT json_agg(t) FROM rebuilt.timeline_entries t)::text AS timeline`,
    );
    expect(JSON.stringify(rebuiltRows)).toContain('Fleet renewal');
    expect(leaks(JSON.stringify(rebuiltRows))).toEqual([]);

    // The identities are free again: registering with them is no conflict with an erased customer.
    const again = await call('POST', '/customers', { kind: 'organisation', name: 'New company', identities: [{ kind: 'email', value: 'info@other.example' }] });
    expect(again.status).toBe(201);
    const reuse = await call('POST', '/customers', { kind: 'person', name: 'Somebody', identities: [{ kind: 'email', value: PERSONAL.identity }] });
    expect(reuse.status).toBe(201);
    expect(reuse.body.customerId).not.toBe(a);

    // Repeating it is harmless.
    const repeated = await call('DELETE', `/customers/${a}/personal-data`, undefined, {}, privacy);
    expect(repeated.status).toBe(200);
    expect(repeated.body.keysDestroyed).toBe(0);

    // No log line of the whole run (HTTP, projections, relay) showed a personal value.
    expect(leaks(logged.join('\n'))).toEqual([]);
  });

  it('erases a person’s own postal address: sealed in the store, gone from the record, the history as it stood, the directory and a rebuild', async () => {
    const home = { lines: ['Vrblmwegstraat 9'], postalCode: 'VB-3131', locality: 'Gnxtborough', region: 'Plqshire', country: 'LI' };
    const moved = { lines: ['Kwjfplein 12'], locality: 'Dzrwtown', country: 'LI' };
    const own = (text: string) => ['Vrblmweg', 'VB-3131', 'Gnxtborough', 'Plqshire', 'Kwjfplein', 'Dzrwtown', '"LI"'].filter((n) => text.includes(n));
    const registered = await call('POST', '/customers', { kind: 'person', name: 'Person With Home', address: home });
    expect(registered.status).toBe(201);
    const p = String(registered.body.customerId);
    expect((await call('PATCH', `/customers/${p}`, { address: moved })).status).toBe(200);
    await eventually('the moved address in the directory', async () => JSON.stringify((await call('GET', `/customers/${p}`)).body).includes('Kwjfplein'));
    // The store only ever held it sealed.
    const stored = await platform.eventStore.readAll({ maxCount: 10000 });
    expect(own(JSON.stringify(stored, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)))).toEqual([]);
    const beforeErasure = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));

    expect((await call('DELETE', `/customers/${p}/personal-data`, undefined, {}, privacy)).status).toBe(200);
    await eventually('the directory to drop the address', async () => (await call('GET', `/customers/${p}`)).body.name === ERASED);
    const record = await call('GET', `/customers/${p}`);
    expect(record.body).toMatchObject({ customerId: p, name: ERASED, address: null });
    const asBefore = await call('GET', `/customers/${p}?asOf=${encodeURIComponent(beforeErasure)}`);
    expect(asBefore.status).toBe(200);
    // As it stood: the address was there, but every part of it now reads as erased.
    expect(asBefore.body).toMatchObject({ address: { lines: [ERASED], locality: ERASED, country: ERASED } });
    const changes = await call('GET', `/customers/${p}/changes`);
    expect(own(JSON.stringify([record.body, asBefore.body, changes.body]))).toEqual([]);

    const manager = (await platform.createDataSource([], { schema: 'sales' })).manager;
    const directory = await manager.query(`SELECT address FROM sales.customer_directory WHERE customer_id = $1`, [p]);
    expect(directory).toEqual([{ address: null }]);
    const rebuilt = await platform.createDataSource([...new Set(relationshipProjections('rebuiltp').flatMap((x) => x.entities as Function[]))], {
      schema: 'rebuiltp',
    });
    const runner = new ProjectionRunner(rebuilt, relationshipProjections('rebuiltp'), {
      schema: platform.config.CRM_PLATFORM_SCHEMA,
      group: 'erasure-rebuild-person',
    });
    await runner.migrate();
    await runner.rebuild(platform.eventStore, crmRegistry(), toIntegrationEvent);
    const rows = await rebuilt.manager.query(`SELECT name, address FROM rebuiltp.customer_directory WHERE customer_id = $1`, [p]);
    expect(rows).toEqual([{ name: ERASED, address: null }]);
    expect(own(logged.join('\n'))).toEqual([]);
  });

  it('erases a lead the same way: its keys destroyed, the list and the record keep nothing personal, it can no longer be converted', async () => {
    const captured = await call('POST', '/leads', {
      source: 'web-form',
      name: 'Yvonne Yxkullberg',
      company: 'Yxkullberg Handel',
      email: 'yvonne@yxkullberg.example',
      qualification: { need: 'Yvonne wants twelve vans' },
    });
    expect(captured.status).toBe(201);
    const leadId = String(captured.body.leadId);
    const lead = (q: string) => call('GET', `/leads?q=${encodeURIComponent(q)}`);
    await eventually('the lead in the list', async () => ((await lead('yxkullberg')).body.items as unknown[])?.length === 1);
    const stored = await platform.eventStore.readStream(`lead-${leadId}`);
    expect(JSON.stringify(stored, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('Yxkullberg');

    expect((await call('DELETE', `/leads/${leadId}/personal-data`)).status).toBe(403);
    const erased = await call('DELETE', `/leads/${leadId}/personal-data`, undefined, {}, privacy);
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ leadId, keysDestroyed: 1 });
    await eventually('the list to drop the lead’s personal data', async () => ((await lead('yxkullberg')).body.items as unknown[]).length === 0);
    const record = await call('GET', `/leads/${leadId}`);
    expect(record.status).toBe(200);
    expect(record.body.name).toBe(ERASED);
    const list = await call('GET', '/leads?limit=100');
    expect(JSON.stringify([record.body, list.body])).not.toMatch(/Yxkullberg|Yvonne|twelve vans/i);
    const converted = await call('POST', `/leads/${leadId}/conversion`, {});
    expect(converted.status).toBe(422);
    expect(converted.body.code).toBe('lead-erased');
    expect((await call('DELETE', `/leads/${leadId}/personal-data`, undefined, {}, privacy)).body).toEqual({ leadId, keysDestroyed: 0 });
    expect((await call('DELETE', `/leads/${randomUUID()}/personal-data`, undefined, {}, privacy)).status).toBe(404);
  });

  it('answers 404 for an unknown customer and 400 for an id that is not one, as problem+json', async () => {
    const unknown = await call('DELETE', `/customers/${randomUUID()}/personal-data`, undefined, {}, privacy);
    expect(unknown.status).toBe(404);
    expect(unknown.type).toContain('application/problem+json');
    const garbage = await call('DELETE', `/customers/${encodeURIComponent('x\u0000y')}/personal-data`, undefined, {}, privacy);
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
  });
});
