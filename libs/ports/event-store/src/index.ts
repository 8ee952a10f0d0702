export * from './types';
export * from './errors';
export * from './position';
export * from './validate-new-events';
export * from './polling-subscription';
export * from './command-handler';
/**
 * Deprecated here: `Visibility` is the CRM's, in `@crm/kernel`. Re-exported only because the write
 * side (`@crm/relationship-api`) still imports it from this port and is being changed elsewhere;
 * drop this line once it imports `@crm/kernel`.
 */
export type { Visibility } from '@crm/kernel';
