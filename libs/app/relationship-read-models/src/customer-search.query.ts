import type { EntityManager } from 'typeorm';
import { searchable } from './customer-directory.projection';
import { cursorParts, decodeCursor, encodeCursor, keysetAfter } from './keyset-cursor';
import { sqlParameters } from './sql-parameters';
import { CustomerDirectoryEntry, CustomerSearchWord, PartnerAccess } from './timeline.entities';

export const CUSTOMER_SORTS = ['relevance', 'name', 'registered-at', 'last-interaction'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export interface CustomerSearch {
  /** Words to find in name, contact names, e-mails, phones and external ids (case and accents ignored; prefixes match; typos tolerated). */
  q?: string;
  kind?: 'person' | 'organisation';
  journeyStage?: string;
  relationshipPhase?: string;
  owner?: string;
  tag?: string;
  parentId?: string;
  registeredFrom?: Date;
  registeredTo?: Date;
  /** Default: `relevance` with `q`, `name` without. */
  sort?: CustomerSort;
  limit: number;
  /** `nextCursor` of the previous page (opaque). */
  cursor?: string;
  /** Only customers currently shared with this partner (the partner portal's list). */
  partnerId?: string;
  /** With `partnerId`: only shares in force at this instant (not expired by then; the injected clock's now). */
  partnerAt?: Date;
  /** Only these customers (the partner aggregate's shares, which a revoke reaches before the read model). */
  customerIds?: readonly string[];
}

export interface CustomerListItem {
  customerId: string;
  name: string;
  kind: string;
  journeyStage: string;
  relationshipPhase: string;
  owner: string | null;
  tags: string[];
  parentId: string | null;
  registeredAt: string;
  lastInteractionAt: string | null;
}

export interface CustomerListPage {
  items: CustomerListItem[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * Whether pg_trgm is installed in this database (typo-tolerant search). Without it a search still
 * finds every word by substring; `prepareCustomerSearch` installs it where it can.
 */
const trigramReady = new WeakMap<object, boolean>();

/**
 * Installs pg_trgm (PostgreSQL ships it; the embedded PGlite loads it) and the trigram index on the
 * directory's search text. Idempotent; run when a service's read models start.
 */
export async function prepareCustomerSearch(manager: EntityManager): Promise<boolean> {
  const table = manager.getRepository(CustomerDirectoryEntry).metadata.tablePath;
  const words = manager.getRepository(CustomerSearchWord).metadata.tablePath;
  try {
    await manager.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  } catch {
    // Not allowed to install it (a managed database without pg_trgm): substring search only.
    trigramReady.set(manager.connection, false);
    return false;
  }
  const [{ schema }] = (await manager.query(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
  )) as { schema: string }[];
  await manager.query(`CREATE INDEX IF NOT EXISTS customer_directory_search_trgm ON ${table} USING gin (search_text "${schema}".gin_trgm_ops)`);
  // For the duplicates list: similar names, found through the index rather than by comparing every pair.
  await manager.query(`CREATE INDEX IF NOT EXISTS customer_directory_name_trgm ON ${table} USING gist (sort_name "${schema}".gist_trgm_ops)`);
  await manager.query(`CREATE INDEX IF NOT EXISTS customer_search_words_trgm ON ${words} USING gin (word "${schema}".gin_trgm_ops)`);
  // A directory filled before the search words existed: its words, once (letters only, as names are).
  const [{ empty }] = (await manager.query(`SELECT NOT EXISTS (SELECT 1 FROM ${words}) AND EXISTS (SELECT 1 FROM ${table}) AS empty`)) as { empty: boolean }[];
  if (empty) {
    await manager.query(
      `INSERT INTO ${words} (word) SELECT DISTINCT w FROM ${table} c, regexp_split_to_table(c.search_text, ' ') AS w
       WHERE w ~ '^[[:alpha:]]{3,60}$' ON CONFLICT (word) DO NOTHING`,
    );
  }
  trigramReady.set(manager.connection, true);
  return true;
}

/** Below this similarity a word is no longer a typo of a known word ("jya" for "jaya" still is, 0.29). */
const TYPO_SIMILARITY = 0.25;
/** The known words a search word may be a typo of, at most (the most similar ones). */
const TYPO_CANDIDATES = 5;

/**
 * The known name words (`customer_search_words`) each search word may be a typo of, with their
 * similarity: one indexed lookup in a small table, instead of a similarity over every customer.
 */
async function typoCandidates(manager: EntityManager, words: readonly string[]): Promise<Map<string, { word: string; similarity: number }[]>> {
  const found = new Map<string, { word: string; similarity: number }[]>();
  if (words.length === 0) return found;
  const table = manager.getRepository(CustomerSearchWord).metadata.tablePath;
  // `%` matches at pg_trgm.similarity_threshold: set for this lookup only (a transaction).
  const rows = (await manager.transaction(async (m) => {
    await m.query(`SELECT set_config('pg_trgm.similarity_threshold', '${TYPO_SIMILARITY}', true)`);
    return m.query(
      `SELECT q.w AS query, v.word, v.sim AS similarity FROM unnest($1::text[]) AS q(w)
       CROSS JOIN LATERAL (SELECT word, similarity(word, q.w) AS sim FROM ${table} WHERE word % q.w ORDER BY sim DESC, word LIMIT ${TYPO_CANDIDATES}) v`,
      [[...words]],
    );
  })) as { query: string; word: string; similarity: number }[];
  for (const r of rows) found.set(r.query, [...(found.get(r.query) ?? []), { word: r.word, similarity: Number(r.similarity) }]);
  return found;
}

/** `[sort, key, customerId]`: the key is text or a number, as the sort's column is. */
const cursorOf = (sort: CustomerSort) =>
  [
    cursorParts.sort(sort, 'cursor is not one this list gave out (or was given for another sort)'),
    cursorParts.either(cursorParts.text(), cursorParts.number()),
    cursorParts.text({ max: Number.POSITIVE_INFINITY }),
  ] as const;

/**
 * The customers that match, in a stable order, one page at a time (keyset paging: a page costs the
 * same wherever it is in the list, and nothing is skipped or repeated when customers are added).
 */
export async function searchCustomers(manager: EntityManager, search: CustomerSearch): Promise<CustomerListPage> {
  const table = manager.getRepository(CustomerDirectoryEntry).metadata.tablePath;
  const { params, p } = sqlParameters();
  // A merged customer is listed as its survivor only.
  const where: string[] = ['c.merged_into IS NULL'];
  const q = search.q === undefined ? '' : searchable(search.q);
  const words = q.split(' ').filter(Boolean).slice(0, 10);
  const trigram = trigramReady.get(manager.connection) ?? false;
  let score = '0::real';
  if (words.length > 0) {
    // Each word must be found: as a substring (prefixes, e-mails, digits), or — when pg_trgm is
    // there — as a known name word it is a typo of (`typoCandidates`). Every condition is a LIKE the
    // trigram index serves, and the relevance is a sum of LIKEs: cheap for every row that matches.
    const literal = (w: string) => /^[\d+]+$/.test(w) || w.includes('@');
    const escape = (w: string) => w.replace(/[\\%_]/g, (c) => `\\${c}`);
    // A lone word of three letters is the beginning of a name, not a typo: it is looked up as it is
    // (expanding it would match thousands more rows); in a longer query it may be a typo ("maju jya").
    const typoWords = words.filter((w) => (w.length >= 4 || (w.length === 3 && words.length > 1)) && !literal(w));
    const typos = trigram ? await typoCandidates(manager, typoWords) : new Map<string, { word: string; similarity: number }[]>();
    const conditions: string[] = [];
    const scores: string[] = [];
    for (const w of words) {
      const inside = p(`%${escape(w)}%`);
      const alternatives = (typos.get(w) ?? []).filter((t) => !t.word.includes(w));
      const typoLikes = alternatives.map((t) => ({ like: `c.search_text LIKE ${p(`%${escape(t.word)}%`)}`, weight: Math.round(t.similarity * 80) / 100 }));
      conditions.push(`(${[`c.search_text LIKE ${inside}`, ...typoLikes.map((t) => t.like)].join(' OR ')})`);
      // A word's relevance: 1 where a word of the text starts with it, 0.9 inside one, less for a typo.
      const starts = `c.search_text LIKE ${p(`${escape(w)}%`)} OR c.search_text LIKE ${p(`% ${escape(w)}%`)}`;
      scores.push(
        `(CASE WHEN ${starts} THEN 1.0 WHEN c.search_text LIKE ${inside} THEN 0.9${typoLikes.map((t) => ` WHEN ${t.like} THEN ${t.weight}`).join('')} ELSE 0 END)`,
      );
    }
    where.push(conditions.join(' AND '));
    score = `((${scores.join(' + ')}) / ${words.length})::real`;
  }
  if (search.kind) where.push(`c.kind = ${p(search.kind)}`);
  if (search.journeyStage) where.push(`c.journey_stage = ${p(search.journeyStage)}`);
  if (search.relationshipPhase) where.push(`c.relationship_phase = ${p(search.relationshipPhase)}`);
  if (search.owner) where.push(`c.owner = ${p(search.owner)}`);
  if (search.tag) where.push(`c.tags ? ${p(search.tag)}`);
  if (search.parentId) where.push(`c.parent_id = ${p(search.parentId)}`);
  if (search.registeredFrom) where.push(`c.registered_at >= ${p(search.registeredFrom)}`);
  if (search.registeredTo) where.push(`c.registered_at < ${p(search.registeredTo)}`);
  if (search.customerIds) where.push(`c.customer_id = ANY(${p([...search.customerIds])}::text[])`);
  if (search.partnerId) {
    const access = manager.getRepository(PartnerAccess).metadata.tablePath;
    where.push(
      `EXISTS (SELECT 1 FROM ${access} a WHERE a.partner_id = ${p(search.partnerId)} AND a.customer_id = c.customer_id AND a.granted${
        search.partnerAt ? ` AND (a.expires_at IS NULL OR a.expires_at > ${p(search.partnerAt.toISOString())}::timestamptz)` : ''
      })`,
    );
  }

  const sort: CustomerSort = search.sort ?? (words.length > 0 ? 'relevance' : 'name');
  // Each sort as (key expression, direction): ties broken by customer id, ascending.
  const keys: Record<CustomerSort, { expr: string; desc: boolean }> = {
    relevance: { expr: score, desc: true },
    name: { expr: 'c.sort_name', desc: false },
    'registered-at': { expr: `to_char(c.registered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`, desc: true },
    'last-interaction': { expr: `COALESCE(to_char(c.last_interaction_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), '')`, desc: true },
  };
  const { expr, desc } = keys[sort];
  if (search.cursor !== undefined) {
    const [, afterKey, afterId] = decodeCursor(search.cursor, cursorOf(sort));
    const key = p(afterKey);
    const id = p(afterId);
    const cast = sort === 'relevance' ? '::real' : '::text';
    where.push(keysetAfter({ expr, cast, desc }, 'c.customer_id', key, id));
  }
  const limit = p(search.limit + 1);
  const sql = `SELECT c.customer_id, c.name, c.kind, c.journey_stage, c.relationship_phase, c.owner, c.tags, c.parent_id, c.registered_at, c.last_interaction_at, ${expr} AS sort_key
     FROM ${table} c
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sort_key ${desc ? 'DESC' : 'ASC'}, c.customer_id ASC
     LIMIT ${limit}`;
  const rows = (await manager.query(sql, params)) as {
    customer_id: string;
    name: string;
    kind: string;
    journey_stage: string;
    relationship_phase: string;
    owner: string | null;
    tags: string[];
    parent_id: string | null;
    registered_at: Date | string;
    last_interaction_at: Date | string | null;
    sort_key: string | number;
  }[];
  const page = rows.slice(0, search.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      customerId: r.customer_id,
      name: r.name,
      kind: r.kind,
      journeyStage: r.journey_stage,
      relationshipPhase: r.relationship_phase,
      owner: r.owner,
      tags: r.tags,
      parentId: r.parent_id,
      registeredAt: new Date(r.registered_at).toISOString(),
      lastInteractionAt: r.last_interaction_at === null ? null : new Date(r.last_interaction_at).toISOString(),
    })),
    ...(rows.length > search.limit &&
      last && { nextCursor: encodeCursor([sort, typeof last.sort_key === 'number' ? last.sort_key : String(last.sort_key), last.customer_id]) }),
  };
}

export interface DuplicateCandidate {
  customerIds: [string, string];
  names: [string, string];
  /** 1 for a recorded suspicion (a shared identity); otherwise the similarity of the names (0–1). */
  score: number;
  reason: string;
}

/** Names at least this similar (pg_trgm similarity of the lower-cased, accent-free names) are candidates. */
const NAME_SIMILARITY = 0.6;

/**
 * Pairs of customers that may be one and the same, best first: those recorded as suspected
 * duplicates (registered or edited with an identity another customer holds), then customers of the
 * same kind in the same organisation (the same parent, or both without one) whose names are similar.
 */
export async function duplicateCandidates(manager: EntityManager, options: { limit: number; minScore?: number }): Promise<DuplicateCandidate[]> {
  const table = manager.getRepository(CustomerDirectoryEntry).metadata.tablePath;
  const recorded = (await manager.query(
    `SELECT c.customer_id AS a, c.name AS a_name, o.customer_id AS b, o.name AS b_name
     FROM ${table} c CROSS JOIN LATERAL jsonb_array_elements_text(c.suspected_duplicates) AS d(other)
     JOIN ${table} o ON o.customer_id = d.other
     WHERE c.merged_into IS NULL AND o.merged_into IS NULL
     ORDER BY c.customer_id, o.customer_id LIMIT $1`,
    [options.limit],
  )) as { a: string; a_name: string; b: string; b_name: string }[];
  const pairs = new Map<string, DuplicateCandidate>();
  const key = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);
  for (const r of recorded) {
    pairs.set(key(r.a, r.b), {
      customerIds: [r.a, r.b],
      names: [r.a_name, r.b_name],
      score: 1,
      reason: 'shares an identity (recorded when it was registered or edited with force)',
    });
  }
  if (trigramReady.get(manager.connection)) {
    const threshold = Math.max(options.minScore ?? NAME_SIMILARITY, NAME_SIMILARITY);
    const similar = (await manager.query(
      `SELECT a.customer_id AS a, a.name AS a_name, b.customer_id AS b, b.name AS b_name, similarity(a.sort_name, b.sort_name) AS score
       FROM ${table} a JOIN ${table} b
         ON a.customer_id < b.customer_id AND a.kind = b.kind AND a.parent_id IS NOT DISTINCT FROM b.parent_id
        AND a.sort_name % b.sort_name
       WHERE similarity(a.sort_name, b.sort_name) >= $1 AND a.merged_into IS NULL AND b.merged_into IS NULL
       ORDER BY score DESC, a.customer_id, b.customer_id LIMIT $2`,
      [threshold, options.limit],
    )) as { a: string; a_name: string; b: string; b_name: string; score: number }[];
    for (const r of similar) {
      if (!pairs.has(key(r.a, r.b))) {
        pairs.set(key(r.a, r.b), {
          customerIds: [r.a, r.b],
          names: [r.a_name, r.b_name],
          score: Math.round(Number(r.score) * 100) / 100,
          reason: `similar names (${Math.round(Number(r.score) * 100)}%), same kind, same organisation`,
        });
      }
    }
  }
  return [...pairs.values()]
    .filter((p) => p.score >= (options.minScore ?? 0))
    .sort((x, y) => y.score - x.score || x.customerIds[0].localeCompare(y.customerIds[0]))
    .slice(0, options.limit);
}
