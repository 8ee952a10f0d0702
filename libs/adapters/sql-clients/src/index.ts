export * from './pg-sql-client';
export * from './pglite-session';
