import { randomUUID } from 'node:crypto';
import { CommandHandler, ConcurrencyConflictError, type EventMetadata, type EventStore, type HandleResult } from '@crm/event-store';
import { DomainRuleViolation, uuidV5 } from '@crm/kernel';
import {
  episodeDecider,
  episodeStream,
  NotFoundError,
  orderDecider,
  orderStream,
  type Order,
  type OrderCommand,
  type OrderEvent,
  type OrderLineInput,
  type OrderSource,
  type OrderState,
} from '@crm/relationship';
import type { Principal, StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';
import type { EpisodeCommands } from '../episodes/episode-commands';

/** Fixed for good: the order ids derived from a quote or from another system's order number. */
const ORDER_NAMESPACE = '3c0f6a8e-5d2b-4f71-9c3e-8a1b2d4e6f70';

/**
 * The order a quote or an external order number is placed as: the same quote accepted twice, or the
 * same order number imported twice, is one order (its id is derived, so the second placement finds
 * the first).
 */
export const orderIdFor = {
  quote: (quoteId: string) => uuidV5(`order/quote/${quoteId}`, ORDER_NAMESPACE),
  external: (externalId: string) => uuidV5(`order/external/${externalId}`, ORDER_NAMESPACE),
  /** A partner's reported sale: its own invoice/line number is unique only within the partner, so both name it. */
  sellThrough: (partnerId: string, externalId: string) => uuidV5(`order/sell-through/${partnerId}/${externalId}`, ORDER_NAMESPACE),
};

export interface PlaceOrderInput {
  /** Client-chosen (a retry is the same order); derived from `quoteId` or `externalId` when absent; else new. */
  orderId?: string;
  customerId: string;
  /** When the customer ordered; default now. A date alone is its UTC midnight. */
  orderDate?: string;
  currency: string;
  lines: OrderLineInput[];
  /** An open opportunity of the same customer: the order closes it as won with its total. */
  opportunityId?: string;
  /** The accepted quote (issue 10 §4 calls `place` with it): the order's id is derived from it. */
  quoteId?: string;
  /** The order's number in the system it came from. */
  externalId?: string;
  /** Imports: the total the other system recorded (the lines may be absent). Not for the API. */
  declaredTotal?: number;
  /** Default `quote` with a quoteId, else `api`. `sell-through` only for a partner caller (its partner is recorded). */
  source?: OrderSource;
}

export interface PlacedOrder extends CommandResult {
  /** False when the same order had been placed before (nothing new recorded). */
  created: boolean;
  order: Order;
  /** The opportunity this call closed as won (also on a retry that found it still open). */
  closedOpportunity?: string;
}

export interface ReturnInput {
  /** Client-chosen (a retry is the same return); new when absent. */
  returnId?: string;
  /** Absent: everything not yet returned. */
  lines?: { lineId: string; quantity: number }[];
  reason?: string;
}

/**
 * The order aggregate's commands. Placing an order on an opportunity closes the opportunity as won
 * with the order's total (in minor units, with the order's currency): the order is appended first,
 * then the opportunity closed; a retry of the same placement finds the order and closes what is
 * still open, so the two always end up consistent.
 */
export class OrderCommands {
  constructor(
    private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    private readonly episodes: EpisodeCommands,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, orderDecider, { retries: this.settings.retries });
  /** Sell-through orders are OrderPlaced version 2 (a version-1 consumer would refuse their source). */
  private readonly handlerV2 = new CommandHandler(this.store, orderDecider, { retries: this.settings.retries, schemaVersion: 2 });
  /** Reads opportunities (closing one goes through EpisodeCommands). */
  private readonly opportunities = new CommandHandler(this.store, episodeDecider);

  /**
   * `customerKnown`: the caller just found or registered the customer (an import), so it is not
   * looked up again. `assumeNew`: the order is most likely new (an import): it is decided on the
   * empty stream and appended expecting no stream, one read fewer; if the stream exists after all, or
   * the decision on the empty stream is a refusal, the command runs the usual way.
   */
  async place(
    principal: Principal,
    input: PlaceOrderInput,
    options: CommandOptions & { customerKnown?: boolean; assumeNew?: boolean } = {},
  ): Promise<PlacedOrder> {
    const orderId =
      input.orderId ??
      (input.quoteId !== undefined ? orderIdFor.quote(input.quoteId) : input.externalId !== undefined ? orderIdFor.external(input.externalId) : randomUUID());
    // A merged customer is written as its survivor. (An import that just found or registered it says so.)
    const resolved = options.customerKnown ? input.customerId : await this.customers.resolve(input.customerId);
    const customerId = resolved ?? input.customerId;
    const opportunity = input.opportunityId === undefined ? undefined : await this.opportunity(input.opportunityId);
    const now = this.now();
    const command: OrderCommand = {
      type: 'PlaceOrder',
      customerExists: resolved !== undefined,
      ...(opportunity && { opportunity: { customerId: opportunity.customerId, closed: opportunity.closed } }),
      data: {
        orderId,
        customerId,
        orderDate: new Date(input.orderDate ?? now).toISOString(),
        placedAt: now,
        currency: input.currency,
        lines: input.lines,
        ...(input.declaredTotal !== undefined && { declaredTotal: input.declaredTotal }),
        source: input.source ?? (input.quoteId !== undefined ? 'quote' : 'api'),
        ...(input.externalId !== undefined && { externalId: input.externalId }),
        ...(input.quoteId !== undefined && { quoteId: input.quoteId }),
        ...(input.opportunityId !== undefined && { opportunityId: input.opportunityId }),
        // A partner places only what it sold (sell-through): the order names it, so analytics attributes the sale.
        ...(principal.kind === 'partner' && { partnerId: principal.partnerId }),
      },
    };
    if (principal.kind === 'partner' && (command.data.source !== 'sell-through' || opportunity))
      throw new DomainRuleViolation('partner-places-sell-through-only', 'a partner reports its own sales (sell-through) and nothing else');
    const sellThrough = command.data.source === 'sell-through';
    const metadata = this.metadata(principal, options);
    const fast =
      options.assumeNew && options.expectedRevision === undefined && !opportunity
        ? await this.appendNew(orderStream(orderId), command, metadata, sellThrough ? 2 : 1)
        : undefined;
    const r =
      fast ??
      (await (sellThrough ? this.handlerV2 : this.handler).handle(orderStream(orderId), command, metadata, { expectedRevision: options.expectedRevision }));
    const order = r.state!;
    let closedOpportunity: string | undefined;
    if (order.opportunityId !== undefined && (r.events.length > 0 || (opportunity && !opportunity.closed))) {
      await this.episodes.close(
        principal as StaffPrincipal, // a partner never names an opportunity (refused above)
        order.opportunityId,
        { outcome: 'won', value: order.total, currency: order.currency, reason: `order ${orderId}` },
        { episodeType: 'opportunity', correlationId: options.correlationId },
      );
      closedOpportunity = order.opportunityId;
    }
    return { id: orderId, revision: r.revision, created: r.events.length > 0, order, ...(closedOpportunity && { closedOpportunity }) };
  }

  cancel(principal: StaffPrincipal, orderId: string, input: { reason?: string } = {}, options: CommandOptions = {}): Promise<CommandResult & { order: Order }> {
    return this.run(
      principal,
      orderId,
      { type: 'CancelOrder', data: { orderId, cancelledAt: this.now(), ...(input.reason !== undefined && { reason: input.reason }) } },
      options,
    );
  }

  async return(
    principal: StaffPrincipal,
    orderId: string,
    input: ReturnInput = {},
    options: CommandOptions = {},
  ): Promise<CommandResult & { order: Order; returnId: string; amount: number }> {
    const returnId = input.returnId ?? randomUUID();
    const r = await this.run(
      principal,
      orderId,
      {
        type: 'ReturnOrder',
        data: {
          orderId,
          returnId,
          returnedAt: this.now(),
          ...(input.lines !== undefined && { lines: input.lines }),
          ...(input.reason !== undefined && { reason: input.reason }),
        },
      },
      options,
    );
    return { ...r, returnId, amount: r.order.returns.find((x) => x.returnId === returnId)?.amount ?? 0 };
  }

  /** The order with its revision (the ETag for If-Match). 404 for one never placed. */
  async get(orderId: string): Promise<{ order: Order; revision: bigint }> {
    const { state, revision } = await this.handler.load(orderStream(orderId));
    if (!state || revision === undefined) throw new NotFoundError(`order ${orderId} not found`);
    return { order: state, revision };
  }

  /** Decides on the empty stream and appends expecting none; undefined when that is not the answer (the stream exists, or a rule was broken). */
  private async appendNew(
    streamId: string,
    command: OrderCommand,
    metadata: Omit<EventMetadata, 'causationId'>,
    schemaVersion: 1 | 2,
  ): Promise<HandleResult<OrderState, OrderEvent> | undefined> {
    let events: OrderEvent[];
    try {
      events = orderDecider.decide(command, undefined);
    } catch {
      return undefined; // judged again on the stream as it is, which may hold this very order
    }
    try {
      const result = await this.store.appendToStream(
        streamId,
        events.map((e) => ({
          id: randomUUID(),
          type: e.type,
          data: e.data,
          schemaVersion,
          metadata: { ...metadata, causationId: metadata.correlationId } as EventMetadata,
        })),
        { expectedRevision: 'no_stream' },
      );
      return { events, state: events.reduce(orderDecider.evolve, undefined), revision: result.nextExpectedRevision, appended: true };
    } catch (error) {
      if (error instanceof ConcurrencyConflictError) return undefined;
      throw error;
    }
  }

  /** The opportunity as an order may use it: a company opportunity (anything else reads as missing), its customer resolved. */
  private async opportunity(episodeId: string): Promise<{ customerId: string; closed: boolean } | undefined> {
    const { state } = await this.opportunities.load(episodeStream(episodeId));
    if (!state || state.episodeType !== 'opportunity' || state.owner.kind !== 'department') return undefined;
    return { customerId: (await this.customers.resolve(state.customerId)) ?? state.customerId, closed: state.closed !== undefined };
  }

  private async run(principal: StaffPrincipal, orderId: string, command: OrderCommand, options: CommandOptions): Promise<CommandResult & { order: Order }> {
    const r = await this.handler.handle(orderStream(orderId), command, this.metadata(principal, options), {
      expectedRevision: options.expectedRevision,
      check: (state) => {
        if (!state) throw new NotFoundError(`order ${orderId} not found`);
      },
    });
    return { id: orderId, revision: r.revision, order: r.state! };
  }

  private metadata(principal: Principal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
