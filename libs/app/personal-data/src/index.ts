export * from './cipher';
export * from './personal-data';
export * from './personal-data-keys';
export * from './personal-data-store';
