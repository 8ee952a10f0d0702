import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { escalationInbox, escalationInboxProjection } from './escalation-inbox.projection';

const T0 = '2026-11-30T08:10:00.000Z';
const escalated = (episodeId: string, ruleId: string): SpecEvent<never> =>
  ({
    type: 'CaseEscalated',
    time: T0,
    data: { episodeId, customerId: 'cust-1', ruleId, metric: 'first-response', cycle: 0, action: 'reassign', team: 'seniors', at: T0 },
  }) as unknown as SpecEvent<never>;

// The executor's inbox over PGlite through the projection runner: one row per escalation (a
// redelivery adds none), pending until settled, and a settled one stays settled when redelivered.
describe('SLA escalation inbox (PGlite)', () => {
  const given = ProjectionSpecification.for({ projection: escalationInboxProjection(), registry: crmRegistry() });

  it('pending once per escalation, settled stays settled across a redelivery', async () => {
    const episodeId = randomUUID();
    await given([escalated(episodeId, 'to-seniors'), escalated(episodeId, 'to-seniors'), escalated(episodeId, 'other')])
      .when([])
      .then(async (m) => {
        const inbox = escalationInbox(m, async () => new Date(T0));
        const pending = await inbox.pending(10);
        expect(pending.map((p) => [p.key, p.action, p.team, p.dueAt, p.attempts])).toEqual([
          [`${episodeId}/other/first-response/0`, 'reassign', 'seniors', T0, 0],
          [`${episodeId}/to-seniors/first-response/0`, 'reassign', 'seniors', T0, 0],
        ]);
        await inbox.failed(pending[0].key, 'store down');
        expect((await inbox.pending(10))[0].attempts).toBe(1);
        await inbox.settle(pending[1].key, 'reassigned to seniors', new Date(T0));
        expect((await inbox.pending(10)).map((p) => p.key)).toEqual([pending[0].key]);
        await escalationInboxProjection().apply(escalated(episodeId, 'to-seniors') as never, m);
        expect((await inbox.pending(10)).map((p) => p.key)).toEqual([pending[0].key]);
      });
  });
});
