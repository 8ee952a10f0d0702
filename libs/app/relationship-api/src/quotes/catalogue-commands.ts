import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import {
  checkConfiguration,
  NotFoundError,
  priceBookDecider,
  priceBookStream,
  productDecider,
  productIdForSku,
  productStream,
  type ConfigurationLine,
  type ConfigurationViolation,
  type PriceBook,
  type PriceEntry,
  type Product,
  type ProductDefinition,
  type ProductKind,
  type ProductRules,
  type BundleComponent,
} from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';

export interface ProductInput {
  sku: string;
  kind?: ProductKind;
  name: string;
  description?: string;
  active?: boolean;
  components?: BundleComponent[];
  options?: string[];
  rules?: ProductRules;
}

export type ProductRevisionInput = Omit<ProductInput, 'sku' | 'kind'>;

export interface PriceBookInput {
  priceBookId?: string;
  name: string;
  currency: string;
  validFrom: string;
  validTo?: string;
  prices?: PriceEntry[];
}

export type ProductView = Product & { revision: string };
export type PriceBookView = Omit<PriceBook, 'prices'> & { prices: PriceEntry[]; revision: string };

/** The most products one command looks up (a bundle's components, the products a rule names, a price list). */
const MAX_LOOKUPS = 1000;

/**
 * The product catalogue's commands: products (one stream each, the id derived from the SKU) and
 * price books (one stream each). What a definition or a price list names is looked up in the store
 * first, so the deciders judge references on what exists.
 */
export class CatalogueCommands {
  constructor(
    private readonly store: EventStore,
    private readonly settings: CommandSettings,
  ) {}

  private readonly products = new CommandHandler(this.store, productDecider, { retries: this.settings.retries });
  private readonly priceBooks = new CommandHandler(this.store, priceBookDecider, { retries: this.settings.retries });

  async defineProduct(principal: StaffPrincipal, input: ProductInput, options: CommandOptions = {}): Promise<CommandResult & { created: boolean }> {
    const productId = productIdForSku(input.sku);
    const definition = this.definitionOf(input);
    const referenced = await this.kindsOf(definition);
    const r = await this.products.handle(
      productStream(productId),
      {
        type: 'DefineProduct',
        data: { productId, sku: input.sku.trim(), kind: input.kind ?? 'product', ...definition, definedBy: principal.subject, definedAt: this.now() },
        referenced,
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: productId, revision: r.revision, created: r.events.length > 0 };
  }

  /** Replaces the product's definition as a whole (deactivating it is `active: false`). */
  async reviseProduct(principal: StaffPrincipal, productId: string, input: ProductRevisionInput, options: CommandOptions = {}): Promise<CommandResult> {
    const definition = this.definitionOf(input);
    const referenced = await this.kindsOf(definition);
    const r = await this.products.handle(
      productStream(productId),
      { type: 'ReviseProduct', data: { productId, ...definition, revisedBy: principal.subject, revisedAt: this.now() }, referenced },
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
        check: (state) => {
          if (!state) throw new NotFoundError(`product ${productId} not found`);
        },
      },
    );
    return { id: productId, revision: r.revision };
  }

  async product(productId: string): Promise<ProductView> {
    const { state, revision } = await this.products.load(productStream(productId));
    if (!state || revision === undefined) throw new NotFoundError(`product ${productId} not found`);
    return { ...state, revision: revision.toString() };
  }

  /**
   * The products with these ids and every product they contain (a bundle's components), as the
   * store has them: what a configuration is checked and priced against. Missing ids are left out.
   */
  async catalogueFor(productIds: readonly string[]): Promise<Map<string, Product>> {
    const found = new Map<string, Product>();
    let wanted = [...new Set(productIds)];
    while (wanted.length > 0 && found.size < MAX_LOOKUPS) {
      const loaded = await Promise.all(wanted.map(async (id) => (await this.products.load(productStream(id))).state));
      const next = new Set<string>();
      for (const p of loaded) {
        if (!p || found.has(p.productId)) continue;
        found.set(p.productId, p);
        for (const id of [...(p.components ?? []).map((c) => c.productId), ...(p.rules?.requires ?? []), ...(p.rules?.excludes ?? [])]) {
          if (!found.has(id)) next.add(id);
        }
      }
      wanted = [...next];
    }
    return found;
  }

  /** The one configuration check (`checkConfiguration`), against the catalogue as the store has it. */
  async checkConfiguration(lines: readonly ConfigurationLine[]): Promise<ConfigurationViolation[]> {
    return checkConfiguration(lines, await this.catalogueFor(lines.map((l) => l.productId)));
  }

  async createPriceBook(principal: StaffPrincipal, input: PriceBookInput, options: CommandOptions = {}): Promise<CommandResult> {
    const priceBookId = input.priceBookId ?? randomUUID();
    const prices = input.prices ?? [];
    const unknownProducts = await this.missing(prices.map((p) => p.productId));
    const r = await this.priceBooks.handle(
      priceBookStream(priceBookId),
      {
        type: 'CreatePriceBook',
        data: {
          priceBookId,
          name: input.name,
          currency: input.currency,
          validFrom: input.validFrom,
          ...(input.validTo !== undefined && { validTo: input.validTo }),
          prices,
          createdBy: principal.subject,
          createdAt: this.now(),
        },
        unknownProducts,
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: priceBookId, revision: r.revision };
  }

  /** Sets these products' prices in the book (others keep theirs). */
  async setPrices(principal: StaffPrincipal, priceBookId: string, prices: PriceEntry[], options: CommandOptions = {}): Promise<CommandResult> {
    const unknownProducts = await this.missing(prices.map((p) => p.productId));
    const r = await this.priceBooks.handle(
      priceBookStream(priceBookId),
      { type: 'SetPrices', data: { priceBookId, prices, setBy: principal.subject, setAt: this.now() }, unknownProducts },
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
        check: (state) => {
          if (!state) throw new NotFoundError(`price book ${priceBookId} not found`);
        },
      },
    );
    return { id: priceBookId, revision: r.revision };
  }

  /** The price book as the store has it (undefined: none). */
  async loadPriceBook(priceBookId: string): Promise<PriceBook | undefined> {
    return (await this.priceBooks.load(priceBookStream(priceBookId))).state;
  }

  async priceBook(priceBookId: string): Promise<PriceBookView> {
    const { state, revision } = await this.priceBooks.load(priceBookStream(priceBookId));
    if (!state || revision === undefined) throw new NotFoundError(`price book ${priceBookId} not found`);
    const { prices, ...book } = state;
    return { ...book, prices: Object.entries(prices).map(([productId, unitPrice]) => ({ productId, unitPrice })), revision: revision.toString() };
  }

  private definitionOf(input: ProductRevisionInput): ProductDefinition {
    return {
      name: input.name,
      ...(input.description !== undefined && { description: input.description }),
      active: input.active ?? true,
      ...(input.components !== undefined && { components: input.components }),
      ...(input.options !== undefined && { options: input.options }),
      ...(input.rules !== undefined && { rules: input.rules }),
    };
  }

  /** The kind of every product a definition names that exists. */
  private async kindsOf(d: ProductDefinition): Promise<Map<string, ProductKind>> {
    const ids = [
      ...new Set([...(d.components ?? []).map((c) => c.productId), ...(d.options ?? []), ...(d.rules?.requires ?? []), ...(d.rules?.excludes ?? [])]),
    ];
    const states = await Promise.all(ids.slice(0, MAX_LOOKUPS).map(async (id) => (await this.products.load(productStream(id))).state));
    return new Map(states.filter((s): s is Product => s !== undefined).map((s) => [s.productId, s.kind]));
  }

  private async missing(productIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(productIds)];
    const states = await Promise.all(ids.map(async (id) => (await this.products.load(productStream(id))).state));
    return ids.filter((_id, i) => states[i] === undefined);
  }

  private metadata(principal: StaffPrincipal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
