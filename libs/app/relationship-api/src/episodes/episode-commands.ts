import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import {
  COMPANY_WIDE_VISIBILITY,
  DomainRuleViolation,
  episodeDecider,
  episodeStream,
  NotFoundError,
  pipelineOf,
  DEFAULT_PIPELINE_ID,
  type EpisodeEvent,
  type EpisodeOwner,
  type EpisodeState,
  type EpisodeType,
  type OpportunityChanges,
  type CaseChanges,
} from '@crm/relationship';
import { partnerActorId, type Principal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';
import type { CloseEpisodeDto, OpenEpisodeDto, RecordInteractionDto } from '../dto';
import type { PartnerAccess } from '../partners/partner-commands';
import type { SystemActor } from '../cases/case-commands';
import { loadPipelines, PipelineCommands } from '../opportunities/pipeline-commands';
import { opportunityView, type OpportunityView } from '../opportunities/opportunity-view';
import { correlationIdFor } from '@crm/telemetry';

/** What an opportunity may be opened with besides what every episode has. */
export interface OpportunityOpening extends OpportunityChanges {
  /** Default: the default pipeline (Buttle's sales process). */
  pipelineId?: string;
  /** Default: the pipeline's first stage. */
  stage?: string;
}

/** What a case may be opened with besides what every episode has (defaults: normal priority, minor severity). */
export type CaseOpening = Omit<CaseChanges, 'team'> & { team?: string | null };

/** The case details of an opening (only those given), or nothing. */
function caseOpening(dto: CaseOpening, by: string): { caseDetails?: { changes: CaseChanges; by: string } } {
  const { priority, severity, category, productId, team } = dto;
  const changes = Object.fromEntries(Object.entries({ priority, severity, category, productId, team }).filter(([, v]) => v !== undefined && v !== null));
  return Object.keys(changes).length > 0 ? { caseDetails: { changes: changes as CaseChanges, by } } : {};
}

export interface EpisodeCommandOptions extends CommandOptions {
  /** The route's kind of episode (`/opportunities/…` changes only opportunities): any other answers 404. */
  episodeType?: EpisodeType;
}

/**
 * The episode aggregate's commands, for departments and partners alike. Each loads the episode once,
 * checks on that state that the caller may change it (a partner only its own episodes, on customers
 * still shared with it; staff only the company's), judges If-Match, decides, appends.
 */
export class EpisodeCommands {
  constructor(
    private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    private readonly partnerAccess: PartnerAccess,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, episodeDecider, { retries: this.settings.retries });
  private readonly pipelines = new PipelineCommands(this.store, this.settings);

  async open(
    principal: Principal,
    episodeType: EpisodeType,
    dto: OpenEpisodeDto & { campaignId?: string; opportunityId?: string } & OpportunityOpening & CaseOpening,
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const episodeId = dto.episodeId ?? randomUUID();
    const owner: EpisodeOwner =
      principal.kind === 'partner' ? { kind: 'partner', partnerId: principal.partnerId } : { kind: 'department', department: principal.department };
    if (principal.kind === 'partner') await this.partnerAccess.assertShared(principal, dto.customerId, episodeType);
    // A merged customer is written as its survivor (which a partner must have been given too).
    const resolved = await this.customers.resolve(dto.customerId);
    const customerId = resolved ?? dto.customerId;
    if (principal.kind === 'partner' && customerId !== dto.customerId) await this.partnerAccess.assertShared(principal, customerId, episodeType);
    const customerExists = resolved !== undefined;
    // An opportunity opens on a pipeline as it is defined now (the default one unless named).
    const opportunity = episodeType === 'opportunity' ? await this.opportunityOpening(dto) : {};
    // A case may open with its working details, recorded in the same append.
    const caseDetails = episodeType === 'case' ? caseOpening(dto, principal.subject) : {};
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'OpenEpisode',
        customerExists,
        data: {
          episodeId,
          customerId,
          name: dto.name,
          episodeType,
          owner,
          openedAt: dto.openedAt ?? this.now(),
          expectedValue: dto.expectedValue,
          currency: dto.currency,
          channel: dto.channel,
          campaignId: dto.campaignId,
          ...(dto.opportunityId !== undefined && { opportunityId: dto.opportunityId }),
          ...(dto.stage !== undefined && { stage: dto.stage }),
        },
        ...opportunity,
        ...caseDetails,
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: episodeId, revision: r.revision };
  }

  /** `appended` false: an interaction with this id was recorded already (a retry), nothing was written. */
  async recordInteraction(
    principal: Principal,
    episodeId: string,
    dto: RecordInteractionDto,
    options: EpisodeCommandOptions = {},
  ): Promise<CommandResult & { appended: boolean }> {
    const interactionId = dto.interactionId ?? randomUUID();
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'RecordInteraction',
        by: principal.kind === 'partner' ? { kind: 'partner', partnerId: principal.partnerId } : { kind: 'department', department: principal.department },
        data: {
          episodeId,
          interaction: {
            interactionId,
            channel: dto.channel,
            direction: dto.direction,
            actor: {
              kind: dto.actorKind ?? (principal.kind === 'partner' ? 'partner-user' : 'staff'),
              id: dto.actorId ?? (principal.kind === 'partner' ? partnerActorId(principal) : principal.subject),
            },
            action: dto.action,
            response: dto.response,
            occurredAt: dto.occurredAt ?? this.now(),
          },
        },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, episodeId, state, options.episodeType) },
    );
    return { id: interactionId, revision: r.revision, appended: r.appended };
  }

  /** Moves an opportunity to another stage of its pipeline (as the pipeline is defined now); a move back needs a reason. */
  async changeStage(principal: Principal, episodeId: string, move: { stage: string; reason?: string }, options: CommandOptions = {}): Promise<CommandResult> {
    const pipelines = await loadPipelines(this.store);
    const r = await this.handler.handle(
      episodeStream(episodeId),
      (state) => {
        const pipeline = pipelineOf(pipelines, state?.opportunity?.pipelineId ?? '');
        if (!pipeline) throw new DomainRuleViolation('unknown-pipeline', `the pipeline of opportunity ${episodeId} is not defined`);
        return {
          type: 'ChangeStage',
          pipeline,
          data: { episodeId, to: move.stage, ...(move.reason !== undefined && { reason: move.reason }), changedAt: this.now() },
        };
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, episodeId, state, 'opportunity') },
    );
    return { id: episodeId, revision: r.revision };
  }

  /** A move forward (kept for callers from before pipelines; a move back is refused without a reason). */
  advanceStage(principal: Principal, episodeId: string, stage: string, options: CommandOptions = {}): Promise<CommandResult> {
    return this.changeStage(principal, episodeId, { stage }, options);
  }

  /** Changes an opportunity's amount, close date, owner, team, next step, competitors or probability: only what differs is recorded. */
  async updateOpportunity(principal: Principal, episodeId: string, changes: OpportunityChanges, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      episodeStream(episodeId),
      { type: 'UpdateOpportunity', data: { episodeId, changes, updatedAt: this.now() } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, episodeId, state, 'opportunity') },
    );
    return { id: episodeId, revision: r.revision };
  }

  async close(principal: Principal, episodeId: string, dto: CloseEpisodeDto, options: EpisodeCommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'CloseEpisode',
        data: { episodeId, outcome: dto.outcome, value: dto.value, currency: dto.currency, reason: dto.reason, closedAt: dto.closedAt ?? this.now() },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => this.mayChange(principal, episodeId, state, options.episodeType) },
    );
    return { id: episodeId, revision: r.revision };
  }

  /**
   * Closes one of the company's episodes as one of its processes (the case following its return,
   * issue 12 §5): recorded as a `system` actor, company-wide, like the router's assignments. A
   * partner's episode reads as missing, as it does to staff.
   */
  async closeAsSystem(actor: SystemActor, episodeId: string, dto: CloseEpisodeDto, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.handler.handle(
      episodeStream(episodeId),
      { type: 'CloseEpisode', data: { episodeId, outcome: dto.outcome, reason: dto.reason, closedAt: dto.closedAt ?? this.now() } },
      {
        correlationId: correlationIdFor(options.correlationId),
        actor: { type: 'system' as const, id: actor.id },
        occurredAt: this.now(),
        visibility: COMPANY_WIDE_VISIBILITY,
      },
      {
        expectedRevision: options.expectedRevision,
        check: (state) => {
          if (state?.owner.kind !== 'department') throw new NotFoundError(`episode ${episodeId} not found`);
        },
      },
    );
    return { id: episodeId, revision: r.revision };
  }

  /**
   * The opportunity as its own history tells it (stages with the time spent in each, interactions…).
   * 404 for one that is not there, is no opportunity, or is not the company's.
   */
  async opportunity(principal: Principal, episodeId: string): Promise<OpportunityView> {
    const events: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(episodeStream(episodeId), { fromRevision: from, maxCount: 1000 });
      events.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    const state = events.map((e) => ({ type: e.type, data: e.data }) as EpisodeEvent).reduce(episodeDecider.evolve, episodeDecider.initialState);
    await this.mayChange(principal, episodeId, state, 'opportunity');
    const pipelineId = state!.opportunity!.pipelineId;
    const pipeline = await this.pipelines.find(pipelineId);
    const view = opportunityView(events, pipeline ?? { pipelineId, name: pipelineId, stages: [], version: 0 }, this.settings.clock.now());
    if (!view) throw new NotFoundError(`opportunity ${episodeId} not found`);
    return view;
  }

  /** A partner changes only its own episodes, staff only the company's; anything else reads as missing. */
  private async mayChange(principal: Principal, episodeId: string, state: EpisodeState, episodeType?: EpisodeType): Promise<void> {
    const visible =
      state &&
      (!episodeType || state.episodeType === episodeType) &&
      (principal.kind === 'partner' ? state.owner.kind === 'partner' && state.owner.partnerId === principal.partnerId : state.owner.kind === 'department');
    // Someone else's episode answers exactly like a missing one: its existence is not disclosed.
    if (!visible) throw new NotFoundError(`episode ${episodeId} not found`);
    // A partner keeps writing on its own episode only while the customer is still shared with it.
    if (principal.kind === 'partner') {
      try {
        await this.partnerAccess.assertShared(principal, state.customerId, state.episodeType);
      } catch (error) {
        if ((error as Error).name === 'NotFoundError') throw new NotFoundError(`episode ${episodeId} not found`);
        throw error;
      }
    }
  }

  /** The pipeline an opportunity opens on and the attributes recorded with the opening. */
  private async opportunityOpening(dto: OpportunityOpening) {
    const pipelineId = dto.pipelineId;
    const pipeline = pipelineId === undefined ? undefined : await this.pipelines.find(pipelineId);
    if (pipelineId !== undefined && !pipeline) throw new DomainRuleViolation('unknown-pipeline', `there is no pipeline ${pipelineId}`);
    const { amount, currency, expectedCloseDate, owner, team, nextStep, competitors, probability } = dto;
    const details = Object.fromEntries(
      Object.entries({ amount, currency, expectedCloseDate, owner, team, nextStep, competitors, probability }).filter(([, v]) => v !== undefined),
    ) as OpportunityChanges;
    // A currency with no amount is the opening's old `currency` (of `expectedValue`), not an amount's.
    if (details.amount === undefined) delete details.currency;
    return { pipeline: pipeline ?? (await this.pipelines.find(DEFAULT_PIPELINE_ID)), ...(Object.keys(details).length > 0 && { details }) };
  }

  private metadata(principal: Principal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
