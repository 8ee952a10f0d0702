import { DomainRuleViolation, type Channel, type Decider } from '@crm/kernel';
import { applyRate, FULL_RATE_BASIS_POINTS, isCalendarDate, isSafeAmount } from './money';
import { checkConfiguration, isValidOn, type CatalogueProduct, type ConfigurationViolation, type PriceBook, type ProductKind } from './product-catalogue';

/**
 * Quote (proposal) aggregate: what sales offers on an opportunity. Each version is a configured set
 * of lines priced from the price book valid on the quote date, with discounts and taxes, and totals
 * in integer minor units. A version whose largest discount is above the approval threshold waits for
 * a manager (approved or rejected) before it can be sent; a revision is a new version and the older
 * ones stay as they were. Sending records an interaction on the opportunity; accepting records
 * `QuoteAccepted` with the accepted version's lines and totals — what a sales order is made from.
 */

/** A line as sales asks for it. */
export interface QuoteLineRequest {
  productId: string;
  quantity: number;
  /** Discount on the line's list amount, in basis points (1250 = 12.5 %). */
  discountBasisPoints?: number;
  /** Tax on the line's net amount, in basis points (1100 = 11 %). */
  taxRateBasisPoints?: number;
}

/** A priced line, as every version records it (SKU and name as they were, so old versions read the same). */
export interface QuoteLine {
  lineNo: number;
  productId: string;
  sku: string;
  name: string;
  kind: ProductKind;
  quantity: number;
  /** From the price book, minor units. */
  unitPrice: number;
  /** unitPrice × quantity. */
  listAmount: number;
  discountBasisPoints: number;
  /** round(listAmount × discount), half away from zero. */
  discountAmount: number;
  /** listAmount − discountAmount. */
  netAmount: number;
  taxRateBasisPoints: number;
  /** round(netAmount × tax rate), half away from zero. */
  taxAmount: number;
  /** netAmount + taxAmount. */
  totalAmount: number;
  /** A bundle's contents (quantities per bundle), for the document. */
  components?: { productId: string; sku: string; name: string; quantity: number }[];
}

/** Sums of the lines' rounded amounts, so the lines always add up to them. */
export interface QuoteTotals {
  listTotal: number;
  discountTotal: number;
  netTotal: number;
  taxTotal: number;
  grandTotal: number;
}

/** Why a configuration cannot be quoted: every violation at once (422 `invalid-configuration`). */
export class QuoteConfigurationViolation extends DomainRuleViolation {
  constructor(readonly violations: readonly QuoteViolation[]) {
    super('invalid-configuration', `the configuration cannot be quoted: ${violations.map((v) => v.message).join('; ')}`);
  }
}

/** A configuration rule, or a pricing one: `no-price` (the price book has none for the product), `discount-range`, `tax-range`, `amount-too-large`. */
export type QuoteViolation = Omit<ConfigurationViolation, 'rule'> & {
  rule: ConfigurationViolation['rule'] | 'no-price' | 'discount-range' | 'tax-range' | 'amount-too-large';
};

/**
 * Prices the lines: configuration checked (`checkConfiguration`), unit prices from the book, then per
 * line list = price × quantity, discount and tax each rounded half away from zero to the minor unit,
 * totals the sums of the rounded line amounts. Throws `QuoteConfigurationViolation` with every
 * violation found.
 */
export function priceQuoteLines(
  requests: readonly QuoteLineRequest[],
  catalogue: ReadonlyMap<string, CatalogueProduct>,
  priceBook: Pick<PriceBook, 'prices'>,
): { lines: QuoteLine[]; totals: QuoteTotals } {
  const violations: QuoteViolation[] = [...checkConfiguration(requests, catalogue)];
  const lines: QuoteLine[] = [];
  const sum = { list: 0n, discount: 0n, net: 0n, tax: 0n };
  requests.forEach((r, i) => {
    const product = catalogue.get(r.productId);
    if (!product) return; // reported by the configuration check
    const discount = r.discountBasisPoints ?? 0;
    const taxRate = r.taxRateBasisPoints ?? 0;
    if (!Number.isInteger(discount) || discount < 0 || discount > FULL_RATE_BASIS_POINTS)
      violations.push({ rule: 'discount-range', line: i, productId: r.productId, message: `line ${i + 1}: a discount is 0 to 10000 basis points` });
    if (!Number.isInteger(taxRate) || taxRate < 0 || taxRate > FULL_RATE_BASIS_POINTS)
      violations.push({ rule: 'tax-range', line: i, productId: r.productId, message: `line ${i + 1}: a tax rate is 0 to 10000 basis points` });
    const unitPrice = priceBook.prices[r.productId];
    if (unitPrice === undefined) {
      violations.push({ rule: 'no-price', line: i, productId: r.productId, message: `line ${i + 1}: the price book has no price for ${product.sku}` });
      return;
    }
    if (!Number.isSafeInteger(r.quantity) || r.quantity < 1) return; // reported by the configuration check
    const list = BigInt(unitPrice) * BigInt(r.quantity);
    const discountAmount = applyRate(list, discount);
    const net = list - discountAmount;
    const tax = applyRate(net, taxRate);
    const total = net + tax;
    sum.list += list;
    sum.discount += discountAmount;
    sum.net += net;
    sum.tax += tax;
    if (![list, total, sum.list, sum.net + sum.tax].every(isSafeAmount)) {
      violations.push({
        rule: 'amount-too-large',
        line: i,
        productId: r.productId,
        message: `line ${i + 1}: the amounts are too large to be recorded exactly`,
      });
      return;
    }
    lines.push({
      lineNo: i + 1,
      productId: product.productId,
      sku: product.sku,
      name: product.name,
      kind: product.kind,
      quantity: r.quantity,
      unitPrice,
      listAmount: Number(list),
      discountBasisPoints: discount,
      discountAmount: Number(discountAmount),
      netAmount: Number(net),
      taxRateBasisPoints: taxRate,
      taxAmount: Number(tax),
      totalAmount: Number(total),
      ...(product.components?.length && {
        components: product.components.map((c) => ({
          productId: c.productId,
          sku: catalogue.get(c.productId)?.sku ?? c.productId,
          name: catalogue.get(c.productId)?.name ?? c.productId,
          quantity: c.quantity,
        })),
      }),
    });
  });
  if (violations.length) throw new QuoteConfigurationViolation(violations.sort((a, b) => a.line - b.line));
  return {
    lines,
    totals: {
      listTotal: Number(sum.list),
      discountTotal: Number(sum.discount),
      netTotal: Number(sum.net),
      taxTotal: Number(sum.tax),
      grandTotal: Number(sum.net + sum.tax),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The approval policy: one stream, the threshold in force.

/** Without a policy set: a discount above 10 % needs a manager's approval. */
export const DEFAULT_DISCOUNT_APPROVAL_THRESHOLD_BASIS_POINTS = 1000;
export const QUOTE_APPROVAL_POLICY_STREAM = 'quote-approval-policy';

export interface QuoteApprovalPolicy {
  /** A version with a line discount strictly above this (basis points) needs approval. */
  readonly discountThresholdBasisPoints: number;
  readonly setBy?: string;
  readonly setAt?: string;
}

export type QuoteApprovalPolicyEvent = { type: 'QuoteApprovalPolicySet'; data: { discountThresholdBasisPoints: number; setBy: string; setAt: string } };
export type QuoteApprovalPolicyCommand = { type: 'SetQuoteApprovalPolicy'; data: { discountThresholdBasisPoints: number; setBy: string; setAt: string } };

export const quoteApprovalPolicyDecider: Decider<QuoteApprovalPolicy, QuoteApprovalPolicyCommand, QuoteApprovalPolicyEvent> = {
  initialState: { discountThresholdBasisPoints: DEFAULT_DISCOUNT_APPROVAL_THRESHOLD_BASIS_POINTS },
  evolve: (_state, event) => ({ ...event.data }),
  decide: (command, state) => {
    const t = command.data.discountThresholdBasisPoints;
    if (!Number.isInteger(t) || t < 0 || t > FULL_RATE_BASIS_POINTS)
      throw new DomainRuleViolation('threshold-range', 'the discount approval threshold is 0 to 10000 basis points');
    if (state.setAt !== undefined && state.discountThresholdBasisPoints === t) return [];
    return [{ type: 'QuoteApprovalPolicySet', data: command.data }];
  },
};

/** Whether a version with this largest line discount needs a manager's approval. */
export const needsApproval = (maxDiscountBasisPoints: number, policy: Pick<QuoteApprovalPolicy, 'discountThresholdBasisPoints'>) =>
  maxDiscountBasisPoints > policy.discountThresholdBasisPoints;

// ---------------------------------------------------------------------------------------------
// The quote

/** One version as it was prepared (drafted or revised). */
export interface QuoteVersionData {
  quoteId: string;
  opportunityId: string;
  customerId: string;
  version: number;
  currency: string;
  priceBookId: string;
  /** The calendar day the prices are taken for. */
  quoteDate: string;
  /** The last day the customer may accept it (absent: no limit). */
  validUntil?: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  preparedBy: string;
  preparedAt: string;
}

export type ApprovalStatus = 'not-required' | 'pending' | 'approved' | 'rejected';

export type QuoteEvent =
  | { type: 'QuoteDrafted'; data: QuoteVersionData }
  | { type: 'QuoteRevised'; data: QuoteVersionData }
  | {
      type: 'QuoteDiscountApprovalRequested';
      data: {
        quoteId: string;
        customerId: string;
        version: number;
        maxDiscountBasisPoints: number;
        thresholdBasisPoints: number;
        requestedBy: string;
        requestedAt: string;
      };
    }
  | { type: 'QuoteDiscountApproved'; data: { quoteId: string; customerId: string; version: number; approvedBy: string; approvedAt: string; note?: string } }
  | { type: 'QuoteDiscountRejected'; data: { quoteId: string; customerId: string; version: number; rejectedBy: string; rejectedAt: string; reason: string } }
  | {
      type: 'QuoteSent';
      data: {
        quoteId: string;
        opportunityId: string;
        customerId: string;
        version: number;
        channel: Channel;
        interactionId: string;
        sentBy: string;
        sentAt: string;
      };
    }
  | { type: 'QuoteAccepted'; data: QuoteAcceptedData }
  | { type: 'QuoteDeclined'; data: QuoteDeclinedData };

/** The customer said no to a sent version, and why (a revised version can still be sent and accepted). */
export interface QuoteDeclinedData {
  quoteId: string;
  opportunityId: string;
  customerId: string;
  version: number;
  reason: string;
  declinedBy: string;
  declinedAt: string;
}

/** What a sales order is made from: the accepted version's lines, totals and currency. */
export interface QuoteAcceptedData {
  quoteId: string;
  opportunityId: string;
  customerId: string;
  version: number;
  currency: string;
  priceBookId: string;
  quoteDate: string;
  lines: QuoteLine[];
  totals: QuoteTotals;
  acceptedBy: string;
  acceptedAt: string;
}

export interface QuoteVersion extends Omit<QuoteVersionData, 'quoteId' | 'opportunityId' | 'customerId'> {
  readonly maxDiscountBasisPoints: number;
  readonly approval: ApprovalStatus;
  readonly approvalThresholdBasisPoints?: number;
  readonly approvedBy?: string;
  readonly rejectedBy?: string;
  readonly rejectionReason?: string;
  readonly sentAt?: string;
  readonly sentBy?: string;
  readonly interactionId?: string;
  readonly declinedAt?: string;
  readonly declineReason?: string;
}

export type QuoteStatus = 'draft' | 'awaiting-approval' | 'discount-rejected' | 'sent' | 'declined' | 'accepted';

export interface Quote {
  readonly quoteId: string;
  readonly opportunityId: string;
  readonly customerId: string;
  /** Every version, oldest first (`versions[n - 1]` is version n). */
  readonly versions: readonly QuoteVersion[];
  readonly accepted?: { version: number; acceptedBy: string; acceptedAt: string };
}

export type QuoteState = Quote | undefined;

/** What the application found for the command: the opportunity, the catalogue, the price book, the policy. */
export interface QuoteContext {
  /** The opportunity as loaded (undefined: none, or not one the caller may quote on). */
  opportunity?: { customerId: string; open: boolean };
  /** Today (UTC), for expiry. */
  today: string;
}

export interface PrepareQuoteVersion {
  quoteId: string;
  opportunityId: string;
  quoteDate: string;
  validUntil?: string;
  currency: string;
  lines: QuoteLineRequest[];
  preparedBy: string;
  preparedAt: string;
}

export type QuoteCommand =
  | {
      type: 'DraftQuote' | 'ReviseQuote';
      data: PrepareQuoteVersion;
      context: QuoteContext;
      catalogue: ReadonlyMap<string, CatalogueProduct>;
      priceBook: PriceBook | undefined;
      policy: Pick<QuoteApprovalPolicy, 'discountThresholdBasisPoints'>;
    }
  | { type: 'ApproveDiscount'; data: { quoteId: string; version?: number; approvedBy: string; approvedAt: string; note?: string } }
  | { type: 'RejectDiscount'; data: { quoteId: string; version?: number; rejectedBy: string; rejectedAt: string; reason: string } }
  | {
      type: 'SendQuote';
      data: { quoteId: string; version?: number; channel: Channel; interactionId: string; sentBy: string; sentAt: string };
      context: QuoteContext;
    }
  | { type: 'AcceptQuote'; data: { quoteId: string; version?: number; acceptedBy: string; acceptedAt: string }; context: QuoteContext }
  | { type: 'DeclineQuote'; data: { quoteId: string; version?: number; reason: string; declinedBy: string; declinedAt: string } };

export const quoteStream = (quoteId: string) => `quote-${quoteId}`;

export const currentVersion = (quote: Quote): QuoteVersion => quote.versions[quote.versions.length - 1];

/** Where the quote stands, by its current version. */
export function quoteStatus(quote: Quote): QuoteStatus {
  if (quote.accepted) return 'accepted';
  const v = currentVersion(quote);
  if (v.approval === 'pending') return 'awaiting-approval';
  if (v.approval === 'rejected') return 'discount-rejected';
  if (v.declinedAt) return 'declined';
  return v.sentAt ? 'sent' : 'draft';
}

const maxDiscount = (lines: readonly QuoteLine[]) => lines.reduce((m, l) => Math.max(m, l.discountBasisPoints), 0);

function withVersion(state: Quote, version: number, change: (v: QuoteVersion) => QuoteVersion): Quote {
  return { ...state, versions: state.versions.map((v) => (v.version === version ? change(v) : v)) };
}

export function evolveQuote(state: QuoteState, event: QuoteEvent): QuoteState {
  switch (event.type) {
    case 'QuoteDrafted':
    case 'QuoteRevised': {
      const { quoteId, opportunityId, customerId, ...version } = event.data;
      const v: QuoteVersion = { ...version, maxDiscountBasisPoints: maxDiscount(version.lines), approval: 'not-required' };
      return state ? { ...state, versions: [...state.versions, v] } : { quoteId, opportunityId, customerId, versions: [v] };
    }
    case 'QuoteDiscountApprovalRequested':
      return (
        state && withVersion(state, event.data.version, (v) => ({ ...v, approval: 'pending', approvalThresholdBasisPoints: event.data.thresholdBasisPoints }))
      );
    case 'QuoteDiscountApproved':
      return state && withVersion(state, event.data.version, (v) => ({ ...v, approval: 'approved', approvedBy: event.data.approvedBy }));
    case 'QuoteDiscountRejected':
      return (
        state &&
        withVersion(state, event.data.version, (v) => ({ ...v, approval: 'rejected', rejectedBy: event.data.rejectedBy, rejectionReason: event.data.reason }))
      );
    case 'QuoteSent':
      return (
        state &&
        withVersion(state, event.data.version, (v) => ({ ...v, sentAt: event.data.sentAt, sentBy: event.data.sentBy, interactionId: event.data.interactionId }))
      );
    case 'QuoteDeclined':
      return state && withVersion(state, event.data.version, (v) => ({ ...v, declinedAt: event.data.declinedAt, declineReason: event.data.reason }));
    case 'QuoteAccepted':
      return state && { ...state, accepted: { version: event.data.version, acceptedBy: event.data.acceptedBy, acceptedAt: event.data.acceptedAt } };
  }
}

/** The version a command names must be the current one (an older version is history). */
function targetVersion(state: Quote, version: number | undefined): QuoteVersion {
  const current = currentVersion(state);
  if (version !== undefined && version !== current.version) {
    if (version < 1 || version > current.version) throw new DomainRuleViolation('unknown-version', `quote ${state.quoteId} has no version ${version}`);
    throw new DomainRuleViolation('version-superseded', `version ${version} was superseded by version ${current.version}`);
  }
  return current;
}

function prepare(command: Extract<QuoteCommand, { type: 'DraftQuote' | 'ReviseQuote' }>, state: QuoteState): QuoteEvent[] {
  const d = command.data;
  const opportunity = command.context.opportunity;
  if (!opportunity) throw new DomainRuleViolation('unknown-opportunity', `opportunity ${d.opportunityId} does not exist`);
  if (!opportunity.open) throw new DomainRuleViolation('opportunity-closed', `opportunity ${d.opportunityId} is closed: quote on an open one`);
  if (!isCalendarDate(d.quoteDate)) throw new DomainRuleViolation('quote-date', 'the quote date is a calendar day (YYYY-MM-DD)');
  if (d.validUntil !== undefined && (!isCalendarDate(d.validUntil) || d.validUntil < d.quoteDate))
    throw new DomainRuleViolation('valid-until-before-quote-date', `valid until ${d.validUntil} is before the quote date ${d.quoteDate}`);
  if (d.lines.length === 0) throw new DomainRuleViolation('quote-needs-lines', 'a quote has at least one line');
  const book = command.priceBook;
  if (!book) throw new DomainRuleViolation('no-price-book', `no price book in ${d.currency} is valid on ${d.quoteDate}`);
  if (book.currency !== d.currency)
    throw new DomainRuleViolation('price-book-currency', `price book ${book.priceBookId} is in ${book.currency}, not ${d.currency}`);
  if (!isValidOn(book, d.quoteDate))
    throw new DomainRuleViolation(
      'price-book-not-valid',
      `price book ${book.priceBookId} is not valid on ${d.quoteDate} (${book.validFrom} to ${book.validTo ?? 'open'})`,
    );
  const { lines, totals } = priceQuoteLines(d.lines, command.catalogue, book);
  const version = state ? currentVersion(state).version + 1 : 1;
  const data: QuoteVersionData = {
    quoteId: d.quoteId,
    opportunityId: d.opportunityId,
    customerId: opportunity.customerId,
    version,
    currency: d.currency,
    priceBookId: book.priceBookId,
    quoteDate: d.quoteDate,
    ...(d.validUntil !== undefined && { validUntil: d.validUntil }),
    lines,
    totals,
    preparedBy: d.preparedBy,
    preparedAt: d.preparedAt,
  };
  const events: QuoteEvent[] = [{ type: version === 1 ? 'QuoteDrafted' : 'QuoteRevised', data }];
  const max = maxDiscount(lines);
  if (needsApproval(max, command.policy)) {
    events.push({
      type: 'QuoteDiscountApprovalRequested',
      data: {
        quoteId: d.quoteId,
        customerId: opportunity.customerId,
        version,
        maxDiscountBasisPoints: max,
        thresholdBasisPoints: command.policy.discountThresholdBasisPoints,
        requestedBy: d.preparedBy,
        requestedAt: d.preparedAt,
      },
    });
  }
  return events;
}

/** The same content as the version already there (a retried draft): lines asked for, dates, currency. */
function sameRequest(v: QuoteVersion, d: PrepareQuoteVersion): boolean {
  const asked = d.lines.map((l) => [l.productId, l.quantity, l.discountBasisPoints ?? 0, l.taxRateBasisPoints ?? 0].join('|'));
  const had = v.lines.map((l) => [l.productId, l.quantity, l.discountBasisPoints, l.taxRateBasisPoints].join('|'));
  return v.currency === d.currency && v.quoteDate === d.quoteDate && v.validUntil === d.validUntil && asked.join() === had.join();
}

export function decideQuote(command: QuoteCommand, state: QuoteState): QuoteEvent[] {
  if (command.type === 'DraftQuote') {
    if (state) {
      if (state.opportunityId === command.data.opportunityId && state.versions.length === 1 && sameRequest(state.versions[0], command.data)) return [];
      throw new DomainRuleViolation('quote-exists', `quote ${command.data.quoteId} already exists: revise it instead`);
    }
    return prepare(command, state);
  }
  if (!state) throw new DomainRuleViolation('unknown-quote', `quote ${command.data.quoteId} does not exist`);
  if (command.type === 'ReviseQuote') {
    if (state.accepted) throw new DomainRuleViolation('quote-accepted', `quote ${state.quoteId} was accepted (version ${state.accepted.version})`);
    return prepare({ ...command, data: { ...command.data, opportunityId: state.opportunityId } }, state);
  }
  if (command.type === 'AcceptQuote') {
    const d = command.data;
    if (state.accepted) {
      // A retried acceptance finds its work done; another version cannot be accepted too.
      if (d.version === undefined || d.version === state.accepted.version) return [];
      throw new DomainRuleViolation('quote-accepted', `quote ${state.quoteId} was accepted (version ${state.accepted.version})`);
    }
    const v = targetVersion(state, d.version);
    if (!v.sentAt) throw new DomainRuleViolation('quote-not-sent', `version ${v.version} was not sent: a customer accepts what was sent`);
    if (v.declinedAt) throw new DomainRuleViolation('quote-declined', `the customer declined version ${v.version}: revise the quote and send it again`);
    if (v.validUntil !== undefined && command.context.today > v.validUntil)
      throw new DomainRuleViolation('quote-expired', `version ${v.version} was valid until ${v.validUntil}`);
    if (!command.context.opportunity?.open) throw new DomainRuleViolation('opportunity-closed', `opportunity ${state.opportunityId} is closed`);
    return [
      {
        type: 'QuoteAccepted',
        data: {
          quoteId: state.quoteId,
          opportunityId: state.opportunityId,
          customerId: state.customerId,
          version: v.version,
          currency: v.currency,
          priceBookId: v.priceBookId,
          quoteDate: v.quoteDate,
          lines: v.lines,
          totals: v.totals,
          acceptedBy: d.acceptedBy,
          acceptedAt: d.acceptedAt,
        },
      },
    ];
  }
  if (state.accepted) throw new DomainRuleViolation('quote-accepted', `quote ${state.quoteId} was accepted (version ${state.accepted.version})`);
  switch (command.type) {
    case 'ApproveDiscount': {
      const d = command.data;
      const v = targetVersion(state, d.version);
      if (v.approval === 'approved' && v.approvedBy === d.approvedBy) return []; // a retry
      if (v.approval !== 'pending') throw new DomainRuleViolation('no-approval-pending', `version ${v.version} is not waiting for a discount approval`);
      if (v.preparedBy === d.approvedBy)
        throw new DomainRuleViolation('approver-prepared-version', 'a discount is approved by another manager than the one who prepared the version');
      return [
        {
          type: 'QuoteDiscountApproved',
          data: {
            quoteId: state.quoteId,
            customerId: state.customerId,
            version: v.version,
            approvedBy: d.approvedBy,
            approvedAt: d.approvedAt,
            ...(d.note !== undefined && { note: d.note }),
          },
        },
      ];
    }
    case 'RejectDiscount': {
      const d = command.data;
      const v = targetVersion(state, d.version);
      if (v.approval === 'rejected' && v.rejectedBy === d.rejectedBy) return []; // a retry
      if (v.approval !== 'pending') throw new DomainRuleViolation('no-approval-pending', `version ${v.version} is not waiting for a discount approval`);
      if (!d.reason.trim()) throw new DomainRuleViolation('rejection-needs-reason', 'say why the discount is rejected');
      if (v.preparedBy === d.rejectedBy)
        throw new DomainRuleViolation('approver-prepared-version', 'a discount is judged by another manager than the one who prepared the version');
      return [
        {
          type: 'QuoteDiscountRejected',
          data: {
            quoteId: state.quoteId,
            customerId: state.customerId,
            version: v.version,
            rejectedBy: d.rejectedBy,
            rejectedAt: d.rejectedAt,
            reason: d.reason,
          },
        },
      ];
    }
    case 'DeclineQuote': {
      const d = command.data;
      const v = targetVersion(state, d.version);
      if (v.declinedAt) return []; // declined already: a retry (the first reason stands)
      if (!v.sentAt) throw new DomainRuleViolation('quote-not-sent', `version ${v.version} was not sent: a customer declines what was sent`);
      if (!d.reason.trim()) throw new DomainRuleViolation('decline-needs-reason', 'say why the customer declined');
      return [
        {
          type: 'QuoteDeclined',
          data: {
            quoteId: state.quoteId,
            opportunityId: state.opportunityId,
            customerId: state.customerId,
            version: v.version,
            reason: d.reason,
            declinedBy: d.declinedBy,
            declinedAt: d.declinedAt,
          },
        },
      ];
    }
    case 'SendQuote': {
      const d = command.data;
      const v = targetVersion(state, d.version);
      if (v.sentAt) return []; // sent already: a retry
      if (v.approval === 'pending')
        throw new DomainRuleViolation('quote-awaiting-approval', `version ${v.version} waits for a manager to approve its discount`);
      if (v.approval === 'rejected') throw new DomainRuleViolation('discount-rejected', `the discount of version ${v.version} was rejected: revise the quote`);
      if (v.validUntil !== undefined && command.context.today > v.validUntil)
        throw new DomainRuleViolation('quote-expired', `version ${v.version} was valid until ${v.validUntil}`);
      if (!command.context.opportunity?.open) throw new DomainRuleViolation('opportunity-closed', `opportunity ${state.opportunityId} is closed`);
      return [
        {
          type: 'QuoteSent',
          data: {
            quoteId: state.quoteId,
            opportunityId: state.opportunityId,
            customerId: state.customerId,
            version: v.version,
            channel: d.channel,
            interactionId: d.interactionId,
            sentBy: d.sentBy,
            sentAt: d.sentAt,
          },
        },
      ];
    }
  }
}

export const quoteDecider: Decider<QuoteState, QuoteCommand, QuoteEvent> = { decide: decideQuote, evolve: evolveQuote, initialState: undefined };
