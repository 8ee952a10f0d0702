export * from './customer-activity.projection';
