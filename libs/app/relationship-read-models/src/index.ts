export * from './timeline.entities';
export * from './timeline.projection';
export * from './timeline.query';
export * from './customer-directory.projection';
export * from './customer-search.query';
export * from './customer-merges.query';
