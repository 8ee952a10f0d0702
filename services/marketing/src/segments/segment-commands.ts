import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { uuidV5, type Clock } from '@crm/kernel';
import { metadataFor, NotFoundError, WRITE_STORE, type CommandOptions } from '@crm/relationship-api';
import {
  InvalidRuleError,
  membershipDecider,
  membershipStream,
  segmentDecider,
  segmentStream,
  validateRule,
  type MembershipCommand,
  type MembershipEvent,
  type MembershipReason,
  type MembershipState,
  type SegmentCommand,
  type SegmentEvent,
  type SegmentRule,
  type SegmentState,
} from '@crm/segments';
import { CLOCK, HttpProblem, ProblemTypes, type Principal } from '@crm/service-kit';

/** Who defines and revises segments: marketing, and management. */
export const SEGMENT_DEPARTMENTS = ['marketing', 'management'] as const;

/** Segments are the company's: no partner sees them. */
const COMPANY_ONLY = { departments: '*' as const, partners: [] as string[] };
/** The namespace of membership event ids (derived from the stream and its revision: two processors append one event). */
const MEMBERSHIP_NAMESPACE = '6f1d2c3b-5a4e-4f70-9e8d-1c2b3a4d5e6f';

export interface SegmentInput {
  name: string;
  description?: string;
  /** Not yet validated: the rule language's validator names the path of what is wrong. */
  rule: unknown;
}

export interface SegmentView {
  segmentId: string;
  name: string;
  description?: string;
  rule: SegmentRule;
  /** The rule's revision (1 when defined). */
  segmentRevision: number;
  status: 'active' | 'archived';
  definedBy: string;
  definedAt: string;
  changedAt: string;
  archivedAt?: string;
  /** The segment stream's revision: the ETag. */
  revision: string;
}

/** A rule that is not valid: 400 naming each path (`rule.all[1].purchased.window.lastDays`). */
export function ruleProblem(error: InvalidRuleError): HttpProblem {
  return new HttpProblem(400, error.message, { type: ProblemTypes.validation, errors: error.errors.map((e) => ({ field: e.field, message: e.message })) });
}

/**
 * Segments (issue 13 §2), the one way to command them: load the segment's stream once, check the
 * caller (marketing or management staff), judge If-Match (412 before any rule), decide, append.
 */
@Injectable()
export class SegmentCommands {
  private readonly handler: CommandHandler<SegmentState, SegmentCommand, SegmentEvent>;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.handler = new CommandHandler(store, segmentDecider, { retries: 2 });
  }

  async define(principal: Principal, input: SegmentInput, options: CommandOptions = {}): Promise<SegmentView> {
    const by = assertSegmentStaff(principal);
    const rule = checkedRule(input.rule);
    const segmentId = randomUUID();
    const definedAt = this.clock.now().toISOString();
    const data = { segmentId, name: input.name, ...(input.description !== undefined && { description: input.description }), rule, definedBy: by, definedAt };
    const r = await this.handler.handle(segmentStream(segmentId), { type: 'DefineSegment', data }, this.metadata(principal, options), {
      expectedRevision: 'no_stream',
    });
    return view(r.state, r.revision);
  }

  async revise(principal: Principal, segmentId: string, input: SegmentInput, options: CommandOptions): Promise<SegmentView> {
    const by = assertSegmentStaff(principal);
    if (options.expectedRevision === undefined)
      throw new HttpProblem(428, 'a segment is revised with If-Match: the ETag of the segment as last read', { type: ProblemTypes.preconditionFailed });
    // The rule is judged by the decider, after If-Match: a stale revision is 412 whatever its rule.
    const rule = input.rule as SegmentRule;
    const data = {
      segmentId,
      name: input.name,
      ...(input.description !== undefined && { description: input.description }),
      rule,
      revisedBy: by,
      revisedAt: this.clock.now().toISOString(),
    };
    const r = await this.handler
      .handle(segmentStream(segmentId), { type: 'ReviseSegment', data }, this.metadata(principal, options), {
        expectedRevision: options.expectedRevision,
        check: (state) => found(state, segmentId),
      })
      .catch(asRuleProblem);
    return view(r.state, r.revision);
  }

  async archive(principal: Principal, segmentId: string, options: CommandOptions = {}): Promise<SegmentView> {
    const by = assertSegmentStaff(principal);
    const data = { segmentId, archivedBy: by, archivedAt: this.clock.now().toISOString() };
    const r = await this.handler.handle(segmentStream(segmentId), { type: 'ArchiveSegment', data }, this.metadata(principal, options), {
      expectedRevision: options.expectedRevision,
      check: (state) => found(state, segmentId),
    });
    return view(r.state, r.revision);
  }

  /** A segment as its stream tells it (up to date, unlike the list). */
  async get(principal: Principal, segmentId: string): Promise<SegmentView> {
    assertSegmentStaff(principal);
    const { state, revision } = await this.handler.load(segmentStream(segmentId));
    found(state, segmentId);
    return view(state, revision);
  }

  private metadata(principal: Principal, options: CommandOptions) {
    return metadataFor(principal, this.clock, COMPANY_ONLY, options.correlationId);
  }
}

/**
 * Customers entering and leaving segments, one stream per segment × customer. The event id is
 * derived from the stream and the revision it lands on, so two processors deciding the same change
 * at once store it once (the second append is the same events: idempotent), and the decider refuses
 * a second Entered in a row whatever the reason.
 */
@Injectable()
export class SegmentMembershipCommands {
  private readonly handler: CommandHandler<MembershipState, MembershipCommand, MembershipEvent>;

  constructor(@Inject(WRITE_STORE) store: EventStore) {
    this.handler = new CommandHandler(store, membershipDecider, { retries: 3 });
  }

  /** Records the customer entering (or leaving) unless it already is in (or out); true when something was recorded. */
  async change(
    kind: 'enter' | 'leave',
    change: { segmentId: string; customerId: string; segmentRevision: number; at: Date; reason: MembershipReason },
  ): Promise<boolean> {
    const stream = membershipStream(change.segmentId, change.customerId);
    let base = 0;
    const data = {
      segmentId: change.segmentId,
      customerId: change.customerId,
      segmentRevision: change.segmentRevision,
      at: change.at.toISOString(),
      reason: change.reason,
    };
    const r = await this.handler.handle(
      stream,
      { type: kind === 'enter' ? 'EnterSegment' : 'LeaveSegment', data },
      { correlationId: randomUUID(), actor: { type: 'system', id: 'segment-membership' }, occurredAt: data.at, visibility: COMPANY_ONLY },
      {
        check: (state) => {
          base = state.version;
        },
        eventId: (_event, index) => uuidV5(`${stream}/${base + index}`, MEMBERSHIP_NAMESPACE),
      },
    );
    return r.appended;
  }
}

function asRuleProblem(error: unknown): never {
  throw error instanceof InvalidRuleError ? ruleProblem(error) : error;
}

function checkedRule(rule: unknown): SegmentRule {
  try {
    return validateRule(rule);
  } catch (error) {
    if (error instanceof InvalidRuleError) throw ruleProblem(error);
    throw error;
  }
}

function found(state: SegmentState, segmentId: string): void {
  if (state.status === 'none') throw new NotFoundError(`segment ${segmentId} not found`);
}

function view(state: SegmentState, revision: bigint | undefined): SegmentView {
  return {
    segmentId: state.segmentId!,
    name: state.name!,
    ...(state.description !== undefined && { description: state.description }),
    rule: state.rule!,
    segmentRevision: state.segmentRevision,
    status: state.status as 'active' | 'archived',
    definedBy: state.definedBy!,
    definedAt: state.definedAt!,
    changedAt: state.changedAt!,
    ...(state.archivedAt !== undefined && { archivedAt: state.archivedAt }),
    revision: String(revision ?? 0n),
  };
}

/** Marketing and management staff; others 403 (the routes say so too: this is the command's own guard). */
export function assertSegmentStaff(principal: Principal): string {
  if (principal.kind !== 'staff' || !(SEGMENT_DEPARTMENTS as readonly string[]).includes(principal.department))
    throw new HttpProblem(403, `segments are for staff of ${SEGMENT_DEPARTMENTS.join(' and ')}`, { type: ProblemTypes.forbidden });
  return principal.subject;
}
