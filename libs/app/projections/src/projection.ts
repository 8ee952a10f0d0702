import type { IntegrationEvent, IntegrationEventRegistry } from '@crm/bus';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * A read model: the events it handles and how each one changes its tables.
 *
 * Typed by the events it handles (e.g. `Projection<CrmIntegrationEvent<'EpisodeOpened' | 'EpisodeClosed'>>`)
 * so `apply` narrows `event.data` on `event.type` without casts. That is sound because the runner
 * hands a projection only events whose type is in `handles` and that passed the registry's
 * contract check (re-driven events are validated again). `apply` and `applyBatch` are methods, whose
 * parameters TypeScript compares both ways, so any `Projection<E>` is also a plain `Projection` —
 * what the runner, the read-model lists and the CLIs hold.
 */
export interface Projection<E extends IntegrationEvent = IntegrationEvent> {
  /** Unique name; the checkpoint key and the consumer name its parked events are filed under. */
  readonly name: string;
  /** The tables it owns — emptied when the read model is rebuilt. */
  readonly entities: readonly EntityTarget<ObjectLiteral>[];
  /** Event types it applies; others are acknowledged and ignored. */
  readonly handles: readonly E['type'][];
  /** Applies one event inside the runner's transaction; must only use `manager`. */
  apply(event: E, manager: EntityManager): Promise<void>;
  /**
   * Optional: applies several events (in order) inside one transaction, with fewer statements than
   * one `apply` each — what makes catching up and rebuilding fast. Must have exactly the effect of
   * calling `apply` for each event in turn.
   */
  applyBatch?(events: readonly E[], manager: EntityManager): Promise<void>;
  /**
   * Optional: those of `entities` that something besides the events also writes — an inbox a process
   * manager empties as it works, a store of trained models. Rebuilt (emptied) like the others, but
   * not a function of the events alone, so checks that compare a read model with a fresh replay of
   * the events leave them out.
   */
  readonly workEntities?: readonly EntityTarget<ObjectLiteral>[];
  /**
   * Optional: indexes of `entities` (by name) that serve reads, not `apply`. A full rebuild
   * (`ProjectionRunner.rebuild`) drops them with the emptying of the tables and creates them once
   * before it marks the read model rebuilt: one sort of the whole table instead of an index insert
   * per row. `neededBy`: the event types whose `apply` does read by them (a rare one, such as an
   * erasure) — the rebuild creates them before the first page holding one, so no lookup of `apply`
   * ever scans the table. Catching up and live delivery never drop them. After a crash mid-rebuild
   * the service's start creates them again (TypeORM's synchronize), as does the next rebuild.
   */
  readonly rebuildDeferredIndexes?: { readonly indexes: readonly string[]; readonly neededBy?: readonly E['type'][] };
}

/** A projection and the schema its tables live in (the owning service's schema). */
export interface ReadModel {
  projection: Projection;
  schema: string;
}

/** What a service's `read-models.ts` exports, for the rebuild and re-drive CLIs. */
export interface ReadModelsModule {
  readModels: ReadModel[];
  registry: IntegrationEventRegistry;
}
