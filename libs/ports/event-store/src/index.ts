export * from './types';
export * from './errors';
export * from './position';
export * from './validate-new-events';
export * from './polling-subscription';
export * from './command-handler';
export * from './checked-appends';
export * from './count-events';
