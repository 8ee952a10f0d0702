import { createHash, randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore, type RecordedEvent } from '@crm/event-store';
import {
  checkWarranty,
  COMPANY_WIDE_VISIBILITY,
  DomainRuleViolation,
  episodeDecider,
  episodeStream,
  NotFoundError,
  REPAIR_RESULTS,
  returnRepairDecider,
  type Channel,
  type Interaction,
  type RepairStatus,
  type ReturnActor,
  type ReturnItem,
  type ReturnLeg,
  type ReturnRepair,
  type ReturnRepairCommand,
  type ReturnRepairEvent,
  type ReturnRepairState,
  type ShipmentLeg,
  type ShipmentState,
  type WarrantyCheck,
  type WarrantyOrder,
} from '@crm/relationship';
import { HttpProblem, partnerActorId, ProblemTypes, type Principal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import { CASE_WORKING_DEPARTMENTS, type SystemActor } from '../cases/case-commands';
import type { OrderCommands } from '../orders/order-commands';
import type { PartnerCommands } from '../partners/partner-commands';
import { correlationIdFor } from '@crm/telemetry';

/** The ids of a customer's orders (a read model's list); the orders themselves are read from their streams. */
export type CustomerOrderIds = (customerId: string) => Promise<readonly string[]>;

export interface ReturnRepairSettings extends CommandSettings {
  /** How long the warranty runs from the order date (`CRM_WARRANTY_MONTHS`, default 24). */
  warrantyMonths?: number;
}

export const DEFAULT_WARRANTY_MONTHS = 24;

export interface RequestReturnInput {
  /** Default: a new UUID. */
  episodeId?: string;
  item: ReturnItem;
  fault: string;
  orderId?: string;
  lineId?: string;
  channel?: Channel;
}

export interface ShipmentInput {
  leg: ReturnLeg;
  state: ShipmentState;
  carrier?: string;
  trackingNumber?: string;
}

/** Where a return stands, derived from its history (the list and `GET /returns/{id}` show it). */
export type ReturnStatus =
  | 'requested'
  | 'denied'
  | 'authorised'
  | 'in-transit-to-company'
  | 'received'
  | 'in-transit-to-provider'
  | 'at-provider'
  | 'repaired'
  | 'replaced'
  | 'unrepairable'
  | 'returning'
  | 'delivered'
  | 'closed';

export const RETURN_STATUSES: readonly ReturnStatus[] = [
  'requested',
  'denied',
  'authorised',
  'in-transit-to-company',
  'received',
  'in-transit-to-provider',
  'at-provider',
  'repaired',
  'replaced',
  'unrepairable',
  'returning',
  'delivered',
  'closed',
];

/** One status for a return, the way a person asks "where is my item?". */
export function returnStatus(r: ReturnRepair): ReturnStatus {
  if (r.denied) return 'denied';
  if (r.closed) return r.legs['to-customer']?.state === 'delivered' ? 'delivered' : 'closed';
  if (!r.authorisation) return 'requested';
  if (r.legs['to-customer'] || r.legs['from-provider']) return 'returning';
  if (r.repair && REPAIR_RESULTS.includes(r.repair.status)) return r.repair.status as ReturnStatus;
  const toProvider = r.legs['to-provider'];
  if (toProvider?.state === 'delivered' || (r.repair && r.repair.status !== 'assigned')) return 'at-provider';
  if (toProvider) return 'in-transit-to-provider';
  const toCompany = r.legs['to-company'];
  if (toCompany?.state === 'delivered') return 'received';
  if (toCompany) return 'in-transit-to-company';
  return 'authorised';
}

/** `GET /returns/{id}`: the return as its own history tells it. */
export interface ReturnView {
  returnId: string;
  customerId: string;
  /** The case it was requested from (its episode): the link in the customer's timeline. */
  caseId: string;
  status: ReturnStatus;
  item: ReturnItem;
  fault: string;
  orderId: string | null;
  lineId: string | null;
  requestedAt: string;
  rmaNumber: string | null;
  /** On what grounds it was authorised, the order and line, and when their warranty ends. */
  warranty: { basis: string; orderId: string | null; lineId: string | null; warrantyEndsAt: string | null; note: string | null } | null;
  authorisedAt: string | null;
  denied: { reason: string; deniedAt: string } | null;
  legs: Partial<Record<ReturnLeg, ShipmentLeg>>;
  repair: { partnerId: string; status: RepairStatus; assignedAt: string } | null;
  /** Every provider the repair was ever given to. */
  providers: string[];
  /** Status changes of the repair as its providers reported them. */
  repairHistory: { partnerId: string; from: RepairStatus; to: RepairStatus; note?: string; changedAt: string }[];
  interactions: Interaction[];
  closed: { outcome: string; closedAt: string; reason?: string } | null;
  /** The stream revision: the ETag for If-Match. */
  revision: string;
}

/** Who changes a return: staff of service or management, or one of the service's processes. */
export type ReturnStaffActor = Principal | SystemActor;

/**
 * Returns and repairs, the service department's side (issue 12 §5). Each command loads the return's
 * episode once, checks on that state that the caller may change it (staff of service or management;
 * other staff read; partners never — a missing return to them: the repair provider works its job
 * through the partner portal's commands), judges If-Match, decides, appends. The facts a rule needs
 * from other aggregates — the case a return comes from, the customer's orders for the warranty, the
 * partner a repair goes to — are read before, as facts, and never decide access.
 */
export class ReturnRepairCommands {
  constructor(
    private readonly store: EventStore,
    private readonly orders: OrderCommands,
    private readonly partners: PartnerCommands,
    private readonly customerOrderIds: CustomerOrderIds,
    private readonly settings: ReturnRepairSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, returnRepairDecider, { retries: this.settings.retries });
  private readonly cases = new CommandHandler(this.store, episodeDecider);

  /** A return asked for from an open case of the company: a new episode of its own, linked to the case. */
  async request(actor: ReturnStaffActor, caseId: string, input: RequestReturnInput, options: CommandOptions = {}): Promise<CommandResult> {
    // The case is read as a fact: who may not work it never learns it exists.
    const { state: c } = await this.cases.load(episodeStream(caseId));
    const isCase = !!c?.case && c.episodeType === 'case' && c.owner.kind === 'department';
    if (actor.kind === 'partner' || !c || !isCase) throw new NotFoundError(`case ${caseId} not found`);
    assertWorker(actor);
    const episodeId = input.episodeId ?? randomUUID();
    const r = await this.handler.handle(
      episodeStream(episodeId),
      {
        type: 'RequestReturn',
        data: {
          episodeId,
          customerId: c.customerId,
          caseEpisodeId: caseId,
          item: { productId: input.item.productId, serialNumber: input.item.serialNumber },
          fault: input.fault,
          ...(input.orderId !== undefined && { orderId: input.orderId }),
          ...(input.lineId !== undefined && { lineId: input.lineId }),
          requestedAt: this.now(),
          requestedBy: actorId(actor),
          name: `Return of ${input.item.productId}`,
          ...(input.channel !== undefined && { channel: input.channel }),
        },
        fromCase: { customerId: c.customerId, isCase, caseClosed: !!c.closed },
      },
      this.metadata(actor, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: episodeId, revision: r.revision };
  }

  /**
   * Authorises the return with its RMA number (`RMA-<year>-<8 upper hex of the return's id>`). The
   * warranty is judged from the customer's orders as they are in their own streams, at the time the
   * return was requested (the customer reported the fault then); out of warranty it needs `paid` or
   * `goodwill`.
   */
  async authorise(actor: ReturnStaffActor, returnId: string, input: { outOfWarranty?: 'paid' | 'goodwill'; note?: string }, options: CommandOptions = {}) {
    const authorisedAt = this.now();
    // The warranty is looked up once access is checked on the loaded return (its item and customer),
    // in the same load; a rule it breaks (a named order of another customer…) is judged after If-Match.
    let warranty: WarrantyCheck | DomainRuleViolation | undefined;
    const r = await this.handler.handle(
      episodeStream(returnId),
      (state) => {
        if (warranty instanceof DomainRuleViolation) throw warranty;
        return {
          type: 'AuthoriseReturn',
          data: {
            // A retried request keeps the number the return was given.
            rmaNumber: state?.authorisation?.rmaNumber ?? rmaNumber(returnId, authorisedAt),
            authorisedAt,
            authorisedBy: actorId(actor),
            ...(input.note !== undefined && { note: input.note }),
            ...(input.outOfWarranty !== undefined && { outOfWarranty: input.outOfWarranty }),
          },
          warranty: warranty!,
        };
      },
      this.metadata(actor, options),
      {
        expectedRevision: options.expectedRevision,
        check: async (state) => {
          mayWork(actor, returnId, state);
          warranty = await this.warranty(state!).catch((error: unknown) => {
            if (error instanceof DomainRuleViolation) return error;
            throw error;
          });
        },
      },
    );
    return { id: returnId, revision: r.revision };
  }

  deny(actor: ReturnStaffActor, returnId: string, input: { reason: string }, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(actor, returnId, options, () => ({ type: 'DenyReturn', data: { reason: input.reason, deniedAt: this.now(), deniedBy: actorId(actor) } }));
  }

  /** Gives the repair to a partner, read as a fact from its aggregate: it must be a service provider. */
  async assignRepair(actor: ReturnStaffActor, returnId: string, input: { partnerId: string }, options: CommandOptions = {}): Promise<CommandResult> {
    const partner = await this.partners.get(input.partnerId);
    return this.run(actor, returnId, options, () => ({
      type: 'AssignRepair',
      data: { partnerId: input.partnerId, assignedAt: this.now(), assignedBy: actorId(actor) },
      partner: partner && { partnerKind: partner.partnerKind },
    }));
  }

  /** Where the item is on one leg; delivered back to the customer closes the return. */
  updateShipment(actor: ReturnStaffActor, returnId: string, input: ShipmentInput, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(actor, returnId, options, () => ({
      type: 'UpdateShipment',
      data: {
        leg: input.leg,
        state: input.state,
        ...(input.carrier !== undefined && { carrier: input.carrier }),
        ...(input.trackingNumber !== undefined && { trackingNumber: input.trackingNumber }),
        updatedAt: this.now(),
      },
      by: staffActor(actor),
    }));
  }

  /** Closes the return before the item is back with the customer: unresolved or cancelled, with why. */
  close(actor: ReturnStaffActor, returnId: string, input: { outcome: 'unresolved' | 'cancelled'; reason: string }, options: CommandOptions = {}) {
    return this.run(actor, returnId, options, () => ({
      type: 'CloseReturn',
      data: { outcome: input.outcome, reason: input.reason, closedAt: this.now(), closedBy: actorId(actor) },
    }));
  }

  /** The return as its history tells it. Staff of any department read it; a partner, or an episode that is no return, reads as missing. */
  async get(principal: Principal, returnId: string): Promise<ReturnView> {
    const events: RecordedEvent[] = [];
    for (let from = 0n; ;) {
      const page = await this.store.readStream(episodeStream(returnId), { fromRevision: from, maxCount: 1000 });
      events.push(...page);
      if (page.length < 1000) break;
      from = page[page.length - 1].revision + 1n;
    }
    const state = events.map((e) => ({ type: e.type, data: e.data }) as ReturnRepairEvent).reduce(returnRepairDecider.evolve, returnRepairDecider.initialState);
    if (principal.kind !== 'staff' || !state) throw new NotFoundError(`return ${returnId} not found`);
    return returnView(events, state);
  }

  private async warranty(r: ReturnRepair): Promise<WarrantyCheck> {
    const ids = new Set(await this.customerOrderIds(r.customerId));
    // A named order is judged even when the list has not caught up with it yet.
    if (r.orderId !== undefined) ids.add(r.orderId);
    const orders: WarrantyOrder[] = [];
    for (const orderId of ids) {
      const order = await this.orders.get(orderId).then(
        (o) => o.order,
        (error: unknown) => {
          if ((error as Error).name === 'NotFoundError') return undefined;
          throw error;
        },
      );
      if (!order) continue;
      orders.push({
        orderId: order.orderId,
        customerId: order.customerId,
        orderDate: order.orderDate,
        cancelled: order.status === 'cancelled',
        lines: order.lines.map((l) => ({ lineId: l.lineId, productId: l.productId })),
      });
    }
    return checkWarranty(
      { productId: r.item.productId, ...(r.orderId !== undefined && { orderId: r.orderId }), ...(r.lineId !== undefined && { lineId: r.lineId }) },
      r.customerId,
      orders,
      r.openedAt,
      this.settings.warrantyMonths ?? DEFAULT_WARRANTY_MONTHS,
    );
  }

  private async run(
    actor: ReturnStaffActor,
    returnId: string,
    options: CommandOptions,
    command: (state: ReturnRepairState) => ReturnRepairCommand,
  ): Promise<CommandResult> {
    const r = await this.handler.handle(episodeStream(returnId), command, this.metadata(actor, options), {
      expectedRevision: options.expectedRevision,
      check: (state) => mayWork(actor, returnId, state),
    });
    return { id: returnId, revision: r.revision };
  }

  private metadata(actor: ReturnStaffActor, options: CommandOptions) {
    if (actor.kind !== 'system') return metadataFor(actor, this.settings.clock, visibilityFor(actor), options.correlationId);
    return {
      correlationId: correlationIdFor(options.correlationId),
      actor: { type: 'system' as const, id: actor.id },
      occurredAt: this.now(),
      visibility: COMPANY_WIDE_VISIBILITY,
    };
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}

/** `RMA-<year>-<8 upper hex>`: the return id's first 8 hex digits (a UUID's), else of its SHA-256. */
export function rmaNumber(returnId: string, at: string): string {
  const hex = /^[0-9a-f]{8}/i.test(returnId) ? returnId.slice(0, 8) : createHash('sha256').update(returnId).digest('hex').slice(0, 8);
  return `RMA-${at.slice(0, 4)}-${hex.toUpperCase()}`;
}

const actorId = (actor: ReturnStaffActor) => (actor.kind === 'system' ? actor.id : actor.subject);
const staffActor = (actor: ReturnStaffActor): ReturnActor =>
  actor.kind === 'partner' ? { kind: 'partner', partnerId: actor.partnerId, id: partnerActorId(actor) } : { kind: 'staff', id: actorId(actor) };

function assertWorker(actor: ReturnStaffActor): void {
  if (actor.kind === 'staff' && !(CASE_WORKING_DEPARTMENTS as readonly string[]).includes(actor.department))
    throw new HttpProblem(403, `staff of ${actor.department} read returns; service and management work them`, {
      type: ProblemTypes.forbidden,
      extensions: { code: 'not-case-worker' },
    });
}

/** Checked on the loaded state, before If-Match: a partner, or a stream that is no return, is missing. */
function mayWork(actor: ReturnStaffActor, returnId: string, state: ReturnRepairState): void {
  if (actor.kind === 'partner' || !state) throw new NotFoundError(`return ${returnId} not found`);
  assertWorker(actor);
}

function returnView(events: readonly RecordedEvent[], r: ReturnRepair): ReturnView {
  const interactions: Interaction[] = [];
  const repairHistory: ReturnView['repairHistory'] = [];
  for (const e of events) {
    if (e.type === 'InteractionRecorded') interactions.push((e.data as { interaction: Interaction }).interaction);
    else if (e.type === 'RepairStatusChanged') {
      const { partnerId, from, to, note, changedAt } = e.data as ReturnView['repairHistory'][number];
      repairHistory.push({ partnerId, from, to, ...(note !== undefined && { note }), changedAt });
    }
  }
  const a = r.authorisation;
  return {
    returnId: r.episodeId,
    customerId: r.customerId,
    caseId: r.caseEpisodeId,
    status: returnStatus(r),
    item: { ...r.item },
    fault: r.fault,
    orderId: r.orderId ?? null,
    lineId: r.lineId ?? null,
    requestedAt: r.openedAt,
    rmaNumber: a?.rmaNumber ?? null,
    warranty: a
      ? { basis: a.warranty, orderId: a.orderId ?? null, lineId: a.lineId ?? null, warrantyEndsAt: a.warrantyEndsAt ?? null, note: a.note ?? null }
      : null,
    authorisedAt: a?.authorisedAt ?? null,
    denied: r.denied ? { ...r.denied } : null,
    legs: { ...r.legs },
    repair: r.repair ? { ...r.repair } : null,
    providers: [...r.providers],
    repairHistory,
    interactions,
    closed: r.closed ? { ...r.closed } : null,
    revision: String(events[events.length - 1].revision),
  };
}
