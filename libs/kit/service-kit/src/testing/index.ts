export * from './embedded-service';
export * from './scratch-database';
export * from './event-stream-reader';
export * from './openapi-responses';
