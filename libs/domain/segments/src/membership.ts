import type { Decider } from '@crm/kernel';

/**
 * One customer's membership of one segment, on `segmentmembership-<segmentId>-<customerId>`: the
 * customer enters when the segment's rule starts to hold for it and leaves when it stops (or the
 * segment is archived). One stream per pair keeps every append small and independent of other
 * customers and segments, lets a trigger's reader load one pair, and makes the decider the guard:
 * never two `SegmentEntered` (or `SegmentLeft`) in a row, whoever evaluates.
 */
export const MEMBERSHIP_REASONS = ['rule-matches', 'rule-no-longer-matches', 'segment-archived'] as const;
export type MembershipReason = (typeof MEMBERSHIP_REASONS)[number];

export interface SegmentMembershipData {
  segmentId: string;
  customerId: string;
  /** The segment's rule revision that was evaluated: why the customer is in (or out). */
  segmentRevision: number;
  at: string;
  reason: MembershipReason;
}

export type MembershipEvent = { type: 'SegmentEntered'; data: SegmentMembershipData } | { type: 'SegmentLeft'; data: SegmentMembershipData };
export type MembershipCommand = { type: 'EnterSegment'; data: SegmentMembershipData } | { type: 'LeaveSegment'; data: SegmentMembershipData };

export interface MembershipState {
  member: boolean;
  /** Events folded so far: the revision the next one lands on. */
  version: number;
  since?: string;
  segmentRevision?: number;
}

export const membershipStream = (segmentId: string, customerId: string) => `segmentmembership-${segmentId}-${customerId}`;
export const notMember: MembershipState = { member: false, version: 0 };

export function evolveMembership(state: MembershipState, event: MembershipEvent): MembershipState {
  switch (event.type) {
    case 'SegmentEntered':
      return { member: true, version: state.version + 1, since: event.data.at, segmentRevision: event.data.segmentRevision };
    case 'SegmentLeft':
      return { member: false, version: state.version + 1, since: event.data.at, segmentRevision: event.data.segmentRevision };
    default:
      return state;
  }
}

/** Entering when in, or leaving when out, records nothing: membership only ever alternates. */
export function decideMembership(command: MembershipCommand, state: MembershipState): MembershipEvent[] {
  switch (command.type) {
    case 'EnterSegment':
      return state.member ? [] : [{ type: 'SegmentEntered', data: command.data }];
    case 'LeaveSegment':
      return state.member ? [{ type: 'SegmentLeft', data: command.data }] : [];
  }
}

export const membershipDecider: Decider<MembershipState, MembershipCommand, MembershipEvent> = {
  decide: decideMembership,
  evolve: evolveMembership,
  initialState: notMember,
};
