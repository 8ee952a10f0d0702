import { randomUUID } from 'node:crypto';
import { CommandHandler, ConcurrencyConflictError, loadState, type EventStore, type ExpectedRevision, type RecordedEvent } from '@crm/event-store';
import {
  allPipelines,
  NotFoundError,
  pipelineOf,
  PIPELINES_STREAM,
  pipelinesDecider,
  type Pipeline,
  type PipelineEvent,
  type Pipelines,
  type PipelineStage,
} from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandSettings } from '../application/command-options';

export interface PipelineDefinition {
  name: string;
  stages: PipelineStage[];
}

/** What a change of a pipeline answers: the pipeline as it is now (its `version` is the ETag). */
export interface PipelineResult {
  pipeline: Pipeline;
}

/**
 * The sales pipelines (one stream, `sales-pipelines`): Buttle's sales process is the default one,
 * there without any setup; managers create others and change them. A pipeline's ETag is its own
 * version, so a change to one pipeline does not make another's If-Match stale.
 */
export class PipelineCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, pipelinesDecider, { retries: this.settings.retries });

  /** Every pipeline, the default first. */
  async list(): Promise<Pipeline[]> {
    return allPipelines((await this.handler.load(PIPELINES_STREAM)).state);
  }

  /** One pipeline; 404 for an id that names none. */
  async get(pipelineId: string): Promise<Pipeline> {
    const pipeline = pipelineOf((await this.handler.load(PIPELINES_STREAM)).state, pipelineId);
    if (!pipeline) throw new NotFoundError(`pipeline ${pipelineId} not found`);
    return pipeline;
  }

  /** A pipeline if there is one of that id (the built-in default included). */
  async find(pipelineId: string): Promise<Pipeline | undefined> {
    return pipelineOf((await this.handler.load(PIPELINES_STREAM)).state, pipelineId);
  }

  /** The pipelines as they were defined at `asOf` (by when the store recorded each definition). */
  async asOf(asOf: Date): Promise<Pipelines> {
    const until = asOf.getTime();
    const recorded: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(PIPELINES_STREAM, { fromRevision: from, maxCount: 1000 });
      recorded.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    return recorded
      .filter((e) => Date.parse(e.recordedAt) <= until)
      .map((e) => ({ type: e.type, data: e.data }) as PipelineEvent)
      .reduce(pipelinesDecider.evolve, pipelinesDecider.initialState);
  }

  async create(principal: StaffPrincipal, input: PipelineDefinition & { pipelineId?: string }, options: CommandOptions = {}): Promise<PipelineResult> {
    const pipelineId = input.pipelineId ?? randomUUID();
    const r = await this.handler.handle(
      PIPELINES_STREAM,
      { type: 'CreatePipeline', data: { pipelineId, name: input.name, stages: input.stages, createdBy: principal.subject, createdAt: this.now() } },
      this.metadata(principal, options),
    );
    return { pipeline: pipelineOf(r.state, pipelineId)! };
  }

  /**
   * Replaces a pipeline's name and stages. `options.expectedRevision` is the pipeline's version
   * (If-Match): a stale one is a 412 before any rule — after the 404 for a pipeline that is not there.
   */
  async change(principal: StaffPrincipal, pipelineId: string, input: PipelineDefinition, options: CommandOptions = {}): Promise<PipelineResult> {
    const expected = options.expectedRevision;
    const r = await this.handler.handle(
      PIPELINES_STREAM,
      { type: 'ChangePipeline', data: { pipelineId, name: input.name, stages: input.stages, changedBy: principal.subject, changedAt: this.now() } },
      this.metadata(principal, options),
      { check: (state) => assertVersion(state, pipelineId, expected) },
    );
    return { pipeline: pipelineOf(r.state, pipelineId)! };
  }

  private metadata(principal: StaffPrincipal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}

/** 404 for a pipeline that is not there; then the version the client saw (If-Match) must still hold. */
function assertVersion(state: Pipelines, pipelineId: string, expected: ExpectedRevision | undefined): void {
  const pipeline = pipelineOf(state, pipelineId);
  if (!pipeline) throw new NotFoundError(`pipeline ${pipelineId} not found`);
  if (typeof expected === 'bigint' && BigInt(pipeline.version) !== expected)
    throw new ConcurrencyConflictError(`${PIPELINES_STREAM}/${pipelineId}`, expected, BigInt(pipeline.version));
}

/** The current pipelines without a handler (for the read side). */
export async function loadPipelines(store: EventStore): Promise<Pipelines> {
  return (await loadState(store, PIPELINES_STREAM, pipelinesDecider)).state;
}
