import { DeciderSpecification } from '@crm/kernel/testing';
import { episodeDecider, evolveEpisode, type EpisodeEvent, type EpisodeOpenedData, type EpisodeState } from './episode';
import { timeInStages } from './opportunity';
import { DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, type Pipeline } from './pipeline';

const given = DeciderSpecification.for(episodeDecider);
const stateOf = (events: EpisodeEvent[]): EpisodeState => events.reduce(evolveEpisode, undefined);

const renewals: Pipeline = {
  pipelineId: 'p-renewals',
  name: 'Renewals',
  version: 1,
  stages: [
    { stageId: 'qualify', name: 'Qualify', probability: 20 },
    { stageId: 'quote', name: 'Quote', probability: 60 },
    { stageId: 'sign', name: 'Sign', probability: 90 },
  ],
};
const openedAt = '2026-03-01T09:00:00.000Z';
const base: EpisodeOpenedData = {
  episodeId: 'o1',
  customerId: 'c1',
  name: 'Fleet renewal',
  episodeType: 'opportunity',
  owner: { kind: 'department', department: 'sales' },
  openedAt,
};
const ids = { episodeId: 'o1', customerId: 'c1' };
const openedOn = (pipeline: Pipeline, stage: string, probability: number): EpisodeEvent => ({
  type: 'EpisodeOpened',
  data: { ...base, pipelineId: pipeline.pipelineId, stage, stageProbability: probability },
});
const onRenewals: EpisodeEvent[] = [openedOn(renewals, 'qualify', 20)];
const move = (to: string, changedAt: string, reason?: string) => ({
  type: 'ChangeStage' as const,
  pipeline: renewals,
  data: { episodeId: 'o1', to, changedAt, ...(reason !== undefined && { reason }) },
});
const update = (changes: Record<string, unknown>, updatedAt = '2026-03-02T09:00:00.000Z') => ({
  type: 'UpdateOpportunity' as const,
  data: { episodeId: 'o1', changes, updatedAt },
});

describe('opportunity decide: pipeline and stages', () => {
  it("opens on the default pipeline's first stage, with that stage's probability, unless told otherwise", () => {
    given([])
      .when({ type: 'OpenEpisode', data: base, customerExists: true })
      .then([openedOn(DEFAULT_PIPELINE, 'lead-generation', 5)]);
    given([])
      .when({ type: 'OpenEpisode', data: { ...base, stage: 'quote' }, customerExists: true, pipeline: renewals })
      .then([openedOn(renewals, 'quote', 60)]);
    given([])
      .when({ type: 'OpenEpisode', data: { ...base, stage: 'closing' }, customerExists: true, pipeline: renewals })
      .thenBreaks('unknown-stage');
  });

  it('records what it is opened with (amount, close date, owner…) in the same append', () => {
    given([])
      .when({
        type: 'OpenEpisode',
        data: base,
        customerExists: true,
        pipeline: renewals,
        details: { amount: 5_000_000, currency: 'EUR', expectedCloseDate: '2026-06-30', owner: 'sari', competitors: ['Acme'] },
      })
      .then([
        ...onRenewals,
        {
          type: 'OpportunityUpdated',
          data: { ...ids, amount: 5_000_000, currency: 'EUR', expectedCloseDate: '2026-06-30', owner: 'sari', competitors: ['Acme'], updatedAt: openedAt },
        },
      ]);
    given([])
      .when({ type: 'OpenEpisode', data: { ...base, episodeType: 'case' }, customerExists: true, details: { owner: 'sari' } })
      .thenBreaks('stage-only-for-opportunities');
  });

  it('moves forward without a reason and back only with one; every move is timestamped and carries the stage probability', () => {
    given(onRenewals)
      .when(move('sign', '2026-03-03T09:00:00.000Z'))
      .then([
        {
          type: 'OpportunityStageChanged',
          data: { ...ids, pipelineId: 'p-renewals', from: 'qualify', to: 'sign', backward: false, stageProbability: 90, changedAt: '2026-03-03T09:00:00.000Z' },
        },
      ]);
    const atSign: EpisodeEvent[] = [
      ...onRenewals,
      {
        type: 'OpportunityStageChanged',
        data: { ...ids, pipelineId: 'p-renewals', from: 'qualify', to: 'sign', backward: false, stageProbability: 90, changedAt: '2026-03-03T09:00:00.000Z' },
      },
    ];
    given(atSign).when(move('quote', '2026-03-04T09:00:00.000Z')).thenBreaks('backward-move-needs-reason');
    given(atSign)
      .when(move('quote', '2026-03-04T09:00:00.000Z', '  '))
      .thenBreaks('backward-move-needs-reason');
    given(atSign)
      .when(move('quote', '2026-03-04T09:00:00.000Z', 'legal wants a new quote'))
      .then([
        {
          type: 'OpportunityStageChanged',
          data: {
            ...ids,
            pipelineId: 'p-renewals',
            from: 'sign',
            to: 'quote',
            backward: true,
            reason: 'legal wants a new quote',
            stageProbability: 60,
            changedAt: '2026-03-04T09:00:00.000Z',
          },
        },
      ]);
    given(atSign).when(move('sign', '2026-03-04T09:00:00.000Z')).thenNothingHappens(); // there already: a retried request
    given(atSign).when(move('legal', '2026-03-04T09:00:00.000Z')).thenBreaks('unknown-stage');
    given(atSign)
      .when(move('quote', '2026-03-02T09:00:00.000Z', 'x'))
      .thenBreaks('stage-change-before-last');
    given(atSign)
      .when({ ...move('closing', '2026-03-04T09:00:00.000Z'), pipeline: DEFAULT_PIPELINE })
      .thenBreaks('wrong-pipeline');
  });

  it('replays opportunities recorded before pipelines: default pipeline, forward moves, the default probabilities', () => {
    const legacy: EpisodeEvent[] = [
      { type: 'EpisodeOpened', data: { ...base, stage: 'lead-generation', expectedValue: 50000, currency: 'EUR' } },
      { type: 'OpportunityStageAdvanced', data: { ...ids, from: 'lead-generation', to: 'proposal-creation', advancedAt: '2026-03-05T09:00:00.000Z' } },
    ];
    expect(stateOf(legacy)?.opportunity).toMatchObject({ pipelineId: DEFAULT_PIPELINE_ID, stage: 'proposal-creation', stageProbability: 40 });
    given(legacy)
      .when({ type: 'ChangeStage', pipeline: DEFAULT_PIPELINE, data: { episodeId: 'o1', to: 'needs-identification', changedAt: '2026-03-06T09:00:00.000Z' } })
      .thenBreaks('backward-move-needs-reason');
    given(legacy)
      .when({ type: 'ChangeStage', pipeline: DEFAULT_PIPELINE, data: { episodeId: 'o1', to: 'closing', changedAt: '2026-03-06T09:00:00.000Z' } })
      .then([
        {
          type: 'OpportunityStageChanged',
          data: {
            ...ids,
            pipelineId: DEFAULT_PIPELINE_ID,
            from: 'proposal-creation',
            to: 'closing',
            backward: false,
            stageProbability: 80,
            changedAt: '2026-03-06T09:00:00.000Z',
          },
        },
      ]);
  });

  it('time spent in each stage: every stay added up, until it closed or until now', () => {
    const history: EpisodeEvent[] = [
      ...onRenewals,
      {
        type: 'OpportunityStageChanged',
        data: { ...ids, pipelineId: 'p-renewals', from: 'qualify', to: 'quote', backward: false, stageProbability: 60, changedAt: '2026-03-03T09:00:00.000Z' },
      },
      {
        type: 'OpportunityStageChanged',
        data: {
          ...ids,
          pipelineId: 'p-renewals',
          from: 'quote',
          to: 'qualify',
          backward: true,
          reason: 'x',
          stageProbability: 20,
          changedAt: '2026-03-04T09:00:00.000Z',
        },
      },
    ];
    const o = stateOf(history)!.opportunity!;
    const hour = 3_600_000;
    expect(timeInStages(o, renewals, undefined, new Date('2026-03-04T15:00:00.000Z'))).toEqual([
      { stageId: 'qualify', name: 'Qualify', probability: 20, timeSpentMs: 48 * hour + 6 * hour, visits: 2, current: true },
      { stageId: 'quote', name: 'Quote', probability: 60, timeSpentMs: 24 * hour, visits: 1, current: false },
      { stageId: 'sign', name: 'Sign', probability: 90, timeSpentMs: 0, visits: 0, current: false },
    ]);
    expect(timeInStages(o, renewals, '2026-03-04T10:00:00.000Z', new Date('2030-01-01T00:00:00Z'))[0]).toMatchObject({
      timeSpentMs: 49 * hour,
      current: false,
    });
  });
});

describe('opportunity decide: amount, close date, owner, next step, competitors, probability', () => {
  it('records only what changed; an amount always with its currency', () => {
    given(onRenewals)
      .when(update({ amount: 1_250_000, currency: 'EUR', nextStep: 'send the quote' }))
      .then([
        { type: 'OpportunityUpdated', data: { ...ids, amount: 1_250_000, currency: 'EUR', nextStep: 'send the quote', updatedAt: '2026-03-02T09:00:00.000Z' } },
      ]);
    const withAmount: EpisodeEvent[] = [
      ...onRenewals,
      { type: 'OpportunityUpdated', data: { ...ids, amount: 1_250_000, currency: 'EUR', nextStep: 'send the quote', updatedAt: '2026-03-02T09:00:00.000Z' } },
    ];
    given(withAmount)
      .when(update({ amount: 1_250_000, nextStep: 'send the quote' }))
      .thenNothingHappens();
    given(withAmount)
      .when(update({ amount: 1_300_000 }))
      .then([{ type: 'OpportunityUpdated', data: { ...ids, amount: 1_300_000, currency: 'EUR', updatedAt: '2026-03-02T09:00:00.000Z' } }]);
    given(withAmount)
      .when(update({ currency: 'USD' }))
      .then([{ type: 'OpportunityUpdated', data: { ...ids, amount: 1_250_000, currency: 'USD', updatedAt: '2026-03-02T09:00:00.000Z' } }]);
    given(withAmount)
      .when(update({ amount: null, nextStep: null }))
      .then([{ type: 'OpportunityUpdated', data: { ...ids, amount: null, nextStep: null, updatedAt: '2026-03-02T09:00:00.000Z' } }]);
    expect(stateOf([...withAmount, { type: 'OpportunityUpdated', data: { ...ids, amount: null, nextStep: null, updatedAt: openedAt } }])?.opportunity).toEqual(
      expect.not.objectContaining({ amount: expect.anything(), currency: expect.anything(), nextStep: expect.anything() }),
    );
  });

  it('refuses amounts that are not whole minor units of a real currency', () => {
    given(onRenewals)
      .when(update({ amount: 100 }))
      .thenBreaks('amount-needs-currency');
    given(onRenewals)
      .when(update({ currency: 'EUR' }))
      .thenBreaks('currency-needs-amount');
    given(onRenewals)
      .when(update({ amount: 12.5, currency: 'EUR' }))
      .thenBreaks('amount-in-minor-units');
    given(onRenewals)
      .when(update({ amount: -1, currency: 'EUR' }))
      .thenBreaks('negative-amount');
    given(onRenewals)
      .when(update({ amount: 1, currency: 'XYZ' }))
      .thenBreaks('unknown-currency');
    given(onRenewals)
      .when(update({ amount: 1, currency: 'XDR' }))
      .thenBreaks('unknown-currency'); // no minor unit in ISO 4217
    given(onRenewals)
      .when(update({ amount: 2 ** 53, currency: 'EUR' }))
      .thenBreaks('amount-in-minor-units');
  });

  it('the probability is the stage default unless overridden; null goes back to the default', () => {
    given(onRenewals)
      .when(update({ probability: 101 }))
      .thenBreaks('probability-out-of-range');
    given(onRenewals)
      .when(update({ probability: 35 }))
      .then([{ type: 'OpportunityUpdated', data: { ...ids, probability: 35, updatedAt: '2026-03-02T09:00:00.000Z' } }]);
    const overridden: EpisodeEvent[] = [...onRenewals, { type: 'OpportunityUpdated', data: { ...ids, probability: 35, updatedAt: openedAt } }];
    expect(stateOf(overridden)?.opportunity).toMatchObject({ stageProbability: 20, probabilityOverride: 35 });
    given(overridden)
      .when(update({ probability: null }))
      .then([{ type: 'OpportunityUpdated', data: { ...ids, probability: null, updatedAt: '2026-03-02T09:00:00.000Z' } }]);
    given(onRenewals)
      .when(update({ probability: null }))
      .thenNothingHappens();
  });

  it('owner, team, close date and competitors', () => {
    given(onRenewals)
      .when(update({ owner: 'budi', team: 'jakarta', expectedCloseDate: '2026-05-31', competitors: ['Acme', 'Globex'] }))
      .then([
        {
          type: 'OpportunityUpdated',
          data: {
            ...ids,
            owner: 'budi',
            team: 'jakarta',
            expectedCloseDate: '2026-05-31',
            competitors: ['Acme', 'Globex'],
            updatedAt: '2026-03-02T09:00:00.000Z',
          },
        },
      ]);
    given(onRenewals)
      .when(update({ competitors: ['Acme', 'acme'] }))
      .thenBreaks('competitors-unique');
    given(onRenewals)
      .when(update({ owner: ' ' }))
      .thenBreaks('owner-needs-name');
    given(onRenewals)
      .when(update({ competitors: [] }))
      .thenNothingHappens();
  });
});

describe('opportunity decide: won and lost', () => {
  const closing = (data: Record<string, unknown>) => ({
    type: 'CloseEpisode' as const,
    data: { episodeId: 'o1', outcome: 'won' as const, closedAt: '2026-03-10T09:00:00.000Z', ...data },
  });
  const withAmount: EpisodeEvent[] = [
    ...onRenewals,
    { type: 'OpportunityUpdated', data: { ...ids, amount: 1_250_000, currency: 'EUR', updatedAt: '2026-03-02T09:00:00.000Z' } },
  ];

  it('records a reason either way', () => {
    given(withAmount).when(closing({})).thenBreaks('close-needs-reason');
    given(withAmount)
      .when(closing({ outcome: 'lost', reason: ' ' }))
      .thenBreaks('close-needs-reason');
    given(withAmount)
      .when(closing({ outcome: 'lost', reason: 'chose Acme' }))
      .then([{ type: 'EpisodeClosed', data: { ...ids, outcome: 'lost', reason: 'chose Acme', closedAt: '2026-03-10T09:00:00.000Z' } }]);
  });

  it('a win is worth the amount unless it states its value (in the amount currency unless it states one)', () => {
    given(withAmount)
      .when(closing({ reason: 'signed' }))
      .then([
        { type: 'EpisodeClosed', data: { ...ids, outcome: 'won', reason: 'signed', value: 1_250_000, currency: 'EUR', closedAt: '2026-03-10T09:00:00.000Z' } },
      ]);
    given(withAmount)
      .when(closing({ reason: 'signed', value: 1_200_000 }))
      .then([
        { type: 'EpisodeClosed', data: { ...ids, outcome: 'won', reason: 'signed', value: 1_200_000, currency: 'EUR', closedAt: '2026-03-10T09:00:00.000Z' } },
      ]);
    given(onRenewals)
      .when(closing({ reason: 'signed' }))
      .thenBreaks('won-needs-value');
    given(withAmount)
      .when(closing({ reason: 'signed', currency: 'USD' }))
      .thenBreaks('won-needs-value'); // worth what, in USD?
  });

  it('a closed opportunity neither moves nor changes', () => {
    const closed: EpisodeEvent[] = [
      ...withAmount,
      { type: 'EpisodeClosed', data: { ...ids, outcome: 'lost', reason: 'x', closedAt: '2026-03-10T09:00:00.000Z' } },
    ];
    given(closed).when(move('quote', '2026-03-11T09:00:00.000Z')).thenBreaks('episode-closed');
    given(closed)
      .when(update({ owner: 'budi' }))
      .thenBreaks('episode-closed');
  });
});
