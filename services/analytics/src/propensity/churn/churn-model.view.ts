import type { LogisticModel } from '@crm/customer-propensity';
import { CHURN_FEATURE_LABELS } from '../churn-features';
import type { ChurnModelRecord } from '../propensity-facts.entities';

export interface ChurnTrainingParameters {
  asOf: string;
  windowDays: number;
  holdOutShare: number;
  l2: number;
  seed: number;
}

export interface ChurnEvaluation {
  /** ROC AUC on the hold-out customers (null if the hold-out lacked a class — training refuses that). */
  auc: number | null;
  trainingAuc: number | null;
  trainingSize: number;
  holdOutSize: number;
  trainingChurners: number;
  holdOutChurners: number;
}

export interface ChurnModelView {
  version: number;
  trainedAt: string;
  parameters: ChurnTrainingParameters;
  evaluation: ChurnEvaluation;
  intercept: number;
  features: { name: string; label: string; coefficient: number; mean: number; sd: number }[];
  iterations: number;
  converged: boolean;
}

/** A stored model as the routes show it. */
export function churnModelView(r: ChurnModelRecord): ChurnModelView {
  const m = r.model as unknown as LogisticModel;
  return {
    version: r.version,
    trainedAt: new Date(r.trainedAt).toISOString(),
    parameters: r.parameters as unknown as ChurnTrainingParameters,
    evaluation: r.evaluation as unknown as ChurnEvaluation,
    intercept: m.intercept,
    features: m.features.map((name, j) => ({
      name,
      label: CHURN_FEATURE_LABELS[name] ?? name,
      coefficient: m.coefficients[j],
      mean: m.means[j],
      sd: m.sds[j],
    })),
    iterations: m.iterations,
    converged: m.converged,
  };
}
