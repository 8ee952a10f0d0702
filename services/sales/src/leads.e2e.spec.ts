import { randomUUID } from 'node:crypto';
import { crmRegistry, ERASED } from '@crm/contracts';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { leadOfferDecider, leadStream } from '@crm/relationship';
import { WRITE_STORE } from '@crm/relationship-api';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, servedResponseProblems, startEmbeddedService, type HttpReply } from '@crm/service-kit/testing';
import { createSalesApp, SalesConfig } from './sales';

// Leads: capture, qualify, assign, convert (once, idempotently) or disqualify.
describe('leads', () => {
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let mint: TokenMint;

  const call = httpCaller(
    () => base,
    () => token,
  );
  const capture = async (body: Record<string, unknown>) => {
    const r = await call('POST', '/leads', body);
    expect(r.status).toBe(201);
    expect(await undocumented('post', '/leads', r)).toEqual([]);
    return r;
  };
  /** What of a successful answer the service's own OpenAPI document does not promise (`[]`: all of it). */
  const undocumented = (method: string, path: string, r: HttpReply) => servedResponseProblems(base, method, path, r.status, r.body);

  beforeAll(async () => {
    ({ app, base, stop } = await startEmbeddedService('sales-leads', SalesConfig, createSalesApp, crmRegistry()));
    mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
  });
  afterAll(async () => {
    await stop?.();
  });

  it('captures, scores with reasons, qualifies, assigns and converts into customer, contact and opportunity — once', async () => {
    const externalId = `form-${randomUUID()}`;
    const first = await capture({
      source: 'web-form',
      name: 'Rina Kartika',
      company: 'CV Sinar',
      email: `rina-${externalId}@sinar.example`,
      externalId,
      qualification: { need: 'ten vans' },
    });
    const leadId = String(first.body.leadId);
    expect(first.location).toBe(`/leads/${leadId}`);
    // the same form post again is the same lead
    expect(
      (await capture({ source: 'web-form', name: 'Rina Kartika', company: 'CV Sinar', email: `rina-${externalId}@sinar.example`, externalId })).body.leadId,
    ).toBe(leadId);
    const lead = await call('GET', `/leads/${leadId}`);
    expect(lead.body).toMatchObject({ status: 'new', score: { score: 20, reasons: ['+20 has a stated need'] } });
    expect(await undocumented('get', '/leads/{id}', lead)).toEqual([]);

    const timeline = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const qualified = await call(
      'PUT',
      `/leads/${leadId}/qualification`,
      { budget: 50_000_000, currency: 'IDR', authority: true, need: 'ten vans', timeline },
      { 'if-match': String(lead.etag) },
    );
    expect(qualified.status).toBe(200);
    expect(qualified.body).toEqual({ leadId });
    expect(await undocumented('put', '/leads/{id}/qualification', qualified)).toEqual([]);
    expect((await call('PUT', `/leads/${leadId}/qualification`, { need: 'x' }, { 'if-match': String(lead.etag) })).status).toBe(412);
    const assigned = await call('POST', `/leads/${leadId}/assignment`, { owner: 'sari' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toEqual({ leadId, owner: 'sari' });
    expect(await undocumented('post', '/leads/{id}/assignment', assigned)).toEqual([]);
    expect((await call('GET', `/leads/${leadId}`)).body).toMatchObject({ status: 'qualified', owner: 'sari', score: { score: 90 } });

    const converted = await call('POST', `/leads/${leadId}/conversion`, { opportunityName: 'Ten vans' });
    expect(converted.status).toBe(200);
    expect(await undocumented('post', '/leads/{id}/conversion', converted)).toEqual([]);
    const { customerId, contactId, opportunityId } = converted.body as { customerId: string; contactId: string; opportunityId: string };
    expect(contactId).toBeDefined();
    // a retry answers the same ids and creates nothing
    expect((await call('POST', `/leads/${leadId}/conversion`, {})).body).toEqual(converted.body);
    const convertedLead = await call('GET', `/leads/${leadId}`);
    expect(convertedLead.body).toMatchObject({ status: 'converted', converted: { customerId, contactId, opportunityId } });
    // every part of a lead but its distribution and erasure: company, e-mail, all BANT answers, owner, conversion
    expect(await undocumented('get', '/leads/{id}', convertedLead)).toEqual([]);
    const interaction = await call('POST', `/opportunities/${opportunityId}/interactions`, { channel: 'phone', direction: 'outbound', action: 'called Rina' });
    expect(interaction.status).toBe(201);
    expect(await undocumented('post', '/opportunities/{id}/interactions', interaction)).toEqual([]);
    const closed = await call('POST', `/leads/${leadId}/disqualification`, { reason: 'too late' });
    expect(closed.status).toBe(422);
    expect(closed.body.code).toBe('lead-closed');
  });

  it("shows the lead's distribution to partners (issue 14 §4, recorded by the partner portal on the lead's stream): who had it, who took it, how it ended", async () => {
    const leadId = String(
      (await capture({ source: 'web-form', name: 'Wati', company: 'CV Wati', email: `wati-${randomUUID()}@wati.example`, country: 'ID' })).body.leadId,
    );
    // What the portal's LeadDistributionCommands append (the portal runs elsewhere; here straight on the store)
    const handler = new CommandHandler(app.app.get<EventStore>(WRITE_STORE), leadOfferDecider);
    const partnerId = randomUUID(); // partners and offers have uuids (the portal derives an offer's from the lead and the attempt)
    const offerIds = [randomUUID(), randomUUID()];
    const meta = { correlationId: randomUUID(), actor: { type: 'system' as const, id: 'lead-distribution' }, occurredAt: new Date().toISOString() };
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 48 * 3_600_000).toISOString();
    await handler.handle(
      leadStream(leadId),
      {
        type: 'StartLeadDistribution',
        data: { leadId, products: ['VAN'], startedBy: 'rudi', startedAt: now },
        next: { rank: () => [{ partnerId, score: 60.5, reasons: ['territory ID'] }], offerIdFor: (n) => offerIds[n - 1], expiresAt: later },
      },
      meta,
    );
    await handler.handle(leadStream(leadId), { type: 'AcceptLeadOffer', data: { leadId, partnerId, acceptedBy: 'p1.key', acceptedAt: now } }, meta);
    await handler.handle(
      leadStream(leadId),
      { type: 'ReportLeadOfferOutcome', data: { leadId, partnerId, outcome: 'won', note: 'ordered three vans', reportedBy: 'p1.key', reportedAt: now } },
      meta,
    );
    const lead = await call('GET', `/leads/${leadId}`);
    expect(lead.status).toBe(200);
    expect(lead.body).toMatchObject({
      name: 'Wati',
      owner: `partner/${partnerId}`,
      assignedByRule: 'lead-distribution',
      distribution: {
        status: 'accepted',
        partnerId,
        outcome: 'won',
        products: ['VAN'],
        offers: [{ offerId: offerIds[0], partnerId, attempt: 1, status: 'accepted', outcome: 'won', outcomeNote: 'ordered three vans' }],
      },
    });
    expect(await undocumented('get', '/leads/{id}', lead)).toEqual([]);
  });

  it('a lead matching an existing customer is offered for attachment; converting it without attaching is a 409 naming that customer', async () => {
    const email = `budi-${randomUUID()}@example.com`;
    const customer = String(
      (await call('POST', '/customers', { kind: 'person', name: 'Budi', identities: [{ kind: 'email', value: email }] })).body.customerId,
    );
    const lead = await capture({ source: 'event', name: 'Budi S.', email });
    expect(lead.body.matchingCustomerId).toBe(customer);
    const leadId = String(lead.body.leadId);
    const refused = await call('POST', `/leads/${leadId}/conversion`, {});
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'identity-taken', holderId: customer });
    const attached = await call('POST', `/leads/${leadId}/conversion`, { attachTo: customer });
    expect(attached.body).toEqual({ leadId, customerId: customer, opportunityId: expect.any(String) }); // no contact: attached to a person
    expect(await undocumented('post', '/leads/{id}/conversion', attached)).toEqual([]);
    const read = await call('GET', `/leads/${leadId}`);
    expect(read.body).toMatchObject({ matchingCustomerId: customer, converted: { customerId: customer } });
    expect(await undocumented('get', '/leads/{id}', read)).toEqual([]);
  });

  it('reads an erased lead as its document says: the name erased, company, e-mail, phone and need gone', async () => {
    const email = `erin-${randomUUID()}@erin.example`;
    const leadId = String(
      (await capture({ source: 'web-form', name: 'Erin', company: 'CV Erin', email, phone: '+62 21 555 0199', qualification: { need: 'vans', budget: 5 } }))
        .body.leadId,
    );
    const privacy = await mint.mint({ kind: 'staff', subject: 'dpo', department: 'sales', roles: ['data-protection'] });
    expect((await call('DELETE', `/leads/${leadId}/personal-data`, undefined, {}, privacy)).status).toBe(200);
    const erased = await call('GET', `/leads/${leadId}`);
    expect(erased.body).toMatchObject({ name: ERASED, erased: true, qualification: { budget: 5 } });
    expect(erased.body).not.toHaveProperty('email');
    expect(await undocumented('get', '/leads/{id}', erased)).toEqual([]);
  });

  it('disqualifies with a reason; bad input and callers are refused', async () => {
    const leadId = String((await capture({ source: 'phone', name: 'Dodi', phone: `+62 ${Math.floor(Math.random() * 1e9)}` })).body.leadId);
    expect((await call('POST', `/leads/${leadId}/disqualification`, { reason: ' ' })).body.code).toBe('disqualify-needs-reason');
    const disqualified = await call('POST', `/leads/${leadId}/disqualification`, { reason: 'no budget this year' });
    expect(disqualified.status).toBe(200);
    expect(disqualified.body).toEqual({ leadId });
    expect(await undocumented('post', '/leads/{id}/disqualification', disqualified)).toEqual([]);
    expect((await call('POST', `/leads/${leadId}/conversion`, {})).body.code).toBe('lead-closed');
    for (const [body, field] of [
      [{ source: 'web-form', name: 'X' }, undefined], // no way to reach them: 422
      [{ source: 'telepathy', name: 'X', email: 'x@y.example' }, 'source'],
      [{ source: 'web-form', name: 'X', email: 'not-an-email' }, 'email'],
      [{ source: 'web-form', name: 'X', email: 'x@y.example', qualification: [[]] }, 'qualification'],
      [{ source: 'web-form', name: 'X', email: 'x@y.example', qualification: { budget: -1 } }, 'qualification.budget'],
      [{ source: 'web-form', name: 'X\u0000', email: 'x@y.example' }, 'name'],
    ] as const) {
      const r = await call('POST', '/leads', body);
      if (field === undefined) {
        expect(r.status).toBe(422);
        expect(r.body.code).toBe('lead-needs-contact');
      } else {
        expect(r.status).toBe(400);
        expect(((r.body.errors as { field: string }[]) ?? []).map((e) => e.field)).toContain(field);
      }
    }
    expect((await call('GET', `/leads/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', '/leads/not-a-uuid')).status).toBe(400);
    const partner = await mint.mint({ kind: 'partner', subject: 'p.x', partnerId: randomUUID(), roles: [] });
    const service = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: [] });
    for (const bearer of [partner, service])
      expect((await call('POST', '/leads', { source: 'web-form', name: 'X', email: 'x@y.example' }, {}, bearer)).status).toBe(403);
    expect((await fetch(`${base}/leads/${leadId}`)).status).toBe(401);
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const path of [
      '/leads',
      '/leads/{id}',
      '/leads/{id}/qualification',
      '/leads/{id}/assignment',
      '/leads/{id}/disqualification',
      '/leads/{id}/conversion',
    ])
      expect(doc.paths[path]).toBeDefined();
  });
});
