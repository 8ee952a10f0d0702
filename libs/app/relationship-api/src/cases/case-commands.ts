import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import {
  COMPANY_WIDE_VISIBILITY,
  episodeDecider,
  episodeStream,
  NotFoundError,
  type CaseChanges,
  type CaseFacts,
  type CaseStatus,
  type CaseStatusVisit,
  type Channel,
  type EpisodeCommand,
  type EpisodeEvent,
  type EpisodeState,
  type Interaction,
} from '@crm/relationship';
import { HttpProblem, ProblemTypes, type Principal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import { correlationIdFor } from '@crm/telemetry';

/**
 * A process that acts on cases by itself (the router assigning the best agent): recorded as a
 * `system` actor with its id, visible company-wide like a department's change.
 */
export interface SystemActor {
  kind: 'system';
  /** `router`, `sla-escalation`… */
  id: string;
}

/** Who changes a case: staff of service or management, or one of the contact centre's processes. */
export type CaseActor = Principal | SystemActor;

/** The departments whose staff work cases; the others may read them. */
export const CASE_WORKING_DEPARTMENTS = ['service', 'management'] as const;

export interface AssignCaseInput {
  agentId: string;
  /** The team (queue) it is assigned in; absent: the case's team stays. */
  team?: string;
  /** Why this agent (the router's reasoning, or the person's). */
  reason: string;
}

export interface UnassignCaseInput {
  /** Why the case is taken from its agent (≤ 500 characters). */
  reason: string;
  /** The team (queue) it goes back to; absent: its own. */
  team?: string;
}

/** `GET /cases/{id}`: the case as its own history tells it. */
export interface CaseView {
  caseId: string;
  customerId: string;
  name: string;
  channel: Channel | null;
  status: CaseStatus;
  priority: string;
  severity: string;
  category: string | null;
  productId: string | null;
  team: string | null;
  assigneeId: string | null;
  openedAt: string;
  /** The closing of the episode (the outcome says resolved or unresolved); null while open. */
  resolution: { outcome: string; closedAt: string; reason?: string } | null;
  reopenCount: number;
  statusHistory: CaseStatusVisit[];
  /** Every assignment, with why. */
  assignments: { agentId: string; team?: string; previousAgentId?: string; reason: string; assignedAt: string; assignedBy: string }[];
  /** Every time it was taken from its agent and put back in the queue, with why. */
  unassignments: { previousAgentId: string; team?: string; reason: string; unassignedAt: string; unassignedBy: string }[];
  interactions: Interaction[];
  /** The stream revision: the ETag for If-Match. */
  revision: string;
}

/**
 * The commands of a case people work (issue 12 §1): its details, its status, its assignment (and
 * unassignment) and its reopening. Each loads the case's episode once, checks on that state that the caller may change
 * it (staff of service or management, or a contact-centre process; partners never — a missing case
 * to them), judges If-Match, decides, appends. Opening, interactions and resolving (closing the
 * episode) stay on `EpisodeCommands`.
 */
export class CaseCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, episodeDecider, { retries: this.settings.retries });

  /** Priority, severity, category, product, team: only what differs is recorded (`null` clears). */
  changeDetails(actor: CaseActor, episodeId: string, changes: CaseChanges, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(actor, episodeId, { type: 'ChangeCaseDetails', data: { episodeId, changes, changedAt: this.now(), changedBy: actorId(actor) } }, options);
  }

  /** A move of the status machine (see `case.ts` in the domain); waiting says what for. */
  changeStatus(actor: CaseActor, episodeId: string, move: { status: CaseStatus; reason?: string }, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(
      actor,
      episodeId,
      {
        type: 'ChangeCaseStatus',
        data: { episodeId, to: move.status, ...(move.reason !== undefined && { reason: move.reason }), changedAt: this.now(), changedBy: actorId(actor) },
      },
      options,
    );
  }

  /**
   * Gives the case to an agent, with why. The routing process calls it as `{ kind: 'system', id: 'router' }`
   * (with the revision it routed on as `expectedRevision`, so a case changed meanwhile is routed again).
   * The same agent again records nothing.
   */
  assign(actor: CaseActor, episodeId: string, input: AssignCaseInput, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(
      actor,
      episodeId,
      {
        type: 'AssignCase',
        data: {
          episodeId,
          agentId: input.agentId,
          ...(input.team !== undefined && { team: input.team }),
          reason: input.reason,
          assignedAt: this.now(),
          assignedBy: actorId(actor),
        },
      },
      options,
    );
  }

  /**
   * Takes the case from its agent and puts it back in its team's queue (or `team`'s), waiting
   * (`new`), with why: a supervisor's release, or the SLA escalation (`{ kind: 'system', id:
   * 'sla-escalation' }`) moving it to another team. A case no agent holds records only the team
   * move, if any: retrying is safe.
   */
  unassign(actor: CaseActor, episodeId: string, input: UnassignCaseInput, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(
      actor,
      episodeId,
      {
        type: 'UnassignCase',
        data: {
          episodeId,
          ...(input.team !== undefined && { team: input.team }),
          reason: input.reason,
          unassignedAt: this.now(),
          unassignedBy: actorId(actor),
        },
      },
      options,
    );
  }

  /** Opens a resolved (not closed) case again, with the customer's reason. */
  reopen(actor: CaseActor, episodeId: string, input: { reason: string }, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(
      actor,
      episodeId,
      { type: 'ReopenCase', data: { episodeId, reason: input.reason, reopenedAt: this.now(), reopenedBy: actorId(actor) } },
      options,
    );
  }

  /**
   * The case as its history tells it. Staff of any department read it; a partner, an episode that is
   * no case, or a partner's episode reads as missing.
   */
  async get(principal: Principal, episodeId: string): Promise<CaseView> {
    const events: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(episodeStream(episodeId), { fromRevision: from, maxCount: 1000 });
      events.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    const state = events.map((e) => ({ type: e.type, data: e.data }) as EpisodeEvent).reduce(episodeDecider.evolve, episodeDecider.initialState);
    if (principal.kind !== 'staff' || !isCompanyCase(state)) throw new NotFoundError(`case ${episodeId} not found`);
    return caseView(events, state!, state!.case!);
  }

  private async run(actor: CaseActor, episodeId: string, command: EpisodeCommand, options: CommandOptions): Promise<CommandResult> {
    const r = await this.handler.handle(episodeStream(episodeId), command, this.metadata(actor, options), {
      expectedRevision: options.expectedRevision,
      check: (state) => mayWork(actor, episodeId, state),
    });
    return { id: episodeId, revision: r.revision };
  }

  private metadata(actor: CaseActor, options: CommandOptions) {
    if (actor.kind !== 'system') return metadataFor(actor, this.settings.clock, visibilityFor(actor), options.correlationId);
    return {
      correlationId: correlationIdFor(options.correlationId),
      actor: { type: 'system' as const, id: actor.id },
      occurredAt: this.now(),
      visibility: COMPANY_WIDE_VISIBILITY,
    };
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}

const actorId = (actor: CaseActor) => (actor.kind === 'system' ? actor.id : actor.subject);

const isCompanyCase = (state: EpisodeState): boolean => !!state?.case && state.episodeType === 'case' && state.owner.kind === 'department';

/** Checked on the loaded state, before If-Match: one who may not see the case never learns it exists. */
function mayWork(actor: CaseActor, episodeId: string, state: EpisodeState): void {
  // A partner (until the repair partner's share of a case is built) and any episode that is not the
  // company's case: missing.
  if (actor.kind === 'partner' || !isCompanyCase(state)) throw new NotFoundError(`case ${episodeId} not found`);
  if (actor.kind === 'staff' && !(CASE_WORKING_DEPARTMENTS as readonly string[]).includes(actor.department))
    throw new HttpProblem(403, `staff of ${actor.department} read cases; service and management work them`, {
      type: ProblemTypes.forbidden,
      extensions: { code: 'not-case-worker' },
    });
}

function caseView(events: readonly RecordedEvent[], state: NonNullable<EpisodeState>, c: CaseFacts): CaseView {
  const opened = events[0].data as { name: string; channel?: Channel };
  const assignments: CaseView['assignments'] = [];
  const unassignments: CaseView['unassignments'] = [];
  const interactions: Interaction[] = [];
  for (const e of events) {
    if (e.type === 'CaseAssigned') {
      const { episodeId: _e, customerId: _c, ...a } = e.data as CaseView['assignments'][number] & { episodeId: string; customerId: string };
      assignments.push(a);
    } else if (e.type === 'CaseUnassigned') {
      const { episodeId: _e, customerId: _c, ...u } = e.data as CaseView['unassignments'][number] & { episodeId: string; customerId: string };
      unassignments.push(u);
    } else if (e.type === 'InteractionRecorded') interactions.push((e.data as { interaction: Interaction }).interaction);
  }
  return {
    caseId: state.episodeId,
    customerId: state.customerId,
    name: opened.name,
    channel: opened.channel ?? null,
    status: c.status,
    priority: c.priority,
    severity: c.severity,
    category: c.category ?? null,
    productId: c.productId ?? null,
    team: c.team ?? null,
    assigneeId: c.assignee ?? null,
    openedAt: state.openedAt,
    resolution: state.closed ? { ...state.closed } : null,
    reopenCount: c.reopenCount,
    statusHistory: [...c.statusHistory],
    assignments,
    unassignments,
    interactions,
    revision: String(events[events.length - 1].revision),
  };
}
