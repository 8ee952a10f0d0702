export * from './kafka-wire';
