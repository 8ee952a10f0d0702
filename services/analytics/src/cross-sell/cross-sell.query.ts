import { Inject, Injectable } from '@nestjs/common';
import { associationRules, compareRules, nextBestOffers, type AssociationRule } from '@crm/customer-propensity';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerExists, mergedCustomerIds, resolveCustomerId } from '@crm/relationship-read-models';
import { badCursor } from '@crm/service-kit';
import { CrossSellOrderLine } from './order-lines.entities';

/** A pair seen in one order only is an anecdote, not a rule: every rule rests on at least this many orders. */
export const MIN_RULE_ORDERS = 2;
/** The rules next best offers are drawn from. */
export const OFFER_RULES = { minSupport: 0.01, minConfidence: 0, minCount: MIN_RULE_ORDERS };

export interface RuleView {
  antecedent: { productId: string; productName: string | null };
  consequent: { productId: string; productName: string | null };
  /** Orders holding both. */
  orders: number;
  support: number;
  confidence: number;
  lift: number;
}

export interface RulesPage {
  /** Orders (baskets) the rules were counted over: every order not cancelled. */
  baskets: number;
  items: RuleView[];
  nextCursor?: string;
}

export interface NextBestOffersView {
  customerId: string;
  /** Products the customer has bought (never offered). */
  owned: string[];
  offers: { productId: string; productName: string | null; score: number; rule: RuleView }[];
}

/** Product association rules over every order, and next best offers per customer from them. */
@Injectable()
export class CrossSellQueries {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelRunners) {}

  private async baskets(): Promise<{ baskets: string[][]; names: Map<string, string | null> }> {
    const table = this.readModels.dataSource.manager.getRepository(CrossSellOrderLine).metadata.tablePath;
    const rows = (await this.readModels.dataSource.manager.query(
      `SELECT order_id, array_agg(DISTINCT product_id ORDER BY product_id) AS products FROM ${table} WHERE NOT cancelled GROUP BY order_id ORDER BY order_id`,
    )) as { order_id: string; products: string[] }[];
    // A product's name as its latest order line gives it.
    const named = (await this.readModels.dataSource.manager.query(
      `SELECT DISTINCT ON (product_id) product_id, product_name FROM ${table} WHERE product_name IS NOT NULL ORDER BY product_id, order_date DESC, order_id DESC`,
    )) as { product_id: string; product_name: string }[];
    return { baskets: rows.map((r) => r.products), names: new Map(named.map((r) => [r.product_id, r.product_name])) };
  }

  async rules(q: { minSupport: number; minConfidence: number; limit: number; cursor?: string }): Promise<RulesPage> {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const { baskets, names } = await this.baskets();
    const all = associationRules(baskets, { minSupport: q.minSupport, minConfidence: q.minConfidence, minCount: MIN_RULE_ORDERS });
    const rest = after ? all.filter((r) => compareRules(r, after) > 0) : all;
    const page = rest.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      baskets: baskets.length,
      items: page.map((r) => ruleView(r, names)),
      ...(rest.length > q.limit && last && { nextCursor: encodeCursor(last) }),
    };
  }

  async nextBestOffers(customerId: string, limit: number): Promise<NextBestOffersView> {
    const manager = this.readModels.dataSource.manager;
    const survivor = await resolveCustomerId(manager, customerId);
    const ids = await mergedCustomerIds(manager, survivor);
    const table = manager.getRepository(CrossSellOrderLine).metadata.tablePath;
    const owned = (
      (await manager.query(`SELECT DISTINCT product_id FROM ${table} WHERE customer_id = ANY($1::text[]) AND NOT cancelled ORDER BY product_id`, [ids])) as {
        product_id: string;
      }[]
    ).map((r) => r.product_id);
    if (owned.length === 0 && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
    const { baskets, names } = await this.baskets();
    const offers = nextBestOffers(owned, associationRules(baskets, OFFER_RULES), limit);
    return {
      customerId: survivor,
      owned,
      offers: offers.map((o) => ({ productId: o.product, productName: names.get(o.product) ?? null, score: o.score, rule: ruleView(o.rule, names) })),
    };
  }
}

function ruleView(r: AssociationRule, names: ReadonlyMap<string, string | null>): RuleView {
  return {
    antecedent: { productId: r.antecedent, productName: names.get(r.antecedent) ?? null },
    consequent: { productId: r.consequent, productName: names.get(r.consequent) ?? null },
    orders: r.count,
    support: r.support,
    confidence: r.confidence,
    lift: r.lift,
  };
}

/** The last rule shown: its sort key, so the next page starts after it even if rules changed meanwhile. */
function encodeCursor(r: AssociationRule): string {
  return Buffer.from(JSON.stringify([r.confidence, r.lift, r.support, r.antecedent, r.consequent])).toString('base64url');
}

function decodeCursor(cursor: string): AssociationRule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('cursor is not one this list gave out');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 5 ||
    ![0, 1, 2].every((i) => typeof parsed[i] === 'number' && Number.isFinite(parsed[i])) ||
    typeof parsed[3] !== 'string' ||
    typeof parsed[4] !== 'string'
  )
    throw badCursor('cursor is not one this list gave out');
  const [confidence, lift, support, antecedent, consequent] = parsed as [number, number, number, string, string];
  return { antecedent, consequent, count: 0, support, confidence, lift };
}
