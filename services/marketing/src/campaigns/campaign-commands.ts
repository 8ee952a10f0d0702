import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  campaignDecider,
  campaignStream,
  type CampaignActor,
  type CampaignCommand,
  type CampaignDefinition,
  type CampaignEvent,
  type CampaignState,
} from '@crm/campaigns';
import { assertExpectedRevision, CommandHandler, type EventStore } from '@crm/event-store';
import type { Clock, CrmEventMetadata } from '@crm/kernel';
import { metadataFor, NotFoundError, WRITE_STORE, type CommandOptions, type CommandResult } from '@crm/relationship-api';
import { CLOCK, HttpProblem, ProblemTypes, type Principal } from '@crm/service-kit';
import { CAMPAIGN_AUDIENCE, type CampaignAudienceSource } from './campaign-audience';
import { CampaignDirectory } from './campaign-directory';

/** Departments that run campaigns. */
export const CAMPAIGN_DEPARTMENTS = ['marketing', 'management'] as const;

/** Campaigns and their messages are the company's: no partner sees them, whatever is shared. */
export const COMPANY_ONLY = { departments: '*' as const, partners: [] as string[] };

/** The dispatcher, when it starts a scheduled campaign or sends: a system actor. */
export const DISPATCHER_ACTOR = { type: 'system' as const, id: 'campaign-dispatcher' };

export interface CampaignRead {
  state: CampaignState & { status: NonNullable<CampaignState['status']>; definition: CampaignDefinition };
  revision: bigint;
}

/**
 * A campaign's lifecycle (issue 13 §3), the one way to command it: load the campaign stream once,
 * check the caller and that the campaign exists (404), judge If-Match (412 before any rule),
 * decide, append — and tell the directory what was appended, so lists and the dispatcher see it at once.
 */
@Injectable()
export class CampaignCommands {
  private readonly handler: CommandHandler<CampaignState, CampaignCommand, CampaignEvent>;

  constructor(
    @Inject(WRITE_STORE) store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CAMPAIGN_AUDIENCE) private readonly audience: CampaignAudienceSource,
    private readonly directory: CampaignDirectory,
  ) {
    this.handler = new CommandHandler(store, campaignDecider, { retries: 2 });
  }

  async define(principal: Principal, input: CampaignDefinition & { campaignId?: string }, options: CommandOptions = {}): Promise<CommandResult> {
    const by = assertCampaigner(principal);
    const campaignId = (input.campaignId ?? randomUUID()).toLowerCase();
    const { campaignId: _, ...definition } = input;
    return this.run(
      principal,
      campaignId,
      options,
      { type: 'DefineCampaign', data: { campaignId, ...definition, definedBy: by.subject, definedAt: this.now() } },
      false,
    );
  }

  revise(principal: Principal, campaignId: string, definition: CampaignDefinition, options: CommandOptions = {}): Promise<CommandResult> {
    const by = assertCampaigner(principal);
    return this.run(principal, campaignId, options, {
      type: 'ReviseCampaign',
      data: { campaignId, ...definition, revisedBy: by.subject, revisedAt: this.now() },
    });
  }

  schedule(principal: Principal, campaignId: string, startAt: string, options: CommandOptions = {}): Promise<CommandResult> {
    const by = assertCampaigner(principal);
    return this.run(principal, campaignId, options, {
      type: 'ScheduleCampaign',
      data: { campaignId, startAt: new Date(startAt).toISOString(), scheduledBy: by, scheduledAt: this.now() },
    });
  }

  /** Starts now: the audience is resolved (the list, or the segment's members now) and frozen. */
  async start(principal: Principal, campaignId: string, options: CommandOptions = {}): Promise<CommandResult> {
    const by = assertCampaigner(principal);
    return this.startAs(by, metadataFor(principal, this.clock, COMPANY_ONLY, options.correlationId), campaignId, options);
  }

  /** The dispatcher starts a scheduled campaign when its time comes, in the name of whoever scheduled it. */
  async startScheduled(campaignId: string): Promise<CommandResult> {
    const { state } = await this.read(campaignId);
    if (state.status !== 'scheduled' || !state.scheduledBy) return { id: campaignId, revision: undefined };
    const metadata = { correlationId: randomUUID(), actor: DISPATCHER_ACTOR, occurredAt: this.now(), visibility: COMPANY_ONLY };
    return this.startAs(state.scheduledBy, metadata, campaignId, {});
  }

  pause(principal: Principal, campaignId: string, reason: string | undefined, options: CommandOptions = {}): Promise<CommandResult> {
    const by = assertCampaigner(principal);
    return this.run(principal, campaignId, options, {
      type: 'PauseCampaign',
      data: { campaignId, pausedBy: by.subject, pausedAt: this.now(), ...(reason !== undefined && { reason }) },
    });
  }

  resume(principal: Principal, campaignId: string, options: CommandOptions = {}): Promise<CommandResult> {
    const by = assertCampaigner(principal);
    return this.run(principal, campaignId, options, { type: 'ResumeCampaign', data: { campaignId, resumedBy: by.subject, resumedAt: this.now() } });
  }

  close(principal: Principal, campaignId: string, reason: string | undefined, options: CommandOptions = {}): Promise<CommandResult> {
    const by = assertCampaigner(principal);
    return this.run(principal, campaignId, options, {
      type: 'CloseCampaign',
      data: { campaignId, closedBy: by.subject, closedAt: this.now(), ...(reason !== undefined && { reason }) },
    });
  }

  /** The campaign as recorded (404 when there is none). */
  async view(principal: Principal, campaignId: string): Promise<CampaignRead> {
    assertCampaigner(principal);
    return this.read(campaignId);
  }

  async read(campaignId: string): Promise<CampaignRead> {
    const { state, revision } = await this.handler.load(campaignStream(campaignId.toLowerCase()));
    if (state.status === undefined || state.definition === undefined || revision === undefined) throw new NotFoundError(`campaign ${campaignId} not found`);
    return { state: state as CampaignRead['state'], revision };
  }

  private async startAs(
    by: CampaignActor,
    metadata: Omit<CrmEventMetadata, 'causationId'>,
    campaignId: string,
    options: CommandOptions,
  ): Promise<CommandResult> {
    const id = campaignId.toLowerCase();
    // The audience is resolved before the decision (a segment's members now); the append expects the
    // revision it was resolved for, so a revision in between makes the command run again on it.
    const { state, revision } = await this.read(id);
    assertExpectedRevision(campaignStream(id), options.expectedRevision, revision);
    const audience = state.definition.audience;
    // A triggered campaign starts with nobody: the trigger firings admit its recipients while it runs.
    const members =
      state.status !== 'draft' && state.status !== 'scheduled'
        ? []
        : audience.kind === 'list'
          ? audience.customerIds
          : audience.kind === 'segment'
            ? await this.audience.membersOf(audience.segmentId)
            : [];
    const r = await this.handler.handle(
      campaignStream(id),
      { type: 'StartCampaign', data: { campaignId: id, startedAt: metadata.occurredAt, startedBy: by, members } },
      metadata,
      { expectedRevision: options.expectedRevision ?? revision },
    );
    if (r.revision !== undefined) this.directory.noteCampaign(id, r.state, Number(r.revision));
    return { id, revision: r.revision };
  }

  private async run(principal: Principal, campaignId: string, options: CommandOptions, command: CampaignCommand, mustExist = true): Promise<CommandResult> {
    const id = campaignId.toLowerCase();
    const r = await this.handler.handle(campaignStream(id), command, metadataFor(principal, this.clock, COMPANY_ONLY, options.correlationId), {
      expectedRevision: options.expectedRevision,
      check: (state) => {
        if (mustExist && state.status === undefined) throw new NotFoundError(`campaign ${campaignId} not found`);
      },
    });
    if (r.revision !== undefined) this.directory.noteCampaign(id, r.state, Number(r.revision));
    return { id, revision: r.revision };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

/** Staff of marketing or management (the routes say so too; a command is the last word). */
export function assertCampaigner(principal: Principal): CampaignActor {
  if (principal.kind !== 'staff' || !(CAMPAIGN_DEPARTMENTS as readonly string[]).includes(principal.department))
    throw new HttpProblem(403, `campaigns are run by staff of ${CAMPAIGN_DEPARTMENTS.join(' or ')}`, { type: ProblemTypes.forbidden });
  return { subject: principal.subject, department: principal.department };
}
