export * from './vocabulary';
export * from './customer';
export * from './episode';
export * from './partner';
