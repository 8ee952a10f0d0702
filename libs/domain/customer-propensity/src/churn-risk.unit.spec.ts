import { churnRiskBand, churnRiskDecider, type AssessChurnRisk } from './churn-risk';

describe('churn risk bands', () => {
  it('are low below 0.25, medium from 0.25, high from 0.5', () => {
    expect([0, 0.2499, 0.25, 0.4999, 0.5, 1].map(churnRiskBand)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
  });

  it('refuse what is not a probability', () => {
    for (const p of [-0.01, 1.01, Number.NaN]) expect(() => churnRiskBand(p)).toThrow(RangeError);
  });
});

describe('churnRiskDecider', () => {
  const assess = (probability: number, assessedAt = '2026-03-01T00:00:00.000Z'): AssessChurnRisk => ({
    type: 'AssessChurnRisk',
    data: { customerId: 'c1', probability, modelVersion: 2, horizonDays: 90, assessedAt },
  });
  const { decide, evolve, initialState } = churnRiskDecider;

  it('given no assessment, when one is made, then its band is recorded with the probability it came from', () => {
    expect(decide(assess(0.3), initialState)).toEqual([{ type: 'CustomerChurnRiskChanged', data: { ...assess(0.3).data, band: 'medium' } }]);
  });

  it('given a band, when a new probability stays in it, then nothing is recorded', () => {
    const state = decide(assess(0.3), initialState).reduce(evolve, initialState);
    expect(decide(assess(0.45, '2026-03-02T00:00:00.000Z'), state)).toEqual([]);
  });

  it('given a band, when the probability crosses into another, then the change names the previous band', () => {
    const state = decide(assess(0.3), initialState).reduce(evolve, initialState);
    const [changed] = decide(assess(0.7), state);
    expect(changed.data).toMatchObject({ band: 'high', previousBand: 'medium', probability: 0.7 });
    expect(decide(assess(0.1), [changed].reduce(evolve, state))[0].data).toMatchObject({ band: 'low', previousBand: 'high' });
  });
});
