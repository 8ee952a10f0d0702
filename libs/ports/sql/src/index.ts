export * from './sql-client';
export * from './identifier';
