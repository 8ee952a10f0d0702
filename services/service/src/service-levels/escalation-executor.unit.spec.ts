import { TestClock } from '@crm/kernel';
import { InMemoryEmailSender } from '../channels/email/email-sender';
import { EscalationExecutor, recipient, type EscalationAct, type EscalationCases, type EscalationInbox, type PendingEscalation } from './escalation-executor';

// The executor with its inbox, the store's acts and the case faked: each escalation acted on once
// and its act recorded; a restart (a new executor on the same inbox) does nothing twice, and neither
// does an inbox that has not applied the recorded act yet (or was rebuilt before it).
const escalation = (over: Partial<PendingEscalation>): PendingEscalation => ({
  key: 'c1/r1/first-response/0',
  episodeId: 'c1',
  customerId: 'cust-1',
  ruleId: 'r1',
  metric: 'first-response',
  cycle: 0,
  action: 'reassign',
  team: 'tier-2',
  escalatedAt: '2026-11-30T09:00:00.000Z',
  dueAt: '2026-11-30T09:00:00.000Z',
  attempts: 0,
  ...over,
});

function fakes(rows: PendingEscalation[], statuses: Record<string, string | undefined> = {}) {
  /** The acts on the store (`CaseEscalationActed`), once per escalation. */
  const recorded = new Map<string, EscalationAct>();
  /** What the inbox projection has applied of them: `lagging` keeps it from applying any. */
  const settled = new Map<string, EscalationAct>();
  const store = { lagging: false, down: 0, recordCalls: 0 };
  const inbox: EscalationInbox = {
    async pending(limit) {
      return rows.filter((r) => !settled.has(r.key)).slice(0, limit);
    },
    async acted(e) {
      return recorded.has(e.key);
    },
    async record(e, act) {
      store.recordCalls++;
      if (store.down > 0) {
        store.down--;
        throw new Error('store down');
      }
      if (!recorded.has(e.key)) recorded.set(e.key, act);
      if (!store.lagging) settled.set(e.key, recorded.get(e.key)!);
    },
    async failed(key) {
      rows.find((r) => r.key === key)!.attempts++;
    },
  };
  const teams = new Map<string, string>();
  const moves: { episodeId: string; team: string; reason: string }[] = [];
  const cases: EscalationCases = {
    async status(id) {
      return id in statuses ? statuses[id] : 'in-progress';
    },
    async moveToTeam(episodeId, team, reason) {
      if (teams.get(episodeId) !== team) moves.push({ episodeId, team, reason });
      teams.set(episodeId, team);
    },
  };
  return { inbox, cases, settled, recorded, store, moves };
}

describe('SLA escalation executor', () => {
  const clock = new TestClock('2026-11-30T09:25:00.000Z');
  const logs: string[] = [];
  const logger = { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m) };

  it('reassign: moves the case to the rule team with a reason naming rule, metric and cycle; a restarted executor does nothing twice', async () => {
    const f = fakes([escalation({})]);
    const sender = new InMemoryEmailSender();
    const tick = await new EscalationExecutor(f.inbox, f.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test', logger }).tick();
    expect(tick.settled).toEqual([{ key: 'c1/r1/first-response/0', outcome: 'reassigned' }]);
    expect(f.recorded.get('c1/r1/first-response/0')).toEqual({ outcome: 'reassigned' });
    expect(f.moves).toEqual([{ episodeId: 'c1', team: 'tier-2', reason: 'SLA escalation rule r1: first-response (cycle 0) breached' }]);
    const again = await new EscalationExecutor(f.inbox, f.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test', logger }).tick();
    expect(again.settled).toEqual([]);
    expect(f.moves).toHaveLength(1);
    expect(sender.sent).toEqual([]);
  });

  it('acts only while it holds the lease: another instance holding it, nothing is moved or mailed', async () => {
    let held = false;
    const f = fakes([escalation({})]);
    const sender = new InMemoryEmailSender();
    const lease = { hold: async () => held, release: async () => undefined };
    const executor = new EscalationExecutor(f.inbox, f.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test', logger, lease });
    expect((await executor.tick()).settled).toEqual([]);
    expect(f.moves).toEqual([]);
    held = true;
    expect((await executor.tick()).settled).toHaveLength(1);
  });

  it('notify: mails the address with case, customer, metric, lateness and the link; deterministic Message-ID', async () => {
    const row = escalation({
      key: 'c1/r2/resolution/1',
      ruleId: 'r2',
      metric: 'resolution',
      cycle: 1,
      action: 'notify',
      team: undefined,
      notify: 'lead@corp.test',
    });
    const f = fakes([row]);
    const sender = new InMemoryEmailSender();
    await new EscalationExecutor(f.inbox, f.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test' }).tick();
    expect(sender.sent).toHaveLength(1);
    const [mail] = sender.sent;
    expect(mail.to).toBe('lead@corp.test');
    expect(mail.subject).toBe('SLA breached: case c1 (resolution)');
    expect(mail.text).toContain('customer cust-1');
    expect(mail.text).toContain('25 minutes past its target');
    expect(mail.text).toContain('/cases/c1');
    expect(mail.messageId).toMatch(/^<sla-escalation-[0-9a-f]{32}@crm\.test>$/);
    expect(f.recorded.get(row.key)).toEqual({ outcome: 'notified' });
    // A crash between sending and recording: acting again sends the same message (same Message-ID).
    const g = fakes([{ ...row }]);
    await new EscalationExecutor(g.inbox, g.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test' }).tick();
    expect(sender.sent[1].messageId).toBe(mail.messageId);
  });

  it('notify a user id: at the domain setting; without it settled undeliverable and logged, not retried', async () => {
    const row = escalation({ action: 'notify', team: undefined, notify: 'service-lead' });
    const withDomain = fakes([{ ...row }]);
    const sender = new InMemoryEmailSender();
    await new EscalationExecutor(withDomain.inbox, withDomain.cases, sender, clock, {
      intervalMs: 0,
      from: 'service@crm.test',
      notifyDomain: 'example.com',
    }).tick();
    expect(sender.sent.map((m) => m.to)).toEqual(['service-lead@example.com']);

    const without = fakes([{ ...row }]);
    const quiet = new InMemoryEmailSender();
    logs.length = 0;
    const executor = new EscalationExecutor(without.inbox, without.cases, quiet, clock, { intervalMs: 0, from: 'service@crm.test', logger });
    expect((await executor.tick()).settled).toEqual([
      { key: row.key, outcome: 'undeliverable', detail: 'a user id, and CRM_ESCALATION_NOTIFY_DOMAIN is not set' },
    ]);
    expect((await executor.tick()).settled).toEqual([]);
    expect(quiet.sent).toEqual([]);
    expect(logs.filter((l) => l.includes('not deliverable'))).toHaveLength(1);
  });

  it('a resolved, closed or missing case: nothing, recorded skipped with why', async () => {
    const f = fakes(
      [
        escalation({ key: 'a', episodeId: 'a' }),
        escalation({ key: 'b', episodeId: 'b', action: 'notify', notify: 'x@y.test' }),
        escalation({ key: 'c', episodeId: 'c' }),
      ],
      { a: 'closed', b: 'resolved', c: undefined },
    );
    const sender = new InMemoryEmailSender();
    const tick = await new EscalationExecutor(f.inbox, f.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test', logger }).tick();
    expect(tick.settled).toEqual([
      { key: 'a', outcome: 'skipped', detail: 'case closed' },
      { key: 'b', outcome: 'skipped', detail: 'case resolved' },
      { key: 'c', outcome: 'skipped', detail: 'case not found' },
    ]);
    expect([...f.recorded.keys()]).toEqual(['a', 'b', 'c']);
    expect(f.moves).toEqual([]);
    expect(sender.sent).toEqual([]);
  });

  it('a failing send stays pending and is tried again; given up (recorded failed) after maxAttempts', async () => {
    const f = fakes([escalation({ action: 'notify', team: undefined, notify: 'x@y.test' })]);
    const sender = new InMemoryEmailSender();
    sender.failures = ['smtp down', 'smtp down', 'smtp down'];
    const executor = new EscalationExecutor(f.inbox, f.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test', maxAttempts: 2, logger });
    expect((await executor.tick()).failed).toEqual([{ key: 'c1/r1/first-response/0', error: 'Error: smtp down' }]);
    expect(f.recorded.size).toBe(0);
    expect((await executor.tick()).settled).toEqual([{ key: 'c1/r1/first-response/0', outcome: 'failed', detail: 'Error: smtp down' }]);
    expect(f.recorded.get('c1/r1/first-response/0')).toEqual({ outcome: 'failed', detail: 'Error: smtp down' });
    expect((await executor.tick()).settled).toEqual([]);
    expect(sender.sent).toEqual([]);
  });

  it('an act recorded on the store but not yet applied by the inbox (behind, or rebuilt): not acted on again, by this or a new executor', async () => {
    const row = escalation({ action: 'notify', team: undefined, notify: 'x@y.test' });
    const f = fakes([row]);
    f.store.lagging = true;
    const sender = new InMemoryEmailSender();
    const options = { intervalMs: 0, from: 'service@crm.test' };
    const executor = new EscalationExecutor(f.inbox, f.cases, sender, clock, options);
    expect((await executor.tick()).settled).toEqual([{ key: row.key, outcome: 'notified' }]);
    // Still pending in the inbox: the store says it was acted on.
    expect((await f.inbox.pending(10)).map((p) => p.key)).toEqual([row.key]);
    expect((await executor.tick()).settled).toEqual([]);
    expect((await new EscalationExecutor(f.inbox, f.cases, sender, clock, options).tick()).settled).toEqual([]);
    expect(sender.sent).toHaveLength(1);
    expect(f.store.recordCalls).toBe(1);
  });

  it('acted but recording failed (the store down): recorded on the next tick without acting again, no attempt counted', async () => {
    const row = escalation({ action: 'notify', team: undefined, notify: 'x@y.test' });
    const f = fakes([row]);
    f.store.down = 2;
    const sender = new InMemoryEmailSender();
    const executor = new EscalationExecutor(f.inbox, f.cases, sender, clock, { intervalMs: 0, from: 'service@crm.test', maxAttempts: 1, logger });
    expect((await executor.tick()).failed).toEqual([{ key: row.key, error: 'Error: store down' }]);
    expect((await executor.tick()).failed).toHaveLength(1);
    expect(row.attempts).toBe(0);
    expect((await executor.tick()).settled).toEqual([{ key: row.key, outcome: 'notified' }]);
    expect(sender.sent).toHaveLength(1);
    expect(f.recorded.get(row.key)).toEqual({ outcome: 'notified' });
  });

  it('recipient: an address as it is, a user id at the domain, anything else nothing', () => {
    expect(recipient('a@b.test', undefined)).toBe('a@b.test');
    expect(recipient('service-lead', 'example.com')).toBe('service-lead@example.com');
    expect(recipient('service-lead', undefined)).toBeUndefined();
    expect(recipient('two words', 'example.com')).toBeUndefined();
  });
});
