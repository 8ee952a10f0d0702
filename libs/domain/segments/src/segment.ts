import { DomainRuleViolation, NotFoundError, type Decider } from '@crm/kernel';
import { validateRule, type SegmentRule } from './rule';

/**
 * A segment (issue 13 §2) on `segment-<segmentId>`: a named rule, revised as a whole (each revision
 * numbered from 1), archived once. Membership is not here: it is each customer's, on its own stream
 * (membership.ts), so a segment's revision never waits for its members.
 */
export interface SegmentDefinedData {
  segmentId: string;
  name: string;
  description?: string;
  rule: SegmentRule;
  definedBy: string;
  definedAt: string;
}
export interface SegmentRevisedData {
  segmentId: string;
  name: string;
  description?: string;
  rule: SegmentRule;
  /** The rule's revision this makes (2, 3, …; the definition is 1). */
  segmentRevision: number;
  revisedBy: string;
  revisedAt: string;
}
export interface SegmentArchivedData {
  segmentId: string;
  archivedBy: string;
  archivedAt: string;
}

export type SegmentEvent =
  | { type: 'SegmentDefined'; data: SegmentDefinedData }
  | { type: 'SegmentRevised'; data: SegmentRevisedData }
  | { type: 'SegmentArchived'; data: SegmentArchivedData };

export type SegmentCommand =
  | { type: 'DefineSegment'; data: SegmentDefinedData }
  | { type: 'ReviseSegment'; data: Omit<SegmentRevisedData, 'segmentRevision'> }
  | { type: 'ArchiveSegment'; data: SegmentArchivedData };

export interface SegmentState {
  segmentId?: string;
  name?: string;
  description?: string;
  rule?: SegmentRule;
  /** The rule's revision: 1 once defined, +1 per revision. */
  segmentRevision: number;
  status: 'none' | 'active' | 'archived';
  definedAt?: string;
  definedBy?: string;
  changedAt?: string;
  archivedAt?: string;
}

export const segmentStream = (segmentId: string) => `segment-${segmentId}`;
export const noSegment: SegmentState = { segmentRevision: 0, status: 'none' };
export const MAX_SEGMENT_NAME = 200;
export const MAX_SEGMENT_DESCRIPTION = 2000;

export function evolveSegment(state: SegmentState, event: SegmentEvent): SegmentState {
  switch (event.type) {
    case 'SegmentDefined': {
      const d = event.data;
      return {
        segmentId: d.segmentId,
        name: d.name,
        ...(d.description !== undefined && { description: d.description }),
        rule: d.rule,
        segmentRevision: 1,
        status: 'active',
        definedAt: d.definedAt,
        definedBy: d.definedBy,
        changedAt: d.definedAt,
      };
    }
    case 'SegmentRevised': {
      const { description: _old, ...rest } = state;
      const d = event.data;
      return {
        ...rest,
        name: d.name,
        ...(d.description !== undefined && { description: d.description }),
        rule: d.rule,
        segmentRevision: d.segmentRevision,
        changedAt: d.revisedAt,
      };
    }
    case 'SegmentArchived':
      return { ...state, status: 'archived', archivedAt: event.data.archivedAt, changedAt: event.data.archivedAt };
    default:
      return state;
  }
}

function checkName(name: string, description: string | undefined): void {
  if (name.trim() === '' || name.length > MAX_SEGMENT_NAME)
    throw new DomainRuleViolation('segment-name', `a segment has a name of 1–${MAX_SEGMENT_NAME} characters`);
  if (description !== undefined && description.length > MAX_SEGMENT_DESCRIPTION)
    throw new DomainRuleViolation('segment-name', `a description has at most ${MAX_SEGMENT_DESCRIPTION} characters`);
}

const sameRule = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function decideSegment(command: SegmentCommand, state: SegmentState): SegmentEvent[] {
  switch (command.type) {
    case 'DefineSegment': {
      const d = command.data;
      if (state.status !== 'none') {
        // The same definition again (a retried request) records nothing.
        if (state.definedBy === d.definedBy && state.name === d.name && sameRule(state.rule, d.rule)) return [];
        throw new DomainRuleViolation('segment-exists', `segment ${d.segmentId} is defined already`);
      }
      checkName(d.name, d.description);
      validateRule(d.rule);
      return [{ type: 'SegmentDefined', data: d }];
    }
    case 'ReviseSegment': {
      const d = command.data;
      if (state.status === 'none') throw new NotFoundError(`segment ${d.segmentId} not found`);
      if (state.status === 'archived') throw new DomainRuleViolation('segment-archived', 'an archived segment is not revised: define a new one');
      checkName(d.name, d.description);
      validateRule(d.rule);
      if (state.name === d.name && state.description === d.description && sameRule(state.rule, d.rule)) return [];
      return [{ type: 'SegmentRevised', data: { ...d, segmentRevision: state.segmentRevision + 1 } }];
    }
    case 'ArchiveSegment': {
      if (state.status === 'none') throw new NotFoundError(`segment ${command.data.segmentId} not found`);
      if (state.status === 'archived') return [];
      return [{ type: 'SegmentArchived', data: command.data }];
    }
  }
}

export const segmentDecider: Decider<SegmentState, SegmentCommand, SegmentEvent> = {
  decide: decideSegment,
  evolve: evolveSegment,
  initialState: noSegment,
};
