export * from './command-store';
