export * from './lp-solver';
export * from './highs-solver';
export * from './dea';
