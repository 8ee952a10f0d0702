import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, TickLoop, type ReadModelRunners } from '@crm/relationship-api';
import { cursorParts, decodeCursor, encodeCursor } from '@crm/relationship-read-models';
import { CLOCK, HttpProblem, SERVICE_CONFIG, SERVICE_METRICS, type PartnerPrincipal, type ServiceConfig, type ServiceMetrics } from '@crm/service-kit';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';

/**
 * The partner access log (issue 14 §1): which partner read which customer, when — one row per
 * customer a partner read returned (a list of 20 customers is 20 rows), and one row per read that
 * was refused with 404 (a customer not shared, a repair not assigned: a partner probing ids is what
 * a security reviewer looks for). One row per customer, not one row with a list of ids: "who read
 * customer X" is then an indexed equality, and retention and counting stay plain.
 *
 * Why a table and not an event: a read changes nothing the business decides on, so it is no fact of
 * the event store (which holds what happened to customers, partners and episodes, and is replayed to
 * rebuild everything); the log is the portal's own record, like a web server's access log, kept in
 * the portal's read-model database (`partner_portal.partner_access_log`) — not a projection, so a
 * read model rebuild leaves it alone. It holds ids only (partner, client id, customer, repair job),
 * no names: a customer's erasure leaves nothing personal here.
 *
 * Cheap on the read path: `record` only appends to an in-memory buffer; the buffer is written in one
 * INSERT every tick (`CRM_PARTNER_ACCESS_LOG_INTERVAL_MS`), whenever it reaches 100 entries, before a
 * query of the log (so a query sees every read this instance answered) and at shutdown. A write that
 * fails is logged and counted (`crm_partner_access_log_write_failures_total`) and its entries are
 * dropped: the read the partner made has been answered already, and a log must never turn it into a 5xx.
 * A crash loses at most the last second's entries.
 */
export interface AccessLogEntry {
  at: string;
  partnerId: string;
  /** The token's `sub`: the client id the token was issued for. */
  principal: string;
  /** The partner user who read (issue 14 §1's partner users; null while tokens name the organisation's credential only). */
  partnerUser: string | null;
  /** The customer read, or probed (null where a refused read names no customer: an unknown repair job). */
  customerId: string | null;
  /** The id in the path (customer or repair job); null for a list. */
  resourceId: string | null;
  /** Method and route pattern, never the raw URL: `GET /customers/{id}`. */
  route: string;
  status: number;
  correlationId: string;
}

export interface AccessLogPage {
  items: AccessLogEntry[];
  /** Pass as `cursor` for the next page (same filters); absent on the last page. */
  nextCursor?: string;
}

export interface AccessLogSearch {
  partnerId?: string;
  customerId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  limit: number;
  cursor?: string;
}

/** What a partner read is recorded as: the route, and which customers the answer showed. */
export interface PartnerRead {
  /** Method and route pattern: `GET /customers/{id}`. */
  route: string;
  /** The `X-Correlation-Id` the caller sent (a fresh one when none, or a malformed one). */
  correlationId?: string;
  /** The id in the path, if any. */
  resourceId?: string;
  /** The customer a refused read asked for (customer routes: the id in the path). */
  probedCustomerId?: string;
}

export interface AccessLogTick {
  written: number;
  pruned: number;
}

const TABLE = 'partner_portal.partner_access_log';
/** Entries written in one INSERT, and the buffer size that writes at once. */
const BATCH = 100;
/** Pruning is a DELETE over an index: once an hour of the clock is plenty for a retention counted in days. */
const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** `['partner-access-log', at, seq]`. */
const CURSOR = [
  cursorParts.list('partner-access-log'),
  cursorParts.text({ max: 40, valid: (s) => !Number.isNaN(Date.parse(s)) }),
  cursorParts.integer(),
] as const;

@Injectable()
export class PartnerAccessLog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PartnerAccessLog');
  private readonly loop: TickLoop<AccessLogTick>;
  private readonly failures: Counter;
  private buffer: AccessLogEntry[] = [];
  private writing: Promise<unknown> = Promise.resolve();
  private ready?: Promise<void>;
  private lastPrune?: number;

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(SERVICE_METRICS) metrics: ServiceMetrics,
  ) {
    this.failures = new Counter({
      name: 'crm_partner_access_log_write_failures_total',
      help: 'Partner access log entries that could not be written (dropped; the reads were answered)',
      registers: [metrics.registry],
    });
    this.loop = new TickLoop('partner access log', () => this.tickNow(), {
      intervalMs: config.CRM_PARTNER_ACCESS_LOG_INTERVAL_MS,
      logger: { warn: (m) => this.logger.warn(m) },
    });
  }

  private get manager(): EntityManager {
    return this.readModels.dataSource.manager;
  }

  /**
   * Runs a partner read and records it: one entry per customer its answer showed (`customersOf`),
   * or one entry with status 404 when it was refused as not found. Other failures (401 of a revoked
   * credential, 400) read no customer and are not recorded. Recording never fails the read.
   */
  async read<T>(principal: PartnerPrincipal, read: PartnerRead, run: () => Promise<T>, customersOf: (result: T) => readonly string[]): Promise<T> {
    let result: T;
    try {
      result = await run();
    } catch (error) {
      if (error instanceof NotFoundError || (error instanceof HttpProblem && error.status === 404)) {
        this.record(principal, read, 404, [read.probedCustomerId ?? null]);
      }
      throw error;
    }
    this.record(principal, read, 200, customersOf(result));
    return result;
  }

  private record(principal: PartnerPrincipal, read: PartnerRead, status: number, customerIds: readonly (string | null)[]): void {
    try {
      const at = this.clock.now().toISOString();
      const correlationId = read.correlationId !== undefined && CORRELATION_ID.test(read.correlationId) ? read.correlationId : randomUUID();
      for (const customerId of new Set(customerIds)) {
        this.buffer.push({
          at,
          partnerId: principal.partnerId,
          principal: principal.subject,
          partnerUser: principal.userId ?? null,
          customerId,
          resourceId: read.resourceId ?? null,
          route: read.route,
          status,
          correlationId,
        });
      }
      if (this.buffer.length >= BATCH) void this.flush();
    } catch (error) {
      this.lost(customerIds.length, error);
    }
  }

  /** Writes what is buffered (in batches of 100). Never throws: a failed write is logged, counted and dropped. */
  flush(): Promise<number> {
    const next = this.writing.then(async () => {
      let written = 0;
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, BATCH);
        try {
          await this.insert(batch);
          written += batch.length;
        } catch (error) {
          this.lost(batch.length, error);
        }
      }
      return written;
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  private lost(entries: number, error: unknown): void {
    this.failures.inc(entries);
    this.logger.error(`${entries} access log entries could not be written and are dropped: ${error instanceof Error ? error.message : String(error)}`);
  }

  private async insert(batch: AccessLogEntry[]): Promise<void> {
    await this.ensure();
    const columns = ['at', 'partner_id', 'principal', 'partner_user', 'customer_id', 'resource_id', 'route', 'status', 'correlation_id'];
    const params: unknown[] = [];
    const rows = batch.map((e) => {
      params.push(e.at, e.partnerId, e.principal, e.partnerUser, e.customerId, e.resourceId, e.route, e.status, e.correlationId);
      const first = params.length - columns.length;
      return `(${columns.map((_, i) => `$${first + i + 1}`).join(', ')})`;
    });
    await this.manager.query(`INSERT INTO ${TABLE} (${columns.join(', ')}) VALUES ${rows.join(', ')}`, params);
  }

  /** The table, created on first use (two processes at once: the loser of the catalogue race finds it made). */
  private ensure(): Promise<void> {
    this.ready ??= (async () => {
      const ddl = (sql: string) =>
        this.manager.query(sql).catch((error: { code?: string; driverError?: { code?: string } }) => {
          const code = error.code ?? error.driverError?.code;
          if (code !== '23505' && code !== '42P07' && code !== '42P06') throw error;
        });
      await ddl(`CREATE SCHEMA IF NOT EXISTS partner_portal`);
      await ddl(`CREATE TABLE IF NOT EXISTS ${TABLE} (
        seq bigserial PRIMARY KEY, at timestamptz NOT NULL, partner_id text NOT NULL, principal text NOT NULL, partner_user text,
        customer_id text, resource_id text, route text NOT NULL, status integer NOT NULL, correlation_id text NOT NULL)`);
      await ddl(`CREATE INDEX IF NOT EXISTS partner_access_log_partner ON ${TABLE} (partner_id, at, seq)`);
      await ddl(`CREATE INDEX IF NOT EXISTS partner_access_log_customer ON ${TABLE} (customer_id, at, seq)`);
      await ddl(`CREATE INDEX IF NOT EXISTS partner_access_log_at ON ${TABLE} (at, seq)`);
    })().catch((error) => {
      this.ready = undefined; // tried again on the next use
      throw error;
    });
    return this.ready;
  }

  /** The log, newest first (ties by insertion order), after writing what this instance buffered. */
  async list(search: AccessLogSearch): Promise<AccessLogPage> {
    const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
    await this.flush();
    await this.ensure();
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (search.partnerId !== undefined) add((p) => `partner_id = ${p}`, search.partnerId);
    if (search.customerId !== undefined) add((p) => `customer_id = ${p}`, search.customerId);
    if (search.from) add((p) => `at >= ${p}::timestamptz`, search.from.toISOString());
    if (search.to) add((p) => `at < ${p}::timestamptz`, search.to.toISOString());
    if (after) {
      params.push(new Date(after[1]).toISOString(), after[2]);
      where.push(`(at, seq) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(search.limit + 1);
    const rows = (await this.manager.query(
      `SELECT seq, at, partner_id, principal, partner_user, customer_id, resource_id, route, status, correlation_id FROM ${TABLE}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, seq DESC LIMIT $${params.length}`,
      params,
    )) as {
      seq: string | number;
      at: Date | string;
      partner_id: string;
      principal: string;
      partner_user: string | null;
      customer_id: string | null;
      resource_id: string | null;
      route: string;
      status: number;
      correlation_id: string;
    }[];
    const page = rows.slice(0, search.limit);
    const items: AccessLogEntry[] = page.map((r) => ({
      at: new Date(r.at).toISOString(),
      partnerId: r.partner_id,
      principal: r.principal,
      partnerUser: r.partner_user,
      customerId: r.customer_id,
      resourceId: r.resource_id,
      route: r.route,
      status: Number(r.status),
      correlationId: r.correlation_id,
    }));
    const last = page[page.length - 1];
    return rows.length > search.limit && last
      ? { items, nextCursor: encodeCursor(['partner-access-log', items[items.length - 1].at, Number(last.seq)]) }
      : { items };
  }

  /** Deletes the entries older than the retention (`CRM_PARTNER_ACCESS_LOG_RETENTION_DAYS`) on the injected clock. */
  async prune(): Promise<number> {
    await this.ensure();
    const before = new Date(this.clock.now().getTime() - this.config.CRM_PARTNER_ACCESS_LOG_RETENTION_DAYS * DAY_MS).toISOString();
    // A SELECT around the DELETE: drivers answer a bare DELETE in different shapes.
    const [row] = (await this.manager.query(`WITH d AS (DELETE FROM ${TABLE} WHERE at < $1::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM d`, [
      before,
    ])) as { n: number }[];
    return Number(row?.n ?? 0);
  }

  /** One pass: write the buffer; prune once an hour of the clock. */
  tick(): Promise<AccessLogTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<AccessLogTick> {
    const written = await this.flush();
    const now = this.clock.now().getTime();
    let pruned = 0;
    if (this.lastPrune === undefined || now - this.lastPrune >= PRUNE_EVERY_MS) {
      pruned = await this.prune();
      this.lastPrune = now;
    }
    return { written, pruned };
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Before the read models' data source closes (that is on application shutdown): what is buffered is written. */
  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
    await this.flush();
  }
}
