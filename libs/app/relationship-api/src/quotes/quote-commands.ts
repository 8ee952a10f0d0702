import { randomUUID } from 'node:crypto';
import { CommandHandler, loadState, type EventStore } from '@crm/event-store';
import { uuidV5, type Channel } from '@crm/kernel';
import {
  calendarDayOf,
  currentVersion,
  episodeDecider,
  episodeStream,
  formatMoney,
  NotFoundError,
  QUOTE_APPROVAL_POLICY_STREAM,
  quoteApprovalPolicyDecider,
  quoteDecider,
  quoteStatus,
  quoteStream,
  type PriceBook,
  type Product,
  type Quote,
  type QuoteAcceptedData,
  type QuoteApprovalPolicy,
  type QuoteCommand,
  type QuoteContext,
  type QuoteLineRequest,
  type QuoteState,
  type QuoteStatus,
} from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { EpisodeCommands } from '../episodes/episode-commands';
import type { CatalogueCommands } from './catalogue-commands';

/** Fixed for good: the ids a quote derives (the interaction its sending records). */
const QUOTE_NAMESPACE = '3c8d2a61-9b0e-4f5a-8e27-5d41c6b09f13';

/** Finds the price book valid on a day in a currency (the catalogue read model); the command then loads it from the store. */
export type PriceBookFinder = (currency: string, day: string) => Promise<string | undefined>;

export interface QuoteInput {
  quoteId?: string;
  opportunityId: string;
  currency: string;
  /** A price book to take the prices from; default: the one valid on the quote date in the currency. */
  priceBookId?: string;
  /** Default: today (UTC). */
  quoteDate?: string;
  validUntil?: string;
  lines: QuoteLineRequest[];
}

export type QuoteRevisionInput = Omit<QuoteInput, 'quoteId' | 'opportunityId' | 'currency'> & { currency?: string };

export type QuoteView = Quote & { status: QuoteStatus; currentVersion: number; revision: string };

/** What accepting answers: the accepted version's lines, totals and currency — what a sales order is made from. */
export type AcceptedQuote = QuoteAcceptedData & { revision: bigint | undefined };

/**
 * The shape a sales order takes from an accepted quote (issue 10 §5 builds orders): the seam the
 * integrator wires `POST /orders` (or its command) to, so "accepting creates a sales order".
 */
export interface SalesOrderFromQuote {
  customerId: string;
  opportunityId: string;
  quoteId: string;
  quoteVersion: number;
  currency: string;
  /** The day it was accepted (UTC). */
  orderDate: string;
  lines: {
    productId: string;
    sku: string;
    name: string;
    quantity: number;
    unitPrice: number;
    discountAmount: number;
    netAmount: number;
    taxAmount: number;
    totalAmount: number;
  }[];
  /** Minor units: net (after discounts, before taxes), taxes, and what the customer pays. */
  netTotal: number;
  taxTotal: number;
  grandTotal: number;
}

export function salesOrderFromAcceptedQuote(accepted: QuoteAcceptedData): SalesOrderFromQuote {
  return {
    customerId: accepted.customerId,
    opportunityId: accepted.opportunityId,
    quoteId: accepted.quoteId,
    quoteVersion: accepted.version,
    currency: accepted.currency,
    orderDate: accepted.acceptedAt.slice(0, 10),
    lines: accepted.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discountAmount: l.discountAmount,
      netAmount: l.netAmount,
      taxAmount: l.taxAmount,
      totalAmount: l.totalAmount,
    })),
    netTotal: accepted.totals.netTotal,
    taxTotal: accepted.totals.taxTotal,
    grandTotal: accepted.totals.grandTotal,
  };
}

/** What accepting answers: the accepted version with its lines and totals. */
function acceptedView(quoteId: string, quote: Quote, revision: bigint | undefined): AcceptedQuote {
  const accepted = quote.accepted!;
  const v = quote.versions[accepted.version - 1];
  return {
    quoteId,
    opportunityId: quote.opportunityId,
    customerId: quote.customerId,
    version: v.version,
    currency: v.currency,
    priceBookId: v.priceBookId,
    quoteDate: v.quoteDate,
    lines: v.lines,
    totals: v.totals,
    acceptedBy: accepted.acceptedBy,
    acceptedAt: accepted.acceptedAt,
    revision,
  };
}

/**
 * The quote aggregate's commands. Each loads the quote once; what the decision needs besides it —
 * the opportunity, the catalogue, the price book valid on the quote date, the approval policy — is
 * loaded from the store in the handler's `check`, on the quote state it loaded, so the decider
 * judges one consistent picture. Sending also records the interaction on the opportunity, with an
 * id derived from the quote and version, so a retried send completes what is missing.
 */
export class QuoteCommands {
  constructor(
    private readonly store: EventStore,
    private readonly catalogue: CatalogueCommands,
    private readonly episodes: EpisodeCommands,
    private readonly findPriceBook: PriceBookFinder,
    private readonly settings: CommandSettings,
  ) {}

  private readonly handler = new CommandHandler(this.store, quoteDecider, { retries: this.settings.retries });
  private readonly policyHandler = new CommandHandler(this.store, quoteApprovalPolicyDecider, { retries: this.settings.retries });

  /** Drafts version 1 (a discount above the threshold requests approval in the same append). */
  async draft(principal: StaffPrincipal, input: QuoteInput, options: CommandOptions = {}): Promise<CommandResult & { version: number; status: QuoteStatus }> {
    const quoteId = input.quoteId ?? randomUUID();
    const quoteDate = input.quoteDate ?? this.today();
    const loaded = await this.prepareContext(input.opportunityId, input.currency, quoteDate, input.priceBookId, input.lines);
    const r = await this.handler.handle(
      quoteStream(quoteId),
      {
        type: 'DraftQuote',
        data: {
          quoteId,
          opportunityId: input.opportunityId,
          quoteDate,
          ...(input.validUntil !== undefined && { validUntil: input.validUntil }),
          currency: input.currency,
          lines: input.lines,
          preparedBy: principal.subject,
          preparedAt: this.now(),
        },
        ...loaded,
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: quoteId, revision: r.revision, version: currentVersion(r.state!).version, status: quoteStatus(r.state!) };
  }

  /** A new version; the older ones stay readable as they were. */
  async revise(
    principal: StaffPrincipal,
    quoteId: string,
    input: QuoteRevisionInput,
    options: CommandOptions = {},
  ): Promise<CommandResult & { version: number; status: QuoteStatus }> {
    let loaded: Awaited<ReturnType<QuoteCommands['prepareContext']>> | undefined;
    const quoteDate = input.quoteDate ?? this.today();
    const r = await this.handler.handle(
      quoteStream(quoteId),
      (state): QuoteCommand => ({
        type: 'ReviseQuote',
        data: {
          quoteId,
          opportunityId: state!.opportunityId,
          quoteDate,
          ...(input.validUntil !== undefined && { validUntil: input.validUntil }),
          currency: input.currency ?? currentVersion(state!).currency,
          lines: input.lines,
          preparedBy: principal.subject,
          preparedAt: this.now(),
        },
        ...loaded!,
      }),
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
        check: async (state) => {
          const quote = this.mustExist(quoteId, state);
          loaded = await this.prepareContext(quote.opportunityId, input.currency ?? currentVersion(quote).currency, quoteDate, input.priceBookId, input.lines);
        },
      },
    );
    return { id: quoteId, revision: r.revision, version: currentVersion(r.state!).version, status: quoteStatus(r.state!) };
  }

  /** A manager approves the current version's discount (not the one who prepared it). */
  async approveDiscount(
    principal: StaffPrincipal,
    quoteId: string,
    input: { version?: number; note?: string },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const r = await this.handler.handle(
      quoteStream(quoteId),
      {
        type: 'ApproveDiscount',
        data: { quoteId, version: input.version, approvedBy: principal.subject, approvedAt: this.now(), ...(input.note !== undefined && { note: input.note }) },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => void this.mustExist(quoteId, state) },
    );
    return { id: quoteId, revision: r.revision };
  }

  async rejectDiscount(
    principal: StaffPrincipal,
    quoteId: string,
    input: { version?: number; reason: string },
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const r = await this.handler.handle(
      quoteStream(quoteId),
      { type: 'RejectDiscount', data: { quoteId, version: input.version, rejectedBy: principal.subject, rejectedAt: this.now(), reason: input.reason } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => void this.mustExist(quoteId, state) },
    );
    return { id: quoteId, revision: r.revision };
  }

  /**
   * Sends the current version: `QuoteSent`, then the interaction on the opportunity (outbound, on
   * the channel given). A retry finds the quote sent and records the interaction if it is missing.
   */
  async send(
    principal: StaffPrincipal,
    quoteId: string,
    input: { version?: number; channel?: Channel },
    options: CommandOptions = {},
  ): Promise<CommandResult & { version: number; interactionId: string }> {
    let context: QuoteContext | undefined;
    const sentAt = this.now();
    const r = await this.handler.handle(
      quoteStream(quoteId),
      (state): QuoteCommand => {
        const version = input.version ?? currentVersion(state!).version;
        return {
          type: 'SendQuote',
          data: {
            quoteId,
            version: input.version,
            channel: input.channel ?? 'email',
            interactionId: this.interactionIdFor(quoteId, version),
            sentBy: principal.subject,
            sentAt,
          },
          context: context!,
        };
      },
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
        check: async (state) => {
          context = await this.contextFor(this.mustExist(quoteId, state).opportunityId);
        },
      },
    );
    const quote = r.state!;
    const v = currentVersion(quote);
    const interactionId = v.interactionId ?? this.interactionIdFor(quoteId, v.version);
    await this.episodes.recordInteraction(
      principal,
      quote.opportunityId,
      {
        interactionId,
        channel: input.channel ?? 'email',
        direction: 'outbound',
        action: `sent quote ${quoteId.slice(0, 8)} version ${v.version}: ${formatMoney(v.totals.grandTotal, v.currency)}`,
        occurredAt: v.sentAt ?? sentAt,
      },
      { episodeType: 'opportunity', correlationId: options.correlationId },
    );
    return { id: quoteId, revision: r.revision, version: v.version, interactionId };
  }

  /**
   * The customer accepted the current (sent) version: `QuoteAccepted` with its lines and totals. The
   * answer carries them too — `salesOrderFromAcceptedQuote(answer)` is the order to place.
   */
  async accept(principal: StaffPrincipal, quoteId: string, input: { version?: number }, options: CommandOptions = {}): Promise<AcceptedQuote> {
    let context: QuoteContext | undefined;
    const r = await this.handler.handle(
      quoteStream(quoteId),
      () => ({ type: 'AcceptQuote', data: { quoteId, version: input.version, acceptedBy: principal.subject, acceptedAt: this.now() }, context: context! }),
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
        check: async (state) => {
          context = await this.contextFor(this.mustExist(quoteId, state).opportunityId);
        },
      },
    );
    return acceptedView(quoteId, r.state!, r.revision);
  }

  /** The customer declined the current (sent) version: `QuoteDeclined` with the reason. */
  async decline(
    principal: StaffPrincipal,
    quoteId: string,
    input: { version?: number; reason: string },
    options: CommandOptions = {},
  ): Promise<CommandResult & { version: number; status: QuoteStatus }> {
    const r = await this.handler.handle(
      quoteStream(quoteId),
      { type: 'DeclineQuote', data: { quoteId, version: input.version, reason: input.reason, declinedBy: principal.subject, declinedAt: this.now() } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision, check: (state) => void this.mustExist(quoteId, state) },
    );
    return { id: quoteId, revision: r.revision, version: currentVersion(r.state!).version, status: quoteStatus(r.state!) };
  }

  /** The accepted version of a quote, or undefined while it is not accepted (404 for one never drafted). */
  async accepted(quoteId: string): Promise<AcceptedQuote | undefined> {
    const { state, revision } = await this.handler.load(quoteStream(quoteId));
    if (!state || revision === undefined) throw new NotFoundError(`quote ${quoteId} not found`);
    return state.accepted ? acceptedView(quoteId, state, revision) : undefined;
  }

  /** The quote with every version; 404 for one never drafted. */
  async get(quoteId: string): Promise<QuoteView> {
    const { state, revision } = await this.handler.load(quoteStream(quoteId));
    if (!state || revision === undefined) throw new NotFoundError(`quote ${quoteId} not found`);
    return { ...state, status: quoteStatus(state), currentVersion: currentVersion(state).version, revision: revision.toString() };
  }

  async approvalPolicy(): Promise<QuoteApprovalPolicy & { revision?: bigint }> {
    const { state, revision } = await this.policyHandler.load(QUOTE_APPROVAL_POLICY_STREAM);
    return { ...state, revision };
  }

  async setApprovalPolicy(principal: StaffPrincipal, discountThresholdBasisPoints: number, options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.policyHandler.handle(
      QUOTE_APPROVAL_POLICY_STREAM,
      { type: 'SetQuoteApprovalPolicy', data: { discountThresholdBasisPoints, setBy: principal.subject, setAt: this.now() } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: QUOTE_APPROVAL_POLICY_STREAM, revision: r.revision };
  }

  /** The interaction a version's sending records: derived, so a retry records it once. */
  private interactionIdFor(quoteId: string, version: number): string {
    return uuidV5(`quote/${quoteId}/v${version}/sent`, QUOTE_NAMESPACE);
  }

  /** The opportunity as the quote sees it: a company opportunity (a partner's deal or a case is none), open or closed. */
  private async contextFor(opportunityId: string): Promise<QuoteContext> {
    const { state } = await loadState(this.store, episodeStream(opportunityId), episodeDecider);
    const opportunity =
      state && state.episodeType === 'opportunity' && state.owner.kind === 'department' ? { customerId: state.customerId, open: !state.closed } : undefined;
    return { ...(opportunity && { opportunity }), today: this.today() };
  }

  private async prepareContext(
    opportunityId: string,
    currency: string,
    quoteDate: string,
    priceBookId: string | undefined,
    lines: readonly QuoteLineRequest[],
  ): Promise<{ context: QuoteContext; catalogue: Map<string, Product>; priceBook: PriceBook | undefined; policy: QuoteApprovalPolicy }> {
    const id = priceBookId ?? (await this.findPriceBook(currency, quoteDate));
    const [context, catalogue, priceBook, policy] = await Promise.all([
      this.contextFor(opportunityId),
      this.catalogue.catalogueFor(lines.map((l) => l.productId)),
      id === undefined ? Promise.resolve(undefined) : this.catalogue.loadPriceBook(id),
      this.policyHandler.load(QUOTE_APPROVAL_POLICY_STREAM).then((p) => p.state),
    ]);
    return { context, catalogue, priceBook, policy };
  }

  private mustExist(quoteId: string, state: QuoteState): Quote {
    if (!state) throw new NotFoundError(`quote ${quoteId} not found`);
    return state;
  }

  private metadata(principal: StaffPrincipal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private today(): string {
    return calendarDayOf(this.settings.clock.now());
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
