import { crmRegistry } from '@crm/contracts';
import { PostgresEventStore } from '@crm/event-store-postgres';
import { TestClock } from '@crm/kernel';
import { toIntegrationEvent } from '@crm/relay';
import type { StaffPrincipal } from '@crm/service-kit';
import { PgliteSession } from '@crm/sql-clients';
import { createRelationshipCommands, type RelationshipCommands } from '../application/relationship-commands';
import { contractCheckedStore } from '../contract-checked-store';
import { ServiceLevelCommands } from './service-level-commands';

// The write side of service levels accepts exactly what the contracts accept (as
// write-side-contracts.int.spec.ts for the shared commands): every event the policies, calendars and
// the SLA timer's command produce is published and validates against its contract; and the timer's
// command records each notice once, however often it runs.
describe('service-level commands and the event contracts', () => {
  let session: PgliteSession;
  let store: PostgresEventStore;
  let commands: RelationshipCommands;
  let serviceLevels: ServiceLevelCommands;
  const registry = crmRegistry();
  const clock = new TestClock('2026-11-30T08:00:00.000Z');
  const manager: StaffPrincipal = { kind: 'staff', subject: 'mia', department: 'service', roles: ['manager'] };

  beforeAll(async () => {
    session = await PgliteSession.open();
    store = new PostgresEventStore(session.sqlClient());
    await store.migrate();
    const checked = contractCheckedStore(store, registry);
    commands = createRelationshipCommands(checked, { clock });
    serviceLevels = new ServiceLevelCommands(checked, { clock });
  });
  afterAll(async () => {
    await session.close();
  });

  it('every event produced validates against its published contract; each notice is recorded once', async () => {
    await serviceLevels.setCalendar(manager, {
      calendarId: 'jakarta',
      name: 'Jakarta office',
      timeZone: 'Asia/Jakarta',
      hours: {
        mon: [
          { from: '08:00', to: '12:00' },
          { from: '13:00', to: '17:00' },
        ],
        sat: [{ from: '09:00', to: '24:00' }],
      },
      holidays: ['2026-12-25'],
    });
    await serviceLevels.setPolicies(manager, {
      policies: [
        {
          policyId: 'phone-urgent',
          priority: 'urgent',
          channel: 'phone',
          calendarId: 'jakarta',
          firstResponseMinutes: 5,
          nextResponseMinutes: 10,
          resolutionMinutes: 60,
          warningPercent: 50,
        },
        { policyId: 'any', calendarId: '24x7', firstResponseMinutes: 10, nextResponseMinutes: 10, resolutionMinutes: 20, warningPercent: 80 },
      ],
      escalations: [
        { ruleId: 'to-seniors', metric: 'first-response', action: 'reassign', team: 'seniors' },
        { ruleId: 'tell-lead', metric: 'resolution', tier: 'bronze', action: 'notify', notify: 'lead@example.com' },
      ],
    });
    await expect(
      serviceLevels.setPolicies(manager, {
        policies: [{ policyId: 'x', calendarId: 'nowhere', firstResponseMinutes: 1, nextResponseMinutes: 1, resolutionMinutes: 1, warningPercent: 50 }],
        escalations: [],
      }),
    ).rejects.toMatchObject({ name: 'DomainRuleViolation' });

    const customer = await commands.customers.register(manager, { kind: 'person', name: 'Dewi' });
    const opened = await commands.episodes.open(manager, 'case', { customerId: customer.id, name: 'No signal', channel: 'email' });
    clock.set('2026-11-30T08:30:00.000Z');
    const first = await serviceLevels.recordDue(opened.id);
    expect(first.events.map((e) => `${e.type}/${(e.data as { metric: string }).metric}`)).toEqual([
      'CaseSlaWarning/first-response',
      'CaseSlaBreached/first-response',
      'CaseEscalated/first-response',
      'CaseSlaWarning/resolution',
      'CaseSlaBreached/resolution',
      'CaseEscalated/resolution',
    ]);
    expect((await serviceLevels.recordDue(opened.id)).appended).toBe(false);
    expect(await store.readStream(`caseservicelevel-${opened.id}`)).toHaveLength(6);

    // The executor's acts: once per escalation, whoever records it and however often; the escalation's
    // fields come from the stream; one the case never had is refused; the timer still records nothing new.
    const toSeniors = { episodeId: opened.id, ruleId: 'to-seniors', metric: 'first-response', cycle: 0 };
    const tellLead = { episodeId: opened.id, ruleId: 'tell-lead', metric: 'resolution', cycle: 0 };
    expect(await serviceLevels.escalationActed(toSeniors)).toBe(false);
    clock.set('2026-11-30T08:31:00.000Z');
    const [reassigned, again] = await Promise.all([
      serviceLevels.recordEscalationActed(toSeniors, { outcome: 'reassigned' }),
      serviceLevels.recordEscalationActed(toSeniors, { outcome: 'reassigned' }),
    ]);
    expect([reassigned.appended, again.appended].filter(Boolean)).toHaveLength(1);
    expect((await serviceLevels.recordEscalationActed(toSeniors, { outcome: 'failed', detail: 'late retry' })).appended).toBe(false);
    expect(await serviceLevels.escalationActed(toSeniors)).toBe(true);
    expect(await serviceLevels.escalationActed(tellLead)).toBe(false);
    await serviceLevels.recordEscalationActed(tellLead, { outcome: 'failed', detail: 'Error: smtp down' });
    await expect(serviceLevels.recordEscalationActed({ ...toSeniors, ruleId: 'never' }, { outcome: 'skipped' })).rejects.toMatchObject({
      name: 'DomainRuleViolation',
    });
    const acts = (await store.readStream(`caseservicelevel-${opened.id}`)).filter((e) => e.type === 'CaseEscalationActed');
    expect(acts.map((e) => [e.data, e.metadata.actor])).toEqual([
      [
        {
          episodeId: opened.id,
          customerId: customer.id,
          ruleId: 'to-seniors',
          metric: 'first-response',
          cycle: 0,
          action: 'reassign',
          team: 'seniors',
          outcome: 'reassigned',
          at: '2026-11-30T08:31:00.000Z',
        },
        { type: 'system', id: 'sla-escalation' },
      ],
      [
        expect.objectContaining({ ruleId: 'tell-lead', action: 'notify', notify: 'lead@example.com', outcome: 'failed', detail: 'Error: smtp down' }),
        expect.anything(),
      ],
    ]);
    expect((await serviceLevels.recordDue(opened.id)).appended).toBe(false);

    const stored = await store.readAll({ maxCount: 10_000 });
    const published = stored.map(toIntegrationEvent).filter((e) => e !== undefined && registry.has(e.type, e.schemaversion));
    const seen = new Set(published.map((e) => e!.type));
    for (const type of ['ServiceLevelPoliciesSet', 'BusinessCalendarSet', 'CaseSlaWarning', 'CaseSlaBreached', 'CaseEscalated', 'CaseEscalationActed'])
      expect(seen).toContain(type);
    for (const event of published) expect(() => registry.validate(event)).not.toThrow();
  });
});
