import { randomUUID } from 'node:crypto';
import { CommandHandler, loadState, type EventStore } from '@crm/event-store';
import { COMPANY_WIDE_VISIBILITY, uuidV5 } from '@crm/kernel';
import {
  ACTIVITY_CHANNELS,
  activityDecider,
  activityStream,
  episodeDecider,
  episodeStream,
  NotFoundError,
  reminderTime,
  type Activity,
  type ActivityEvent,
  type ActivityKind,
  type ActivityState,
  type ActivityTarget,
  type ActivityTiming,
  type Channel,
  type Direction,
  type Interaction,
} from '@crm/relationship';
import { HttpProblem, ProblemTypes, type StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';
import type { EpisodeCommands } from '../episodes/episode-commands';

/** Fixed for good: the ids an activity derives (its interaction, the scheduler's notices). */
const ACTIVITY_NAMESPACE = '3c0f7a2e-5d41-4b8e-a1c9-7e2b94d06f13';

/** The interaction an activity's completion records: derived from the activity, so a retried completion records it once. */
export const activityInteractionId = (activityId: string) => uuidV5(`activity/${activityId}/interaction`, ACTIVITY_NAMESPACE);

/** The id of a scheduler's notice: one per activity, notice type and schedule, whoever appends it and however often. */
export const activityNoticeId = (activityId: string, type: 'ActivityReminderDue' | 'ActivityDue', schedule: number) =>
  uuidV5(`activity/${activityId}/${type}/${schedule}`, ACTIVITY_NAMESPACE);

/** What the scheduler is recorded as. */
export const ACTIVITY_SCHEDULER_ACTOR = { type: 'system' as const, id: 'activity-scheduler' };

/** What a completed contact was, when the completion does not say: by the kind of activity. */
const DEFAULT_ACTIONS: Record<ActivityKind, string> = {
  call: 'planned call held',
  meeting: 'planned meeting held',
  email: 'planned e-mail sent',
  task: 'planned task done',
};

export interface PlanActivityInput {
  /** Client-chosen id: a retried plan is recorded once. */
  activityId?: string;
  kind: ActivityKind;
  /** The customer; optional when an episode is named (its customer is taken). */
  customerId?: string;
  episodeId?: string;
  subject: string;
  notes?: string;
  dueAt: string;
  durationMinutes?: number;
  reminderMinutesBefore?: number;
  /** Default: the caller. Another owner: managers only. */
  owner?: string;
}

export interface CompleteActivityInput {
  /** What came back (the customer's response): personal free text. */
  response?: string;
  /** What was done; default by kind ("planned call held"). */
  action?: string;
  /** The channel of the contact; default by kind (call: phone, meeting: face-to-face, e-mail: email). A task records an interaction only with one. */
  channel?: Channel;
  /** Default outbound. */
  direction?: Direction;
}

export interface CompletedActivity extends CommandResult {
  /** The interaction recorded, if the activity was a contact. */
  interactionId?: string;
  /** Where the interaction is in the history: on the activity's episode, or (no episode, or one closed since) on the customer's relationship in `ActivityCompleted` only. */
  recordedOn?: 'episode' | 'relationship';
}

export interface ActivityView extends Activity {
  revision: string;
  /** Open and past its due time, by the clock. */
  overdue: boolean;
  remindAt?: string;
  endsAt?: string;
}

/** Staff who may plan for others and change anyone's activities: role manager or admin, or the management department. */
export const isManager = (p: StaffPrincipal) => p.department === 'management' || p.roles.includes('manager') || p.roles.includes('admin');

/**
 * The activity aggregate's commands. Each loads the activity once, checks on that state that the
 * caller may change it (its owner, or a manager: anyone else is a 403), judges If-Match, decides,
 * appends. Completing records the interaction the activity was — in `ActivityCompleted` and, when the
 * activity belongs to an open episode, on the episode with the same derived id, so a retried
 * completion finishes what a crash left undone. `notifyDue` is the scheduler's: it appends the
 * reminder and due notices under ids derived from the activity and its schedule.
 */
export class ActivityCommands {
  constructor(
    private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    private readonly episodes: EpisodeCommands,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, activityDecider, { retries: this.settings.retries });

  async plan(principal: StaffPrincipal, input: PlanActivityInput, options: CommandOptions = {}): Promise<CommandResult> {
    const owner = input.owner ?? principal.subject;
    if (owner !== principal.subject && !isManager(principal)) throw forbidden('plan-for-others', 'only managers plan activities for someone else');
    const activityId = input.activityId ?? randomUUID();
    let episode: ActivityTarget['episode'];
    if (input.episodeId !== undefined) {
      const { state } = await loadState(this.store, episodeStream(input.episodeId), episodeDecider);
      // A partner's episode is not the company's to plan in: as for every staff write, it reads as missing.
      if (!state || state.owner.kind !== 'department') throw new NotFoundError(`episode ${input.episodeId} not found`);
      episode = { customerId: (await this.customers.resolve(state.customerId)) ?? state.customerId, closed: state.closed !== undefined };
    }
    // A merged customer is planned against as its survivor.
    const named = input.customerId === undefined ? undefined : await this.customers.resolve(input.customerId);
    const customerId = named ?? input.customerId ?? episode!.customerId;
    const customerExists = input.customerId === undefined ? (await this.customers.resolve(customerId)) !== undefined : named !== undefined;
    const r = await this.handler.handle(
      activityStream(activityId),
      {
        type: 'PlanActivity',
        target: { customerExists, ...(episode && { episode }) },
        data: {
          activityId,
          kind: input.kind,
          customerId,
          ...(input.episodeId !== undefined && { episodeId: input.episodeId }),
          subject: input.subject,
          ...(input.notes !== undefined && { notes: input.notes }),
          dueAt: new Date(input.dueAt).toISOString(),
          ...(input.durationMinutes !== undefined && { durationMinutes: input.durationMinutes }),
          ...(input.reminderMinutesBefore !== undefined && { reminderMinutesBefore: input.reminderMinutesBefore }),
          owner,
          plannedBy: principal.subject,
          plannedAt: this.now(),
        },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: activityId, revision: r.revision };
  }

  /** A new timing as a whole: due time, duration (meetings), reminder (left out: none). */
  reschedule(principal: StaffPrincipal, activityId: string, timing: ActivityTiming, options: CommandOptions = {}): Promise<CommandResult> {
    const dueAt = Number.isNaN(Date.parse(timing.dueAt)) ? timing.dueAt : new Date(timing.dueAt).toISOString();
    return this.run(
      principal,
      activityId,
      { type: 'RescheduleActivity', data: { activityId, ...timing, dueAt, rescheduledBy: principal.subject, rescheduledAt: this.now() } },
      options,
    );
  }

  /** To another owner: the owner hands it on, or a manager moves it. */
  reassign(principal: StaffPrincipal, activityId: string, owner: string, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(
      principal,
      activityId,
      { type: 'ReassignActivity', data: { activityId, owner, reassignedBy: principal.subject, reassignedAt: this.now() } },
      options,
    );
  }

  cancel(principal: StaffPrincipal, activityId: string, reason: string | undefined, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(
      principal,
      activityId,
      {
        type: 'CancelActivity',
        data: { activityId, ...(reason !== undefined && { reason }), cancelledBy: principal.subject, cancelledAt: this.now() },
      },
      options,
    );
  }

  async complete(principal: StaffPrincipal, activityId: string, input: CompleteActivityInput = {}, options: CommandOptions = {}): Promise<CompletedActivity> {
    const completedAt = this.now();
    const r = await this.handler.handle(
      activityStream(activityId),
      (state) => ({
        type: 'CompleteActivity',
        data: { activityId, completedBy: principal.subject, completedAt, ...(state && { interaction: interactionOf(state, input, completedAt) }) },
      }),
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, activityId, state) },
    );
    const done = r.state!;
    const interaction = done.interaction;
    if (!interaction) return { id: activityId, revision: r.revision };
    if (done.episodeId === undefined) return { id: activityId, revision: r.revision, interactionId: interaction.interactionId, recordedOn: 'relationship' };
    // The same interaction on the episode (a repeat of the completion records it there if a crash left it out).
    try {
      await this.episodes.recordInteraction(
        principal,
        done.episodeId,
        {
          interactionId: interaction.interactionId,
          channel: interaction.channel,
          direction: interaction.direction,
          action: interaction.action,
          ...(interaction.response !== undefined && { response: interaction.response }),
          actorKind: interaction.actor.kind,
          actorId: interaction.actor.id,
          occurredAt: interaction.occurredAt,
        },
        { correlationId: options.correlationId },
      );
    } catch (error) {
      // Closed since the plan: the interaction stays on the relationship (the episode takes no more).
      if ((error as { rule?: string }).rule !== 'episode-closed') throw error;
      return { id: activityId, revision: r.revision, interactionId: interaction.interactionId, recordedOn: 'relationship' };
    }
    return { id: activityId, revision: r.revision, interactionId: interaction.interactionId, recordedOn: 'episode' };
  }

  /** The activity as its history says now, with the revision for If-Match. 404 for one never planned. */
  async get(activityId: string): Promise<ActivityView> {
    const { state, revision } = await this.handler.load(activityStream(activityId));
    if (!state || revision === undefined) throw new NotFoundError(`activity ${activityId} not found`);
    const remindAt = reminderTime(state);
    return {
      ...state,
      revision: revision.toString(),
      overdue: state.status === 'open' && Date.parse(state.dueAt) < this.settings.clock.now().getTime(),
      ...(remindAt !== undefined && { remindAt }),
      ...(state.durationMinutes !== undefined && { endsAt: new Date(Date.parse(state.dueAt) + state.durationMinutes * 60_000).toISOString() }),
    };
  }

  /**
   * The scheduler's command: records the reminder and the due notice that are due at the clock's now
   * and not yet recorded for the activity's current schedule — nothing for one completed, cancelled
   * or rescheduled later. Decided on the activity's own history and appended expecting the revision
   * read, under ids derived from activity, notice and schedule: two schedulers at once, or a repeat
   * after a crash, store each notice once. `appended` is false when someone else had recorded them.
   */
  async notifyDue(activityId: string): Promise<{ events: ActivityEvent[]; appended: boolean }> {
    const now = this.now();
    const r = await this.handler.handle(
      activityStream(activityId),
      { type: 'NotifyDueActivity', data: { activityId, now } },
      { correlationId: randomUUID(), actor: ACTIVITY_SCHEDULER_ACTOR, occurredAt: now, visibility: COMPANY_WIDE_VISIBILITY },
      { eventId: (e) => activityNoticeId(activityId, e.type as 'ActivityDue', (e.data as { schedule: number }).schedule) },
    );
    return { events: r.events, appended: r.appended };
  }

  private async run(
    principal: StaffPrincipal,
    activityId: string,
    command: Parameters<typeof activityDecider.decide>[0],
    options: CommandOptions,
  ): Promise<CommandResult> {
    const r = await this.handler.handle(activityStream(activityId), command, this.metadata(principal, options), {
      expectedRevision: options.expectedRevision,
      check: (state) => this.mayChange(principal, activityId, state),
    });
    return { id: activityId, revision: r.revision };
  }

  /** Its owner or a manager changes an activity; anyone else of the department sees it but may not (403). */
  private mayChange(principal: StaffPrincipal, activityId: string, state: ActivityState): void {
    if (!state) throw new NotFoundError(`activity ${activityId} not found`);
    if (state.owner !== principal.subject && !isManager(principal))
      throw forbidden('not-owner', `activity ${activityId} is ${state.owner}'s: only its owner or a manager changes it`);
  }

  private metadata(principal: StaffPrincipal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}

/** The contact a completion records, or none (a task completed without naming a channel). */
function interactionOf(state: Activity, input: CompleteActivityInput, completedAt: string): Interaction | undefined {
  const channel = input.channel ?? ACTIVITY_CHANNELS[state.kind];
  if (!channel) return undefined;
  return {
    interactionId: activityInteractionId(state.activityId),
    channel,
    direction: input.direction ?? 'outbound',
    // The owner held the call or meeting, whoever marks it done (recorded as the event's actor).
    actor: { kind: 'staff', id: state.owner },
    action: input.action ?? DEFAULT_ACTIONS[state.kind],
    ...(input.response !== undefined && { response: input.response }),
    occurredAt: completedAt,
  };
}

function forbidden(code: string, detail: string): HttpProblem {
  return new HttpProblem(403, detail, { type: ProblemTypes.forbidden, extensions: { code } });
}
