import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The products as sales browses them (`GET /products`): SKU, name, kind, whether still sold. */
@Entity({ name: 'catalogue_product' })
@Index('catalogue_product_sku', ['skuKey'])
export class CatalogueProductEntry {
  @PrimaryColumn({ type: 'text', name: 'product_id' }) productId!: string;
  @Column({ type: 'text' }) sku!: string;
  /** The SKU upper case: the list's order and its prefix search. */
  @Column({ type: 'text', name: 'sku_key' }) skuKey!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) description!: string | null;
  /** product, bundle, option. */
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'boolean' }) active!: boolean;
  /** Components, options and rules as last defined. */
  @Column({ type: 'jsonb' }) definition!: Record<string, unknown>;
  /** Lower case, accents removed: SKU, name and description, what `q` searches. */
  @Column({ type: 'text', name: 'search_text' }) searchText!: string;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
}

/** The price books (`GET /price-books`) and which one is valid on a day in a currency. */
@Entity({ name: 'catalogue_price_book' })
@Index('catalogue_price_book_currency', ['currency', 'validFrom'])
export class CataloguePriceBookEntry {
  @PrimaryColumn({ type: 'text', name: 'price_book_id' }) priceBookId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) currency!: string;
  @Column({ type: 'date', name: 'valid_from' }) validFrom!: string;
  @Column({ type: 'date', name: 'valid_to', nullable: true }) validTo!: string | null;
  /** Unit price (minor units) by product id. */
  @Column({ type: 'jsonb' }) prices!: Record<string, number>;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}
