import type { CaseListEvent } from './case-list.projection';
import { foldCase, type CaseRow } from './case-list.projection';

const ids = { episodeId: 'k1', customerId: 'c1' };
const ev = (type: CaseListEvent['type'], data: Record<string, unknown>) =>
  ({ type, data: { ...ids, ...data }, time: '2026-03-01T12:00:00.000Z' }) as unknown as CaseListEvent;
const opened = ev('EpisodeOpened', {
  name: 'No signal',
  episodeType: 'case',
  owner: { kind: 'department', department: 'service' },
  openedAt: '2026-03-01T09:00:00.000Z',
  channel: 'phone',
});
const fold = (events: CaseListEvent[]) => events.reduce<CaseRow | undefined>((row, e) => foldCase(row, e), undefined);

describe('the cases list: one event on a row', () => {
  it('a case opens new, normal, minor; another kind of episode leaves no row', () => {
    expect(fold([opened])).toMatchObject({ status: 'new', priority: 'normal', priority_rank: 1, severity: 'minor', channel: 'phone', reopen_count: 0 });
    const campaign = ev('EpisodeOpened', {
      name: 'x',
      episodeType: 'campaign',
      owner: { kind: 'department', department: 'marketing' },
      openedAt: '2026-03-01T09:00:00.000Z',
    });
    expect(fold([campaign, ev('EpisodeClosed', { outcome: 'completed', closedAt: '2026-03-02T00:00:00.000Z' })])).toBeUndefined();
  });

  it('an opening delivered again changes nothing', () => {
    const row = fold([opened, ev('CaseDetailsChanged', { priority: 'urgent', changedAt: '2026-03-01T09:01:00.000Z', changedBy: 'b' })]);
    expect(foldCase(row, opened)).toBe(row);
  });

  it('details: null clears, absent keeps; the priority rank follows the priority', () => {
    const row = fold([
      opened,
      ev('CaseDetailsChanged', { priority: 'urgent', team: 'phones', category: 'charging', changedAt: '2026-03-01T09:01:00.000Z', changedBy: 'b' }),
      ev('CaseDetailsChanged', { category: null, changedAt: '2026-03-01T09:02:00.000Z', changedBy: 'b' }),
    ]);
    expect(row).toMatchObject({ priority: 'urgent', priority_rank: 3, team: 'phones', category: null, last_activity_at: '2026-03-01T09:02:00.000Z' });
  });

  it('a case resolved before statuses existed (the closing alone) is resolved; a reopening clears the resolution', () => {
    const resolved = fold([opened, ev('EpisodeClosed', { outcome: 'unresolved', closedAt: '2026-03-01T10:00:00.000Z' })]);
    expect(resolved).toMatchObject({ status: 'resolved', outcome: 'unresolved', resolved_at: '2026-03-01T10:00:00.000Z' });
    const reopened = foldCase(resolved, ev('CaseReopened', { reason: 'again', reopenedAt: '2026-03-01T11:00:00.000Z', reopenedBy: 'b' }));
    expect(reopened).toMatchObject({ status: 'reopened', outcome: null, resolved_at: null, reopen_count: 1, last_activity_at: '2026-03-01T11:00:00.000Z' });
  });

  it('a backdated interaction does not move the last activity back', () => {
    const row = fold([
      opened,
      ev('CaseAssigned', { agentId: 'a', reason: 'r', assignedAt: '2026-03-01T10:00:00.000Z', assignedBy: 'router' }),
      ev('InteractionRecorded', {
        interaction: {
          interactionId: 'i',
          channel: 'phone',
          direction: 'inbound',
          actor: { kind: 'customer', id: 'c1' },
          action: 'x',
          occurredAt: '2026-03-01T09:30:00.000Z',
        },
      }),
    ]);
    expect(row).toMatchObject({ assignee_id: 'a', interactions: 1, last_activity_at: '2026-03-01T10:00:00.000Z' });
  });

  it('an unassignment: no assignee, the team it waits in, new again (with its status change), the activity moves on', () => {
    const row = fold([
      opened,
      ev('CaseAssigned', { agentId: 'a', team: 'phones', reason: 'r', assignedAt: '2026-03-01T10:00:00.000Z', assignedBy: 'router' }),
      ev('CaseStatusChanged', { from: 'new', to: 'assigned', changedAt: '2026-03-01T10:00:00.000Z', changedBy: 'router' }),
      ev('CaseUnassigned', { previousAgentId: 'a', team: 'phones-tier-2', reason: 'sla', unassignedAt: '2026-03-01T11:00:00.000Z', unassignedBy: 'x' }),
      ev('CaseStatusChanged', { from: 'assigned', to: 'new', reason: 'sla', changedAt: '2026-03-01T11:00:00.000Z', changedBy: 'x' }),
    ]);
    expect(row).toMatchObject({ status: 'new', assignee_id: null, team: 'phones-tier-2', last_activity_at: '2026-03-01T11:00:00.000Z' });
    const noTeam = foldCase(row, ev('CaseUnassigned', { previousAgentId: 'a', reason: 'r', unassignedAt: '2026-03-01T12:00:00.000Z', unassignedBy: 'x' }));
    expect(noTeam).toMatchObject({ team: 'phones-tier-2' }); // absent: the team stays
  });

  it('a change of a case the list never saw opened is refused (the runner parks it)', () => {
    expect(() =>
      foldCase(undefined, ev('CaseStatusChanged', { from: 'new', to: 'in-progress', changedAt: '2026-03-01T10:00:00.000Z', changedBy: 'b' })),
    ).toThrow(/not in the cases list/);
  });
});
