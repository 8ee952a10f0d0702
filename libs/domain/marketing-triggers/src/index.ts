export * from './trigger-rule';
export * from './trigger-decision';
export * from './trigger-firings';
