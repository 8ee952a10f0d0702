export * from './agent';
export * from './case-priority';
export * from './routing-rules';
export * from './case-offers';
export * from './case-router';
