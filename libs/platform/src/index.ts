export * from './platform';
export * from './data-dir-lock';
export * from './crm-event-store';
export * from './process-lease';
export * from './read-model-migrations';
