export * from './events';
export * from './instant';
export * from './nested';
export * from './personal-data';
export * from './money';
export * from './case-events';
export * from './contact-centre-events';
export * from './service-level-events';
