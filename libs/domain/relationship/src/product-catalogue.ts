import { ConflictError, DomainRuleViolation, uuidV5, type Decider } from '@crm/kernel';
import { isCalendarDate, isIso4217Currency } from './money';

/**
 * The product catalogue sales quotes from: products (a plain product, a bundle of other products,
 * or an option sold only with a product that offers it), each with its configuration rules
 * (requires, excludes, min/max quantity); and price books — one currency each, valid for a span of
 * calendar days — holding a unit price per product in integer minor units.
 *
 * A product's id is derived from its SKU (`productIdForSku`): a SKU names one product for good, so
 * two products cannot share one and a retried definition finds the same product.
 */

export const PRODUCT_KINDS = ['product', 'bundle', 'option'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];

export interface ProductRules {
  /** Products that must be on the quote too (on a line, or inside a bundle on a line). */
  requires?: string[];
  /** Products that must not be on the quote with it. */
  excludes?: string[];
  /** The least quantity it is sold in (summed over the quote's lines). */
  minQuantity?: number;
  /** The most it is sold in on one quote. */
  maxQuantity?: number;
}

export interface BundleComponent {
  productId: string;
  quantity: number;
}

/** What a product is, besides its SKU and kind (which never change). */
export interface ProductDefinition {
  name: string;
  description?: string;
  active: boolean;
  /** Bundles: the products it contains (priced as the bundle, not one by one). */
  components?: BundleComponent[];
  /** The options (products of kind `option`) that may be sold with it. */
  options?: string[];
  rules?: ProductRules;
}

export interface ProductDefinedData extends ProductDefinition {
  productId: string;
  sku: string;
  kind: ProductKind;
  definedBy: string;
  definedAt: string;
}

export interface ProductRevisedData extends ProductDefinition {
  productId: string;
  revisedBy: string;
  revisedAt: string;
}

export type ProductEvent = { type: 'ProductDefined'; data: ProductDefinedData } | { type: 'ProductRevised'; data: ProductRevisedData };

export interface Product extends ProductDefinition {
  readonly productId: string;
  readonly sku: string;
  readonly kind: ProductKind;
}

export type ProductState = Product | undefined;

/** `referenced`: the kind of every product the definition names that exists (the application looks them up). */
export type ProductCommand =
  | { type: 'DefineProduct'; data: ProductDefinedData; referenced: ReadonlyMap<string, ProductKind> }
  | { type: 'ReviseProduct'; data: ProductRevisedData; referenced: ReadonlyMap<string, ProductKind> };

/** Fixed for good: product ids are derived from SKUs in it. */
const PRODUCT_NAMESPACE = '0e6f1d9a-54b2-4c8e-8a3d-7f5e2b1c9d40';
/** SKUs are compared without case: `ab-1` and `AB-1` are one product. */
export const normaliseSku = (sku: string) => sku.trim().toUpperCase();
export const productIdForSku = (sku: string) => uuidV5(`sku/${normaliseSku(sku)}`, PRODUCT_NAMESPACE);
export const productStream = (productId: string) => `product-${productId}`;

const definitionOf = (d: ProductDefinition): ProductDefinition => ({
  name: d.name,
  ...(d.description !== undefined && { description: d.description }),
  active: d.active,
  ...(d.components !== undefined && { components: d.components }),
  ...(d.options !== undefined && { options: d.options }),
  ...(d.rules !== undefined && { rules: d.rules }),
});
const sameDefinition = (a: ProductDefinition, b: ProductDefinition) => JSON.stringify(definitionOf(a)) === JSON.stringify(definitionOf(b));

export function evolveProduct(state: ProductState, event: ProductEvent): ProductState {
  if (event.type === 'ProductDefined') return { productId: event.data.productId, sku: event.data.sku, kind: event.data.kind, ...definitionOf(event.data) };
  return state && { productId: state.productId, sku: state.sku, kind: state.kind, ...definitionOf(event.data) };
}

function checkDefinition(productId: string, kind: ProductKind, d: ProductDefinition, referenced: ReadonlyMap<string, ProductKind>): void {
  if (!d.name.trim()) throw new DomainRuleViolation('product-needs-name', 'a product needs a name');
  if (kind === 'bundle' && !d.components?.length) throw new DomainRuleViolation('bundle-needs-components', 'a bundle contains at least one product');
  if (kind !== 'bundle' && d.components?.length) throw new DomainRuleViolation('components-only-for-bundles', 'only a bundle contains other products');
  if (kind === 'option' && d.options?.length) throw new DomainRuleViolation('option-has-options', 'an option offers no options of its own');
  const named = [...(d.components ?? []).map((c) => c.productId), ...(d.options ?? []), ...(d.rules?.requires ?? []), ...(d.rules?.excludes ?? [])];
  if (named.includes(productId)) throw new DomainRuleViolation('product-names-itself', 'a product cannot contain, offer, require or exclude itself');
  const unknown = [...new Set(named.filter((id) => !referenced.has(id)))];
  if (unknown.length) throw new DomainRuleViolation('unknown-product-reference', `no such product: ${unknown.join(', ')}`);
  for (const c of d.components ?? []) {
    if (referenced.get(c.productId) === 'bundle') throw new DomainRuleViolation('bundle-in-bundle', `component ${c.productId} is itself a bundle`);
    if (referenced.get(c.productId) === 'option') throw new DomainRuleViolation('option-in-bundle', `component ${c.productId} is an option`);
  }
  if (new Set(d.components?.map((c) => c.productId)).size !== (d.components?.length ?? 0))
    throw new DomainRuleViolation('component-listed-twice', 'a bundle lists each component once');
  for (const o of d.options ?? []) {
    if (referenced.get(o) !== 'option') throw new DomainRuleViolation('not-an-option', `${o} is not a product of kind option`);
  }
  const requires = new Set(d.rules?.requires ?? []);
  const both = (d.rules?.excludes ?? []).filter((id) => requires.has(id));
  if (both.length) throw new DomainRuleViolation('requires-and-excludes', `a product cannot both require and exclude ${both.join(', ')}`);
  const { minQuantity, maxQuantity } = d.rules ?? {};
  if (minQuantity !== undefined && maxQuantity !== undefined && minQuantity > maxQuantity)
    throw new DomainRuleViolation('min-quantity-above-max', `the least quantity (${minQuantity}) is above the most (${maxQuantity})`);
}

export function decideProduct(command: ProductCommand, state: ProductState): ProductEvent[] {
  const d = command.data;
  if (command.type === 'DefineProduct') {
    if (state) {
      // A retried definition finds its work done; another product with the same SKU is a conflict.
      if (normaliseSku(state.sku) === normaliseSku(command.data.sku) && state.kind === command.data.kind && sameDefinition(state, d)) return [];
      throw new ConflictError('sku-taken', `SKU ${state.sku} names another product`, { productId: state.productId });
    }
    checkDefinition(d.productId, command.data.kind, d, command.referenced);
    return [{ type: 'ProductDefined', data: command.data }];
  }
  if (!state) throw new DomainRuleViolation('unknown-product', `product ${d.productId} does not exist`);
  checkDefinition(d.productId, state.kind, d, command.referenced);
  if (sameDefinition(state, d)) return [];
  return [{ type: 'ProductRevised', data: command.data }];
}

export const productDecider: Decider<ProductState, ProductCommand, ProductEvent> = { decide: decideProduct, evolve: evolveProduct, initialState: undefined };

// ---------------------------------------------------------------------------------------------
// Price books

export interface PriceEntry {
  productId: string;
  /** Integer, in minor units of the book's currency. */
  unitPrice: number;
}

export interface PriceBookCreatedData {
  priceBookId: string;
  name: string;
  currency: string;
  /** First calendar day (UTC) it is valid on. */
  validFrom: string;
  /** Last calendar day it is valid on (absent: open-ended). */
  validTo?: string;
  prices: PriceEntry[];
  createdBy: string;
  createdAt: string;
}

/** Sets these products' prices (others keep theirs). */
export interface PriceBookPricesSetData {
  priceBookId: string;
  prices: PriceEntry[];
  setBy: string;
  setAt: string;
}

export type PriceBookEvent = { type: 'PriceBookCreated'; data: PriceBookCreatedData } | { type: 'PriceBookPricesSet'; data: PriceBookPricesSetData };

export interface PriceBook {
  readonly priceBookId: string;
  readonly name: string;
  readonly currency: string;
  readonly validFrom: string;
  readonly validTo?: string;
  /** Unit price by product id. */
  readonly prices: Readonly<Record<string, number>>;
}

export type PriceBookState = PriceBook | undefined;

/** `unknownProducts`: the priced products that do not exist (the application looks them up). */
export type PriceBookCommand =
  | { type: 'CreatePriceBook'; data: PriceBookCreatedData; unknownProducts: readonly string[] }
  | { type: 'SetPrices'; data: PriceBookPricesSetData; unknownProducts: readonly string[] };

export const priceBookStream = (priceBookId: string) => `pricebook-${priceBookId}`;

export function evolvePriceBook(state: PriceBookState, event: PriceBookEvent): PriceBookState {
  if (event.type === 'PriceBookCreated') {
    const { priceBookId, name, currency, validFrom, validTo, prices } = event.data;
    return {
      priceBookId,
      name,
      currency,
      validFrom,
      ...(validTo !== undefined && { validTo }),
      prices: Object.fromEntries(prices.map((p) => [p.productId, p.unitPrice])),
    };
  }
  return state && { ...state, prices: { ...state.prices, ...Object.fromEntries(event.data.prices.map((p) => [p.productId, p.unitPrice])) } };
}

function checkPrices(prices: readonly PriceEntry[], unknownProducts: readonly string[]): void {
  const bad = prices.filter((p) => !Number.isSafeInteger(p.unitPrice) || p.unitPrice < 0);
  if (bad.length)
    throw new DomainRuleViolation('price-in-minor-units', `a price is a whole number of minor units, 0 or more: ${bad.map((p) => p.productId).join(', ')}`);
  const ids = prices.map((p) => p.productId);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length) throw new DomainRuleViolation('price-listed-twice', `a product is priced once per book: ${[...new Set(twice)].join(', ')}`);
  if (unknownProducts.length) throw new DomainRuleViolation('unknown-product', `no such product: ${unknownProducts.join(', ')}`);
}

export function decidePriceBook(command: PriceBookCommand, state: PriceBookState): PriceBookEvent[] {
  if (command.type === 'CreatePriceBook') {
    const d = command.data;
    if (state) {
      const same =
        state.name === d.name &&
        state.currency === d.currency &&
        state.validFrom === d.validFrom &&
        state.validTo === d.validTo &&
        JSON.stringify(evolvePriceBook(undefined, { type: 'PriceBookCreated', data: d })?.prices) === JSON.stringify(state.prices);
      if (same) return []; // a retried creation
      throw new DomainRuleViolation('price-book-exists', `price book ${d.priceBookId} already exists`);
    }
    if (!d.name.trim()) throw new DomainRuleViolation('price-book-needs-name', 'a price book needs a name');
    if (!isIso4217Currency(d.currency)) throw new DomainRuleViolation('unknown-currency', `${d.currency} is not an ISO 4217 currency code`);
    if (!isCalendarDate(d.validFrom) || (d.validTo !== undefined && !isCalendarDate(d.validTo)))
      throw new DomainRuleViolation('validity-in-calendar-days', 'validFrom and validTo are calendar days (YYYY-MM-DD)');
    if (d.validTo !== undefined && d.validTo < d.validFrom)
      throw new DomainRuleViolation('validity-ends-before-it-starts', `valid to ${d.validTo} is before valid from ${d.validFrom}`);
    checkPrices(d.prices, command.unknownProducts);
    return [{ type: 'PriceBookCreated', data: d }];
  }
  if (!state) throw new DomainRuleViolation('unknown-price-book', `price book ${command.data.priceBookId} does not exist`);
  checkPrices(command.data.prices, command.unknownProducts);
  if (command.data.prices.every((p) => state.prices[p.productId] === p.unitPrice)) return []; // nothing changes
  return [{ type: 'PriceBookPricesSet', data: command.data }];
}

export const priceBookDecider: Decider<PriceBookState, PriceBookCommand, PriceBookEvent> = {
  decide: decidePriceBook,
  evolve: evolvePriceBook,
  initialState: undefined,
};

/** Whether a price book is valid on a calendar day (both ends included). */
export const isValidOn = (book: Pick<PriceBook, 'validFrom' | 'validTo'>, day: string) =>
  book.validFrom <= day && (book.validTo === undefined || day <= book.validTo);

// ---------------------------------------------------------------------------------------------
// Configuration

/** One line of a configuration: a product and how many. */
export interface ConfigurationLine {
  productId: string;
  quantity: number;
}

export const CONFIGURATION_RULES = [
  'unknown-product',
  'inactive-product',
  'quantity-not-positive',
  'min-quantity',
  'max-quantity',
  'requires',
  'excludes',
  'option-without-base',
] as const;
export type ConfigurationRule = (typeof CONFIGURATION_RULES)[number];

export interface ConfigurationViolation {
  rule: ConfigurationRule;
  /** The line (0-based) the violation is about. */
  line: number;
  productId: string;
  /** The other product a requires / excludes / option rule names. */
  otherProductId?: string;
  message: string;
}

/** What the check needs of a product. */
export type CatalogueProduct = Pick<Product, 'productId' | 'sku' | 'name' | 'kind' | 'active' | 'components' | 'options' | 'rules'>;

/**
 * The one check of a configuration against the catalogue: every violation, in line order, each
 * saying which rule, which line and why — never only the first.
 *
 * - every line's product exists, is active, and is quoted in a positive whole quantity;
 * - `minQuantity` / `maxQuantity` hold for the product's quantity summed over all lines;
 * - what a product `requires` is on the quote, on a line or inside a bundle on a line;
 * - nothing a product `excludes` is on the quote (each pair is reported once);
 * - an `option` is on the quote only with a product (or bundle) that offers it.
 *
 * A bundle is judged by its own rules; its components count as present for the other products'
 * requires and excludes.
 */
export function checkConfiguration(lines: readonly ConfigurationLine[], catalogue: ReadonlyMap<string, CatalogueProduct>): ConfigurationViolation[] {
  const violations: ConfigurationViolation[] = [];
  const label = (id: string) => catalogue.get(id)?.sku ?? id;
  const firstLine = new Map<string, number>();
  const quantities = new Map<string, number>();
  const present = new Set<string>();
  const offered = new Set<string>();
  lines.forEach((l, i) => {
    const p = catalogue.get(l.productId);
    if (!p) {
      violations.push({ rule: 'unknown-product', line: i, productId: l.productId, message: `line ${i + 1}: no such product ${l.productId}` });
      return;
    }
    if (!p.active) violations.push({ rule: 'inactive-product', line: i, productId: p.productId, message: `line ${i + 1}: ${p.sku} is no longer sold` });
    if (!Number.isSafeInteger(l.quantity) || l.quantity < 1)
      violations.push({
        rule: 'quantity-not-positive',
        line: i,
        productId: p.productId,
        message: `line ${i + 1}: the quantity of ${p.sku} must be a whole number of 1 or more`,
      });
    if (!firstLine.has(p.productId)) firstLine.set(p.productId, i);
    quantities.set(p.productId, (quantities.get(p.productId) ?? 0) + (Number.isSafeInteger(l.quantity) ? l.quantity : 0));
    present.add(p.productId);
    for (const c of p.components ?? []) present.add(c.productId);
    for (const o of p.options ?? []) offered.add(o);
  });
  const excluded = new Set<string>();
  lines.forEach((l, i) => {
    const p = catalogue.get(l.productId);
    if (!p || firstLine.get(p.productId) !== i) return; // each product's rules once, at its first line
    const quantity = quantities.get(p.productId) ?? 0;
    const { minQuantity, maxQuantity, requires = [], excludes = [] } = p.rules ?? {};
    if (minQuantity !== undefined && quantity < minQuantity)
      violations.push({
        rule: 'min-quantity',
        line: i,
        productId: p.productId,
        message: `${p.sku} is sold in quantities of at least ${minQuantity} (quoted: ${quantity})`,
      });
    if (maxQuantity !== undefined && quantity > maxQuantity)
      violations.push({
        rule: 'max-quantity',
        line: i,
        productId: p.productId,
        message: `${p.sku} is sold in quantities of at most ${maxQuantity} (quoted: ${quantity})`,
      });
    for (const r of requires) {
      if (!present.has(r))
        violations.push({
          rule: 'requires',
          line: i,
          productId: p.productId,
          otherProductId: r,
          message: `${p.sku} requires ${label(r)}, which is not on the quote`,
        });
    }
    for (const x of excludes) {
      const pair = [p.productId, x].sort().join('|');
      if (present.has(x) && !excluded.has(pair)) {
        excluded.add(pair);
        violations.push({ rule: 'excludes', line: i, productId: p.productId, otherProductId: x, message: `${p.sku} cannot be sold with ${label(x)}` });
      }
    }
    if (p.kind === 'option' && !offered.has(p.productId))
      violations.push({
        rule: 'option-without-base',
        line: i,
        productId: p.productId,
        message: `${p.sku} is an option: quote it with a product that offers it`,
      });
  });
  return violations.sort((a, b) => a.line - b.line);
}
