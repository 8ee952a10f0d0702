import { DeciderSpecification } from '@crm/kernel/testing';
import { SALES_STAGES } from '@crm/kernel';
import {
  allPipelines,
  DEFAULT_PIPELINE,
  DEFAULT_PIPELINE_ID,
  evolvePipelines,
  pipelineOf,
  pipelinesDecider,
  type PipelineEvent,
  type Pipelines,
  type PipelineStage,
} from './pipeline';

const given = DeciderSpecification.for(pipelinesDecider);
const stateOf = (events: PipelineEvent[]): Pipelines => events.reduce(evolvePipelines, pipelinesDecider.initialState);

const stages: PipelineStage[] = [
  { stageId: 'qualify', name: 'Qualify', probability: 20 },
  { stageId: 'quote', name: 'Quote', probability: 60 },
  { stageId: 'sign', name: 'Sign', probability: 90 },
];
const at = '2026-03-01T09:00:00.000Z';
const create = { pipelineId: 'p1', name: 'Renewals', stages, createdBy: 'mia', createdAt: at };
const created: PipelineEvent[] = [{ type: 'PipelineCreated', data: create }];
const change = (over: Partial<{ name: string; stages: PipelineStage[]; pipelineId: string }> = {}) => ({
  type: 'ChangePipeline' as const,
  data: { pipelineId: 'p1', name: 'Renewals', stages, changedBy: 'mia', changedAt: '2026-03-02T09:00:00.000Z', ...over },
});

describe('pipelines decide', () => {
  it("Buttle's eight stages are the default pipeline, there without any setup (version 0)", () => {
    const none = stateOf([]);
    expect(pipelineOf(none, DEFAULT_PIPELINE_ID)).toBe(DEFAULT_PIPELINE);
    expect(DEFAULT_PIPELINE.stages.map((s) => s.stageId)).toEqual([...SALES_STAGES]);
    expect(DEFAULT_PIPELINE.stages.map((s) => s.probability)).toEqual([5, 10, 20, 30, 40, 50, 60, 80]);
    expect(allPipelines(none).map((p) => p.pipelineId)).toEqual([DEFAULT_PIPELINE_ID]);
  });

  it('creates a pipeline with ordered stages and default probabilities; the same creation again changes nothing', () => {
    given([]).when({ type: 'CreatePipeline', data: create }).then(created);
    given(created).when({ type: 'CreatePipeline', data: create }).thenNothingHappens();
    given(created)
      .when({ type: 'CreatePipeline', data: { ...create, name: 'Other' } })
      .thenBreaks('pipeline-exists');
    given([])
      .when({ type: 'CreatePipeline', data: { ...create, pipelineId: DEFAULT_PIPELINE_ID } })
      .thenBreaks('pipeline-exists');
    expect(pipelineOf(stateOf(created), 'p1')).toMatchObject({ name: 'Renewals', version: 1, createdBy: 'mia' });
  });

  it('refuses a definition that breaks a rule', () => {
    const bad: [Partial<typeof create>, string][] = [
      [{ name: ' ' }, 'pipeline-needs-name'],
      [{ stages: [] }, 'pipeline-needs-stages'],
      [{ stages: Array.from({ length: 21 }, (_, i) => ({ stageId: `s${i}`, name: `S${i}`, probability: 10 })) }, 'too-many-stages'],
      [{ stages: [stages[0], { ...stages[1], stageId: 'qualify' }] }, 'stage-ids-unique'],
      [{ stages: [{ ...stages[0], stageId: 'Qualify Now' }] }, 'stage-id-format'],
      [{ stages: [{ ...stages[0], name: '' }] }, 'stage-needs-name'],
      [{ stages: [{ ...stages[0], probability: 101 }] }, 'probability-out-of-range'],
      [{ stages: [{ ...stages[0], probability: 12.5 }] }, 'probability-out-of-range'],
      [{ stages: [{ ...stages[0], probability: -1 }] }, 'probability-out-of-range'],
      [{ name: 'sales PROCESS' }, 'pipeline-name-taken'], // the default pipeline's name, in other case
    ];
    for (const [over, rule] of bad)
      given([])
        .when({ type: 'CreatePipeline', data: { ...create, ...over } })
        .thenBreaks(rule);
  });

  it('changes a pipeline: rename, reorder, re-weight and add stages, never remove one; each change is a new version', () => {
    const reordered = [stages[1], { ...stages[0], name: 'Qualify the need', probability: 25 }, stages[2], { stageId: 'legal', name: 'Legal', probability: 95 }];
    given(created)
      .when(change({ stages: reordered }))
      .then([{ type: 'PipelineChanged', data: change({ stages: reordered }).data }]);
    given(created)
      .when(change({ stages: [stages[0], stages[2]] }))
      .thenBreaks('pipeline-keeps-stages');
    given(created).when(change()).thenNothingHappens(); // the same definition again
    given([]).when(change()).thenBreaks('unknown-pipeline');
    const changed = stateOf([...created, { type: 'PipelineChanged', data: change({ stages: reordered }).data }]);
    expect(pipelineOf(changed, 'p1')).toMatchObject({ version: 2, stages: reordered, changedBy: 'mia', createdAt: at });
  });

  it('the default pipeline is changed like any other: its first change is version 1', () => {
    const probabilities = DEFAULT_PIPELINE.stages.map((s) => ({ ...s, probability: Math.min(100, s.probability + 5) }));
    const changeDefault = change({ pipelineId: DEFAULT_PIPELINE_ID, name: 'Sales process', stages: probabilities });
    given([])
      .when(changeDefault)
      .then([{ type: 'PipelineChanged', data: changeDefault.data }]);
    const state = stateOf([{ type: 'PipelineChanged', data: changeDefault.data }]);
    expect(pipelineOf(state, DEFAULT_PIPELINE_ID)).toMatchObject({ version: 1, stages: probabilities });
    given([])
      .when(change({ pipelineId: DEFAULT_PIPELINE_ID, name: 'Sales process', stages: DEFAULT_PIPELINE.stages.slice(1) }))
      .thenBreaks('pipeline-keeps-stages');
  });
});
