export * from './event-store.conformance';
export * from './fixtures';
