import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// Keeping customer data right (shared routes of @crm/relationship-api, mounted by sales, service and
// marketing): the record, contacts, identities (one live customer each), journey stage and phase.
describe('customer edits', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-edits', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'alice', department: 'sales', roles: ['agent'] });
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  /** What is wrong with a body against the schema the service's OpenAPI document promises for it. */
  const undocumented = (method: string, path: string, status: number, body: unknown) => servedResponseProblems(base, method, path, status, body);
  const register = async (body: Record<string, unknown>) => {
    const r = await call('POST', '/customers', body);
    expect(r.status).toBe(201);
    return String(r.body.customerId);
  };
  const problem = (r: { status: number; type: string; body: Record<string, unknown> }, status: number, field?: string) => {
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
    if (field) expect(((r.body.errors as { field: string }[]) ?? []).map((e) => e.field)).toContain(field);
  };

  describe('PATCH /customers/{id}', () => {
    it('changes name, owner and tags; answers the new revision; a stale If-Match is a 412 before any rule', async () => {
      const id = await register({ kind: 'organisation', name: 'PT Maju' });
      const first = await call('PATCH', `/customers/${id}`, { name: 'PT Maju Jaya', owner: 'sari', tags: ['key-account', 'jakarta'] }, { 'if-match': '"0"' });
      expect(first.status).toBe(200);
      expect(first.etag).toBe('"1"');
      expect(first.body).toEqual({ customerId: id });
      expect(await undocumented('patch', '/customers/{id}', 200, first.body)).toEqual([]);
      // stale, and the change would also break a rule: the precondition speaks first
      problem(await call('PATCH', `/customers/${id}`, { name: '  ' }, { 'if-match': '"0"' }), 412);
      // nothing differs: no event, same revision
      const same = await call('PATCH', `/customers/${id}`, { owner: 'sari' });
      expect(same.etag).toBe('"1"');
      expect((await call('PATCH', `/customers/${id}`, { owner: null })).etag).toBe('"2"');
    });

    it('keeps the account hierarchy a tree of organisations', async () => {
      const group = await register({ kind: 'organisation', name: 'Maju Group' });
      const branch = await register({ kind: 'organisation', name: 'Maju Surabaya', parentId: group });
      const person = await register({ kind: 'person', name: 'Dewi' });
      const cycle = await call('PATCH', `/customers/${group}`, { parentId: branch });
      expect(cycle.status).toBe(422);
      expect(cycle.body.code).toBe('parent-cycle');
      expect((await call('PATCH', `/customers/${branch}`, { parentId: person })).body.code).toBe('parent-must-be-organisation');
      expect((await call('PATCH', `/customers/${branch}`, { parentId: randomUUID() })).body.code).toBe('unknown-parent');
      expect((await call('PATCH', `/customers/${branch}`, { parentId: null })).status).toBe(200);
    });

    it('bad input is a 400 naming the field; an unknown customer a 404', async () => {
      const id = await register({ kind: 'person', name: 'Budi' });
      problem(await call('PATCH', `/customers/${id}`, { tags: ['Not Lower'] }), 400, 'tags');
      problem(await call('PATCH', `/customers/${id}`, { tags: [['x']] }), 400, 'tags');
      problem(await call('PATCH', `/customers/${id}`, { name: 'a\u0000b' }), 400, 'name');
      problem(await call('PATCH', `/customers/${id}`, { parentId: 'not-a-uuid' }), 400, 'parentId');
      problem(await call('PATCH', `/customers/${id}`, { colour: 'red' }), 400, 'colour');
      problem(await call('PATCH', '/customers/not-a-uuid', { name: 'x' }), 400, 'id');
      problem(await call('PATCH', `/customers/${randomUUID()}`, { name: 'x' }), 404);
    });
  });

  describe('contacts', () => {
    it('adds, changes (with buying roles) and removes a contact', async () => {
      const id = await register({ kind: 'organisation', name: 'PT Sinar' });
      const added = await call('POST', `/customers/${id}/contacts`, { name: 'Sari', role: 'head of procurement', roles: ['buyer'] });
      expect(added.status).toBe(201);
      expect(await undocumented('post', '/customers/{id}/contacts', 201, added.body)).toEqual([]);
      const contactId = String(added.body.contactId);
      expect(added.location).toBe(`/customers/${id}/contacts/${contactId}`);
      const changed = await call('PUT', `/customers/${id}/contacts/${contactId}`, {
        name: 'Sari W.',
        roles: ['decision-maker', 'buyer'],
        email: 'sari@sinar.id',
      });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ contactId });
      expect(await undocumented('put', '/customers/{id}/contacts/{contactId}', 200, changed.body)).toEqual([]);
      problem(await call('PUT', `/customers/${id}/contacts/${contactId}`, { name: 'Sari', roles: ['emperor'] }), 400, 'roles');
      problem(await call('PUT', `/customers/${id}/contacts/${randomUUID()}`, { name: 'Nobody' }), 404);
      expect((await call('DELETE', `/customers/${id}/contacts/${contactId}`)).status).toBe(204);
      problem(await call('DELETE', `/customers/${id}/contacts/${contactId}`), 404);
      const person = await register({ kind: 'person', name: 'Dewi' });
      expect((await call('POST', `/customers/${person}/contacts`, { name: 'X' })).body.code).toBe('person-has-no-contacts');
    });
  });

  describe('postal addresses (the mail channel)', () => {
    const address = { lines: ['Jl. Merdeka 5', 'RT 2 / RW 3'], postalCode: '10110', locality: 'Jakarta Pusat', region: 'DKI Jakarta', country: 'ID' };
    const fieldsOf = (r: { body: Record<string, unknown> }) => [...new Set(((r.body.errors as { field: string }[]) ?? []).map((e) => e.field))];

    it('registers, adds and changes a contact with a postal address; the record answers it', async () => {
      const id = await register({ kind: 'organisation', name: 'PT Pos', contacts: [{ name: 'Sari', address }] });
      const added = await call('POST', `/customers/${id}/contacts`, {
        name: 'Budi',
        address: { lines: ['Jl. Sudirman 1'], locality: 'Bandung', country: 'ID' },
      });
      expect(added.status).toBe(201);
      const budi = String(added.body.contactId);
      const moved = { lines: ['Jl. Asia Afrika 8'], postalCode: '40111', locality: 'Bandung', country: 'ID' };
      expect((await call('PUT', `/customers/${id}/contacts/${budi}`, { name: 'Budi', address: moved })).status).toBe(200);
      let record = await call('GET', `/customers/${id}`);
      for (let i = 0; i < 100 && JSON.stringify(record.body).indexOf('Asia Afrika') < 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        record = await call('GET', `/customers/${id}`);
      }
      expect(record.body).toMatchObject({
        contacts: [
          { name: 'Sari', address },
          { contactId: budi, address: moved },
        ],
      });
      // Changing the contact without its address removes the address (a PUT is the whole contact).
      expect((await call('PUT', `/customers/${id}/contacts/${budi}`, { name: 'Budi' })).status).toBe(200);
      for (let i = 0; i < 100 && JSON.stringify(record.body).includes('Asia Afrika'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        record = await call('GET', `/customers/${id}`);
      }
      expect((record.body.contacts as Record<string, unknown>[])[1]).toEqual({ contactId: budi, name: 'Budi' });
    });

    it('bad addresses are a 400 naming the field, on register and on the contact routes; nothing is recorded', async () => {
      const bad = async (contactAddress: unknown, field: string) => {
        const registered = await call('POST', '/customers', { kind: 'organisation', name: 'PT Bad', contacts: [{ name: 'Sari', address: contactAddress }] });
        problem(registered, 400);
        expect(fieldsOf(registered)).toEqual([`contacts.0.address${field}`]);
        const id = await register({ kind: 'organisation', name: 'PT Good' });
        const added = await call('POST', `/customers/${id}/contacts`, { name: 'Sari', address: contactAddress });
        problem(added, 400);
        expect(fieldsOf(added)).toEqual([`address${field}`]);
      };
      await bad({ ...address, country: 'Indonesia' }, '.country');
      await bad({ ...address, country: 'id' }, '.country');
      await bad({ ...address, country: 'XX' }, '.country');
      await bad({ ...address, country: undefined }, '.country');
      await bad({ ...address, lines: ['1', '2', '3', '4', '5'] }, '.lines');
      await bad({ ...address, lines: [] }, '.lines');
      await bad({ ...address, lines: ['x'.repeat(101)] }, '.lines');
      await bad({ ...address, lines: [['Jl. Merdeka 5']] }, '.lines');
      await bad({ ...address, lines: 'Jl. Merdeka 5' }, '.lines');
      await bad({ ...address, lines: ['Jl. Merdeka\t5'] }, '.lines');
      await bad({ ...address, lines: ['Jl. Merdeka\u00005'] }, '.lines.0');
      await bad({ ...address, locality: 'Jakarta\ud800' }, '.locality');
      await bad({ ...address, locality: '' }, '.locality');
      await bad({ ...address, postalCode: 10110 }, '.postalCode');
      await bad({ ...address, region: 'x'.repeat(101) }, '.region');
      await bad({ ...address, planet: 'Earth' }, '.planet');
      await bad([address], '');
      await bad([[address]], '');
      await bad('Jl. Merdeka 5, Jakarta', '');
      const id = await register({ kind: 'organisation', name: 'PT Typed' });
      const text = await fetch(`${base}/customers/${id}/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body: JSON.stringify({ name: 'Sari', address }),
      });
      expect(text.status).toBe(415);
      // None of these recorded a contact (the record, once the directory has caught up with the registration).
      let record = await call('GET', `/customers/${id}`);
      for (let i = 0; i < 100 && record.status === 404; i++) {
        await new Promise((r) => setTimeout(r, 50));
        record = await call('GET', `/customers/${id}`);
      }
      expect(record.body).toMatchObject({ contacts: [] });
    });

    /** The directory's record once it says what `ready` wants (it follows the store within moments). */
    const recordWhen = async (id: string, ready: (body: Record<string, unknown>) => boolean) => {
      let record = await call('GET', `/customers/${id}`);
      for (let i = 0; i < 100 && !(record.status === 200 && ready(record.body)); i++) {
        await new Promise((r) => setTimeout(r, 50));
        record = await call('GET', `/customers/${id}`);
      }
      return record;
    };

    it('a person has its own postal address: registered with it, changed by PATCH (the whole address), null removes it', async () => {
      const home = { lines: ['Jl. Braga 3'], postalCode: '40111', locality: 'Bandung', country: 'ID' };
      const registered = await call('POST', '/customers', { kind: 'person', name: 'Sari Wijaya', address: home });
      expect(registered.status).toBe(201);
      const id = String(registered.body.customerId);
      expect((await recordWhen(id, (b) => b.address !== undefined)).body).toMatchObject({ kind: 'person', contacts: [], address: home });
      const moved = await call('PATCH', `/customers/${id}`, { address: address }, { 'if-match': '"0"' });
      expect(moved.status).toBe(200);
      expect(moved.etag).toBe('"1"');
      // The same address again changes nothing: no event, same revision.
      expect((await call('PATCH', `/customers/${id}`, { address: { ...address } })).etag).toBe('"1"');
      expect((await recordWhen(id, (b) => JSON.stringify(b).includes('Merdeka'))).body).toMatchObject({ address });
      const withAddress = await call('GET', `/customers/${id}?asOf=${encodeURIComponent(new Date().toISOString())}`);
      expect(withAddress.body).toMatchObject({ address, revision: '1' });
      expect(await undocumented('get', '/customers/{id}', 200, withAddress.body)).toEqual([]);
      const removed = await call('PATCH', `/customers/${id}`, { address: null });
      expect(removed.etag).toBe('"2"');
      expect((await recordWhen(id, (b) => b.address === null)).body).toMatchObject({ address: null });
      // An organisation may have one too (its office: where letters go when no contact has an address).
      const org = await register({ kind: 'organisation', name: 'PT Kantor', address: home });
      expect((await recordWhen(org, (b) => b.address !== null && b.address !== undefined)).body).toMatchObject({ address: home });
    });

    it('a bad own address is a 400 naming the field, on register and on PATCH; nothing is recorded', async () => {
      const person = await register({ kind: 'person', name: 'Dewi' });
      const bad = async (ownAddress: unknown, field: string) => {
        const registered = await call('POST', '/customers', { kind: 'person', name: 'Dewi Bad', address: ownAddress });
        problem(registered, 400);
        expect(fieldsOf(registered)).toEqual([`address${field}`]);
        const patched = await call('PATCH', `/customers/${person}`, { address: ownAddress });
        problem(patched, 400);
        expect(fieldsOf(patched)).toEqual([`address${field}`]);
      };
      await bad({ ...address, country: 'Indonesia' }, '.country');
      await bad({ ...address, country: 'XX' }, '.country');
      await bad({ ...address, lines: ['1', '2', '3', '4', '5'] }, '.lines');
      await bad({ ...address, lines: [] }, '.lines');
      await bad({ ...address, lines: [['Jl. Merdeka 5']] }, '.lines');
      await bad({ ...address, lines: ['Jl. Merdeka\u00005'] }, '.lines.0');
      await bad({ ...address, locality: 'Jakarta\ud800' }, '.locality');
      await bad({ ...address, planet: 'Earth' }, '.planet');
      await bad([address], '');
      await bad([[address]], '');
      await bad('Jl. Merdeka 5, Jakarta', '');
      const text = await fetch(`${base}/customers/${person}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body: JSON.stringify({ address }),
      });
      expect(text.status).toBe(415);
      problem(await call('PATCH', '/customers/not-a-uuid', { address }), 400, 'id');
      // Nothing was recorded on the person: still revision 0, no address.
      expect((await call('PATCH', `/customers/${person}`, {})).etag).toBe('"0"');
      expect((await recordWhen(person, () => true)).body).toMatchObject({ address: null });
    });

    it('changing an own address: no token is a 401, a department that may not edit customers a 403', async () => {
      const id = await register({ kind: 'person', name: 'Eko' });
      const analyst = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: ['analyst'] });
      problem(await call('PATCH', `/customers/${id}`, { address }, {}, analyst), 403);
      const anonymous = await fetch(`${base}/customers/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address }),
      });
      expect(anonymous.status).toBe(401);
      expect((await call('PATCH', `/customers/${id}`, {})).etag).toBe('"0"');
    });

    it('is in the OpenAPI document: the request schema and the customer record with an example address', async () => {
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { example?: unknown; schema?: unknown }> }> }>>;
        components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
      };
      expect(doc.components.schemas.PostalAddressDto.required).toEqual(expect.arrayContaining(['lines', 'locality', 'country']));
      expect(doc.components.schemas.ContactDto.properties.address).toBeDefined();
      expect(doc.components.schemas.RegisterCustomerDto.properties.address).toBeDefined();
      expect(doc.components.schemas.PatchCustomerDto.properties.address).toBeDefined();
      expect(doc.components.schemas.CustomerDto.properties.address).toBeDefined();
      const ok = doc.paths['/customers/{id}'].get.responses['200'].content!['application/json'];
      expect(JSON.stringify(ok.schema)).toContain('CustomerDto');
      expect(JSON.stringify(ok.example)).toContain('"country":"ID"');
      expect((ok.example as { address?: unknown }).address).toMatchObject({ country: 'ID' });
    });
  });

  describe('identities: one live customer each', () => {
    it('a second customer with the same e-mail is a 409 naming the first; force registers it and records a suspected duplicate', async () => {
      const email = `info-${randomUUID()}@maju.co.id`;
      const first = await register({ kind: 'organisation', name: 'PT Maju', identities: [{ kind: 'email', value: email }] });
      const again = await call('POST', '/customers', { kind: 'organisation', name: 'Maju', identities: [{ kind: 'email', value: email.toUpperCase() }] });
      problem(again, 409);
      expect(again.body).toMatchObject({ code: 'identity-taken', holderId: first, identityKind: 'email' });
      const forced = await call('POST', '/customers?force=true', { kind: 'organisation', name: 'Maju', identities: [{ kind: 'email', value: email }] });
      expect(forced.status).toBe(201);
      expect(await undocumented('post', '/customers', 201, forced.body)).toEqual([]);
      expect(forced.etag).toBe('"1"'); // registered, then the suspected duplicate recorded
      problem(await call('POST', '/customers?force=maybe', { kind: 'person', name: 'X' }), 400, 'force');
    });

    it('adding an identity another customer holds is a 409; once removed there, it is free', async () => {
      const phone = `+62 812 ${Math.floor(Math.random() * 1e8)}`;
      const a = await register({ kind: 'person', name: 'Ani' });
      const b = await register({ kind: 'person', name: 'Beni' });
      const added = await call('POST', `/customers/${a}/identities`, { kind: 'phone', value: phone });
      expect(added.status).toBe(201);
      expect(added.body).toEqual({ customerId: a });
      expect(await undocumented('post', '/customers/{id}/identities', 201, added.body)).toEqual([]);
      const known = await call('POST', `/customers/${a}/identities`, { kind: 'phone', value: phone });
      expect(known.status).toBe(201); // known: nothing changes
      expect(await undocumented('post', '/customers/{id}/identities', 201, known.body)).toEqual([]);
      const taken = await call('POST', `/customers/${b}/identities`, { kind: 'phone', value: phone });
      expect(taken.status).toBe(409);
      expect(taken.body.holderId).toBe(a);
      expect((await call('DELETE', `/customers/${a}/identities/phone/${encodeURIComponent(phone)}`)).status).toBe(204);
      expect((await call('POST', `/customers/${b}/identities`, { kind: 'phone', value: phone })).status).toBe(201);
      problem(await call('POST', `/customers/${a}/identities`, { kind: 'fax', value: '1' }), 400, 'kind');
      problem(await call('DELETE', `/customers/${a}/identities/fax/1`), 400, 'kind');
    });
  });

  describe('journey stage and relationship phase', () => {
    it('records manual changes; a move back needs a reason; a dissolved relationship restarts at awareness', async () => {
      const id = await register({ kind: 'person', name: 'Citra' });
      const loyal = await call('PUT', `/customers/${id}/journey-stage`, { to: 'loyal-customer' });
      expect(loyal.status).toBe(200);
      expect(loyal.body).toEqual({ customerId: id, journeyStage: 'loyal-customer' });
      expect(await undocumented('put', '/customers/{id}/journey-stage', 200, loyal.body)).toEqual([]);
      const back = await call('PUT', `/customers/${id}/journey-stage`, { to: 'repeat-customer' });
      expect(back.status).toBe(422);
      expect(back.body.code).toBe('backward-move-needs-reason');
      expect((await call('PUT', `/customers/${id}/journey-stage`, { to: 'repeat-customer', reason: 'half its spend went to a competitor' })).status).toBe(200);
      const dissolved = await call('PUT', `/customers/${id}/relationship-phase`, { to: 'dissolution' });
      expect(dissolved.status).toBe(200);
      expect(dissolved.body).toEqual({ customerId: id, relationshipPhase: 'dissolution' });
      expect(await undocumented('put', '/customers/{id}/relationship-phase', 200, dissolved.body)).toEqual([]);
      expect((await call('PUT', `/customers/${id}/relationship-phase`, { to: 'commitment' })).body.code).toBe('dissolved-restarts-at-awareness');
      expect((await call('PUT', `/customers/${id}/relationship-phase`, { to: 'awareness' })).status).toBe(200);
      problem(await call('PUT', `/customers/${id}/journey-stage`, { to: 'emperor' }), 400, 'to');
      problem(await call('PUT', `/customers/${id}/journey-stage`, { to: 'advocate', source: 'derived' }), 400, 'source');
    });
  });

  describe('the record as it stood, and its changes', () => {
    it('GET /customers/{id}?asOf= answers the record as it stood then; /changes lists every change with who made it', async () => {
      const id = await register({ kind: 'organisation', name: 'PT Lama' });
      const before = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20)); // recording times are milliseconds apart
      expect((await call('PATCH', `/customers/${id}`, { name: 'PT Baru', tags: ['renamed'] })).status).toBe(200);
      expect((await call('PUT', `/customers/${id}/journey-stage`, { to: 'first-time-customer' })).status).toBe(200);
      const then = await call('GET', `/customers/${id}?asOf=${encodeURIComponent(before)}`);
      expect(then.status).toBe(200);
      expect(then.body).toMatchObject({ customerId: id, name: 'PT Lama', tags: [], journeyStage: 'prospect', revision: '0' });
      const now = await call('GET', `/customers/${id}?asOf=${encodeURIComponent(new Date().toISOString())}`);
      expect(now.body).toMatchObject({ name: 'PT Baru', tags: ['renamed'], journeyStage: 'first-time-customer', revision: '2' });
      // Both readings are the answer the document describes (CustomerAsOfDto), and so is the directory's record now (CustomerDto).
      for (const answer of [then, now, await call('GET', `/customers/${id}`)])
        expect(await undocumented('get', '/customers/{id}', 200, answer.body)).toEqual([]);
      expect((await call('GET', `/customers/${id}?asOf=2000-01-01T00:00:00Z`)).status).toBe(404);

      const first = await call('GET', `/customers/${id}/changes?limit=2`);
      expect(first.status).toBe(200);
      const changes = first.body.changes as { type: string; revision: string; actor: { id: string } }[];
      expect(changes.map((c) => c.type)).toEqual(['CustomerRegistered', 'CustomerDetailsChanged']);
      expect(changes[1].actor).toMatchObject({ type: 'staff', id: 'alice', department: 'sales' });
      expect(await undocumented('get', '/customers/{id}/changes', 200, first.body)).toEqual([]);
      const rest = await call('GET', `/customers/${id}/changes?after=${String(first.body.nextAfter)}`);
      expect((rest.body.changes as { type: string; data: { source?: string } }[]).map((c) => [c.type, c.data.source])).toEqual([
        ['CustomerJourneyStageChanged', 'manual'],
      ]);
      expect(rest.body.nextAfter).toBeUndefined();
      expect(await undocumented('get', '/customers/{id}/changes', 200, rest.body)).toEqual([]);
      problem(await call('GET', `/customers/${id}/changes?after=-1`), 400, 'after');
      problem(await call('GET', `/customers/${id}?asOf=20260101`), 400, 'asOf');
      problem(await call('GET', `/customers/${randomUUID()}/changes`), 404);
    });
  });

  describe('who may call them', () => {
    it('a partner token is refused; analytics staff are refused; no token is a 401', async () => {
      const id = await register({ kind: 'person', name: 'Dodi' });
      const partner = await mint.mint({ kind: 'partner', subject: 'p.bob', partnerId: randomUUID(), roles: ['partner-admin'] });
      const analyst = await mint.mint({ kind: 'staff', subject: 'ana', department: 'analytics', roles: ['analyst'] });
      for (const bearer of [partner, analyst]) {
        expect((await call('PATCH', `/customers/${id}`, { name: 'x' }, {}, bearer)).status).toBe(403);
        expect((await call('POST', `/customers/${id}/contacts`, { name: 'x' }, {}, bearer)).status).toBe(403);
        expect((await call('PUT', `/customers/${id}/journey-stage`, { to: 'advocate' }, {}, bearer)).status).toBe(403);
      }
      expect((await fetch(`${base}/customers/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' })).status).toBe(
        401,
      );
    });

    it('every route is in the OpenAPI document with its error responses', async () => {
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
      expect(Object.keys(doc.paths['/customers/{id}'].patch.responses)).toEqual(expect.arrayContaining(['200', '404', '412', '422']));
      expect(Object.keys(doc.paths['/customers/{id}/identities'].post.responses)).toEqual(expect.arrayContaining(['201', '409']));
      for (const path of [
        '/customers/{id}/contacts/{contactId}',
        '/customers/{id}/identities/{kind}/{value}',
        '/customers/{id}/journey-stage',
        '/customers/{id}/relationship-phase',
      ]) {
        expect(doc.paths[path]).toBeDefined();
      }
    });
  });
});
