import { randomUUID } from 'node:crypto';
import { InvalidIntegrationEventError, type IntegrationEvent, type IntegrationEventRegistry } from '@crm/bus';
import { PgliteSession } from '@crm/sql-clients';
import { DataSource, type EntityManager, type EntityTarget, type FindOptionsOrder, type ObjectLiteral } from 'typeorm';
import type { Projection } from '../projection';
import { ProjectionRunner } from '../projection-runner';

/**
 * An event as a specification writes it: its `type` and `data`, plus any envelope attribute the case
 * cares about (`recordedat` for `asOf`, `position`, `subject`…). The rest is filled in: a new id, a
 * position after every earlier event of the specification, `time` and `recordedat` one second
 * further each (from 2026-01-01), `subject` = `data.customerId`, a staff actor.
 */
export type SpecEvent<E extends IntegrationEvent> = E extends IntegrationEvent ? Pick<E, 'type' | 'data'> & Partial<Omit<E, 'type' | 'data'>> : never;

/** The events of a case as the projection received them (envelopes complete). */
export interface AppliedEvents<E extends IntegrationEvent> {
  given: readonly E[];
  when: readonly E[];
}

export type ProjectionAssertion<E extends IntegrationEvent> = (manager: EntityManager, events: AppliedEvents<E>) => unknown;

export interface ProjectionSpecificationOptions<E extends IntegrationEvent> {
  projection: Projection<E>;
  /**
   * Checks every given and when event against its contract first (e.g. `crmRegistry()`): the runner
   * only ever hands a projection valid events, so a case built on an invalid one proves nothing.
   */
  registry?: IntegrationEventRegistry;
  /** Further tables the assertions read (the projection's own are always there). */
  entities?: readonly EntityTarget<ObjectLiteral>[];
}

export interface ProjectionThen<E extends IntegrationEvent> {
  /** Nothing may be parked; then `assert` reads the read model. */
  then(assert: ProjectionAssertion<E>): Promise<void>;
  /** Nothing may be parked, and `entity`'s table holds exactly these rows (each with at least these values), in primary key order. */
  thenRows<T extends ObjectLiteral>(entity: EntityTarget<T>, rows: readonly Partial<T>[]): Promise<void>;
  /**
   * Exactly these events are parked (one reason each, as text it contains or a pattern, in the order
   * the runner lists them: by subject, then position); then `assert` reads what was applied.
   */
  thenParks(reasons: readonly (string | RegExp)[], assert?: ProjectionAssertion<E>): Promise<void>;
}

/**
 * Given / when / then for projections, in the spirit of Emmett's projection specifications:
 *
 *   const given = ProjectionSpecification.for({ projection: timelineProjection('t'), registry: crmRegistry() });
 *   await given([opened]).when([interaction]).then(async (manager) => expect(await readTimeline(manager, q)).toEqual(…));
 *   await given([]).when([interaction]).thenParks(['was never opened in this timeline']);
 *   await given([registered]).when([stageChanged]).thenRows(CustomerDirectoryEntry, [{ customerId, journeyStage: 'prospect' }]);
 *
 * Each case runs on an embedded PGlite database, through a real `ProjectionRunner` — as the bus
 * delivers events: dedupe, parking of what fails and of what waits behind it — from empty tables:
 * the `given` events as one batch, then the `when` events as one batch. It then runs the case again
 * with the `when` events delivered one at a time and requires the same rows and the same parked
 * events: `applyBatch` must have exactly the effect of `apply` for each event in turn.
 *
 * Call `for` at the top of a test file or in a `describe` block (where `beforeAll` would go): the
 * database opens with the first case and closes after the file or the block. Specifications open at
 * the same time share one PGlite instance (starting one takes seconds), each in its own schema.
 */
export const ProjectionSpecification = {
  for<E extends IntegrationEvent>(options: ProjectionSpecificationOptions<E>) {
    const spec = new SpecificationDatabase(options);
    if (typeof afterAll === 'function') afterAll(() => spec.close());
    return (given: readonly SpecEvent<E>[]) => {
      const givenEvents = given.map((e) => spec.complete(e));
      return {
        when(when: readonly SpecEvent<E>[]): ProjectionThen<E> {
          const events: AppliedEvents<E> = { given: givenEvents, when: when.map((e) => spec.complete(e)) };
          return {
            then: (assert) => spec.verify(events, [], assert),
            thenRows: (entity, rows) =>
              spec.verify(events, [], async (manager) => {
                expect(await allRows(manager, entity)).toEqual(rows.map((r) => expect.objectContaining(r)));
              }),
            thenParks: (reasons, assert) => spec.verify(events, reasons, assert),
          };
        },
      };
    };
  },
};

const BASE_TIME = Date.UTC(2026, 0, 1);
const quiet = { warn: () => undefined, error: () => undefined };

/** What a case left behind: the projection's rows, table by table, and its parked events. */
interface Outcome {
  rows: unknown[][];
  parked: { eventId: string; eventType: string; reason: string }[];
}

let shared: { session: Promise<PgliteSession>; users: number } | undefined;
let schemas = 0;

class SpecificationDatabase<E extends IntegrationEvent> {
  private opened?: Promise<{ ds: DataSource; runner: ProjectionRunner }>;
  /** Cases run one at a time: they share the tables. */
  private queue: Promise<unknown> = Promise.resolve();
  private sequence = 0;

  constructor(private readonly options: ProjectionSpecificationOptions<E>) {}

  complete(input: SpecEvent<E>): E {
    return completeEvent(input, ++this.sequence, this.options.registry);
  }

  verify(events: AppliedEvents<E>, reasons: readonly (string | RegExp)[], assert?: ProjectionAssertion<E>): Promise<void> {
    const run = this.queue.then(() => this.verifyNow(events, reasons, assert));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async verifyNow(events: AppliedEvents<E>, reasons: readonly (string | RegExp)[], assert?: ProjectionAssertion<E>): Promise<void> {
    const { ds, runner } = await this.open();
    const batch = await this.play(runner, ds, events, 'batch');
    expect(batch.parked.map((p) => `${p.eventType}: ${p.reason}`)).toEqual(
      reasons.map((r) => (typeof r === 'string' ? expect.stringContaining(r) : expect.stringMatching(r))),
    );
    await assert?.(ds.manager, events);
    if (events.when.length < 2) return; // one event: a batch of one is the same delivery
    const oneByOne = await this.play(runner, ds, events, 'one-by-one');
    try {
      expect(oneByOne).toEqual(batch);
    } catch (error) {
      if (error instanceof Error)
        error.message = `the when events applied one by one left other rows or parked events than applied as one batch\n\n${error.message}`;
      throw error;
    }
  }

  /** Empty tables, the given events as one batch, then the when events as one batch or one by one. */
  private async play(runner: ProjectionRunner, ds: DataSource, events: AppliedEvents<E>, mode: 'batch' | 'one-by-one'): Promise<Outcome> {
    await runner.reset();
    if (events.given.length) await runner.applyBatch(events.given);
    if (mode === 'batch') {
      if (events.when.length) await runner.applyBatch(events.when);
    } else {
      for (const event of events.when) await runner.apply(event);
    }
    const rows: unknown[][] = [];
    for (const entity of this.options.projection.entities) rows.push(await allRows(ds.manager, entity));
    const parked = (await runner.parkedEvents.open(ds, [this.options.projection.name])).map((p) => ({
      eventId: p.eventId,
      eventType: p.eventType,
      reason: p.reason,
    }));
    return { rows, parked };
  }

  private open(): Promise<{ ds: DataSource; runner: ProjectionRunner }> {
    this.opened ??= (async () => {
      if (!shared) shared = { session: PgliteSession.open(), users: 0 };
      shared.users++;
      const session = await shared.session;
      const schema = `projection_spec_${++schemas}`;
      await session.sqlClient().exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      const ds = new DataSource({
        type: 'postgres',
        driver: session.pgDriver(),
        schema,
        entities: [...this.options.projection.entities, ...(this.options.entities ?? [])] as Function[],
        synchronize: true,
      });
      await ds.initialize();
      const runner = new ProjectionRunner(ds, this.options.projection, {
        schema: `${schema}_runner`,
        group: `spec.${this.options.projection.name}`,
        logger: quiet,
      });
      await runner.migrate();
      return { ds, runner };
    })();
    return this.opened;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    const { ds } = await this.opened;
    await ds.destroy();
    if (shared && --shared.users === 0) {
      const session = await shared.session;
      shared = undefined;
      await session.close();
    }
  }
}

/**
 * Events written as in a specification, with complete envelopes (positions 1, 2, 3…): for the unit
 * tests of a projection's pure parts, which need no database. Name the event type:
 * `specEvents<CustomerMetricsEvent>([{ type: 'EpisodeOpened', data }])`.
 */
export function specEvents<E extends IntegrationEvent>(events: readonly SpecEvent<E>[], options: { registry?: IntegrationEventRegistry } = {}): E[] {
  return events.map((e, i) => completeEvent(e, i + 1, options.registry));
}

/** A spec's event as the bus would deliver it: a complete envelope, through JSON, valid if a registry is given. */
function completeEvent<E extends IntegrationEvent>(input: SpecEvent<E>, n: number, registry: IntegrationEventRegistry | undefined): E {
  const time = input.time ?? new Date(BASE_TIME + n * 1000).toISOString();
  const data: unknown = input.data;
  const customerId = typeof data === 'object' && data !== null && 'customerId' in data ? data.customerId : undefined;
  const event = JSON.parse(
    JSON.stringify({
      specversion: '1.0',
      id: randomUUID(),
      source: '/crm/spec',
      time,
      subject: typeof customerId === 'string' ? customerId : 'spec-subject',
      datacontenttype: 'application/json',
      schemaversion: 1,
      correlationid: randomUUID(),
      causationid: randomUUID(),
      actor: JSON.stringify({ type: 'staff', id: 'spec', department: 'sales' }),
      visibility: JSON.stringify({ departments: '*', partners: 'shared' }),
      position: `${n}/${n}`,
      recordedat: input.recordedat ?? time,
      ...input,
    }),
  ) as E;
  if (registry) {
    try {
      registry.validate(event);
    } catch (error) {
      if (!(error instanceof InvalidIntegrationEventError)) throw error;
      throw new Error(`the case's ${event.type} event breaks its contract (the runner would never apply it): ${error.reason}`);
    }
  }
  return event;
}

/** Every row of a table, in primary key order. */
async function allRows<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>): Promise<T[]> {
  const repository = manager.getRepository(entity);
  const order = Object.fromEntries(repository.metadata.primaryColumns.map((c) => [c.propertyName, 'ASC' as const]));
  return repository.find({ order: order as FindOptionsOrder<T> });
}
