export * from './trace-context';
export * from './spans';
export * from './exit-hooks';
export * from './probe-paths';
