export * from './logistic-regression';
export * from './roc-auc';
export * from './association-rules';
export * from './offer-response';
export * from './random';
export * from './churn-risk';
