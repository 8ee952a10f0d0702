export * from './checkpoint-store';
export * from './integration-mapping';
export * from './relay';
export * from './relay-config';
