export * from './embedded-service';
