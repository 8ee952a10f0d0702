import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { crmRegistry } from '@crm/contracts';
import { testEvent, testMetadata } from '@crm/event-store/testing';
import { TestClock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { createRelationshipCommands, type RelationshipCommands } from '@crm/relationship-api';
import { TokenMint, type Principal, type ServiceApp } from '@crm/service-kit';
import { httpCaller, startEmbeddedService } from '@crm/service-kit/testing';
import { createCustomerServiceApp, CustomerServiceConfig } from '../service';
import type { CaseSurveyLinkView } from './case-survey.controller';

// The satisfaction survey over HTTP on the embedded platform, on a test clock: staff fetch the
// signed link of a resolved case, the customer (no bearer token) reads and answers it once.
describe('service: the satisfaction survey of a resolved case (embedded)', () => {
  let platform: Platform;
  let app: ServiceApp;
  let stop: () => Promise<void>;
  let base: string;
  let dataDir: string;
  let token: string;
  let salesToken: string;
  let partnerToken: string;
  let commands: RelationshipCommands;
  const clock = new TestClock('2026-03-02T08:00:00.000Z');
  const agent: Principal = { kind: 'staff', subject: 'dewi', department: 'service', roles: ['agent'] };

  beforeAll(async () => {
    ({ platform, app, base, stop, dataDir } = await startEmbeddedService(
      'service-survey',
      CustomerServiceConfig,
      (c, p, h) => createCustomerServiceApp(c, p, { ...h, clock }),
      crmRegistry(),
    ));
    const mint = app.app.get(TokenMint);
    token = await mint.mint(agent);
    salesToken = await mint.mint({ kind: 'staff', subject: 'sari', department: 'sales', roles: [] });
    partnerToken = await mint.mint({ kind: 'partner', subject: 'pat', partnerId: randomUUID(), roles: ['partner'] });
    commands = createRelationshipCommands(platform.eventStore, { clock });
  });
  afterAll(async () => {
    await stop?.();
  });

  const call = httpCaller(
    () => base,
    () => token,
  );
  /** The customer's side: no bearer token. */
  const anonymous = async (method: string, url: string, body?: unknown, contentType = 'application/json') => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const fields = (body: Record<string, unknown>) => ((body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field);

  /** A case opened and resolved at 2 March 09:00. */
  const resolvedCase = async () => {
    clock.set('2026-03-02T08:00:00.000Z');
    const customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Budi Santoso' })).id;
    const episodeId = (await commands.episodes.open(agent, 'case', { customerId, name: 'Phone will not charge', channel: 'phone' })).id;
    clock.set('2026-03-02T09:00:00.000Z');
    await commands.episodes.close(agent, episodeId, { outcome: 'resolved' });
    return { customerId, episodeId };
  };
  const linkOf = async (episodeId: string) => {
    const r = await call('GET', `/cases/${episodeId}/satisfaction-survey`);
    expect(r.status).toBe(200);
    return r.body as unknown as CaseSurveyLinkView;
  };

  it('staff get the link; the customer reads the survey and answers once: an interaction and CaseSatisfactionRated in one append', async () => {
    const { customerId, episodeId } = await resolvedCase();
    clock.set('2026-03-02T10:00:00.000Z');
    const link = await linkOf(episodeId);
    expect(link).toMatchObject({ episodeId, resolvedAt: '2026-03-02T09:00:00.000Z', expiresAt: '2026-03-16T09:00:00.000Z', answered: null });
    expect(link.path).toBe(`/surveys/${link.token}`);
    // the same link each time (a function of the resolution)
    expect((await linkOf(episodeId)).token).toBe(link.token);

    const survey = await anonymous('GET', link.path);
    expect(survey.status).toBe(200);
    expect(survey.body).toMatchObject({ scale: { min: 1, max: 5 }, answered: false, expiresAt: '2026-03-16T09:00:00.000Z' });

    clock.set('2026-03-03T12:00:00.000Z');
    const answered = await anonymous('POST', link.path, { score: 4, comment: 'Quick, thank you' });
    expect(answered.status).toBe(201);
    const interactionId = String(answered.body.interactionId);

    const events = await platform.eventStore.readStream(`episode-${episodeId}`, { fromRevision: 0n, maxCount: 100 });
    const [interaction, rated] = events.slice(-2);
    expect(interaction.revision + 1n).toBe(rated.revision);
    expect(interaction.type).toBe('InteractionRecorded');
    expect(interaction.data).toMatchObject({
      episodeId,
      customerId,
      interaction: {
        interactionId,
        channel: 'web',
        direction: 'inbound',
        actor: { kind: 'customer', id: customerId },
        action: 'answered the satisfaction survey',
      },
    });
    expect(rated.type).toBe('CaseSatisfactionRated');
    expect(rated.data).toMatchObject({ episodeId, customerId, score: 4, interactionId, ratedAt: '2026-03-03T12:00:00.000Z' });
    expect(interaction.metadata.correlationId).toBe(rated.metadata.correlationId);
    expect(rated.metadata.actor).toEqual({ type: 'customer', id: customerId });

    // a second answer: 409, the first stands
    const again = await anonymous('POST', link.path, { score: 1 });
    expect(again.status).toBe(409);
    expect(again.type).toMatch(/application\/problem\+json/);
    expect((await anonymous('GET', link.path)).body.answered).toBe(true);
    expect((await linkOf(episodeId)).answered).toEqual({ score: 4, ratedAt: '2026-03-03T12:00:00.000Z' });
  });

  it('a link expires CRM_SURVEY_LINK_DAYS (14) after the resolution: 410', async () => {
    const { episodeId } = await resolvedCase();
    const link = await linkOf(episodeId);
    clock.set('2026-03-16T08:59:59.000Z');
    expect((await anonymous('GET', link.path)).status).toBe(200);
    clock.set('2026-03-16T09:00:00.000Z');
    const expired = await anonymous('POST', link.path, { score: 5 });
    expect(expired.status).toBe(410);
    expect(expired.type).toMatch(/application\/problem\+json/);
    expect((await anonymous('GET', link.path)).status).toBe(410);
  });

  it('a forged or altered link is 403, never 5xx', async () => {
    const { episodeId } = await resolvedCase();
    clock.set('2026-03-02T10:00:00.000Z');
    const { token: genuine } = await linkOf(episodeId);
    const [payload, mac] = genuine.split('.');
    // the same claims with a later expiry, signed with a guessed key
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const extended = Buffer.from(JSON.stringify({ ...claims, x: '2030-01-01T00:00:00.000Z' })).toString('base64url');
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [`${extended}.${mac}`, `${payload}.${flipped}`, 'garbage', `${payload}.`, 'a.b.c', `${'x'.repeat(5000)}.${mac}`, '%00', '%ED%A0%80']) {
      for (const method of ['GET', 'POST']) {
        const r = await anonymous(method, `/surveys/${forged}`, method === 'POST' ? { score: 5 } : undefined);
        // NUL and a lone surrogate in the path may be refused before the route (400) — a 4xx either way
        if (forged.startsWith('%')) expect([400, 403]).toContain(r.status);
        else expect({ forged: forged.slice(0, 20), method, status: r.status }).toEqual({ forged: forged.slice(0, 20), method, status: 403 });
        expect(r.type).toMatch(/application\/problem\+json/);
      }
    }
  });

  it('a link of a resolution that no longer stands (the case was reopened) is 410', async () => {
    const { customerId, episodeId } = await resolvedCase();
    const link = await linkOf(episodeId);
    clock.set('2026-03-04T09:00:00.000Z');
    await platform.eventStore.appendToStream(`episode-${episodeId}`, [
      testEvent(
        'CaseReopened',
        { episodeId, customerId, reason: 'still does not charge', reopenedAt: clock.now().toISOString(), reopenedBy: 'dewi' },
        testMetadata({ actor: { type: 'staff', id: 'dewi', department: 'service' } }),
      ),
    ]);
    expect((await anonymous('GET', link.path)).status).toBe(410);
    expect((await anonymous('POST', link.path, { score: 5 })).status).toBe(410);
    // and staff cannot get a link while it is not resolved
    const r = await call('GET', `/cases/${episodeId}/satisfaction-survey`);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('case-not-resolved');
  });

  it.each([
    ['a score of 6', { score: 6 }, 'score'],
    ['a score of 0', { score: 0 }, 'score'],
    ['a score of 4.5', { score: 4.5 }, 'score'],
    ['a score as a string', { score: '5' }, 'score'],
    ['no score', { comment: 'hi' }, 'score'],
    ['a comment too long', { score: 5, comment: 'x'.repeat(2001) }, 'comment'],
    ['a comment with \\u0000', { score: 5, comment: 'a\u0000b' }, 'comment'],
    ['a comment with a lone surrogate', { score: 5, comment: 'a\ud800' }, 'comment'],
    ['a comment that is an array', { score: 5, comment: ['a'] }, 'comment'],
    ['an unknown field', { score: 5, stars: 5 }, 'stars'],
  ])('an answer with %s → 400 naming the field', async (_, body, field) => {
    const { episodeId } = await resolvedCase();
    const link = await linkOf(episodeId);
    const r = await anonymous('POST', link.path, body);
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/application\/problem\+json/);
    expect(fields(r.body)).toContain(field);
    // nothing recorded: a good answer still goes through
    expect((await anonymous('POST', link.path, { score: 5 })).status).toBe(201);
  });

  it('an answer that is not JSON is 415', async () => {
    const { episodeId } = await resolvedCase();
    const link = await linkOf(episodeId);
    expect((await anonymous('POST', link.path, 'score=5', 'text/plain')).status).toBe(415);
  });

  describe('GET /cases/{id}/satisfaction-survey', () => {
    it('an open case is 422; an unknown or non-UUID id 404/400; an opportunity 404', async () => {
      clock.set('2026-03-02T08:00:00.000Z');
      const customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Sari' })).id;
      const open = (await commands.episodes.open(agent, 'case', { customerId, name: 'Open still', channel: 'email' })).id;
      expect((await call('GET', `/cases/${open}/satisfaction-survey`)).status).toBe(422);
      expect((await call('GET', `/cases/${randomUUID()}/satisfaction-survey`)).status).toBe(404);
      const bad = await call('GET', '/cases/not-a-uuid/satisfaction-survey');
      expect(bad.status).toBe(400);
      expect(fields(bad.body)).toEqual(['id']);
      const sales: Principal = { kind: 'staff', subject: 'sari', department: 'sales', roles: [] };
      const opportunity = (await commands.episodes.open(sales, 'opportunity', { customerId, name: 'Upsell' })).id;
      expect((await call('GET', `/cases/${opportunity}/satisfaction-survey`)).status).toBe(404);
    });

    it('is for staff of service or management: sales 403, a partner 403, no token 401', async () => {
      const { episodeId } = await resolvedCase();
      expect((await call('GET', `/cases/${episodeId}/satisfaction-survey`, undefined, {}, salesToken)).status).toBe(403);
      expect((await call('GET', `/cases/${episodeId}/satisfaction-survey`, undefined, {}, partnerToken)).status).toBe(403);
      expect((await anonymous('GET', `/cases/${episodeId}/satisfaction-survey`)).status).toBe(401);
    });
  });

  it('the embedded secret is kept under the data folder, readable by its owner only', () => {
    const file = path.join(dataDir, 'keys', 'survey-secret');
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
  });

  it('is in the OpenAPI document; the survey routes are public', async () => {
    const doc = (await anonymous('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/cases/{id}/satisfaction-survey'].get.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '422']));
    expect(Object.keys(doc.paths['/surveys/{token}'].get.responses)).toEqual(expect.arrayContaining(['200', '403', '410']));
    expect(Object.keys(doc.paths['/surveys/{token}'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '403', '409', '410']));
  });
});
