import { DomainRuleViolation, SALES_STAGES, STAGE_ID, type Decider, type SalesStage } from '@crm/kernel';

/**
 * Sales pipelines: the stages an opportunity moves through, in order, each with the probability
 * (0–100 %) that an opportunity in it is won — the default of every opportunity in that stage,
 * unless the opportunity overrides it. Buttle's sales process (lead generation … closing) is the
 * default pipeline, present without any setup; sales managers create others (a short one for
 * renewals, a long one for tenders) and change them. Winning or losing is not a stage: closing an
 * opportunity ends it won or lost.
 *
 * All pipelines live in one stream (`sales-pipelines`): there are few, they are read together, and
 * each keeps its own version (1 when created, +1 per change; the default pipeline is version 0
 * until first changed), which is its ETag.
 */

export interface PipelineStage {
  /** Lower-case letters, digits and dashes ("proposal-creation"); never changes once in use. */
  stageId: string;
  name: string;
  /** 0–100: the default win probability of an opportunity in this stage. */
  probability: number;
}

export interface Pipeline {
  readonly pipelineId: string;
  readonly name: string;
  readonly stages: readonly PipelineStage[];
  /** 0: the built-in default pipeline, never changed; then 1, 2, … per definition recorded. */
  readonly version: number;
  readonly createdAt?: string;
  readonly createdBy?: string;
  readonly changedAt?: string;
  readonly changedBy?: string;
}

export type PipelineEvent =
  | { type: 'PipelineCreated'; data: { pipelineId: string; name: string; stages: PipelineStage[]; createdBy: string; createdAt: string } }
  | { type: 'PipelineChanged'; data: { pipelineId: string; name: string; stages: PipelineStage[]; changedBy: string; changedAt: string } };

export type PipelineCommand =
  | { type: 'CreatePipeline'; data: Extract<PipelineEvent, { type: 'PipelineCreated' }>['data'] }
  | { type: 'ChangePipeline'; data: Extract<PipelineEvent, { type: 'PipelineChanged' }>['data'] };

/** Every pipeline recorded, by id (the default pipeline only once it was changed). */
export type Pipelines = ReadonlyMap<string, Pipeline>;

export const PIPELINES_STREAM = 'sales-pipelines';
/** The default pipeline's id: fixed for good. */
export const DEFAULT_PIPELINE_ID = '5a1e5000-0000-4000-8000-000000000001';
export const MAX_PIPELINE_STAGES = 20;
export const MAX_PIPELINES = 100;

/** Win probability by stage of Buttle's sales process: the default pipeline's, until a manager changes them. */
export const DEFAULT_STAGE_PROBABILITIES: Readonly<Record<SalesStage, number>> = {
  'lead-generation': 5,
  'lead-qualification': 10,
  'needs-identification': 20,
  'specification-development': 30,
  'proposal-creation': 40,
  'proposal-presentation': 50,
  'handling-objections': 60,
  closing: 80,
};

const titleOf = (stageId: string) => stageId.charAt(0).toUpperCase() + stageId.slice(1).replace(/-/g, ' ');

/** The default pipeline as built in: Buttle's eight stages. */
export const DEFAULT_PIPELINE: Pipeline = {
  pipelineId: DEFAULT_PIPELINE_ID,
  name: 'Sales process',
  stages: SALES_STAGES.map((stageId) => ({ stageId, name: titleOf(stageId), probability: DEFAULT_STAGE_PROBABILITIES[stageId] })),
  version: 0,
};

/** A pipeline as recorded, or the built-in default for its id. */
export function pipelineOf(pipelines: Pipelines, pipelineId: string): Pipeline | undefined {
  return pipelines.get(pipelineId) ?? (pipelineId === DEFAULT_PIPELINE_ID ? DEFAULT_PIPELINE : undefined);
}

/** Every pipeline, the default one first, then by name. */
export function allPipelines(pipelines: Pipelines): Pipeline[] {
  const others = [...pipelines.values()].filter((p) => p.pipelineId !== DEFAULT_PIPELINE_ID).sort((a, b) => a.name.localeCompare(b.name));
  return [pipelineOf(pipelines, DEFAULT_PIPELINE_ID)!, ...others];
}

export function evolvePipelines(state: Pipelines, event: PipelineEvent): Pipelines {
  const next = new Map(state);
  const d = event.data;
  if (event.type === 'PipelineCreated') {
    next.set(d.pipelineId, {
      pipelineId: d.pipelineId,
      name: d.name,
      stages: d.stages,
      version: 1,
      createdAt: event.data.createdAt,
      createdBy: event.data.createdBy,
    });
  } else {
    const before = pipelineOf(state, d.pipelineId);
    next.set(d.pipelineId, {
      ...before,
      pipelineId: d.pipelineId,
      name: d.name,
      stages: d.stages,
      version: (before?.version ?? 0) + 1,
      changedAt: event.data.changedAt,
      changedBy: event.data.changedBy,
    });
  }
  return next;
}

function checkDefinition(name: string, stages: readonly PipelineStage[]): void {
  if (!name.trim()) throw new DomainRuleViolation('pipeline-needs-name', 'a pipeline needs a name');
  if (stages.length === 0) throw new DomainRuleViolation('pipeline-needs-stages', 'a pipeline needs at least one stage');
  if (stages.length > MAX_PIPELINE_STAGES) throw new DomainRuleViolation('too-many-stages', `a pipeline has at most ${MAX_PIPELINE_STAGES} stages`);
  const ids = new Set<string>();
  for (const [i, s] of stages.entries()) {
    if (!STAGE_ID.test(s.stageId)) throw new DomainRuleViolation('stage-id-format', `stage ${i}: an id is lower-case letters, digits and dashes`);
    if (ids.has(s.stageId)) throw new DomainRuleViolation('stage-ids-unique', `stage ${i}: ${s.stageId} names an earlier stage too`);
    ids.add(s.stageId);
    if (!s.name.trim()) throw new DomainRuleViolation('stage-needs-name', `stage ${s.stageId} needs a name`);
    if (!Number.isInteger(s.probability) || s.probability < 0 || s.probability > 100)
      throw new DomainRuleViolation('probability-out-of-range', `stage ${s.stageId}: a probability is a whole percentage from 0 to 100`);
  }
}

const sameDefinition = (p: Pipeline, name: string, stages: readonly PipelineStage[]) =>
  p.name === name &&
  JSON.stringify(p.stages.map(({ stageId, name: n, probability }) => [stageId, n, probability])) ===
    JSON.stringify(stages.map(({ stageId, name: n, probability }) => [stageId, n, probability]));

function nameTaken(state: Pipelines, name: string, pipelineId: string): boolean {
  const wanted = name.trim().toLowerCase();
  return allPipelines(state).some((p) => p.pipelineId !== pipelineId && p.name.trim().toLowerCase() === wanted);
}

export function decidePipelines(command: PipelineCommand, state: Pipelines): PipelineEvent[] {
  const current = pipelineOf(state, command.data.pipelineId);
  if (command.type === 'CreatePipeline') {
    const d = command.data;
    if (current) {
      // The same creation again (a retried request): nothing new; another definition under the id is refused.
      if (current.version === 1 && sameDefinition(current, d.name, d.stages)) return [];
      throw new DomainRuleViolation('pipeline-exists', `pipeline ${d.pipelineId} already exists`);
    }
    checkDefinition(d.name, d.stages);
    if (state.size >= MAX_PIPELINES) throw new DomainRuleViolation('too-many-pipelines', `at most ${MAX_PIPELINES} pipelines`);
    if (nameTaken(state, d.name, d.pipelineId)) throw new DomainRuleViolation('pipeline-name-taken', `another pipeline is called ${d.name}`);
    return [{ type: 'PipelineCreated', data: d }];
  }
  const d = command.data;
  if (!current) throw new DomainRuleViolation('unknown-pipeline', `pipeline ${d.pipelineId} does not exist`);
  checkDefinition(d.name, d.stages);
  // An opportunity may be in any stage the pipeline ever had: stages are renamed, reordered,
  // re-weighted and added, never taken away.
  const kept = new Set(d.stages.map((s) => s.stageId));
  const dropped = current.stages.filter((s) => !kept.has(s.stageId)).map((s) => s.stageId);
  if (dropped.length) throw new DomainRuleViolation('pipeline-keeps-stages', `a stage opportunities may be in cannot be removed: ${dropped.join(', ')}`);
  if (nameTaken(state, d.name, d.pipelineId)) throw new DomainRuleViolation('pipeline-name-taken', `another pipeline is called ${d.name}`);
  if (sameDefinition(current, d.name, d.stages)) return [];
  return [{ type: 'PipelineChanged', data: d }];
}

export const pipelinesDecider: Decider<Pipelines, PipelineCommand, PipelineEvent> = {
  decide: decidePipelines,
  evolve: evolvePipelines,
  initialState: new Map(),
};

/** The stage of a pipeline, or undefined when it has none of that id. */
export const stageOf = (pipeline: Pick<Pipeline, 'stages'>, stageId: string): PipelineStage | undefined => pipeline.stages.find((s) => s.stageId === stageId);
