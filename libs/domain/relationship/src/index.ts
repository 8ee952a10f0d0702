export * from '@crm/kernel';
export * from './customer';
export * from './episode';
export * from './partner';
export * from './lead';
