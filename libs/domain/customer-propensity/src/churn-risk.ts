import { CHURN_RISK_BANDS, type ChurnRiskBand, type Decider } from '@crm/kernel';

export { CHURN_RISK_BANDS, type ChurnRiskBand };

/**
 * Churn risk as a band (issue 13 §2: segments and triggers target "customers at high churn risk").
 * The churn model gives a probability of placing no order in its window; marketing does not need
 * every wobble of that number, only when a customer crosses into another band — so analytics records
 * `CustomerChurnRiskChanged` on a change of band, never on a change of probability alone.
 */
/** Lower bounds of the medium and high bands (probabilities). Why these: a customer more likely to churn than not is high. */
export const CHURN_RISK_THRESHOLDS = { medium: 0.25, high: 0.5 } as const;

/** The band of a probability: high from 0.5, medium from 0.25, else low. */
export function churnRiskBand(probability: number): ChurnRiskBand {
  if (!(probability >= 0 && probability <= 1)) throw new RangeError(`a churn probability is in [0, 1], not ${probability}`);
  return probability >= CHURN_RISK_THRESHOLDS.high ? 'high' : probability >= CHURN_RISK_THRESHOLDS.medium ? 'medium' : 'low';
}

/** The stream of one customer's churn risk: `churnrisk-<customerId>`. */
export const churnRiskStream = (customerId: string): string => `churnrisk-${customerId}`;

export interface AssessChurnRisk {
  type: 'AssessChurnRisk';
  data: {
    customerId: string;
    /** The model's probability of no order in the next `horizonDays`, as of `assessedAt`. */
    probability: number;
    modelVersion: number;
    horizonDays: number;
    assessedAt: string;
  };
}

export interface CustomerChurnRiskChanged {
  type: 'CustomerChurnRiskChanged';
  data: AssessChurnRisk['data'] & { band: ChurnRiskBand; previousBand?: ChurnRiskBand };
}

export interface ChurnRiskState {
  band: ChurnRiskBand | null;
}

/** Records an assessment only when its band differs from the customer's current one: re-scoring with no change records nothing. */
export const churnRiskDecider: Decider<ChurnRiskState, AssessChurnRisk, CustomerChurnRiskChanged> = {
  initialState: { band: null },
  decide(command, state) {
    const band = churnRiskBand(command.data.probability);
    if (state.band === band) return [];
    return [{ type: 'CustomerChurnRiskChanged', data: { ...command.data, band, ...(state.band && { previousBand: state.band }) } }];
  },
  evolve(_state, event) {
    return { band: event.data.band };
  },
};
