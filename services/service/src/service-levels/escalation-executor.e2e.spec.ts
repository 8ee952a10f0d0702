import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@crm/config';
import { crmRegistry } from '@crm/contracts';
import { TestClock } from '@crm/kernel';
import { createPlatform } from '@crm/platform';
import { ProjectionRunner } from '@crm/projections';
import { createRelationshipCommands, READ_MODELS, readModelGroupOf, type ReadModelRunners } from '@crm/relationship-api';
import { toIntegrationEvent } from '@crm/relay';
import { TokenMint, type Principal } from '@crm/service-kit';
import { httpCaller } from '@crm/service-kit/testing';
import { EMAIL_SENDER, type EmailSender } from '../channels/email/email-sender';
import { readModels as serviceReadModels } from '../read-models';
import { createCustomerServiceApp, CustomerServiceConfig } from '../service';
import { EscalationExecutorService } from './escalation-executor.service';
import { SlaTimerService } from './sla-timer.service';

const agent: Principal = { kind: 'staff', subject: 'dewi', department: 'service', roles: ['agent'] };
const manager: Principal = { kind: 'staff', subject: 'mia', department: 'service', roles: ['manager'] };
const lead: Principal = { kind: 'staff', subject: 'lena', department: 'service', roles: ['team-lead'] };

const serviceConfig = (dataDir: string) =>
  loadConfig(CustomerServiceConfig, { CRM_DATA_DIR: dataDir, CRM_SLA_TIMER_INTERVAL_MS: '3600000', CRM_ESCALATION_INTERVAL_MS: '0' });

/** The service on an embedded platform in `dataDir` (kept across stops), timers only on tick(). */
async function startService(dataDir: string, clock: TestClock) {
  const config = serviceConfig(dataDir);
  const platform = await createPlatform(config, { registry: crmRegistry(), clientId: 'test' });
  const app = await createCustomerServiceApp(config, platform, { embedded: true, clock });
  const base = await app.listen(0);
  const mint = app.app.get(TokenMint);
  const tokens = { agent: await mint.mint(agent), manager: await mint.mint(manager), lead: await mint.mint(lead) };
  return {
    platform,
    call: httpCaller(
      () => base,
      () => tokens.agent,
    ),
    tokens,
    timer: app.app.get(SlaTimerService).timer,
    executor: app.app.get(EscalationExecutorService).executor,
    /** The sender the executor mails through (logs without CRM_SMTP_URL): spied on to count mails. */
    sender: app.app.get<EmailSender>(EMAIL_SENDER),
    readModels: app.app.get<ReadModelRunners>(READ_MODELS),
    async stop() {
      await app.close();
      await platform.close();
    },
  };
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const T0 = '2026-11-30T08:00:00.000Z';
const plus = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

const POLICIES = {
  policies: [
    {
      policyId: 'platinum',
      tier: 'platinum',
      calendarId: '24x7',
      firstResponseMinutes: 10,
      nextResponseMinutes: 10,
      resolutionMinutes: 120,
      warningPercent: 80,
    },
  ],
  escalations: [
    { ruleId: 'platinum-to-seniors', metric: 'first-response', tier: 'platinum', action: 'reassign', team: 'seniors' },
    { ruleId: 'tell-the-lead', metric: 'first-response', tier: 'platinum', action: 'notify', notify: 'service-lead' },
  ],
};

// SLA escalations that act (issue 12 §4), over HTTP on a test clock: the breach records CaseEscalated,
// the executor's tick moves the case to the rule's team (GET /cases/{id}), and a restarted service
// does nothing twice; a user id without CRM_ESCALATION_NOTIFY_DOMAIN is settled as not deliverable.
describe('SLA escalation executor (embedded)', () => {
  const clock = new TestClock(T0);
  let dataDir: string;
  let svc: Awaited<ReturnType<typeof startService>>;

  const inbox = (episodeId: string) =>
    svc.readModels.dataSource.query(`SELECT rule_id, outcome, detail, settled_at FROM service.sla_escalation_inbox WHERE episode_id = $1 ORDER BY rule_id`, [
      episodeId,
    ]) as Promise<{ rule_id: string; outcome: string | null; detail: string | null; settled_at: Date | null }[]>;
  /** The inbox rows of the case once the projection has applied every act (CaseEscalationActed) the executor recorded. */
  const settledInbox = (episodeId: string, rows: number) =>
    eventually(
      () => inbox(episodeId),
      (r) => r.length === rows && r.every((x) => x.settled_at !== null),
    );

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-escalation-'));
    svc = await startService(dataDir, clock);
  });
  afterAll(async () => {
    await svc?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a breach moves the case to the rule team once, across a restart; the lead without a mail domain is logged, not retried', async () => {
    expect((await svc.call('PUT', '/service-levels/policies', POLICIES, {}, svc.tokens.manager)).status).toBe(200);
    const commands = createRelationshipCommands(svc.platform.eventStore, { clock });
    const customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Platinum Pt' })).id;
    await svc.platform.eventStore.appendToStream(
      `customervalue-${customerId}`,
      [
        {
          id: randomUUID(),
          type: 'CustomerValueTierChanged',
          data: { customerId, tier: 'platinum', clv: 100000, rank: 1, customers: 10, reportingCurrency: 'EUR', modelFittedAt: T0, assignedAt: T0 },
          metadata: { correlationId: 'tier', causationId: 'tier', occurredAt: T0, actor: { type: 'system', id: 'analytics' } },
        },
      ],
      { expectedRevision: 'any' },
    );
    const opened = await svc.call('POST', '/cases', { customerId, name: 'Router drops the line', channel: 'phone' });
    expect(opened.status).toBe(201);
    const caseId = String(opened.body.episodeId);
    await eventually(
      () => svc.call('GET', `/cases/${caseId}/service-levels`).then((r) => r.body as { policyId?: string }),
      (b) => b.policyId === 'platinum',
    );

    // Before the breach nothing is escalated: the executor finds nothing.
    expect((await svc.executor.tick()).settled).toEqual([]);
    clock.set(plus(11));
    await eventually(
      async () => {
        await svc.timer.tick();
        return inbox(caseId);
      },
      (rows) => rows.length === 2,
    );
    expect((await svc.call('GET', `/cases/${caseId}`)).body.team).toBeNull();

    const tick = await svc.executor.tick();
    expect(tick.settled.filter((s) => s.key.startsWith(caseId)).map((s) => s.outcome)).toEqual(expect.arrayContaining(['reassigned', 'undeliverable']));
    const after = (await svc.call('GET', `/cases/${caseId}`)).body;
    expect(after).toMatchObject({ team: 'seniors', status: 'new', assigneeId: null });
    // Settled by the recorded acts (CaseEscalationActed on the case's service-level stream), not by the executor.
    expect((await settledInbox(caseId, 2)).map((r) => [r.rule_id, r.outcome])).toEqual([
      ['platinum-to-seniors', 'reassigned'],
      ['tell-the-lead', 'undeliverable'],
    ]);
    const acts = (await svc.platform.eventStore.readStream(`caseservicelevel-${caseId}`)).filter((e) => e.type === 'CaseEscalationActed');
    expect(acts.map((e) => [(e.data as { ruleId: string }).ruleId, (e.data as { outcome: string }).outcome, e.metadata.actor])).toEqual([
      ['platinum-to-seniors', 'reassigned', { type: 'system', id: 'sla-escalation' }],
      ['tell-the-lead', 'undeliverable', { type: 'system', id: 'sla-escalation' }],
    ]);
    // The router's queue of the new team has it (it offers it to that team's agents).
    const queued = await eventually(
      async () =>
        (await svc.call('GET', '/routing/queue?team=seniors', undefined, {}, svc.tokens.manager)).body as { items?: { caseId?: string; episodeId?: string }[] },
      (b) => (b.items ?? []).some((i) => (i.caseId ?? i.episodeId) === caseId),
    );
    expect((queued.items ?? []).some((i) => (i.caseId ?? i.episodeId) === caseId)).toBe(true);

    const changes = async () => (await svc.platform.eventStore.readStream(`episode-${caseId}`)).filter((e) => e.type === 'CaseDetailsChanged');
    expect((await changes()).map((e) => [e.data, e.metadata.actor])).toEqual([
      [expect.objectContaining({ team: 'seniors', changedBy: 'sla-escalation' }), { type: 'system', id: 'sla-escalation' }],
    ]);

    // A restart: the new app's executor finds the escalations settled and does nothing twice.
    await svc.stop();
    svc = await startService(dataDir, clock);
    expect((await svc.executor.tick()).settled).toEqual([]);
    expect(await changes()).toHaveLength(1);
  });

  it('a case resolved between the breach and the tick: nothing, recorded skipped with why', async () => {
    clock.set(plus(20));
    const commands = createRelationshipCommands(svc.platform.eventStore, { clock });
    const customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Quick Fix' })).id;
    await svc.platform.eventStore.appendToStream(
      `customervalue-${customerId}`,
      [
        {
          id: randomUUID(),
          type: 'CustomerValueTierChanged',
          data: { customerId, tier: 'platinum', clv: 100000, rank: 1, customers: 10, reportingCurrency: 'EUR', modelFittedAt: T0, assignedAt: T0 },
          metadata: { correlationId: 'tier', causationId: 'tier', occurredAt: T0, actor: { type: 'system', id: 'analytics' } },
        },
      ],
      { expectedRevision: 'any' },
    );
    const caseId = String((await svc.call('POST', '/cases', { customerId, name: 'Fixed already', channel: 'phone' })).body.episodeId);
    await eventually(
      () => svc.call('GET', `/cases/${caseId}/service-levels`).then((r) => r.body as { policyId?: string }),
      (b) => b.policyId === 'platinum',
    );
    clock.set(plus(31));
    await eventually(
      async () => {
        await svc.timer.tick();
        return inbox(caseId);
      },
      (rows) => rows.length === 2,
    );
    expect((await svc.call('POST', `/cases/${caseId}/resolve`, { outcome: 'resolved', reason: 'replaced the cable' })).status).toBe(200);
    await svc.executor.tick();
    expect((await settledInbox(caseId, 2)).map((r) => [r.rule_id, r.outcome, r.detail])).toEqual([
      ['platinum-to-seniors', 'skipped', 'case resolved'],
      ['tell-the-lead', 'skipped', 'case resolved'],
    ]);
    expect((await svc.call('GET', `/cases/${caseId}`)).body.team).toBeNull();
  });
  it('a case an agent holds: the escalation moves it to the rule team and takes it from the agent; the router offers it to that team', async () => {
    clock.set(plus(40));
    const commands = createRelationshipCommands(svc.platform.eventStore, { clock });
    const customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Held Case Pt' })).id;
    await svc.platform.eventStore.appendToStream(
      `customervalue-${customerId}`,
      [
        {
          id: randomUUID(),
          type: 'CustomerValueTierChanged',
          data: { customerId, tier: 'platinum', clv: 100000, rank: 1, customers: 10, reportingCurrency: 'EUR', modelFittedAt: T0, assignedAt: T0 },
          metadata: { correlationId: 'tier', causationId: 'tier', occurredAt: T0, actor: { type: 'system', id: 'analytics' } },
        },
      ],
      { expectedRevision: 'any' },
    );
    // dewi (team phones) holds the case; sari (team seniors) is available and has room.
    const agentProfile = (name: string, team: string) => ({ name, teams: [team], skills: [], capacity: 5, active: true });
    expect((await svc.call('PUT', '/agents/dewi', agentProfile('Dewi', 'phones'), {}, svc.tokens.lead)).status).toBe(200);
    expect((await svc.call('PUT', '/agents/sari', agentProfile('Sari', 'seniors'), {}, svc.tokens.lead)).status).toBe(200);
    const caseId = String((await svc.call('POST', '/cases', { customerId, name: 'Line drops at night', channel: 'phone', team: 'phones' })).body.episodeId);
    const held = await svc.call('POST', `/cases/${caseId}/assignment`, { agentId: 'dewi', reason: 'took the call' });
    expect(held.body).toMatchObject({ status: 'assigned', assigneeId: 'dewi', team: 'phones' });
    const dewi = () => svc.call('GET', '/agents/dewi').then((r) => r.body as { openCases?: number });
    expect((await eventually(dewi, (a) => a.openCases === 1)).openCases).toBe(1);
    await eventually(
      () => svc.call('GET', `/cases/${caseId}/service-levels`).then((r) => r.body as { policyId?: string }),
      (b) => b.policyId === 'platinum',
    );
    // (sari becomes available only now: the router offers nothing of this case while dewi holds it)
    expect((await svc.call('POST', '/agents/sari/presence', { presence: 'available' }, {}, svc.tokens.lead)).status).toBe(200);

    clock.set(plus(51));
    await eventually(
      async () => {
        await svc.timer.tick();
        return inbox(caseId);
      },
      (rows) => rows.length === 2,
    );
    const tick = await svc.executor.tick();
    expect(tick.settled.filter((s) => s.key.startsWith(caseId)).map((s) => s.outcome)).toEqual(expect.arrayContaining(['reassigned']));

    const after = await svc.call('GET', `/cases/${caseId}`);
    expect(after.body).toMatchObject({ team: 'seniors', status: 'new', assigneeId: null });
    expect(after.body.unassignments).toEqual([
      {
        previousAgentId: 'dewi',
        team: 'seniors',
        reason: expect.stringContaining('platinum-to-seniors'),
        unassignedAt: plus(51),
        unassignedBy: 'sla-escalation',
      },
    ]);
    const stream = await svc.platform.eventStore.readStream(`episode-${caseId}`);
    expect(stream.slice(-3).map((e) => [e.type, e.metadata.actor])).toEqual([
      ['CaseDetailsChanged', { type: 'system', id: 'sla-escalation' }],
      ['CaseUnassigned', { type: 'system', id: 'sla-escalation' }],
      ['CaseStatusChanged', { type: 'system', id: 'sla-escalation' }],
    ]);
    // Off dewi's load; the router (ticking on its own) offers it to the seniors' agent.
    expect((await eventually(dewi, (a) => a.openCases === 0)).openCases).toBe(0);
    const offers = async () =>
      (await svc.platform.eventStore.readStream(`caserouting-${caseId}`))
        .filter((e) => e.type === 'CaseOffered')
        .map((e) => (e.data as { agentId: string }).agentId);
    expect(await eventually(offers, (o) => o.length > 0)).toEqual(['sari']);

    // The escalation acting again (a crash between acting and settling), after the seniors' agent took
    // the case: it is in seniors already, so sari keeps it and nothing is recorded.
    const taken = await svc.call('POST', `/cases/${caseId}/assignment`, { agentId: 'sari', reason: 'took the offer' }, {}, svc.tokens.lead);
    expect(taken.body).toMatchObject({ assigneeId: 'sari', team: 'seniors' });
    await svc.executor['cases'].moveToTeam(caseId, 'seniors', 'SLA escalation rule platinum-to-seniors: first-response (cycle 0) breached');
    const again = await svc.call('GET', `/cases/${caseId}`);
    expect(again.body).toMatchObject({ assigneeId: 'sari', team: 'seniors', status: 'assigned', revision: taken.body.revision });
  });
  it('after the executor mailed, a rebuild of the inbox from the events and a tick send no second mail', async () => {
    const withMail = {
      ...POLICIES,
      escalations: [
        ...POLICIES.escalations,
        { ruleId: 'mail-the-desk', metric: 'first-response', tier: 'platinum', action: 'notify', notify: 'desk@corp.test' },
      ],
    };
    expect((await svc.call('PUT', '/service-levels/policies', withMail, {}, svc.tokens.manager)).status).toBe(200);
    clock.set(plus(60));
    const commands = createRelationshipCommands(svc.platform.eventStore, { clock });
    const customerId = (await commands.customers.register(agent, { kind: 'person', name: 'Mail Desk' })).id;
    await svc.platform.eventStore.appendToStream(
      `customervalue-${customerId}`,
      [
        {
          id: randomUUID(),
          type: 'CustomerValueTierChanged',
          data: { customerId, tier: 'platinum', clv: 100000, rank: 1, customers: 10, reportingCurrency: 'EUR', modelFittedAt: T0, assignedAt: T0 },
          metadata: { correlationId: 'tier', causationId: 'tier', occurredAt: T0, actor: { type: 'system', id: 'analytics' } },
        },
      ],
      { expectedRevision: 'any' },
    );
    const caseId = String((await svc.call('POST', '/cases', { customerId, name: 'No dial tone', channel: 'phone' })).body.episodeId);
    await eventually(
      () => svc.call('GET', `/cases/${caseId}/service-levels`).then((r) => r.body as { policyId?: string }),
      (b) => b.policyId === 'platinum',
    );
    clock.set(plus(71));
    await eventually(
      async () => {
        await svc.timer.tick();
        return inbox(caseId);
      },
      (rows) => rows.length === 3,
    );
    const sent = jest.spyOn(svc.sender, 'send');
    const tick = await svc.executor.tick();
    expect(tick.settled.filter((s) => s.key.startsWith(caseId)).map((s) => s.outcome)).toEqual(
      expect.arrayContaining(['reassigned', 'undeliverable', 'notified']),
    );
    expect(sent).toHaveBeenCalledTimes(1);
    expect(sent.mock.calls[0][0]).toMatchObject({ to: 'desk@corp.test', subject: `SLA breached: case ${caseId} (first-response)` });
    await settledInbox(caseId, 3);

    // Rebuild the inbox as the rebuild CLI does (service stopped, read-models.ts, from position zero):
    // every CaseEscalated comes back, and so does every CaseEscalationActed that settles it.
    await svc.stop();
    const platform = await createPlatform(serviceConfig(dataDir), { registry: crmRegistry(), clientId: 'rebuild' });
    try {
      const model = serviceReadModels.find((m) => m.projection.name === 'service-sla-escalation-inbox')!;
      const ds = await platform.createDataSource([...model.projection.entities] as Function[], { schema: model.schema });
      const runner = new ProjectionRunner(ds, model.projection, { schema: platform.config.CRM_PLATFORM_SCHEMA, group: readModelGroupOf('service') });
      await runner.migrate();
      const stored = (await platform.eventStore.readAll({ maxCount: 100_000 })).filter((e) => e.type === 'CaseEscalated' || e.type === 'CaseEscalationActed');
      expect(await runner.rebuild(platform.eventStore, crmRegistry(), toIntegrationEvent)).toBe(stored.length);
    } finally {
      await platform.close();
    }

    svc = await startService(dataDir, clock);
    const resent = jest.spyOn(svc.sender, 'send');
    const changes = async () => (await svc.platform.eventStore.readStream(`episode-${caseId}`)).filter((e) => e.type === 'CaseDetailsChanged');
    expect((await svc.executor.tick()).settled).toEqual([]);
    expect(resent).not.toHaveBeenCalled();
    expect(await changes()).toHaveLength(1);
    expect((await inbox(caseId)).map((r) => [r.rule_id, r.outcome, r.settled_at !== null])).toEqual([
      ['mail-the-desk', 'notified', true],
      ['platinum-to-seniors', 'reassigned', true],
      ['tell-the-lead', 'undeliverable', true],
    ]);
    // Nothing pending anywhere after the rebuild: every escalation of the earlier cases is settled too.
    expect(await svc.readModels.dataSource.query(`SELECT key FROM service.sla_escalation_inbox WHERE settled_at IS NULL`)).toEqual([]);
  });
});
