import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { waitFor } from '@crm/event-store/testing';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from '../../service';

type Body = Record<string, unknown>;

// `POST /cases/{id}/unassign` (issue 12 §1/§4): a case taken from its agent and put back in its
// team's queue, waiting (new); the case list and the router's queue see it waiting again. Who may,
// a stale If-Match, and bad input as problem+json naming the field.
describe('service: unassigning a case (embedded)', () => {
  let platform: Platform;
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let token: string;
  let seller: string;
  let marketer: string;
  let manager: string;
  let partner: string;
  let customerId: string;

  beforeAll(async () => {
    ({ platform, app, base, stop } = await startEmbeddedService('service-cases-unassign', CustomerServiceConfig, createCustomerServiceApp, crmRegistry()));
    const mint = app.app.get(TokenMint);
    token = await mint.mint({ kind: 'staff', subject: 'budi', department: 'service', roles: ['agent'] });
    seller = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: ['agent'] });
    marketer = await mint.mint({ kind: 'staff', subject: 'mira', department: 'marketing', roles: [] });
    manager = await mint.mint({ kind: 'staff', subject: 'maya', department: 'management', roles: [] });
    partner = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: [] });
    customerId = String((await call('POST', '/customers', { kind: 'person', name: 'Dewi Lestari' })).body.customerId);
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  const raw = (url: string, body: string, contentType = 'application/json') =>
    fetch(`${base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
  const fields = (body: Body) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);
  /** A case in team phones that budi holds (assigned, then in progress). */
  const heldCase = async () => {
    const opened = await call('POST', '/cases', { customerId, name: 'Phone will not charge', channel: 'phone', team: 'phones' });
    expect(opened.status).toBe(201);
    const id = String(opened.body.episodeId);
    expect((await call('POST', `/cases/${id}/assignment`, { agentId: 'budi', reason: 'took the call' })).status).toBe(200);
    const working = await call('POST', `/cases/${id}/status`, { status: 'in-progress' });
    expect(working.body).toMatchObject({ status: 'in-progress', assigneeId: 'budi' });
    return { id, etag: String(working.etag) };
  };

  it('puts the case back in its queue: new, no agent, with why; answers the case with its ETag; again records nothing', async () => {
    const { id, etag } = await heldCase();
    const r = await call('POST', `/cases/${id}/unassign`, { reason: 'budi went home sick' }, { 'if-match': etag });
    expect(r.status).toBe(200);
    expect(r.etag).toBe(`"${Number(JSON.parse(etag)) + 2}"`); // CaseUnassigned and the move to new, one append
    expect(r.body).toMatchObject({ status: 'new', assigneeId: null, team: 'phones', revision: JSON.parse(String(r.etag)) });
    expect(r.body.unassignments).toEqual([
      { previousAgentId: 'budi', team: 'phones', reason: 'budi went home sick', unassignedAt: expect.any(String), unassignedBy: 'budi' },
    ]);
    expect((r.body.statusHistory as Body[]).at(-1)).toMatchObject({ status: 'new', from: 'in-progress', reason: 'budi went home sick' });
    const again = await call('POST', `/cases/${id}/unassign`, { reason: 'again' });
    expect([again.status, again.etag]).toEqual([200, r.etag]);

    // The cases list shows it waiting without an agent; the router's queue of phones has it again.
    await waitFor(
      async () => {
        const items = (await call('GET', `/cases?team=phones&status=new`)).body.items as Body[] | undefined;
        return (items ?? []).some((i) => i.caseId === id && i.assigneeId === null);
      },
      20000,
      'the cases list to show the case waiting',
    );
    expect(((await call('GET', '/cases?assignee=budi&status=new')).body.items as Body[]).map((i) => i.caseId)).not.toContain(id);
    await waitFor(
      async () => (((await call('GET', '/routing/queue?team=phones')).body.items as Body[] | undefined) ?? []).some((i) => i.episodeId === id),
      20000,
      "the router's queue to have the case",
    );
  });

  it('to another team: the case waits in that team’s queue; a case no agent holds only moves team', async () => {
    const { id } = await heldCase();
    const r = await call('POST', `/cases/${id}/unassign`, { reason: 'needs a tier-2 technician', team: 'phones-tier-2' }, {}, manager);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'new', assigneeId: null, team: 'phones-tier-2' });
    expect(r.body.unassignments).toEqual([expect.objectContaining({ previousAgentId: 'budi', team: 'phones-tier-2', unassignedBy: 'maya' })]);
    const types = (await platform.eventStore.readStream(`episode-${id}`)).slice(-3).map((e) => e.type);
    expect(types).toEqual(['CaseDetailsChanged', 'CaseUnassigned', 'CaseStatusChanged']);
    const back = await call('POST', `/cases/${id}/unassign`, { reason: 'back to first line', team: 'phones' });
    expect(back.body).toMatchObject({ status: 'new', assigneeId: null, team: 'phones' });
    expect(back.body.unassignments).toHaveLength(1);
  });

  it('a stale If-Match is 412 before any rule; a resolved or closed case is 422 episode-closed', async () => {
    const { id } = await heldCase();
    const stale = await call('POST', `/cases/${id}/unassign`, { reason: 'r' }, { 'if-match': '"0"' });
    expect(stale.status).toBe(412);
    expect(stale.type).toContain('application/problem+json');
    expect((await call('GET', `/cases/${id}`)).body).toMatchObject({ assigneeId: 'budi' });
    expect((await call('POST', `/cases/${id}/resolve`, { outcome: 'resolved', reason: 'new cable' })).status).toBe(200);
    const resolved = await call('POST', `/cases/${id}/unassign`, { reason: 'r' });
    expect([resolved.status, resolved.body.code]).toEqual([422, 'episode-closed']);
    expect(resolved.type).toContain('application/problem+json');
    expect((await call('POST', `/cases/${id}/status`, { status: 'closed' })).status).toBe(200);
    expect((await call('POST', `/cases/${id}/unassign`, { reason: 'r' })).body.code).toBe('episode-closed');
  });

  it('who may: service and management; not sales or marketing (403), partners (403), no or a bad token (401)', async () => {
    const { id } = await heldCase();
    for (const bearer of [seller, marketer, partner]) {
      const denied = await call('POST', `/cases/${id}/unassign`, { reason: 'r' }, {}, bearer);
      expect(denied.status).toBe(403);
      expect(denied.type).toContain('application/problem+json');
    }
    expect((await call('POST', `/cases/${id}/unassign`, { reason: 'r' }, {}, 'not-a-token')).status).toBe(401);
    const anonymous = await fetch(`${base}/cases/${id}/unassign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"r"}' });
    expect(anonymous.status).toBe(401);
    expect((await call('GET', `/cases/${id}`)).body).toMatchObject({ assigneeId: 'budi', status: 'in-progress' });
    expect((await call('POST', `/cases/${id}/unassign`, { reason: 'reassigning the shift' }, {}, manager)).body).toMatchObject({ assigneeId: null });
  });

  it('unknown cases, and episodes that are no case, are 404', async () => {
    const commands = createRelationshipCommands(platform.eventStore);
    const opportunity = (
      await commands.episodes.open({ kind: 'staff', subject: 'sari', department: 'sales', roles: [] }, 'opportunity', { customerId, name: 'Upgrade' })
    ).id;
    for (const id of [randomUUID(), opportunity]) {
      const r = await call('POST', `/cases/${id}/unassign`, { reason: 'r' });
      expect(r.status).toBe(404);
      expect(r.type).toContain('application/problem+json');
    }
  });

  it('bad input is a 400 problem+json naming the field (415 for a body that is not JSON), never a 5xx; nothing stored', async () => {
    const { id, etag } = await heldCase();
    const url = `/cases/${id}/unassign`;
    const cases: [unknown, string][] = [
      [{}, 'reason'],
      [{ reason: '' }, 'reason'],
      [{ reason: 42 }, 'reason'],
      [{ reason: 'x'.repeat(501) }, 'reason'],
      [{ reason: [['r']] }, 'reason'],
      [{ reason: { text: 'r' } }, 'reason'],
      [[[]], 'reason'],
      [{ reason: 'r', team: 'Bad Team' }, 'team'],
      [{ reason: 'r', team: ['phones'] }, 'team'],
      [{ reason: 'r', team: null }, 'team'],
    ];
    for (const [body, field] of cases) {
      const r = await call('POST', url, body);
      expect([JSON.stringify(body).slice(0, 40), r.status]).toEqual([JSON.stringify(body).slice(0, 40), 400]);
      expect(r.type).toContain('application/problem+json');
      expect(fields(r.body)).toContain(field);
    }
    const nul = await raw(url, '{"reason":"a\\u0000b"}');
    expect(nul.status).toBe(400);
    expect(fields((await nul.json()) as Body)).toContain('reason');
    const surrogate = await raw(url, '{"reason":"\\ud800"}');
    expect(surrogate.status).toBe(400);
    expect(fields((await surrogate.json()) as Body)).toContain('reason');
    const text = await raw(url, 'reason=sick', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.headers.get('content-type')).toContain('application/problem+json');
    expect((await raw(url, '{"reason":')).status).toBe(400);
    const badId = await call('POST', '/cases/not-a-uuid/unassign', { reason: 'r' });
    expect(badId.status).toBe(400);
    expect(fields(badId.body)).toContain('id');
    expect((await call('POST', url, { reason: 'r' }, { 'if-match': 'yesterday' })).status).toBe(400);
    // nothing of it was stored
    const now = await call('GET', `/cases/${id}`);
    expect([now.etag, now.body.assigneeId]).toEqual([etag, 'budi']);
  });

  it('is in OpenAPI with its body examples, answer schema and example, and its error answers', async () => {
    type Operation = {
      requestBody?: { content: Record<string, { examples?: Record<string, unknown> }> };
      responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
    };
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const operation = doc.paths['/cases/{id}/unassign']?.post;
    expect(operation).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '412', '415', '422']));
    expect(Object.keys(operation.requestBody?.content['application/json']?.examples ?? {})).toEqual(['release', 'toAnotherTeam']);
    const ok = operation.responses['200'].content?.['application/json'];
    expect(ok?.schema).toEqual({ $ref: '#/components/schemas/CaseDto' });
    expect(ok?.example).toMatchObject({ status: 'new', assigneeId: null });
    for (const code of ['400', '412', '422']) expect(operation.responses[code].content?.['application/problem+json']?.example).toBeDefined();
  });
});
