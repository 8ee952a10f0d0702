import type { IntegrationEvent, IntegrationEventRegistry } from '@crm/bus';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** A read model: the events it handles and how each one changes its tables. */
export interface Projection {
  /** Unique name; also the consumer group (`projection.<name>`) and checkpoint key. */
  readonly name: string;
  /** The tables it owns — emptied when the read model is rebuilt. */
  readonly entities: readonly EntityTarget<ObjectLiteral>[];
  /** Event types it applies; others are acknowledged and ignored. */
  readonly handles: readonly string[];
  /** Applies one event inside the runner's transaction; must only use `manager`. */
  apply(event: IntegrationEvent, manager: EntityManager): Promise<void>;
}

/** A projection and the schema its tables live in (the owning service's schema). */
export interface ReadModel {
  projection: Projection;
  schema: string;
}

/** What a service's `read-models.ts` exports, for the rebuild CLI. */
export interface ReadModelsModule {
  readModels: ReadModel[];
  registry: IntegrationEventRegistry;
}
