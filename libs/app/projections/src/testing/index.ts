export * from './customer-activity.projection';
export * from './fault/processes';
export * from './projection-specification';
