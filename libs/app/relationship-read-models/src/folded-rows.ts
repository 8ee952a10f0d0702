import type { EntityManager } from 'typeorm';

/** A read model of one row per entity, each folded from its events: where its rows live and how they read back. */
export interface FoldedRows<E, Row, Stored> {
  /** The table's path (schema-qualified). */
  table(manager: EntityManager): string;
  /** The key column; the first of `columns`. */
  key: string;
  /** The columns, comma-separated, as written and read. */
  columns: string;
  /** The same columns with their types, for `jsonb_to_recordset`. */
  record: string;
  /** Which row an event changes. */
  idOf(event: E): string;
  /** A stored row as the fold takes it (dates as ISO strings, bigints as numbers…). */
  fromStored(stored: Stored): Row;
  /** The row after the event; the same object when the event changes nothing. */
  fold(row: Row | undefined, event: E): Row;
}

/**
 * Applies a batch to a folded-rows read model: each row the batch touches read once, folded with its
 * events in order, and the changed ones written back in one statement — what makes catching up and
 * rebuilding fast, with exactly the effect of one event at a time.
 */
export async function applyFolded<E, Row, Stored>(spec: FoldedRows<E, Row, Stored>, events: readonly E[], manager: EntityManager): Promise<void> {
  const table = spec.table(manager);
  const ids = [...new Set(events.map((e) => spec.idOf(e)))];
  const current = (await manager.query(`SELECT ${spec.columns} FROM ${table} WHERE ${spec.key} = ANY($1::text[])`, [ids])) as Stored[];
  const rows = new Map<string, Row>(current.map((r) => [(r as Record<string, string>)[spec.key], spec.fromStored(r)]));
  const changed = new Set<string>();
  for (const event of events) {
    const id = spec.idOf(event);
    const before = rows.get(id);
    const after = spec.fold(before, event);
    if (after !== before) {
      rows.set(id, after);
      changed.add(id);
    }
  }
  if (changed.size === 0) return;
  const updates = spec.columns
    .split(', ')
    .filter((c) => c !== spec.key)
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ');
  await manager.query(
    `INSERT INTO ${table} (${spec.columns}) SELECT ${spec.columns} FROM jsonb_to_recordset($1::jsonb) AS r(${spec.record})
     ON CONFLICT (${spec.key}) DO UPDATE SET ${updates}`,
    [JSON.stringify([...changed].map((id) => rows.get(id)))],
  );
}
