import { Injectable } from '@nestjs/common';
import { DomainRuleViolation } from '@crm/kernel';
import { OrderCommands, orderIdFor } from '@crm/relationship-api';
import { HttpProblem, ProblemTypes, type PartnerPrincipal } from '@crm/service-kit';
import { PartnerScope } from '../portal/partner-scope';

/** The partner kinds that sell the company's products on to end customers, and so report sell-through. */
export const SELL_THROUGH_PARTNER_KINDS: readonly string[] = ['distributor', 'reseller'];
/** One report (JSON or CSV) holds at most this many lines: a larger one is sent in parts. */
export const MAX_SELL_THROUGH_LINES = 500;

/** One line of a report as the partner sent it (amounts in minor units of `currency`). */
export interface SellThroughLine {
  /** The line's number: its position in `lines` (from 1), or its line in the CSV file. */
  line: number;
  customerId: string;
  externalId: string;
  orderDate: string;
  productId: string;
  productName?: string;
  quantity: number;
  unitPrice: number;
  currency: string;
}

export type SellThroughLineStatus = 'recorded' | 'duplicate' | 'refused';

export interface SellThroughLineResult {
  line: number;
  status: SellThroughLineStatus;
  externalId?: string;
  customerId?: string;
  /** The order the line is part of (recorded or duplicate). */
  orderId?: string;
  /** Refused: the field to fix, why, and the rule's code. */
  field?: string;
  reason?: string;
  code?: string;
}

export interface SellThroughResult {
  recorded: number;
  duplicate: number;
  refused: number;
  lines: SellThroughLineResult[];
}

/** The one answer for a customer that is not shared with the caller — unknown, another partner's, never or no longer shared. */
const notShared = (customerId: string) => ({ code: 'customer-not-shared', field: 'customerId', reason: `customer ${customerId} is not shared with you` });

/** Which field a rule of the order aggregate points at, so a distributor knows what to fix. */
const FIELD_OF_RULE: Record<string, string> = {
  'order-exists': 'externalId',
  'order-date-in-future': 'orderDate',
  'unknown-currency': 'currency',
  'invalid-quantity': 'quantity',
  'invalid-amount': 'unitPrice',
  'amount-too-large': 'unitPrice',
  'line-needs-product': 'productId',
  'too-many-lines': 'externalId',
};

/**
 * Sell-through (issue 14 §6): a distributor or reseller reports what it sold to end customers. The
 * lines of one customer and one `externalId` (the partner's invoice number) are one order, placed by
 * `OrderCommands.place` with the partner as the actor — source `sell-through`, the partner named
 * (OrderPlaced v2), visible to the company and to that partner only. Its id is derived from the
 * partner and `externalId`, so a report sent again records nothing (`duplicate`). A line on a
 * customer that is not shared with the caller now is refused with the answer an unknown customer
 * gets, so a report learns nothing about customers it was not given. Each group is judged on its own:
 * the others are recorded whatever happens to it.
 */
@Injectable()
export class SellThroughReporting {
  constructor(
    private readonly scope: PartnerScope,
    private readonly orders: OrderCommands,
  ) {}

  /** 403 unless the caller is a distributor or reseller (401 for a revoked credential, from PartnerScope). */
  async assertMayReport(principal: PartnerPrincipal): Promise<void> {
    const partner = await this.scope.partnerOf(principal);
    if (!partner || !SELL_THROUGH_PARTNER_KINDS.includes(partner.partnerKind))
      throw new HttpProblem(403, 'only distributors and resellers report sell-through', { type: ProblemTypes.forbidden });
  }

  /** `refused`: lines already refused (a CSV row that cannot be read); they are answered in line order with the others. */
  async report(
    principal: PartnerPrincipal,
    lines: readonly SellThroughLine[],
    refused: readonly SellThroughLineResult[] = [],
    correlationId?: string,
  ): Promise<SellThroughResult> {
    await this.assertMayReport(principal);
    const partner = await this.scope.partnerOf(principal);
    const results: SellThroughLineResult[] = [...refused];
    const groups = new Map<string, SellThroughLine[]>();
    for (const l of lines) {
      const key = JSON.stringify([l.customerId, l.externalId]);
      const group = groups.get(key);
      if (group) group.push(l);
      else groups.set(key, [l]);
    }
    for (const group of groups.values()) {
      const [first] = group;
      const refuse = (why: { field: string; reason: string; code: string }) => {
        for (const l of group) results.push({ line: l.line, status: 'refused', externalId: l.externalId, customerId: l.customerId, ...why });
      };
      // One order is one date and one currency: a line that differs from the group's first is the partner's mistake to fix.
      const differs = group.find((l) => l.currency !== first.currency || Date.parse(l.orderDate) !== Date.parse(first.orderDate));
      if (differs) {
        const field = differs.currency !== first.currency ? 'currency' : 'orderDate';
        refuse({ field, code: 'order-lines-differ', reason: `line ${differs.line}: every line of ${first.externalId} has the ${field} of line ${first.line}` });
        continue;
      }
      if (!(await this.scope.mayRead(principal, first.customerId, partner))) {
        refuse(notShared(first.customerId));
        continue;
      }
      try {
        const placed = await this.orders.place(
          principal,
          {
            orderId: orderIdFor.sellThrough(principal.partnerId, first.externalId),
            customerId: first.customerId,
            orderDate: first.orderDate,
            currency: first.currency,
            externalId: first.externalId,
            source: 'sell-through',
            lines: group.map((l) => ({
              productId: l.productId,
              ...(l.productName !== undefined && { productName: l.productName }),
              quantity: l.quantity,
              unitPrice: l.unitPrice,
            })),
          },
          { correlationId },
        );
        const status: SellThroughLineStatus = placed.created ? 'recorded' : 'duplicate';
        for (const l of group) results.push({ line: l.line, status, externalId: l.externalId, customerId: l.customerId, orderId: placed.id });
      } catch (error) {
        if (!(error instanceof DomainRuleViolation)) throw error;
        // A customer unknown to the order aggregate is answered like one not shared (it cannot be told apart from outside).
        if (error.rule === 'unknown-customer') refuse(notShared(first.customerId));
        else
          refuse({
            field: FIELD_OF_RULE[error.rule] ?? 'line',
            code: error.rule,
            reason: error.rule === 'order-exists' ? `${first.externalId} was reported before with other content` : error.message,
          });
      }
    }
    results.sort((a, b) => a.line - b.line);
    const count = (s: SellThroughLineStatus) => results.filter((r) => r.status === s).length;
    return { recorded: count('recorded'), duplicate: count('duplicate'), refused: count('refused'), lines: results };
  }
}
