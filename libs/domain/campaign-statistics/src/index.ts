export * from './proportions';
export * from './campaign-statistics';
