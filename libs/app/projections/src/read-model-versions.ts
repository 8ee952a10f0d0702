import type { IntegrationEvent, IntegrationEventRegistry } from '@crm/bus';
import { parsePosition, type EventStore, type GlobalPosition } from '@crm/event-store';
import { assertIdentifier } from '@crm/sql';
import type { DataSource, EntityManager } from 'typeorm';
import type { Projection } from './projection';
import { ProjectionRunner, type EventMapping, type ProjectionRunnerOptions, type RunnerState } from './projection-runner';

/**
 * A version of a read model whose tables carry the version in their name (`analytics.kpi_facts_v2`),
 * so a new version can be built beside the one that serves. Its projection name is
 * `<readModel>@v<version>`: its own checkpoint, dedupe records and parked events.
 *
 * Its tables are created by `ddl` (raw SQL, `IF NOT EXISTS`), not by TypeORM entities: an entity
 * class names one table, a version needs its own. `entities` stays empty, so the plain rebuild CLI
 * never empties a version — a new version is how such a read model is rebuilt.
 */
export interface VersionedProjection<E extends IntegrationEvent = IntegrationEvent> extends Projection<E> {
  /** The read model's name without a version, e.g. `analytics.kpi-facts`. */
  readonly readModel: string;
  readonly version: number;
  /** Creates this version's tables and indexes (idempotent). */
  readonly ddl: readonly string[];
  /** This version's tables, schema-qualified: what reads query and what dropping removes. */
  readonly tables: Readonly<Record<string, string>>;
}

/** The pointer names a version this process does not declare (a rollback to older code), or none. */
export class NoServingVersionError extends Error {
  override readonly name = 'NoServingVersionError';
}

/** `<schema>.<base>_v<version>`: where version `version` of a read model keeps table `base`. */
export function versionedTable(schema: string, base: string, version: number): string {
  if (!Number.isInteger(version) || version < 1) throw new Error(`a read model version is a whole number ≥ 1, not ${version}`);
  return `${assertIdentifier(schema)}.${assertIdentifier(`${base}_v${version}`)}`;
}

/** Declares a version: the projection is named `<readModel>@v<version>`. */
export function versionedProjection<E extends IntegrationEvent>(
  spec: Omit<VersionedProjection<E>, 'name' | 'entities'> & { entities?: VersionedProjection<E>['entities'] },
): VersionedProjection<E> {
  return { ...spec, name: `${spec.readModel}@v${spec.version}`, entities: spec.entities ?? [] };
}

/** building: replaying beside the serving one; serving: what reads use; retired: switched away from, tables kept; dropped: tables gone. */
export type VersionState = 'building' | 'serving' | 'retired' | 'dropped';

export interface ReadModelVersionProgress {
  readModel: string;
  version: number;
  state: VersionState;
  /** The runner's state while this process runs it (undefined: not run here — retired or dropped). */
  runner?: RunnerState;
  /** The last store position the version has applied, "<commit>/<prepare>" (null: none yet). */
  position: string | null;
  /** The furthest position any version of this read model has reached: how far the store is known to go. */
  head: string | null;
  /** position's share of head (by the prepare part, the global event number on PostgreSQL); 1 when caught up. */
  progress: number | null;
  eventsApplied: number;
  /** Events applied per second since the previous look (null on the first). */
  eventsPerSecond: number | null;
  parked: number;
  createdAt: string;
  switchedAt: string | null;
  retiredAt: string | null;
  droppedAt: string | null;
}

export interface ReadModelVersionsOptions {
  /** Schema of the bookkeeping tables (the version pointer, checkpoints, dedupe, parked events); default `platform`. */
  schema?: string;
  /** Time for the pointer rows and the event rates (inject the service's clock). */
  now?: () => Date;
  /** Options of each version's runner (batch size, retry, logger). */
  runner?: Omit<ProjectionRunnerOptions, 'schema' | 'group'>;
  /** How often a building version is checked for having caught up (ms, default 1000; 0: only when `switchIfCaughtUp` is called). */
  switchCheckMs?: number;
}

interface VersionRow {
  read_model: string;
  version: number;
  state: VersionState;
  created_at: Date;
  switched_at: Date | null;
  retired_at: Date | null;
  dropped_at: Date | null;
}

/**
 * Runs versioned read models (issue 11 §6): each declared version follows the event store in its
 * own runner; a version newer than the serving one is built from event 0 into its own tables while
 * the serving one keeps answering, and once it has caught up the pointer row is switched to it in
 * one statement (reads look the pointer up, so they move atomically). The version switched away
 * from stops and is `retired`; `dropRetired` removes its tables later, when no read can still be
 * using them.
 *
 * Why the store and not the bus: a new version must start from event 0, which only the store has;
 * following the store afterwards keeps one source per version (no hand-over from store to bus).
 */
export class ReadModelVersions {
  private readonly pointer: string;
  private readonly runners = new Map<string, ProjectionRunner>();
  private readonly declared = new Map<string, VersionedProjection>();
  private readonly samples = new Map<string, { at: number; applied: number }>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly now: () => Date;
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly registry: IntegrationEventRegistry,
    private readonly mapping: EventMapping,
    private readonly options: ReadModelVersionsOptions = {},
  ) {
    this.schema = assertIdentifier(options.schema ?? 'platform');
    this.pointer = `${this.schema}.read_model_versions`;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Declares the versions the code knows and runs them: the serving one, and every newer one until
   * it catches up. The first time a read model is seen, its lowest version serves at once (while it
   * catches up, as any projection does on a first start).
   */
  async start(projections: readonly VersionedProjection[], options: { build?: boolean } = {}): Promise<void> {
    for (const p of projections) {
      if (this.declared.has(p.name)) throw new Error(`read model version ${p.name} is declared twice`);
      this.declared.set(p.name, p);
    }
    await this.dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await this.dataSource.query(`CREATE TABLE IF NOT EXISTS ${this.pointer} (
      read_model text NOT NULL,
      version integer NOT NULL,
      state text NOT NULL CHECK (state IN ('building', 'serving', 'retired', 'dropped')),
      created_at timestamptz NOT NULL,
      switched_at timestamptz,
      retired_at timestamptz,
      dropped_at timestamptz,
      PRIMARY KEY (read_model, version)
    )`);
    // At most one serving version per read model, whatever happens: the switch cannot leave two.
    await this.dataSource.query(`CREATE UNIQUE INDEX IF NOT EXISTS read_model_versions_one_serving ON ${this.pointer} (read_model) WHERE state = 'serving'`);
    const at = this.now();
    for (const readModel of new Set(projections.map((p) => p.readModel))) {
      const versions = projections.filter((p) => p.readModel === readModel).sort((a, b) => a.version - b.version);
      await this.dataSource.transaction(async (m) => {
        for (const p of versions) {
          for (const statement of p.ddl) await m.query(statement);
          await m.query(`INSERT INTO ${this.pointer} (read_model, version, state, created_at) VALUES ($1, $2, 'building', $3) ON CONFLICT DO NOTHING`, [
            readModel,
            p.version,
            at,
          ]);
        }
        const serving = await this.servingRow(m, readModel);
        if (!serving)
          await m.query(`UPDATE ${this.pointer} SET state = 'serving', switched_at = $3 WHERE read_model = $1 AND version = $2`, [
            readModel,
            versions[0].version,
            at,
          ]);
      });
    }
    for (const row of await this.rows()) {
      const p = this.declared.get(`${row.read_model}@v${row.version}`);
      if (p && row.state === 'serving') await this.run(p);
    }
    if (options.build ?? true) await this.build();
  }

  /**
   * Starts building the declared versions newer than the serving ones (from event 0, or from their
   * checkpoint after a restart) and the periodic switch check. `start(…, { build: false })` leaves
   * it to the caller: a service calls it once it listens, so its start-up (and `GET /read-models`)
   * does not wait behind the replay.
   */
  async build(): Promise<void> {
    const rows = await this.rows();
    for (const row of rows) {
      const p = this.declared.get(`${row.read_model}@v${row.version}`);
      const serving = rows.find((r) => r.read_model === row.read_model && r.state === 'serving');
      // Only newer than the serving one: the switch never goes back to an older version.
      if (p && row.state === 'building' && (!serving || row.version > serving.version) && !this.runners.has(p.name)) await this.run(p);
    }
    if (this.timer || this.stopped) return;
    const every = this.options.switchCheckMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => {
        void this.switchAllCaughtUp().catch((error: unknown) => this.options.runner?.logger?.error('read model versions: switch check failed', error));
      }, every);
      this.timer.unref();
    }
  }

  private async run(p: VersionedProjection): Promise<void> {
    if (this.stopped) return; // a build still starting when the service stops starts nothing
    const runner = new ProjectionRunner(this.dataSource, p, { ...this.options.runner, schema: this.schema, group: `projection.${p.name}` });
    await runner.migrate();
    this.runners.set(p.name, runner);
    await runner.startFromStore(this.store, this.registry, this.mapping);
  }

  /** The version reads must use now (looked up per read: a switch moves every later read). */
  async serving(readModel: string): Promise<VersionedProjection> {
    const row = await this.servingRow(this.dataSource.manager, readModel);
    const p = row && this.declared.get(`${readModel}@v${row.version}`);
    if (!p)
      throw new NoServingVersionError(
        `read model ${readModel} has no serving version this process knows${row ? ` (the pointer names version ${row.version})` : ''}`,
      );
    return p;
  }

  private async servingRow(m: EntityManager, readModel: string): Promise<VersionRow | undefined> {
    const [row] = (await m.query(`SELECT * FROM ${this.pointer} WHERE read_model = $1 AND state = 'serving'`, [readModel])) as VersionRow[];
    return row;
  }

  private async rows(): Promise<VersionRow[]> {
    return (await this.dataSource.query(`SELECT * FROM ${this.pointer} ORDER BY read_model, version`)) as VersionRow[];
  }

  /** Switches every read model whose newest building version has caught up. */
  async switchAllCaughtUp(): Promise<string[]> {
    const switched: string[] = [];
    for (const readModel of new Set([...this.declared.values()].map((p) => p.readModel))) {
      if (await this.switchIfCaughtUp(readModel)) switched.push(readModel);
    }
    return switched;
  }

  /**
   * If the newest building version of `readModel` has caught up with the store (its runner reached
   * the head once and follows it live), makes it the serving one — one UPDATE of the pointer rows,
   * so no read ever sees two or none — and stops the version it replaces (now `retired`, tables
   * kept). Older building versions are retired with it. Returns whether it switched.
   */
  async switchIfCaughtUp(readModel: string): Promise<boolean> {
    const rows = (await this.rows()).filter((r) => r.read_model === readModel);
    const serving = rows.find((r) => r.state === 'serving');
    const candidate = rows
      .filter((r) => r.state === 'building' && (!serving || r.version > serving.version))
      .sort((a, b) => b.version - a.version)
      .find((r) => this.runners.get(`${readModel}@v${r.version}`));
    if (!candidate) return false;
    const runner = this.runners.get(`${readModel}@v${candidate.version}`)!;
    if ((await runner.health()).state !== 'live') return false;
    // 'live' is also what a runner reports after recovering from an outage: make sure it is not behind the serving one.
    if (serving) {
      const mine = (await runner.status(`${readModel}@v${candidate.version}`))?.lastPosition;
      const theirs = await this.runners.get(`${readModel}@v${serving.version}`)?.status(`${readModel}@v${serving.version}`);
      if (theirs?.lastPosition && (!mine || parsePosition(mine).prepare < parsePosition(theirs.lastPosition).prepare)) return false;
    }
    const at = this.now();
    // Two statements in one transaction (readers see both or neither): one UPDATE of both rows
    // trips the one-serving unique index, which is checked row by row, whenever the new row is
    // updated before the old one (it was, on PGlite and PostgreSQL alike: no switch ever happened).
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `UPDATE ${this.pointer} SET state = 'retired', retired_at = $3::timestamptz
          WHERE read_model = $1 AND version <> $2 AND (state = 'serving' OR (state = 'building' AND version < $2))`,
        [readModel, candidate.version, at],
      );
      await m.query(`UPDATE ${this.pointer} SET state = 'serving', switched_at = $3::timestamptz WHERE read_model = $1 AND version = $2`, [
        readModel,
        candidate.version,
        at,
      ]);
    });
    for (const r of rows) {
      if (r.version === candidate.version || (r.state !== 'serving' && r.state !== 'building')) continue;
      const name = `${readModel}@v${r.version}`;
      await this.runners.get(name)?.stop();
      this.runners.delete(name);
    }
    return true;
  }

  /**
   * Drops the tables of retired versions (all read models, or one) and marks them `dropped`. Call
   * it once reads in flight at the switch are done (the pointer moved before; new reads never pick
   * a retired version). Returns the versions dropped, as `<readModel>@v<version>`.
   */
  async dropRetired(readModel?: string): Promise<string[]> {
    const dropped: string[] = [];
    for (const row of await this.rows()) {
      if (row.state !== 'retired' || (readModel && row.read_model !== readModel)) continue;
      const name = `${row.read_model}@v${row.version}`;
      const p = this.declared.get(name);
      if (!p) continue; // the code no longer knows its tables: left for an operator
      await this.dataSource.transaction(async (m) => {
        for (const table of Object.values(p.tables)) await m.query(`DROP TABLE IF EXISTS ${table}`);
        await m.query(`UPDATE ${this.pointer} SET state = 'dropped', dropped_at = $3 WHERE read_model = $1 AND version = $2`, [
          row.read_model,
          row.version,
          this.now(),
        ]);
      });
      dropped.push(name);
    }
    return dropped;
  }

  /** Every version with its position against the head, events/s and state: what `GET /read-models` and the metrics show. */
  async progress(): Promise<ReadModelVersionProgress[]> {
    const rows = await this.rows();
    const statuses = new Map<string, { applied: number; position: GlobalPosition | undefined; parked: number; runner?: RunnerState }>();
    for (const row of rows) {
      const name = `${row.read_model}@v${row.version}`;
      const runner = this.runners.get(name);
      // A version not run here (retired) still has its checkpoint: read it through an idle runner.
      const declared = this.declared.get(name);
      const reader = runner ?? (declared && new ProjectionRunner(this.dataSource, declared, { schema: this.schema, group: `projection.${name}` }));
      const checkpoint = reader ? await reader.status(name) : undefined;
      statuses.set(name, {
        applied: checkpoint?.eventsApplied ?? 0,
        position: checkpoint?.lastPosition ? parsePosition(checkpoint.lastPosition) : undefined,
        parked: checkpoint?.parked ?? 0,
        runner: runner ? (await runner.health()).state : undefined,
      });
    }
    const now = this.now().getTime();
    return rows.map((row) => {
      const name = `${row.read_model}@v${row.version}`;
      const s = statuses.get(name)!;
      const head = rows
        .filter((r) => r.read_model === row.read_model)
        .map((r) => statuses.get(`${r.read_model}@v${r.version}`)!.position)
        .reduce<GlobalPosition | undefined>((a, b) => (!a ? b : !b ? a : b.prepare > a.prepare ? b : a), undefined);
      const last = this.samples.get(name);
      this.samples.set(name, { at: now, applied: s.applied });
      const seconds = last ? (now - last.at) / 1000 : 0;
      return {
        readModel: row.read_model,
        version: row.version,
        state: row.state,
        ...(s.runner ? { runner: s.runner } : {}),
        position: s.position ? `${s.position.commit}/${s.position.prepare}` : null,
        head: head ? `${head.commit}/${head.prepare}` : null,
        progress: !head ? null : !s.position ? 0 : head.prepare <= 0n ? 1 : Number(s.position.prepare) / Number(head.prepare),
        eventsApplied: s.applied,
        eventsPerSecond: last && seconds > 0 ? (s.applied - last.applied) / seconds : null,
        parked: s.parked,
        createdAt: new Date(row.created_at).toISOString(),
        switchedAt: row.switched_at ? new Date(row.switched_at).toISOString() : null,
        retiredAt: row.retired_at ? new Date(row.retired_at).toISOString() : null,
        droppedAt: row.dropped_at ? new Date(row.dropped_at).toISOString() : null,
      };
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const runner of this.runners.values()) await runner.stop();
    this.runners.clear();
  }
}
