export * from './platform';
export * from './data-dir-lock';
