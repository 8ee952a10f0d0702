export * from './embedded-service';
export * from './scratch-database';
