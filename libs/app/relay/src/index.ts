// The relay's checkpoint is a row of the one checkpoint table every follower shares; re-exported
// because callers build a relay with it (`new Relay(store, bus, new SqlCheckpointStore(sql), …)`).
export { SqlCheckpointStore, type CheckpointStore } from '@crm/checkpoints';
export * from './integration-mapping';
export * from './relay';
export * from './relay-config';
export * from './relay-metrics';
