export * from './vocabulary';
export * from './clock';
export * from './decider';
export * from './crm-metadata';
export * from './ids';
export * from './currencies';
