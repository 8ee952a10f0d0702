import { must } from './clients';

/** Where a paged answer keeps its items and the token of the next page. */
export interface PageShape<P, I> {
  items: (page: P) => readonly I[] | undefined;
  next: (page: P) => string | null | undefined;
}

/** The CRM's usual list answer: `items` and `nextCursor`. */
export function cursorPages<I>(): PageShape<{ items?: I[]; nextCursor?: string | null }, I> {
  return { items: (p) => p.items, next: (p) => p.nextCursor };
}

/**
 * Every page of a paged list (an openapi-fetch answer per page), up to `maxPages`: for views that
 * need them all (a histogram, the cells of a grid, the steps of the as-of slider). A refused or
 * failed page throws its ApiError.
 */
export async function allPages<P, I>(
  page: (token: string | undefined) => Promise<{ data?: P; error?: unknown; response: Response }>,
  shape: PageShape<P, I>,
  maxPages = 100,
): Promise<{ first: P; items: I[] }> {
  const items: I[] = [];
  let first: P | undefined;
  let token: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const data = must(await page(token));
    first ??= data;
    items.push(...(shape.items(data) ?? []));
    const next = shape.next(data);
    if (!next) break;
    token = next;
  }
  return { first: first!, items };
}
