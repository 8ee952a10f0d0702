import { DeciderSpecification } from '@crm/kernel/testing';
import { episodeDecider, evolveEpisode, type EpisodeCommand, type EpisodeEvent, type EpisodeOpenedData, type EpisodeState } from './episode';

const given = DeciderSpecification.for(episodeDecider);
const stateOf = (events: EpisodeEvent[]): EpisodeState => events.reduce(evolveEpisode, undefined);

const openedAt = '2026-03-01T09:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(openedAt) + minutes * 60_000).toISOString();
const ids = { episodeId: 'k1', customerId: 'c1' };
const base: EpisodeOpenedData = {
  ...ids,
  name: 'Phone will not charge',
  episodeType: 'case',
  owner: { kind: 'department', department: 'service' },
  openedAt,
  channel: 'phone',
};
const opened: EpisodeEvent[] = [{ type: 'EpisodeOpened', data: base }];
const assign = (agentId: string, at = later(5), team?: string): EpisodeCommand => ({
  type: 'AssignCase',
  data: { episodeId: 'k1', agentId, ...(team !== undefined && { team }), reason: 'skills phones≥3, least loaded', assignedAt: at, assignedBy: 'router' },
});
const status = (to: string, at = later(10), reason?: string): EpisodeCommand => ({
  type: 'ChangeCaseStatus',
  data: { episodeId: 'k1', to: to as never, ...(reason !== undefined && { reason }), changedAt: at, changedBy: 'budi' },
});
const details = (changes: Record<string, unknown>, at = later(3)): EpisodeCommand => ({
  type: 'ChangeCaseDetails',
  data: { episodeId: 'k1', changes, changedAt: at, changedBy: 'budi' },
});
const close = (outcome: 'resolved' | 'unresolved', at = later(60), reason?: string): EpisodeCommand => ({
  type: 'CloseEpisode',
  data: { episodeId: 'k1', outcome, closedAt: at, ...(reason !== undefined && { reason }) },
});
const reopen = (at = later(120), reason = 'still does not charge'): EpisodeCommand => ({
  type: 'ReopenCase',
  data: { episodeId: 'k1', reason, reopenedAt: at, reopenedBy: 'budi' },
});
const moved = (from: string, to: string, changedAt: string, extra: Record<string, unknown> = {}): EpisodeEvent =>
  ({ type: 'CaseStatusChanged', data: { ...ids, from, to, ...extra, changedAt, changedBy: 'budi' } }) as EpisodeEvent;
const assigned = (agentId: string, at = later(5), extra: Record<string, unknown> = {}): EpisodeEvent =>
  ({
    type: 'CaseAssigned',
    data: { ...ids, agentId, ...extra, reason: 'skills phones≥3, least loaded', assignedAt: at, assignedBy: 'router' },
  }) as EpisodeEvent;
const closedEvent = (at = later(60)): EpisodeEvent => ({ type: 'EpisodeClosed', data: { ...ids, outcome: 'resolved', closedAt: at } });
const resolved: EpisodeEvent[] = [...opened, closedEvent()];

describe('case: opening', () => {
  it('a case opens new, with normal priority and minor severity', () => {
    expect(stateOf(opened)?.case).toEqual({
      status: 'new',
      priority: 'normal',
      severity: 'minor',
      statusHistory: [{ status: 'new', enteredAt: openedAt }],
      reopenCount: 0,
    });
    expect(stateOf([{ type: 'EpisodeOpened', data: { ...base, episodeType: 'opportunity' } }])?.case).toBeUndefined();
  });

  it('the details it opens with are recorded in the same append, only what differs from the defaults', () => {
    given([])
      .when({
        type: 'OpenEpisode',
        data: base,
        customerExists: true,
        caseDetails: { changes: { priority: 'high', severity: 'minor', category: 'charging' }, by: 'budi' },
      })
      .then([...opened, { type: 'CaseDetailsChanged', data: { ...ids, priority: 'high', category: 'charging', changedAt: openedAt, changedBy: 'budi' } }]);
    given([])
      .when({ type: 'OpenEpisode', data: base, customerExists: true, caseDetails: { changes: { priority: 'normal' }, by: 'budi' } })
      .then(opened);
  });

  it('only a case opens with case details, and they are checked', () => {
    given([])
      .when({ type: 'OpenEpisode', data: { ...base, episodeType: 'campaign' }, customerExists: true, caseDetails: { changes: { priority: 'high' }, by: 'm' } })
      .thenBreaks('only-for-cases');
    given([])
      .when({ type: 'OpenEpisode', data: base, customerExists: true, caseDetails: { changes: { category: 'Not A Slug' }, by: 'budi' } })
      .thenBreaks('invalid-category');
  });
});

describe('case: details', () => {
  it('records only what changed; nothing when nothing changed', () => {
    given(opened)
      .when(details({ priority: 'urgent', severity: 'minor', team: 'phones', productId: 'p-1' }))
      .then({ type: 'CaseDetailsChanged', data: { ...ids, priority: 'urgent', team: 'phones', productId: 'p-1', changedAt: later(3), changedBy: 'budi' } });
    given(opened)
      .when(details({ priority: 'normal', severity: 'minor', category: null }))
      .then([]);
  });

  it('null clears a category, a product or a team', () => {
    const withTeam: EpisodeEvent[] = [
      ...opened,
      { type: 'CaseDetailsChanged', data: { ...ids, team: 'phones', category: 'charging', changedAt: later(1), changedBy: 'budi' } },
    ];
    given(withTeam)
      .when(details({ team: null, category: 'charging' }))
      .then({ type: 'CaseDetailsChanged', data: { ...ids, team: null, changedAt: later(3), changedBy: 'budi' } });
    const cleared = stateOf([...withTeam, { type: 'CaseDetailsChanged', data: { ...ids, team: null, changedAt: later(3), changedBy: 'budi' } }]);
    expect(cleared?.case?.team).toBeUndefined();
    expect(cleared?.case?.category).toBe('charging');
  });

  it('refuses values outside the vocabulary', () => {
    given(opened)
      .when(details({ priority: 'asap' }))
      .thenBreaks('unknown-priority');
    given(opened)
      .when(details({ severity: 'fatal' }))
      .thenBreaks('unknown-severity');
    given(opened)
      .when(details({ team: 'Phones Team' }))
      .thenBreaks('invalid-team');
    given(opened)
      .when(details({ productId: '  ' }))
      .thenBreaks('invalid-product');
  });

  it('only a case has details, and not once it is resolved', () => {
    given([{ type: 'EpisodeOpened', data: { ...base, episodeType: 'campaign' } }])
      .when(details({ priority: 'high' }))
      .thenBreaks('only-for-cases');
    given(resolved)
      .when(details({ priority: 'high' }))
      .thenBreaks('episode-closed');
  });
});

describe('case: assignment', () => {
  it('a new case assigned to an agent becomes assigned, in the same append', () => {
    given(opened)
      .when(assign('agent-7'))
      .then([assigned('agent-7'), moved('new', 'assigned', later(5), { changedBy: 'router' })].map(byRouter));
  });

  it('assigning to the same agent again records nothing; to another records who had it', () => {
    const once = [...opened, assigned('agent-7'), byRouter(moved('new', 'assigned', later(5)))];
    given(once)
      .when(assign('agent-7', later(6)))
      .then([]);
    given(once)
      .when(assign('agent-9', later(6), 'phones'))
      .then(assigned('agent-9', later(6), { team: 'phones', previousAgentId: 'agent-7' }));
    expect(stateOf([...once, assigned('agent-9', later(6), { team: 'phones', previousAgentId: 'agent-7' })])?.case).toMatchObject({
      assignee: 'agent-9',
      team: 'phones',
      status: 'assigned',
    });
  });

  it('an assignment in progress keeps the status; one of a reopened case makes it assigned', () => {
    const working = [...opened, assigned('agent-7'), byRouter(moved('new', 'assigned', later(5))), moved('assigned', 'in-progress', later(10))];
    given(working)
      .when(assign('agent-9', later(11)))
      .then(assigned('agent-9', later(11), { previousAgentId: 'agent-7' }));
    const reopened = [...resolved, { type: 'CaseReopened', data: { ...ids, reason: 'again', reopenedAt: later(70), reopenedBy: 'budi' } } as EpisodeEvent];
    given(reopened)
      .when(assign('agent-7', later(71)))
      .then([assigned('agent-7', later(71)), byRouter(moved('reopened', 'assigned', later(71)))]);
  });

  it('an assignment says to whom and why, and a resolved case is not assigned', () => {
    given(opened)
      .when({ type: 'AssignCase', data: { episodeId: 'k1', agentId: ' ', reason: 'x', assignedAt: later(1), assignedBy: 'mia' } })
      .thenBreaks('assignment-needs-agent');
    given(opened)
      .when({ type: 'AssignCase', data: { episodeId: 'k1', agentId: 'a', reason: ' ', assignedAt: later(1), assignedBy: 'mia' } })
      .thenBreaks('assignment-needs-reason');
    given(opened)
      .when(assign('agent-7', later(1), 'Bad Team'))
      .thenBreaks('invalid-team');
    given(resolved)
      .when(assign('agent-7', later(61)))
      .thenBreaks('episode-closed');
  });
});

describe('case: the status machine', () => {
  it('moves to in progress and to waiting from any open status; waiting says what for', () => {
    given(opened)
      .when(status('in-progress'))
      .then(moved('new', 'in-progress', later(10)));
    const working = [...opened, moved('new', 'in-progress', later(10))];
    given(working)
      .when(status('waiting-on-customer', later(11), 'the serial number'))
      .then(moved('in-progress', 'waiting-on-customer', later(11), { reason: 'the serial number' }));
    given(working)
      .when(status('waiting-on-partner', later(11)))
      .thenBreaks('status-needs-reason');
    given(working)
      .when(status('waiting-on-customer', later(11), '  '))
      .thenBreaks('status-needs-reason');
    const waiting = [...working, moved('in-progress', 'waiting-on-customer', later(11), { reason: 'serial' })];
    given(waiting)
      .when(status('in-progress', later(12)))
      .then(moved('waiting-on-customer', 'in-progress', later(12)));
    given(waiting)
      .when(status('waiting-on-partner', later(12), 'the repair shop'))
      .then(moved('waiting-on-customer', 'waiting-on-partner', later(12), { reason: 'the repair shop' }));
  });

  it('the same status again records nothing', () => {
    given([...opened, moved('new', 'in-progress', later(10))])
      .when(status('in-progress', later(11)))
      .then([]);
  });

  it('assigned, resolved and reopened each have their own way in; new is only the start', () => {
    given(opened).when(status('assigned')).thenBreaks('assign-to-assign');
    given(opened).when(status('resolved')).thenBreaks('resolve-by-closing');
    given(opened).when(status('reopened')).thenBreaks('reopen-to-reopen');
    given([...opened, moved('new', 'in-progress', later(10))])
      .when(status('new', later(11)))
      .thenBreaks('invalid-status-move');
  });

  it('closing the episode is the move to resolved, resolved or unresolved, with why; no status event besides', () => {
    given(opened)
      .when(close('unresolved', later(60), 'no stock of the part'))
      .then([{ type: 'EpisodeClosed', data: { ...ids, outcome: 'unresolved', closedAt: later(60), reason: 'no stock of the part' } }]);
    const state = stateOf([...opened, { type: 'EpisodeClosed', data: { ...ids, outcome: 'unresolved', closedAt: later(60), reason: 'no stock of the part' } }]);
    expect(state?.case?.status).toBe('resolved');
    expect(state?.case?.statusHistory.at(-1)).toEqual({ status: 'resolved', enteredAt: later(60), from: 'new', reason: 'no stock of the part' });
  });

  it('closed only from resolved, and nothing happens to a closed case', () => {
    given(opened).when(status('closed')).thenBreaks('close-only-resolved');
    given(resolved)
      .when(status('closed', later(61)))
      .then(moved('resolved', 'closed', later(61)));
    given(resolved)
      .when(status('in-progress', later(61)))
      .thenBreaks('invalid-status-move');
    const closed = [...resolved, moved('resolved', 'closed', later(61))];
    given(closed)
      .when(status('in-progress', later(62)))
      .thenBreaks('case-closed');
    given(closed)
      .when(reopen(later(62)))
      .thenBreaks('case-closed');
    given(closed)
      .when(status('closed', later(62)))
      .then([]);
  });
});

describe('case: reopening', () => {
  const reopenedEvents = (at = later(120)): EpisodeEvent[] => [
    { type: 'CaseReopened', data: { ...ids, reason: 'still does not charge', reopenedAt: at, reopenedBy: 'budi' } },
  ];

  it('a resolved case reopens with a reason: open again, counted', () => {
    given(resolved).when(reopen()).then(reopenedEvents());
    const state = stateOf([...resolved, ...reopenedEvents()]);
    expect(state?.closed).toBeUndefined();
    expect(state?.case).toMatchObject({ status: 'reopened', reopenCount: 1 });
    expect(state?.case?.statusHistory.map((v) => v.status)).toEqual(['new', 'resolved', 'reopened']);
    expect(state?.case?.statusHistory.at(-1)).toEqual({ status: 'reopened', enteredAt: later(120), from: 'resolved', reason: 'still does not charge' });
  });

  it('a reopened case takes interactions again and resolves again', () => {
    const again = [...resolved, ...reopenedEvents()];
    const interaction = {
      interactionId: 'i9',
      channel: 'phone' as const,
      direction: 'inbound' as const,
      actor: { kind: 'customer' as const, id: 'c1' },
      action: 'called back',
      occurredAt: later(121),
    };
    given(again)
      .when({ type: 'RecordInteraction', data: { episodeId: 'k1', interaction } })
      .then({ type: 'InteractionRecorded', data: { ...ids, interaction } });
    given(again)
      .when(close('resolved', later(130)))
      .then([{ type: 'EpisodeClosed', data: { ...ids, outcome: 'resolved', closedAt: later(130) } }]);
  });

  it('only a resolved case reopens, after it was resolved, and says why', () => {
    given(opened).when(reopen()).thenBreaks('case-not-resolved');
    given(resolved)
      .when(reopen(later(120), '  '))
      .thenBreaks('reopen-needs-reason');
    given(resolved)
      .when(reopen(later(30)))
      .thenBreaks('reopened-before-closed');
  });

  it('only cases reopen', () => {
    const campaign: EpisodeEvent[] = [
      { type: 'EpisodeOpened', data: { ...base, episodeType: 'campaign' } },
      { type: 'EpisodeClosed', data: { ...ids, outcome: 'completed', closedAt: later(60) } },
    ];
    given(campaign).when(reopen()).thenBreaks('episode-closed');
    given([{ type: 'EpisodeOpened', data: { ...base, episodeType: 'campaign' } }])
      .when(reopen())
      .thenBreaks('only-for-cases');
  });
});

describe('case: unassignment (back to the queue)', () => {
  const unassign = (at = later(30), extra: { team?: string; reason?: string } = {}): EpisodeCommand => ({
    type: 'UnassignCase',
    data: {
      episodeId: 'k1',
      ...(extra.team !== undefined && { team: extra.team }),
      reason: extra.reason ?? 'agent went home sick',
      unassignedAt: at,
      unassignedBy: 'lead',
    },
  });
  const unassigned = (at: string, extra: Record<string, unknown> = {}): EpisodeEvent =>
    ({
      type: 'CaseUnassigned',
      data: { ...ids, previousAgentId: 'agent-7', ...extra, reason: 'agent went home sick', unassignedAt: at, unassignedBy: 'lead' },
    }) as EpisodeEvent;
  const backToNew = (from: string, at: string): EpisodeEvent =>
    ({ type: 'CaseStatusChanged', data: { ...ids, from, to: 'new', reason: 'agent went home sick', changedAt: at, changedBy: 'lead' } }) as EpisodeEvent;
  const held = [...opened, assigned('agent-7', later(5), { team: 'phones' }), byRouter(moved('new', 'assigned', later(5)))];

  it('an assigned case goes back to new without its agent, in its team, in one append', () => {
    given(held)
      .when(unassign())
      .then([unassigned(later(30), { team: 'phones' }), backToNew('assigned', later(30))]);
    const state = stateOf([...held, unassigned(later(30), { team: 'phones' }), backToNew('assigned', later(30))]);
    expect(state?.case?.assignee).toBeUndefined();
    expect(state?.case).toMatchObject({ status: 'new', team: 'phones' });
    expect(state?.case?.statusHistory.at(-1)).toEqual({ status: 'new', enteredAt: later(30), from: 'assigned', reason: 'agent went home sick' });
  });

  it('from any open status an agent holds it in: in progress, waiting on the customer or a partner, reopened', () => {
    for (const [status, reason] of [
      ['in-progress', undefined],
      ['waiting-on-customer', 'the serial number'],
      ['waiting-on-partner', 'the spare part'],
    ] as const) {
      const working = [...held, moved('assigned', status, later(10), reason === undefined ? {} : { reason })];
      given(working)
        .when(unassign())
        .then([unassigned(later(30), { team: 'phones' }), backToNew(status, later(30))]);
    }
    // resolved with its agent, reopened: the agent still holds it
    const reopened = [
      ...held,
      closedEvent(),
      { type: 'CaseReopened', data: { ...ids, reason: 'again', reopenedAt: later(70), reopenedBy: 'budi' } } as EpisodeEvent,
    ];
    given(reopened)
      .when(unassign(later(80)))
      .then([unassigned(later(80), { team: 'phones' }), backToNew('reopened', later(80))]);
  });

  it('to another team: the team moves first (CaseDetailsChanged), then the unassignment names it', () => {
    given(held)
      .when(unassign(later(30), { team: 'phones-tier-2' }))
      .then([
        { type: 'CaseDetailsChanged', data: { ...ids, team: 'phones-tier-2', changedAt: later(30), changedBy: 'lead' } },
        unassigned(later(30), { team: 'phones-tier-2' }),
        backToNew('assigned', later(30)),
      ]);
    // the team it is in already: no team move
    given(held)
      .when(unassign(later(30), { team: 'phones' }))
      .then([unassigned(later(30), { team: 'phones' }), backToNew('assigned', later(30))]);
    given(held)
      .when(unassign(later(30), { team: 'Bad Team' }))
      .thenBreaks('invalid-team');
  });

  it('a case without a team goes back without one', () => {
    const noTeam = [...opened, assigned('agent-7'), byRouter(moved('new', 'assigned', later(5)))];
    given(noTeam)
      .when(unassign())
      .then([unassigned(later(30)), backToNew('assigned', later(30))]);
  });

  it('a case no agent holds: nothing recorded (a retry), except a move to the team asked for', () => {
    given(opened).when(unassign()).then([]);
    const released = [...held, unassigned(later(30), { team: 'phones' }), backToNew('assigned', later(30))];
    given(released)
      .when(unassign(later(31)))
      .then([]);
    given(opened)
      .when(unassign(later(31), { team: 'phones-tier-2' }))
      .then({ type: 'CaseDetailsChanged', data: { ...ids, team: 'phones-tier-2', changedAt: later(31), changedBy: 'lead' } });
    // worked without ever being assigned: it keeps its status (no agent to take it from)
    given([...opened, moved('new', 'in-progress', later(10))])
      .when(unassign())
      .then([]);
  });

  it('says why; a resolved or closed case is not unassigned; only cases are', () => {
    given(held)
      .when(unassign(later(30), { reason: '  ' }))
      .thenBreaks('unassignment-needs-reason');
    const resolvedHeld = [...held, closedEvent()];
    given(resolvedHeld)
      .when(unassign(later(61)))
      .thenBreaks('episode-closed');
    given([...resolvedHeld, moved('resolved', 'closed', later(62))])
      .when(unassign(later(63)))
      .thenBreaks('episode-closed');
    given([{ type: 'EpisodeOpened', data: { ...base, episodeType: 'campaign' } }])
      .when(unassign())
      .thenBreaks('only-for-cases');
    given([]).when(unassign()).thenBreaks('unknown-episode');
  });

  it('an unassigned case is assigned again like a new one', () => {
    const released = [...held, unassigned(later(30), { team: 'phones' }), backToNew('assigned', later(30))];
    given(released)
      .when(assign('agent-9', later(40)))
      .then([assigned('agent-9', later(40)), byRouter(moved('new', 'assigned', later(40)))]);
  });
});

function byRouter(e: EpisodeEvent): EpisodeEvent {
  return e.type === 'CaseStatusChanged' ? { ...e, data: { ...e.data, changedBy: 'router' } } : e;
}
