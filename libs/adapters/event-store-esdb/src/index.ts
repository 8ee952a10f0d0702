export * from './esdb-event-store';
export * from './esdb-mapping';
export { scanAll, type ReadAllPage, type ScanResult } from './esdb-read-all';
