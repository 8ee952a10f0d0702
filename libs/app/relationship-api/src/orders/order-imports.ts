import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { ConflictError, DomainRuleViolation, uuidV5, type Decider } from '@crm/kernel';
import { NotFoundError, type Identity } from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';
import type { OrderCommands } from './order-commands';
import { OrderCsvRefusedError, OrderRefusedError, readOrderCsv, type CsvOrder, type ImportLineError } from './order-csv';

/** Fixed for good: the customers an import registers get ids derived from their external id. */
const IMPORT_NAMESPACE = '8d7e0b52-1f3a-4c9d-b6e2-47a0c5f9d311';

export interface OrderImportCounts {
  /** Data lines read (the header not counted). */
  lines: number;
  /** Orders read (complete, or refused). */
  orders: number;
  /** Orders placed by this import. */
  created: number;
  /** Orders imported before (the same order number with the same content): nothing new. */
  existing: number;
  failedOrders: number;
  /** Lines not imported (each listed in `errors`, up to `MAX_IMPORT_ERRORS`). */
  failedLines: number;
  /** Customers this import registered (an external id no live customer held). */
  customersCreated: number;
  bytesRead: number;
}

/** Recorded states, and `interrupted`: read for a running import that recorded nothing for `IMPORT_STALL_MS`. */
export type OrderImportStatus = 'running' | 'interrupted' | 'completed' | 'refused' | 'failed';

/**
 * A running import records its counts every `recordEvery` lines (default 1,000, well under a minute
 * on this machine). One that recorded nothing for this long is read as interrupted: the process
 * that ran it most likely stopped (a crash, a redeploy, a client that went away) and nothing will
 * finish its record. Derived when read, not recorded: should it progress after all, it reads as
 * running again, and its end is recorded as usual.
 */
export const IMPORT_STALL_MS = 10 * 60_000;

export interface OrderImportView {
  importId: string;
  status: OrderImportStatus;
  startedBy: string;
  startedAt: string;
  /** When the counts were last recorded. */
  updatedAt: string;
  finishedAt?: string;
  /** The identity system the customers' external ids belong to. */
  system?: string;
  counts: OrderImportCounts;
  /** The first `MAX_IMPORT_ERRORS` lines not imported, in file order. */
  errors: ImportLineError[];
  /** Why it was refused or failed. */
  detail?: string;
}

/** Errors an import lists (all are counted). */
export const MAX_IMPORT_ERRORS = 1000;

// The import's own record, a private stream `orderimport-<id>` (no customer: never published).
type ImportEvent =
  | { type: 'OrderImportStarted'; data: { importId: string; startedBy: string; startedAt: string; system?: string } }
  | { type: 'OrderImportProgressed'; data: { importId: string; counts: OrderImportCounts; errors: ImportLineError[]; at: string } }
  | {
      type: 'OrderImportFinished';
      data: {
        importId: string;
        counts: OrderImportCounts;
        errors: ImportLineError[];
        outcome: Exclude<OrderImportStatus, 'running' | 'interrupted'>;
        detail?: string;
        at: string;
      };
    };
type ImportState = OrderImportView | undefined;
type ImportCommand = ImportEvent;

const ZERO: OrderImportCounts = { lines: 0, orders: 0, created: 0, existing: 0, failedOrders: 0, failedLines: 0, customersCreated: 0, bytesRead: 0 };

const importRecord: Decider<ImportState, ImportCommand, ImportEvent> = {
  initialState: undefined,
  evolve: (state, event) => {
    if (event.type === 'OrderImportStarted') {
      const d = event.data;
      return {
        importId: d.importId,
        status: 'running',
        startedBy: d.startedBy,
        startedAt: d.startedAt,
        updatedAt: d.startedAt,
        ...(d.system !== undefined && { system: d.system }),
        counts: ZERO,
        errors: [],
      };
    }
    if (!state) return state;
    const errors = [...state.errors, ...event.data.errors].slice(0, MAX_IMPORT_ERRORS);
    if (event.type === 'OrderImportProgressed') return { ...state, counts: event.data.counts, errors, updatedAt: event.data.at };
    const { outcome, detail, at } = event.data;
    return { ...state, status: outcome, counts: event.data.counts, errors, updatedAt: at, finishedAt: at, ...(detail !== undefined && { detail }) };
  },
  decide: (command, state) => {
    if (command.type === 'OrderImportStarted') {
      if (state)
        throw new ConflictError('import-exists', `import ${command.data.importId} exists: start a new import with another id`, {
          importId: command.data.importId,
        });
      return [command];
    }
    if (state?.status !== 'running') throw new DomainRuleViolation('import-not-running', `import ${command.data.importId} is not running`);
    return [command];
  },
};

export const orderImportStream = (importId: string) => `orderimport-${importId}`;

export interface OrderImportOptions {
  /** Client-chosen, to watch `GET /orders/imports/{id}` while the upload runs; new when absent. */
  importId?: string;
  /** The identity system of the customers' external ids (`external-id` identities with this `system`). */
  system?: string;
  /** The kind of customer registered for an external id nobody holds. Default organisation. */
  customerKind?: 'person' | 'organisation';
  /** Counts are recorded every this many lines (and when the import ends). Default 1000. */
  recordEvery?: number;
  /** Called after every line with the counts so far (the command-line form draws its progress bar with it). */
  onProgress?: (counts: Readonly<OrderImportCounts>) => void;
  /** Called once the import's record exists (before the body is read). */
  onStarted?: (importId: string) => void;
}

/** Where a rule an order broke shows in the file. */
const FIELD_OF_RULE: Record<string, string> = {
  'order-date-in-future': 'orderDate',
  'unknown-currency': 'currency',
  'order-exists': 'orderId',
  'invalid-quantity': 'quantity',
  'invalid-amount': 'amount',
  'amount-too-large': 'amount',
  'identity-taken': 'customerExternalId',
};

/**
 * Historical orders from a CSV (`readOrderCsv`), through the same commands as `POST /orders`: each
 * order's customer is found by its external id (`external-id` identity, optionally of a `system`) or
 * registered — with an id derived from it, so a re-run finds it — and the order is placed with an id
 * derived from its order number, so importing the same file again creates nothing new. The counts are
 * recorded on the import's own stream as it goes (`GET /orders/imports/{id}`).
 */
export class OrderImports {
  constructor(
    private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    private readonly orders: OrderCommands,
    private readonly settings: CommandSettings,
  ) {}

  private readonly records = new CommandHandler(this.store, importRecord, { retries: this.settings.retries });

  async run(principal: StaffPrincipal, body: Readable, options: OrderImportOptions = {}): Promise<OrderImportView> {
    const importId = options.importId ?? randomUUID();
    const metadata = () => metadataFor(principal, this.settings.clock, visibilityFor(principal), importId);
    const record = (event: ImportEvent) => this.records.handle(orderImportStream(importId), event, metadata());
    await record({
      type: 'OrderImportStarted',
      data: { importId, startedBy: principal.subject, startedAt: this.now(), ...(options.system !== undefined && { system: options.system }) },
    });
    options.onStarted?.(importId);
    const counts: OrderImportCounts = { ...ZERO };
    let pending: ImportLineError[] = [];
    let listed = 0;
    const every = options.recordEvery ?? 1000;
    const customerIds = new Map<string, string>();
    let lastCreated = true;
    const progressed = () => {
      const errors = pending;
      pending = [];
      return { importId, counts: { ...counts }, errors, at: this.now() };
    };
    const finish = async (outcome: Exclude<OrderImportStatus, 'running' | 'interrupted'>, detail?: string) => {
      const r = await record({ type: 'OrderImportFinished', data: { ...progressed(), outcome, ...(detail !== undefined && { detail }) } });
      return r.state!;
    };
    try {
      await readOrderCsv(body, {
        order: async (order) => {
          // An order after a new one is most likely new too (a first import); after a known one, known
          // (a re-run): that decides whether to try the append without reading first.
          const created = await this.place(principal, order, options, customerIds, () => (counts.customersCreated += 1), lastCreated);
          lastCreated = created;
          if (created) counts.created += 1;
          else counts.existing += 1;
          counts.orders += 1;
        },
        orderFailed: () => {
          counts.failedOrders += 1;
          counts.orders += 1;
        },
        lineFailed: (error) => {
          counts.failedLines += 1;
          if (listed < MAX_IMPORT_ERRORS) {
            pending.push(error);
            listed += 1;
          }
        },
        progress: async (lines, bytesRead) => {
          counts.lines = lines;
          counts.bytesRead = bytesRead;
          options.onProgress?.(counts);
          if (lines % every === 0) await record({ type: 'OrderImportProgressed', data: progressed() });
        },
      });
      options.onProgress?.(counts);
      return await finish('completed');
    } catch (error) {
      const refused = error instanceof OrderCsvRefusedError;
      try {
        await finish(
          refused ? 'refused' : 'failed',
          refused ? error.message : 'an unexpected error stopped the import; the orders before it were imported (import the file again: they are skipped)',
        );
      } catch {
        // the error that stopped the import is the one to report
      }
      throw error;
    }
  }

  /** The import's record: status, counts, the lines not imported. 404 for an unknown id. */
  async get(importId: string): Promise<OrderImportView> {
    const { state } = await this.records.load(orderImportStream(importId));
    if (!state) throw new NotFoundError(`order import ${importId} not found`);
    if (state.status === 'running' && this.settings.clock.now().getTime() - Date.parse(state.updatedAt) > IMPORT_STALL_MS)
      return {
        ...state,
        status: 'interrupted',
        detail: `nothing recorded since ${state.updatedAt}: the import most likely stopped with its process; the orders counted were imported (import the file again: they are skipped)`,
      };
    return state;
  }

  /** Finds or registers the customer, places the order; true when it was new. Refusals become OrderRefusedError (the line's error). */
  private async place(
    principal: StaffPrincipal,
    order: CsvOrder,
    options: OrderImportOptions,
    cache: Map<string, string>,
    registered: () => void,
    likelyNew: boolean,
  ): Promise<boolean> {
    try {
      const customerId = await this.customerFor(principal, order, options, cache, registered);
      const r = await this.orders.place(
        principal,
        {
          customerId,
          orderDate: order.orderDate,
          currency: order.currency,
          lines: order.lines,
          declaredTotal: order.amount,
          source: 'import',
          externalId: order.externalOrderId,
        },
        { customerKnown: true, assumeNew: likelyNew, correlationId: options.importId },
      );
      return r.created;
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'DomainRuleViolation' || name === 'ConflictError') {
        const rule = (error as { code: string }).code;
        const message =
          rule === 'order-exists'
            ? `order ${order.externalOrderId} was imported before with other content (or its lines are not next to each other in the file)`
            : (error as Error).message;
        throw new OrderRefusedError(FIELD_OF_RULE[rule] ?? 'line', message);
      }
      if (name === 'ContractViolationError') {
        const path = (error as { problems?: { path: string }[] }).problems?.[0]?.path ?? 'line';
        throw new OrderRefusedError(path.startsWith('lines.') ? 'line' : path, (error as Error).message);
      }
      throw error;
    }
  }

  private async customerFor(
    principal: StaffPrincipal,
    order: CsvOrder,
    options: OrderImportOptions,
    cache: Map<string, string>,
    registered: () => void,
  ): Promise<string> {
    const known = cache.get(order.customerExternalId);
    if (known) return known;
    const identity: Identity = { kind: 'external-id', value: order.customerExternalId, ...(options.system !== undefined && { system: options.system }) };
    const holder = await this.customers.holderOf(identity);
    let customerId = holder ? ((await this.customers.resolve(holder)) ?? holder) : undefined;
    if (!customerId) {
      customerId = uuidV5(`customer/external-id/${options.system ?? ''}/${order.customerExternalId}`, IMPORT_NAMESPACE);
      const existing = await this.customers.resolve(customerId);
      if (existing) customerId = existing;
      else {
        await this.customers.register(principal, {
          customerId,
          kind: options.customerKind ?? 'organisation',
          name: order.customerName ?? `Customer ${order.customerExternalId}`,
          identities: [identity],
          journeyStage: 'first-time-customer',
        });
        registered();
      }
    }
    // Bounded: a file of millions of customers does not keep them all.
    if (cache.size >= 10_000) cache.clear();
    cache.set(order.customerExternalId, customerId);
    return customerId;
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
