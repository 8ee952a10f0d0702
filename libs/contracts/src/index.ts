export * from './events';
export * from './nested';
