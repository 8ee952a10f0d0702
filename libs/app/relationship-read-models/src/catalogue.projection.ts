import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { searchable } from './customer-directory.projection';
import { CatalogueProductEntry, CataloguePriceBookEntry } from './catalogue.entities';

/** The events the catalogue read model keeps up with (published with the product or the price book as subject). */
export type CatalogueEvent = CrmIntegrationEvent<'ProductDefined' | 'ProductRevised' | 'PriceBookCreated' | 'PriceBookPricesSet'>;

const CATALOGUE_TYPES: CatalogueEvent['type'][] = ['ProductDefined', 'ProductRevised', 'PriceBookCreated', 'PriceBookPricesSet'];

type Definition = { components?: unknown; options?: unknown; rules?: unknown };
const definitionOf = (d: Definition): Record<string, object> => ({
  ...(d.components !== undefined && { components: d.components as object }),
  ...(d.options !== undefined && { options: d.options as object }),
  ...(d.rules !== undefined && { rules: d.rules as object }),
});

async function applyOne(event: CatalogueEvent, manager: EntityManager): Promise<void> {
  const products = manager.getRepository(CatalogueProductEntry);
  const books = manager.getRepository(CataloguePriceBookEntry);
  switch (event.type) {
    case 'ProductDefined': {
      const d = event.data;
      if (await products.existsBy({ productId: d.productId })) return; // delivered again
      await products.insert({
        productId: d.productId,
        sku: d.sku,
        skuKey: d.sku.toUpperCase(),
        name: d.name,
        description: d.description ?? null,
        kind: d.kind,
        active: d.active,
        definition: definitionOf(d),
        searchText: searchable([d.sku, d.name, d.description ?? ''].join(' ')),
        updatedAt: new Date(d.definedAt),
      });
      return;
    }
    case 'ProductRevised': {
      const d = event.data;
      const row = await products.findOneBy({ productId: d.productId });
      if (!row) throw new Error(`product ${d.productId} is not in the catalogue`);
      await products.update(
        { productId: d.productId },
        {
          name: d.name,
          description: d.description ?? null,
          active: d.active,
          definition: definitionOf(d),
          searchText: searchable([row.sku, d.name, d.description ?? ''].join(' ')),
          updatedAt: new Date(d.revisedAt),
        },
      );
      return;
    }
    case 'PriceBookCreated': {
      const d = event.data;
      if (await books.existsBy({ priceBookId: d.priceBookId })) return;
      await books.insert({
        priceBookId: d.priceBookId,
        name: d.name,
        currency: d.currency,
        validFrom: d.validFrom,
        validTo: d.validTo ?? null,
        prices: Object.fromEntries(d.prices.map((p) => [p.productId, p.unitPrice])),
        createdAt: new Date(d.createdAt),
      });
      return;
    }
    case 'PriceBookPricesSet': {
      const d = event.data;
      const row = await books.findOneBy({ priceBookId: d.priceBookId });
      if (!row) throw new Error(`price book ${d.priceBookId} is not in the catalogue`);
      await books.update({ priceBookId: d.priceBookId }, { prices: { ...row.prices, ...Object.fromEntries(d.prices.map((p) => [p.productId, p.unitPrice])) } });
      return;
    }
  }
}

/**
 * The product catalogue (sales): products and price books, fed like every read model — from the bus
 * or straight from the store — so a revision or a price arrives in the transaction that records how
 * far the read model got. A change to a product or book it never saw is parked.
 */
export function catalogueProjection(owner: string): Projection<CatalogueEvent> {
  return {
    name: `${owner}.catalogue`,
    entities: [CatalogueProductEntry, CataloguePriceBookEntry],
    handles: CATALOGUE_TYPES,
    apply: applyOne,
  };
}
