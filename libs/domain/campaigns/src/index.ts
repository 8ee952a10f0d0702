export * from './campaign';
export * from './campaign-message';
export * from './assignment';
export * from './template-fields';
export * from './campaign-trigger';
export * from './frequency-cap';
export * from './email-suppression';
