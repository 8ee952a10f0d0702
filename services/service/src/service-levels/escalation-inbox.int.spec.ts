import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { EscalationAttemptRow, escalationInbox, escalationInboxProjection, EscalationInboxRow, type EscalationActs } from './escalation-inbox.projection';

const T0 = '2026-11-30T08:10:00.000Z';
const T1 = '2026-11-30T08:11:00.000Z';
const escalated = (episodeId: string, ruleId: string): SpecEvent<never> =>
  ({
    type: 'CaseEscalated',
    time: T0,
    data: { episodeId, customerId: 'cust-1', ruleId, metric: 'first-response', cycle: 0, action: 'reassign', team: 'seniors', at: T0 },
  }) as unknown as SpecEvent<never>;
const acted = (episodeId: string, ruleId: string, outcome = 'reassigned', detail?: string): SpecEvent<never> =>
  ({
    type: 'CaseEscalationActed',
    time: T1,
    data: {
      episodeId,
      customerId: 'cust-1',
      ruleId,
      metric: 'first-response',
      cycle: 0,
      action: 'reassign',
      team: 'seniors',
      outcome,
      ...(detail && { detail }),
      at: T1,
    },
  }) as unknown as SpecEvent<never>;

/** The store's acts, faked: what the inbox records and asks. */
function fakeActs(): EscalationActs & { recorded: string[] } {
  const recorded: string[] = [];
  return {
    recorded,
    async escalationActed(ref) {
      return recorded.includes(`${ref.episodeId}/${ref.ruleId}`);
    },
    async recordEscalationActed(ref, act) {
      recorded.push(`${ref.episodeId}/${ref.ruleId}`, act.outcome);
    },
  };
}

// The executor's inbox over PGlite through the projection runner (each case from empty tables, as a
// rebuild replays the store): pending from CaseEscalated, settled by CaseEscalationActed in either
// order, redeliveries changing nothing — so a rebuild leaves nothing pending that was acted on.
describe('SLA escalation inbox (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: escalationInboxProjection(), registry: crmRegistry() });

  it('given escalations, then each is pending once (a redelivery adds none); failed attempts are counted beside it', async () => {
    const episodeId = randomUUID();
    await given([escalated(episodeId, 'to-seniors'), escalated(episodeId, 'to-seniors'), escalated(episodeId, 'other')])
      .when([])
      .then(async (m) => {
        const acts = fakeActs();
        const inbox = escalationInbox(m, acts, async () => new Date(T0));
        const pending = await inbox.pending(10);
        expect(pending.map((p) => [p.key, p.action, p.team, p.dueAt, p.attempts])).toEqual([
          [`${episodeId}/other/first-response/0`, 'reassign', 'seniors', T0, 0],
          [`${episodeId}/to-seniors/first-response/0`, 'reassign', 'seniors', T0, 0],
        ]);
        await inbox.failed(pending[0].key, 'store down');
        await inbox.failed(pending[0].key, 'still down');
        expect((await inbox.pending(10))[0].attempts).toBe(2);
        expect(await m.getRepository(EscalationAttemptRow).findOneBy({ key: pending[0].key })).toMatchObject({ lastError: 'still down' });
        // Recording goes to the store (not the table): the row stays pending until its event arrives.
        expect(await inbox.acted(pending[1])).toBe(false);
        await inbox.record(pending[1], { outcome: 'reassigned' });
        expect(acts.recorded).toEqual([`${episodeId}/to-seniors`, 'reassigned']);
        expect(await inbox.acted(pending[1])).toBe(true);
        expect(await inbox.pending(10)).toHaveLength(2);
      });
  });

  it('given an escalation, when its act arrives, then it is settled with outcome and detail; redelivering either changes nothing', async () => {
    const episodeId = randomUUID();
    await given([escalated(episodeId, 'to-seniors'), escalated(episodeId, 'other')])
      .when([
        acted(episodeId, 'to-seniors', 'skipped', 'case resolved'),
        escalated(episodeId, 'to-seniors'),
        acted(episodeId, 'to-seniors', 'skipped', 'case resolved'),
      ])
      .then(async (m) => {
        expect((await escalationInbox(m, fakeActs(), async () => null).pending(10)).map((p) => p.ruleId)).toEqual(['other']);
        expect(await m.getRepository(EscalationInboxRow).findOneByOrFail({ key: `${episodeId}/to-seniors/first-response/0` })).toMatchObject({
          escalatedAt: new Date(T0),
          settledAt: new Date(T1),
          outcome: 'skipped',
          detail: 'case resolved',
        });
      });
  });

  it('a rebuild (every CaseEscalated and CaseEscalationActed replayed from empty tables) leaves nothing pending that was acted on', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await given([])
      .when([
        escalated(a, 'to-seniors'),
        escalated(a, 'tell-lead'),
        acted(a, 'to-seniors'),
        acted(a, 'tell-lead', 'failed', 'Error: smtp down'),
        escalated(b, 'to-seniors'),
        acted(b, 'to-seniors', 'skipped', 'case closed'),
      ])
      .then(async (m) => {
        expect(await escalationInbox(m, fakeActs(), async () => null).pending(10)).toEqual([]);
        expect(
          (await m.getRepository(EscalationInboxRow).find({ order: { key: 'ASC' } })).map((r) => [r.ruleId, r.outcome, r.settledAt?.toISOString()]),
        ).toEqual(
          expect.arrayContaining([
            ['to-seniors', 'reassigned', T1],
            ['tell-lead', 'failed', T1],
            ['to-seniors', 'skipped', T1],
          ]),
        );
      });
  });

  it('the act delivered before its escalation (a re-driven event): a settled row, completed by the escalation, never pending', async () => {
    const episodeId = randomUUID();
    await given([acted(episodeId, 'to-seniors')])
      .when([escalated(episodeId, 'to-seniors')])
      .thenRows(EscalationInboxRow, [
        { key: `${episodeId}/to-seniors/first-response/0`, escalatedAt: new Date(T0), settledAt: new Date(T1), outcome: 'reassigned', detail: null },
      ]);
    await given([acted(episodeId, 'to-seniors')])
      .when([])
      .then(async (m) => {
        expect(await escalationInbox(m, fakeActs(), async () => null).pending(10)).toEqual([]);
      });
  });
});
