export * from './timeline.entities';
export * from './timeline.projection';
export * from './timeline.query';
