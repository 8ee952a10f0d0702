import { DeciderSpecification } from '@crm/kernel/testing';
import { agentDecider, type AgentEvent, type AgentProfile } from './agent';

const given = DeciderSpecification.for(agentDecider);
const at = { setAt: '2026-03-01T09:00:00.000Z', setBy: 'lead' };
const dewi: AgentProfile = { agentId: 'dewi', name: 'Dewi', teams: ['billing'], skills: [{ skill: 'billing', level: 4 }], capacity: 3, active: true };
const set = (profile: AgentProfile) => ({ type: 'SetAgentProfile' as const, data: { ...profile, ...at } });
const profileSet = (profile: AgentProfile): AgentEvent => ({ type: 'AgentProfileSet', data: { ...profile, ...at } });
const presence = (p: 'available' | 'busy' | 'away' | 'offline', changedAt = '2026-03-01T09:05:00.000Z') => ({
  type: 'ChangeAgentPresence' as const,
  data: { agentId: 'dewi', presence: p, changedAt },
});
const presenceChanged = (p: string, previous: string, changedAt = '2026-03-01T09:05:00.000Z'): AgentEvent =>
  ({ type: 'AgentPresenceChanged', data: { agentId: 'dewi', presence: p, previous, changedAt } }) as AgentEvent;

describe('agent decide', () => {
  it('sets the whole profile; the same profile again changes nothing; a change records it all again', () => {
    given([]).when(set(dewi)).then(profileSet(dewi));
    given(profileSet(dewi)).when(set(dewi)).thenNothingHappens();
    const more = { ...dewi, capacity: 5 };
    given(profileSet(dewi)).when(set(more)).then(profileSet(more));
  });

  it('refuses repeated teams or skills, and a cost without its currency (or the other way round)', () => {
    given([])
      .when(set({ ...dewi, teams: ['billing', 'billing'] }))
      .thenBreaks('agent-teams-unique');
    given([])
      .when(
        set({
          ...dewi,
          skills: [
            { skill: 'billing', level: 2 },
            { skill: 'billing', level: 3 },
          ],
        }),
      )
      .thenBreaks('agent-skills-unique');
    given([])
      .when(set({ ...dewi, hourlyCost: 2500 }))
      .thenBreaks('agent-cost-needs-currency');
    given([])
      .when(set({ ...dewi, currency: 'EUR' }))
      .thenBreaks('agent-cost-needs-currency');
    given([])
      .when(set({ ...dewi, hourlyCost: 2500, currency: 'EUR' }))
      .then(profileSet({ ...dewi, hourlyCost: 2500, currency: 'EUR' }));
  });

  it('changes presence from offline; the same presence again changes nothing', () => {
    given(profileSet(dewi)).when(presence('available')).then(presenceChanged('available', 'offline'));
    given([profileSet(dewi), presenceChanged('available', 'offline')])
      .when(presence('available'))
      .thenNothingHappens();
    given([profileSet(dewi), presenceChanged('available', 'offline')])
      .when(presence('busy', '2026-03-01T10:00:00.000Z'))
      .then(presenceChanged('busy', 'available', '2026-03-01T10:00:00.000Z'));
  });

  it('has no presence for an agent never set up, and only offline for an inactive one', () => {
    expect(() => agentDecider.decide(presence('available'), agentDecider.initialState)).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    given(profileSet({ ...dewi, active: false }))
      .when(presence('available'))
      .thenBreaks('agent-inactive');
  });

  it('deactivating an available agent takes it offline, at the same instant', () => {
    given([profileSet(dewi), presenceChanged('available', 'offline')])
      .when(set({ ...dewi, active: false }))
      .then([
        profileSet({ ...dewi, active: false }),
        { type: 'AgentPresenceChanged', data: { agentId: 'dewi', presence: 'offline', previous: 'available', changedAt: at.setAt } },
      ]);
  });
});
