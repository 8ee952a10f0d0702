import type { EntityManager } from 'typeorm';
import { searchable } from './customer-directory.projection';
import { cursorParts, decodeCursor, encodeCursor } from './keyset-cursor';
import { sqlParameters } from './sql-parameters';
import { CataloguePriceBookEntry, CatalogueProductEntry } from './catalogue.entities';

/** Keyset cursors: `[list, ...keys]`, every key text. */
function encode(list: string, keys: string[]): string {
  return encodeCursor([list, ...keys]);
}

function decode(list: string, cursor: string, count: number): string[] {
  return decodeCursor(cursor, [cursorParts.list(list), ...Array.from({ length: count }, () => cursorParts.text())]).slice(1) as string[];
}

export interface ProductSearch {
  /** Words to find in SKU, name and description (substrings; case and accents ignored). */
  q?: string;
  kind?: string;
  active?: boolean;
  limit: number;
  cursor?: string;
}

export interface ProductListItem {
  productId: string;
  sku: string;
  name: string;
  description: string | null;
  kind: string;
  active: boolean;
  components?: unknown;
  options?: unknown;
  rules?: unknown;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

const like = (w: string) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The products that match, by SKU (keyset paging). */
export async function searchProducts(manager: EntityManager, search: ProductSearch): Promise<Page<ProductListItem>> {
  const table = manager.getRepository(CatalogueProductEntry).metadata.tablePath;
  const { params, p } = sqlParameters();
  const where: string[] = [];
  for (const w of (search.q === undefined ? '' : searchable(search.q)).split(' ').filter(Boolean).slice(0, 10)) where.push(`search_text LIKE ${p(like(w))}`);
  if (search.kind !== undefined) where.push(`kind = ${p(search.kind)}`);
  if (search.active !== undefined) where.push(`active = ${p(search.active)}`);
  if (search.cursor !== undefined) {
    const [sku, id] = decode('products', search.cursor, 2);
    where.push(`(sku_key > ${p(sku)} OR (sku_key = ${p(sku)} AND product_id > ${p(id)}))`);
  }
  const rows = (await manager.query(
    `SELECT product_id, sku, sku_key, name, description, kind, active, definition FROM ${table}
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY sku_key, product_id LIMIT ${p(search.limit + 1)}`,
    params,
  )) as { product_id: string; sku: string; sku_key: string; name: string; description: string | null; kind: string; active: boolean; definition: object }[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      productId: r.product_id,
      sku: r.sku,
      name: r.name,
      description: r.description,
      kind: r.kind,
      active: r.active,
      ...r.definition,
    })),
    ...(rows.length > search.limit && last && { nextCursor: encode('products', [last.sku_key, last.product_id]) }),
  };
}

export interface PriceBookSearch {
  currency?: string;
  /** Only books valid on this calendar day. */
  validOn?: string;
  limit: number;
  cursor?: string;
}

export interface PriceBookListItem {
  priceBookId: string;
  name: string;
  currency: string;
  validFrom: string;
  validTo: string | null;
  /** How many products it prices. */
  priceCount: number;
}

const day = (v: string | Date | null) => (v === null ? null : typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10));

/** The price books that match: by currency, newest validity first (keyset paging). */
export async function searchPriceBooks(manager: EntityManager, search: PriceBookSearch): Promise<Page<PriceBookListItem>> {
  const table = manager.getRepository(CataloguePriceBookEntry).metadata.tablePath;
  const { params, p } = sqlParameters();
  const where: string[] = [];
  if (search.currency !== undefined) where.push(`currency = ${p(search.currency)}`);
  if (search.validOn !== undefined) where.push(`valid_from <= ${p(search.validOn)}::date AND (valid_to IS NULL OR valid_to >= ${p(search.validOn)}::date)`);
  const key = `currency || '|' || to_char(DATE '9999-12-31' - valid_from, 'FM0000000') || '|' || price_book_id`;
  if (search.cursor !== undefined) where.push(`${key} > ${p(decode('price-books', search.cursor, 1)[0])}`);
  const rows = (await manager.query(
    `SELECT price_book_id, name, currency, valid_from::text AS valid_from, valid_to::text AS valid_to,
            (SELECT count(*) FROM jsonb_object_keys(prices))::int AS price_count, ${key} AS sort_key
     FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY sort_key LIMIT ${p(search.limit + 1)}`,
    params,
  )) as { price_book_id: string; name: string; currency: string; valid_from: string; valid_to: string | null; price_count: number; sort_key: string }[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      priceBookId: r.price_book_id,
      name: r.name,
      currency: r.currency,
      validFrom: day(r.valid_from)!,
      validTo: day(r.valid_to),
      priceCount: Number(r.price_count),
    })),
    ...(rows.length > search.limit && last && { nextCursor: encode('price-books', [last.sort_key]) }),
  };
}

/**
 * The price book a quote in `currency` dated `day` takes its prices from, when it names none: of
 * the books valid that day, the one whose validity began last (then the one created last).
 */
export async function findValidPriceBook(manager: EntityManager, currency: string, onDay: string): Promise<string | undefined> {
  const table = manager.getRepository(CataloguePriceBookEntry).metadata.tablePath;
  const [row] = (await manager.query(
    `SELECT price_book_id FROM ${table} WHERE currency = $1 AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)
     ORDER BY valid_from DESC, created_at DESC, price_book_id LIMIT 1`,
    [currency, onDay],
  )) as { price_book_id: string }[];
  return row?.price_book_id;
}
