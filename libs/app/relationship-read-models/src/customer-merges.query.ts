import type { EntityManager } from 'typeorm';
import { CustomerMerge } from './timeline.entities';

/** Merges in force at `asOf` (now when absent), as SQL over `customer_merges` aliased `m`. */
function inForce(asOf: Date | undefined, params: unknown[]): string {
  if (!asOf) return 'm.unmerged_at IS NULL';
  params.push(asOf.toISOString());
  return `m.merged_at <= $${params.length} AND (m.unmerged_at IS NULL OR m.unmerged_at > $${params.length})`;
}

/** Chains are short (each merge needs a live survivor); this only guards against bad data. */
const MAX_DEPTH = 50;

/**
 * The customer a (possibly merged) id is read as at `asOf`: itself, or the survivor it is merged
 * into, following chains (A←B, then D←A: B reads as D).
 */
export async function resolveCustomerId(manager: EntityManager, customerId: string, asOf?: Date): Promise<string> {
  const table = manager.getRepository(CustomerMerge).metadata.tablePath;
  let current = customerId;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const params: unknown[] = [current];
    const rows = (await manager.query(`SELECT m.survivor_id FROM ${table} m WHERE m.duplicate_id = $1 AND ${inForce(asOf, params)} LIMIT 1`, params)) as {
      survivor_id: string;
    }[];
    if (!rows[0]) return current;
    current = rows[0].survivor_id;
  }
  return current;
}

/** A survivor and every customer merged into it (directly or through a chain) while in force at `asOf`. */
export async function mergedCustomerIds(manager: EntityManager, survivorId: string, asOf?: Date): Promise<string[]> {
  const table = manager.getRepository(CustomerMerge).metadata.tablePath;
  const params: unknown[] = [survivorId];
  const condition = inForce(asOf, params);
  params.push(MAX_DEPTH);
  const rows = (await manager.query(
    `WITH RECURSIVE merged(id, depth) AS (
       SELECT $1::text, 0
       UNION
       SELECT m.duplicate_id, merged.depth + 1 FROM ${table} m JOIN merged ON m.survivor_id = merged.id
       WHERE ${condition} AND merged.depth < $${params.length}
     )
     SELECT DISTINCT id FROM merged`,
    params,
  )) as { id: string }[];
  return [
    survivorId,
    ...rows
      .map((r) => r.id)
      .filter((id) => id !== survivorId)
      .sort(),
  ];
}

/**
 * What a list's `customerId` filter matches: the customer the id reads as (its survivor when it was
 * merged) and every customer merged into that one — the records of a merged duplicate belong to its
 * survivor, whichever of the two ids the caller has. Undefined when there is no filter.
 */
export async function customerFilterIds(manager: EntityManager, customerId: string | undefined): Promise<string[] | undefined> {
  return customerId === undefined ? undefined : mergedCustomerIds(manager, await resolveCustomerId(manager, customerId));
}

/** A merge of `survivorId` by its id, if it was recorded (for undoing it). */
export async function findMerge(manager: EntityManager, survivorId: string, mergeId: string): Promise<CustomerMerge | null> {
  return manager.getRepository(CustomerMerge).findOneBy({ survivorId, mergeId });
}
