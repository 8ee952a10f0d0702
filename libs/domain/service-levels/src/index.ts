export * from './business-calendar';
export * from './sla-policy';
export * from './sla-clock';
export * from './case-service-level';
export * from './service-level-config';
export * from './recorded-clocks';
