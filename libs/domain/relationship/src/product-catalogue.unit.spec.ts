import { ConflictError } from '@crm/kernel';
import { DeciderSpecification } from '@crm/kernel/testing';
import {
  checkConfiguration,
  isValidOn,
  priceBookDecider,
  productDecider,
  productIdForSku,
  type CatalogueProduct,
  type PriceBookCreatedData,
  type ProductDefinedData,
  type ProductKind,
} from './product-catalogue';

const at = '2026-03-01T09:00:00.000Z';
const product = (sku: string, over: Partial<ProductDefinedData> = {}): ProductDefinedData => ({
  productId: productIdForSku(sku),
  sku,
  kind: 'product',
  name: `Product ${sku}`,
  active: true,
  definedBy: 'mira',
  definedAt: at,
  ...over,
});
const none = new Map<string, ProductKind>();

describe('products', () => {
  const given = DeciderSpecification.for(productDecider);
  const van = product('VAN-1');

  it('is defined once per SKU; the same definition again changes nothing; another with the same SKU is a conflict', () => {
    expect(productIdForSku('van-1')).toBe(productIdForSku(' VAN-1 '));
    given([]).when({ type: 'DefineProduct', data: van, referenced: none }).then({ type: 'ProductDefined', data: van });
    given({ type: 'ProductDefined', data: van }).when({ type: 'DefineProduct', data: van, referenced: none }).thenNothingHappens();
    expect(() =>
      productDecider.decide(
        { type: 'DefineProduct', data: { ...van, name: 'Another' }, referenced: none },
        productDecider.evolve(undefined, { type: 'ProductDefined', data: van }),
      ),
    ).toThrow(ConflictError);
  });

  it('checks what a definition names: existing products, options of kind option, no bundle in a bundle, not itself', () => {
    const rack = productIdForSku('RACK');
    const kit = productIdForSku('KIT');
    const ref = new Map<string, ProductKind>([
      [rack, 'option'],
      [kit, 'bundle'],
    ]);
    given([])
      .when({ type: 'DefineProduct', data: { ...van, options: [productIdForSku('NOPE')] }, referenced: ref })
      .thenBreaks('unknown-product-reference');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, options: [kit] }, referenced: ref })
      .thenBreaks('not-an-option');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, kind: 'bundle', components: [{ productId: kit, quantity: 1 }] }, referenced: ref })
      .thenBreaks('bundle-in-bundle');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, kind: 'bundle' }, referenced: ref })
      .thenBreaks('bundle-needs-components');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, components: [{ productId: rack, quantity: 1 }] }, referenced: ref })
      .thenBreaks('components-only-for-bundles');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, rules: { requires: [van.productId] } }, referenced: ref })
      .thenBreaks('product-names-itself');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, rules: { requires: [rack], excludes: [rack] } }, referenced: ref })
      .thenBreaks('requires-and-excludes');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, rules: { minQuantity: 5, maxQuantity: 2 } }, referenced: ref })
      .thenBreaks('min-quantity-above-max');
    given([])
      .when({ type: 'DefineProduct', data: { ...van, name: ' ' }, referenced: ref })
      .thenBreaks('product-needs-name');
  });

  it('is revised as a whole (SKU and kind stay); deactivating is a revision; the same revision changes nothing', () => {
    const revision = { productId: van.productId, name: van.name, active: false, revisedBy: 'mira', revisedAt: at };
    given({ type: 'ProductDefined', data: van })
      .when({ type: 'ReviseProduct', data: revision, referenced: none })
      .then({ type: 'ProductRevised', data: revision });
    given([
      { type: 'ProductDefined', data: van },
      { type: 'ProductRevised', data: revision },
    ])
      .when({ type: 'ReviseProduct', data: revision, referenced: none })
      .thenNothingHappens();
    given([]).when({ type: 'ReviseProduct', data: revision, referenced: none }).thenBreaks('unknown-product');
  });
});

describe('price books', () => {
  const given = DeciderSpecification.for(priceBookDecider);
  const book: PriceBookCreatedData = {
    priceBookId: 'b1',
    name: 'EUR 2026',
    currency: 'EUR',
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    prices: [{ productId: 'p1', unitPrice: 2_500_000 }],
    createdBy: 'mira',
    createdAt: at,
  };

  it('is created in an ISO 4217 currency for a span of days, with integer prices in minor units', () => {
    given([]).when({ type: 'CreatePriceBook', data: book, unknownProducts: [] }).then({ type: 'PriceBookCreated', data: book });
    given({ type: 'PriceBookCreated', data: book }).when({ type: 'CreatePriceBook', data: book, unknownProducts: [] }).thenNothingHappens();
    given([])
      .when({ type: 'CreatePriceBook', data: { ...book, currency: 'EUX' }, unknownProducts: [] })
      .thenBreaks('unknown-currency');
    given([])
      .when({ type: 'CreatePriceBook', data: { ...book, validTo: '2025-12-31' }, unknownProducts: [] })
      .thenBreaks('validity-ends-before-it-starts');
    given([])
      .when({ type: 'CreatePriceBook', data: { ...book, prices: [{ productId: 'p1', unitPrice: 12.5 }] }, unknownProducts: [] })
      .thenBreaks('price-in-minor-units');
    given([])
      .when({ type: 'CreatePriceBook', data: { ...book, prices: [...book.prices, ...book.prices] }, unknownProducts: [] })
      .thenBreaks('price-listed-twice');
    given([])
      .when({ type: 'CreatePriceBook', data: book, unknownProducts: ['p1'] })
      .thenBreaks('unknown-product');
  });

  it('sets prices product by product; the same prices again change nothing', () => {
    const set = { priceBookId: 'b1', prices: [{ productId: 'p2', unitPrice: 100 }], setBy: 'mira', setAt: at };
    given({ type: 'PriceBookCreated', data: book }).when({ type: 'SetPrices', data: set, unknownProducts: [] }).then({ type: 'PriceBookPricesSet', data: set });
    const state = [book].map((data) => priceBookDecider.evolve(undefined, { type: 'PriceBookCreated', data }))[0];
    expect(priceBookDecider.evolve(state, { type: 'PriceBookPricesSet', data: set })?.prices).toEqual({ p1: 2_500_000, p2: 100 });
    given({ type: 'PriceBookCreated', data: book })
      .when({ type: 'SetPrices', data: { ...set, prices: book.prices }, unknownProducts: [] })
      .thenNothingHappens();
  });

  it('is valid on the days from validFrom to validTo, both included; open-ended without validTo', () => {
    expect(['2026-01-01', '2026-06-30', '2026-12-31'].map((d) => isValidOn(book, d))).toEqual([true, true, true]);
    expect(['2025-12-31', '2027-01-01'].map((d) => isValidOn(book, d))).toEqual([false, false]);
    expect(isValidOn({ validFrom: '2026-01-01' }, '2099-01-01')).toBe(true);
  });
});

describe('configuration rules: one check that explains every violation', () => {
  const p = (sku: string, over: Partial<CatalogueProduct> = {}): CatalogueProduct => ({
    productId: sku,
    sku,
    name: sku,
    kind: 'product',
    active: true,
    ...over,
  });
  const catalogue = new Map(
    [
      p('VAN', { options: ['RACK'], rules: { requires: ['WARRANTY'], excludes: ['SCOOTER'], minQuantity: 2, maxQuantity: 50 } }),
      p('RACK', { kind: 'option' }),
      p('WARRANTY'),
      p('SCOOTER'),
      p('OLD', { active: false }),
      p('FLEET', {
        kind: 'bundle',
        components: [
          { productId: 'VAN', quantity: 5 },
          { productId: 'WARRANTY', quantity: 5 },
        ],
        rules: { maxQuantity: 3 },
      }),
    ].map((x) => [x.productId, x]),
  );

  it('a valid configuration has no violation; a bundle satisfies what another product requires', () => {
    expect(
      checkConfiguration(
        [
          { productId: 'VAN', quantity: 2 },
          { productId: 'WARRANTY', quantity: 2 },
          { productId: 'RACK', quantity: 2 },
        ],
        catalogue,
      ),
    ).toEqual([]);
    expect(
      checkConfiguration(
        [
          { productId: 'FLEET', quantity: 1 },
          { productId: 'VAN', quantity: 2 },
        ],
        catalogue,
      ),
    ).toEqual([]);
  });

  it('reports every violation at once, each naming its rule, line and products', () => {
    const violations = checkConfiguration(
      [
        { productId: 'VAN', quantity: 1 },
        { productId: 'SCOOTER', quantity: 1 },
        { productId: 'OLD', quantity: 1 },
        { productId: 'GHOST', quantity: 1 },
        { productId: 'RACK', quantity: 0 },
      ],
      catalogue,
    );
    expect(violations.map((v) => [v.rule, v.line, v.productId, v.otherProductId])).toEqual([
      ['min-quantity', 0, 'VAN', undefined],
      ['requires', 0, 'VAN', 'WARRANTY'],
      ['excludes', 0, 'VAN', 'SCOOTER'],
      ['inactive-product', 2, 'OLD', undefined],
      ['unknown-product', 3, 'GHOST', undefined],
      ['quantity-not-positive', 4, 'RACK', undefined],
    ]);
    expect(violations[1].message).toBe('VAN requires WARRANTY, which is not on the quote');
  });

  it('sums quantities over lines for min/max; an option needs a product that offers it; an exclusion pair is reported once', () => {
    const scooterExcludesVan = new Map(catalogue).set('SCOOTER', p('SCOOTER', { rules: { excludes: ['VAN'] } }));
    expect(
      checkConfiguration(
        [
          { productId: 'FLEET', quantity: 2 },
          { productId: 'FLEET', quantity: 2 },
          { productId: 'RACK', quantity: 1 },
          { productId: 'SCOOTER', quantity: 1 },
        ],
        scooterExcludesVan,
      ).map((v) => [v.rule, v.line]),
    ).toEqual([
      ['max-quantity', 0],
      ['option-without-base', 2],
      ['excludes', 3],
    ]);
  });
});
