import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { leadOfferDecider, leadStream } from '@crm/relationship';
import { WRITE_STORE } from '@crm/relationship-api';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
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
    return r;
  };

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

    const timeline = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect(
      (
        await call(
          'PUT',
          `/leads/${leadId}/qualification`,
          { budget: 50_000_000, currency: 'IDR', authority: true, need: 'ten vans', timeline },
          { 'if-match': String(lead.etag) },
        )
      ).status,
    ).toBe(200);
    expect((await call('PUT', `/leads/${leadId}/qualification`, { need: 'x' }, { 'if-match': String(lead.etag) })).status).toBe(412);
    expect((await call('POST', `/leads/${leadId}/assignment`, { owner: 'sari' })).status).toBe(200);
    expect((await call('GET', `/leads/${leadId}`)).body).toMatchObject({ status: 'qualified', owner: 'sari', score: { score: 90 } });

    const converted = await call('POST', `/leads/${leadId}/conversion`, { opportunityName: 'Ten vans' });
    expect(converted.status).toBe(200);
    const { customerId, contactId, opportunityId } = converted.body as { customerId: string; contactId: string; opportunityId: string };
    expect(contactId).toBeDefined();
    // a retry answers the same ids and creates nothing
    expect((await call('POST', `/leads/${leadId}/conversion`, {})).body).toEqual(converted.body);
    expect((await call('GET', `/leads/${leadId}`)).body).toMatchObject({ status: 'converted', converted: { customerId, contactId, opportunityId } });
    const interaction = await call('POST', `/opportunities/${opportunityId}/interactions`, { channel: 'phone', direction: 'outbound', action: 'called Rina' });
    expect(interaction.status).toBe(201);
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
    const meta = { correlationId: randomUUID(), actor: { type: 'system' as const, id: 'lead-distribution' }, occurredAt: new Date().toISOString() };
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 48 * 3_600_000).toISOString();
    await handler.handle(
      leadStream(leadId),
      {
        type: 'StartLeadDistribution',
        data: { leadId, products: ['VAN'], startedBy: 'rudi', startedAt: now },
        next: { rank: () => [{ partnerId: 'p1', score: 60, reasons: ['territory ID'] }], offerIdFor: (n) => `${leadId}-${n}`, expiresAt: later },
      },
      meta,
    );
    await handler.handle(leadStream(leadId), { type: 'AcceptLeadOffer', data: { leadId, partnerId: 'p1', acceptedBy: 'p1.key', acceptedAt: now } }, meta);
    await handler.handle(
      leadStream(leadId),
      { type: 'ReportLeadOfferOutcome', data: { leadId, partnerId: 'p1', outcome: 'won', reportedBy: 'p1.key', reportedAt: now } },
      meta,
    );
    const lead = await call('GET', `/leads/${leadId}`);
    expect(lead.status).toBe(200);
    expect(lead.body).toMatchObject({
      name: 'Wati',
      owner: 'partner/p1',
      assignedByRule: 'lead-distribution',
      distribution: {
        status: 'accepted',
        partnerId: 'p1',
        outcome: 'won',
        products: ['VAN'],
        offers: [{ partnerId: 'p1', status: 'accepted', outcome: 'won' }],
      },
    });
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
    expect(attached.body).toMatchObject({ customerId: customer });
  });

  it('disqualifies with a reason; bad input and callers are refused', async () => {
    const leadId = String((await capture({ source: 'phone', name: 'Dodi', phone: `+62 ${Math.floor(Math.random() * 1e9)}` })).body.leadId);
    expect((await call('POST', `/leads/${leadId}/disqualification`, { reason: ' ' })).body.code).toBe('disqualify-needs-reason');
    expect((await call('POST', `/leads/${leadId}/disqualification`, { reason: 'no budget this year' })).status).toBe(200);
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
