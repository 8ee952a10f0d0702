export * from '@crm/kernel';
export * from './customer';
export * from './episode';
export * from './partner';
export * from './lead';
export * from './lead-assignment-rules';
export * from './lead-form';
export * from './order';
