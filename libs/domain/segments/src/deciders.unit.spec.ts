import { DomainRuleViolation, NotFoundError } from '@crm/kernel';
import { decideMembership, evolveMembership, notMember, type SegmentMembershipData } from './membership';
import { InvalidRuleError } from './rule';
import { decideSegment, evolveSegment, noSegment, type SegmentEvent, type SegmentState } from './segment';

const defined = {
  segmentId: 's1',
  name: 'Gold buyers',
  rule: { valueTier: { in: ['gold' as const] } },
  definedBy: 'mia',
  definedAt: '2026-03-01T09:00:00.000Z',
};
const fold = (events: SegmentEvent[]): SegmentState => events.reduce(evolveSegment, noSegment);

describe('segment decider', () => {
  it('defines a segment with a valid rule; refuses an invalid rule and a blank name', () => {
    expect(decideSegment({ type: 'DefineSegment', data: defined }, noSegment)).toEqual([{ type: 'SegmentDefined', data: defined }]);
    expect(() => decideSegment({ type: 'DefineSegment', data: { ...defined, rule: { colour: 'red' } as never } }, noSegment)).toThrow(InvalidRuleError);
    expect(() => decideSegment({ type: 'DefineSegment', data: { ...defined, name: ' ' } }, noSegment)).toThrow(DomainRuleViolation);
  });

  it('the same definition again records nothing; another one on the same id is refused', () => {
    const state = fold([{ type: 'SegmentDefined', data: defined }]);
    expect(decideSegment({ type: 'DefineSegment', data: defined }, state)).toEqual([]);
    expect(() => decideSegment({ type: 'DefineSegment', data: { ...defined, name: 'Other' } }, state)).toThrow(/defined already/);
  });

  it('a revision numbers the rule 2, 3…; the same rule and name again records nothing', () => {
    let state = fold([{ type: 'SegmentDefined', data: defined }]);
    const revise = {
      segmentId: 's1',
      name: 'Gold or platinum',
      rule: { valueTier: { in: ['gold' as const, 'platinum' as const] } },
      revisedBy: 'mia',
      revisedAt: '2026-03-02T09:00:00.000Z',
    };
    const [event] = decideSegment({ type: 'ReviseSegment', data: revise }, state);
    expect(event).toEqual({ type: 'SegmentRevised', data: { ...revise, segmentRevision: 2 } });
    state = evolveSegment(state, event);
    expect(state).toMatchObject({ segmentRevision: 2, name: 'Gold or platinum', status: 'active' });
    expect(decideSegment({ type: 'ReviseSegment', data: revise }, state)).toEqual([]);
  });

  it('an unknown segment is not found; an archived one is not revised; archiving twice records nothing', () => {
    const archive = { segmentId: 's1', archivedBy: 'mia', archivedAt: '2026-03-03T09:00:00.000Z' };
    expect(() => decideSegment({ type: 'ArchiveSegment', data: archive }, noSegment)).toThrow(NotFoundError);
    const state = fold([
      { type: 'SegmentDefined', data: defined },
      { type: 'SegmentArchived', data: archive },
    ]);
    expect(state.status).toBe('archived');
    expect(decideSegment({ type: 'ArchiveSegment', data: archive }, state)).toEqual([]);
    expect(() => decideSegment({ type: 'ReviseSegment', data: { ...defined, revisedBy: 'mia', revisedAt: archive.archivedAt } }, state)).toThrow(/archived/);
  });
});

describe('membership decider', () => {
  const data: SegmentMembershipData = { segmentId: 's1', customerId: 'c1', segmentRevision: 1, at: '2026-03-01T09:00:00.000Z', reason: 'rule-matches' };
  it('enters once, leaves once: never two Entered or two Left in a row', () => {
    const entered = decideMembership({ type: 'EnterSegment', data }, notMember);
    expect(entered).toEqual([{ type: 'SegmentEntered', data }]);
    const inside = evolveMembership(notMember, entered[0]);
    expect(decideMembership({ type: 'EnterSegment', data }, inside)).toEqual([]);
    expect(decideMembership({ type: 'LeaveSegment', data: { ...data, reason: 'rule-no-longer-matches' } }, notMember)).toEqual([]);
    const left = decideMembership({ type: 'LeaveSegment', data: { ...data, reason: 'rule-no-longer-matches' } }, inside);
    expect(left).toHaveLength(1);
    expect(evolveMembership(inside, left[0])).toMatchObject({ member: false });
  });
});
