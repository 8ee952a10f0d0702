export * from './kafka-bus-specifics';
