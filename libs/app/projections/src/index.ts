export * from './projection';
export * from './projection-runner';
export * from './transient-errors';
export { ParkedEvents, type ParkedEvent, type Staleness } from '@crm/parked-events';
export * from './typeorm-sql-executor';
export * from './read-model-versions';
export * from './bulk-insert';
