export * from './bgnbd';
export * from './clv';
export * from './gamma-gamma';
export * from './optimise';
export * from './special';
export * from './summaries';
export * from './simulate';
export * from './value-tiers';
