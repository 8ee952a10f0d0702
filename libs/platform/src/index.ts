export * from './platform';
export * from './data-dir-lock';
export * from './crm-event-store';
export * from './process-lease';
export * from './platform-metrics';
export * from './read-model-migrations';
