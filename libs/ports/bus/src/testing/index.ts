export * from './bus.conformance';
export * from './fixtures';
