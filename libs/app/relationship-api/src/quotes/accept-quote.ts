import { DomainRuleViolation } from '@crm/kernel';
import type { StaffPrincipal } from '@crm/service-kit';
import type { CommandOptions } from '../application/command-options';
import type { OrderCommands, PlacedOrder } from '../orders/order-commands';
import { salesOrderFromAcceptedQuote, type AcceptedQuote, type QuoteCommands } from './quote-commands';

/**
 * Accepting a quote makes its sales order (issue 10 §4–5): the quote is accepted, then the order
 * placed from the accepted version — its lines with the quote's own discount and tax amounts, so the
 * order's total is the quote's grand total to the minor unit — which closes the opportunity as won.
 *
 * Two appends, so a crash between them must not leave an accepted quote without its order: the
 * order's id is derived from the quote (placing twice is one order), and accepting a quote that is
 * already accepted — the client's retry — places whatever is still missing instead of failing.
 */
export class QuoteAcceptance {
  constructor(
    private readonly quotes: QuoteCommands,
    private readonly orders: OrderCommands,
  ) {}

  async accept(
    principal: StaffPrincipal,
    quoteId: string,
    input: { version?: number },
    options: CommandOptions = {},
  ): Promise<{ accepted: AcceptedQuote; order: PlacedOrder }> {
    let accepted: AcceptedQuote;
    try {
      accepted = await this.quotes.accept(principal, quoteId, input, options);
    } catch (error) {
      const done = error instanceof DomainRuleViolation && error.code === 'quote-accepted' ? await this.quotes.accepted(quoteId) : undefined;
      // Only a retry of the same acceptance completes; accepting another version stays refused.
      if (!done || (input.version !== undefined && input.version !== done.version)) throw error;
      accepted = done;
    }
    const so = salesOrderFromAcceptedQuote(accepted);
    const order = await this.orders.place(
      principal,
      {
        customerId: so.customerId,
        currency: so.currency,
        orderDate: so.orderDate,
        quoteId: so.quoteId,
        opportunityId: so.opportunityId,
        lines: so.lines.map((l) => ({
          productId: l.productId,
          productName: l.name,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          discountAmount: l.discountAmount,
          taxAmount: l.taxAmount,
        })),
      },
      { correlationId: options.correlationId },
    );
    return { accepted, order };
  }
}
