import { ERASED, type CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { CustomerDirectoryEntry, CustomerMerge, CustomerSearchWord } from './timeline.entities';

/** The events the customer directory keeps up with. */
export type CustomerDirectoryEvent = CrmIntegrationEvent<
  | 'CustomerRegistered'
  | 'CustomerDetailsChanged'
  | 'CustomerContactAdded'
  | 'CustomerContactChanged'
  | 'CustomerContactRemoved'
  | 'CustomerIdentityAdded'
  | 'CustomerIdentityRemoved'
  | 'CustomerDuplicateSuspected'
  | 'CustomerMerged'
  | 'CustomerUnmerged'
  | 'CustomerJourneyStageChanged'
  | 'CustomerRelationshipPhaseChanged'
  | 'CustomerPersonalDataErased'
  | 'InteractionRecorded'
>;

const DIRECTORY_TYPES: CustomerDirectoryEvent['type'][] = [
  'CustomerRegistered',
  'CustomerDetailsChanged',
  'CustomerContactAdded',
  'CustomerContactChanged',
  'CustomerContactRemoved',
  'CustomerIdentityAdded',
  'CustomerIdentityRemoved',
  'CustomerDuplicateSuspected',
  'CustomerMerged',
  'CustomerUnmerged',
  'CustomerJourneyStageChanged',
  'CustomerRelationshipPhaseChanged',
  'CustomerPersonalDataErased',
  'InteractionRecorded',
];

type AddressRow = { lines: string[]; postalCode?: string; locality: string; region?: string; country: string };
type ContactRow = {
  contactId: string;
  name: string;
  role?: string;
  roles?: string[];
  email?: string;
  phone?: string;
  address?: AddressRow;
};
type IdentityRow = { kind: string; value: string; system?: string };

/** A directory row, by column name (what the table stores). */
export interface DirectoryRow {
  customer_id: string;
  kind: string;
  name: string;
  journey_stage: string;
  relationship_phase: string;
  contacts: ContactRow[];
  identities: IdentityRow[];
  registered_at: string;
  owner: string | null;
  tags: string[];
  parent_id: string | null;
  last_interaction_at: string | null;
  suspected_duplicates: string[];
  sort_name: string;
  search_text: string;
  merged_into: string | null;
  /** The customer's own postal address (null: none, or erased). */
  address: AddressRow | null;
}

/** Lower-case, accents removed: "Ánh Nguyễn" and "anh nguyen" are the same to a search. */
export function searchable(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

function withSearch(row: Omit<DirectoryRow, 'sort_name' | 'search_text'> & Partial<Pick<DirectoryRow, 'sort_name' | 'search_text'>>): DirectoryRow {
  const phones = [...row.contacts.map((c) => c.phone), ...row.identities.filter((i) => i.kind === 'phone').map((i) => i.value)].filter((p): p is string => !!p);
  const parts = [
    row.name,
    ...row.contacts.flatMap((c) => [c.name, c.email ?? '', c.phone ?? '']),
    ...row.identities.map((i) => i.value),
    ...phones.map((p) => p.replace(/\D+/g, '')),
  ];
  return { ...row, sort_name: searchable(row.name), search_text: searchable(parts.filter(Boolean).join(' ')) };
}

/** The words a typo is matched against: of the name and the contacts' names, three letters or more. */
export function nameWords(row: Pick<DirectoryRow, 'name' | 'contacts'>): string[] {
  const text = searchable([row.name, ...row.contacts.map((c) => c.name)].join(' '));
  return [...new Set(text.split(' ').filter((w) => w.length >= 3 && w.length <= 60))];
}

const sameIdentity = (a: IdentityRow, b: IdentityRow) =>
  a.kind === b.kind && a.value.toLowerCase() === b.value.toLowerCase() && (a.system ?? '') === (b.system ?? '');

/**
 * One event applied to a customer's row (undefined: not in the directory). Pure: the batch path and
 * the one-by-one path both fold through it, and a unit spec can test it without a database.
 * Throws for a change to a customer the directory does not have (the runner parks the event).
 */
export function foldDirectory(row: DirectoryRow | undefined, event: CustomerDirectoryEvent): DirectoryRow {
  if (event.type === 'CustomerRegistered') {
    const d = event.data;
    if (row) return row; // delivered again: the registration is already here
    return withSearch({
      customer_id: d.customerId,
      kind: d.kind,
      name: d.name,
      journey_stage: d.journeyStage,
      relationship_phase: d.relationshipPhase,
      contacts: d.contacts,
      identities: d.identities,
      registered_at: event.time,
      owner: d.owner ?? null,
      tags: d.tags ?? [],
      parent_id: d.parentId ?? null,
      last_interaction_at: null,
      suspected_duplicates: [],
      merged_into: null,
      address: d.address ?? null,
    });
  }
  if (!row) throw new Error(`customer ${event.data.customerId} is not in the directory`);
  switch (event.type) {
    case 'CustomerDetailsChanged': {
      const d = event.data;
      return withSearch({
        ...row,
        ...(d.name !== undefined && { name: d.name }),
        ...(d.owner !== undefined && { owner: d.owner }),
        ...(d.tags !== undefined && { tags: d.tags }),
        ...(d.parentId !== undefined && { parent_id: d.parentId }),
        ...(d.address !== undefined && { address: d.address }),
      });
    }
    case 'CustomerContactAdded':
      return withSearch({ ...row, contacts: [...row.contacts, event.data.contact] });
    case 'CustomerContactChanged':
      return withSearch({ ...row, contacts: row.contacts.map((c) => (c.contactId === event.data.contact.contactId ? event.data.contact : c)) });
    case 'CustomerContactRemoved':
      return withSearch({ ...row, contacts: row.contacts.filter((c) => c.contactId !== event.data.contactId) });
    case 'CustomerIdentityAdded':
      return withSearch({ ...row, identities: [...row.identities, event.data.identity] });
    case 'CustomerIdentityRemoved':
      return withSearch({ ...row, identities: row.identities.filter((i) => !sameIdentity(i, event.data.identity)) });
    case 'CustomerDuplicateSuspected':
      return row.suspected_duplicates.includes(event.data.otherCustomerId)
        ? row
        : { ...row, suspected_duplicates: [...row.suspected_duplicates, event.data.otherCustomerId] };
    case 'CustomerMerged':
      return { ...row, merged_into: event.data.survivorId };
    case 'CustomerUnmerged':
      return row.merged_into === event.data.survivorId ? { ...row, merged_into: null } : row;
    case 'CustomerJourneyStageChanged':
      return { ...row, journey_stage: event.data.to };
    case 'CustomerRelationshipPhaseChanged':
      return { ...row, relationship_phase: event.data.to };
    case 'CustomerPersonalDataErased':
      // Contacts, identities and the postal address are personal through and through; the row keeps what is not.
      return withSearch({ ...row, name: ERASED, contacts: [], identities: [], address: null });
    case 'InteractionRecorded': {
      const at = event.data.interaction.occurredAt;
      const later = row.last_interaction_at === null || Date.parse(at) > Date.parse(row.last_interaction_at);
      return later ? { ...row, last_interaction_at: new Date(at).toISOString() } : row;
    }
  }
}

const COLUMNS =
  'customer_id, kind, name, journey_stage, relationship_phase, contacts, identities, registered_at, owner, tags, parent_id, last_interaction_at, suspected_duplicates, sort_name, search_text, merged_into, address';
const RECORD =
  'customer_id text, kind text, name text, journey_stage text, relationship_phase text, contacts jsonb, identities jsonb, registered_at timestamptz, owner text, tags jsonb, parent_id text, last_interaction_at timestamptz, suspected_duplicates jsonb, sort_name text, search_text text, merged_into text, address jsonb';

/** Merges and their undoing, by recording time (what `asOf` reads by). */
async function recordMerges(events: readonly CustomerDirectoryEvent[], manager: EntityManager): Promise<void> {
  const table = manager.getRepository(CustomerMerge).metadata.tablePath;
  for (const event of events) {
    const at = event.recordedat ?? event.time;
    if (event.type === 'CustomerMerged') {
      await manager.query(`INSERT INTO ${table} (merge_id, duplicate_id, survivor_id, merged_at) VALUES ($1, $2, $3, $4) ON CONFLICT (merge_id) DO NOTHING`, [
        event.data.mergeId,
        event.data.customerId,
        event.data.survivorId,
        at,
      ]);
    } else if (event.type === 'CustomerUnmerged') {
      await manager.query(`UPDATE ${table} SET unmerged_at = $2 WHERE merge_id = $1 AND unmerged_at IS NULL`, [event.data.mergeId, at]);
    }
  }
}

export function customerDirectoryProjection(owner: string): Projection<CustomerDirectoryEvent> {
  const table = (manager: EntityManager) => manager.getRepository(CustomerDirectoryEntry).metadata.tablePath;
  /** Each customer of the batch read once, folded in order, written back in one statement. */
  const applyBatch = async (events: readonly CustomerDirectoryEvent[], manager: EntityManager) => {
    const ids = [...new Set(events.map((e) => e.data.customerId))];
    const current = (await manager.query(
      `SELECT ${COLUMNS}
       FROM ${table(manager)} WHERE customer_id = ANY($1::text[])`,
      [ids],
    )) as (Omit<DirectoryRow, 'registered_at' | 'last_interaction_at'> & { registered_at: Date | string; last_interaction_at: Date | string | null })[];
    const rows = new Map<string, DirectoryRow>(
      current.map((r) => [
        r.customer_id,
        {
          ...r,
          registered_at: new Date(r.registered_at).toISOString(),
          last_interaction_at: r.last_interaction_at === null ? null : new Date(r.last_interaction_at).toISOString(),
        },
      ]),
    );
    const changed = new Set<string>();
    // Words of erased names: removed from the search words below, unless another customer has them.
    const erasedWords = new Set<string>();
    for (const event of events) {
      const id = event.data.customerId;
      const before = rows.get(id);
      if (event.type === 'CustomerPersonalDataErased' && before) for (const w of nameWords(before)) erasedWords.add(w);
      const after = foldDirectory(before, event);
      if (after !== before) {
        rows.set(id, after);
        changed.add(id);
      }
    }
    await recordMerges(events, manager);
    if (changed.size === 0) return;
    const words = new Set([...changed].flatMap((id) => nameWords(rows.get(id)!)));
    const wordsTable = manager.getRepository(CustomerSearchWord).metadata.tablePath;
    if (words.size > 0) {
      await manager.query(`INSERT INTO ${wordsTable} (word) SELECT unnest($1::text[]) ORDER BY 1 ON CONFLICT (word) DO NOTHING`, [[...words].sort()]);
    }
    await manager.query(
      `INSERT INTO ${table(manager)} (${COLUMNS})
       SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(${RECORD})
       ON CONFLICT (customer_id) DO UPDATE SET ${COLUMNS.split(', ')
         .filter((c) => c !== 'customer_id')
         .map((c) => `${c} = EXCLUDED.${c}`)
         .join(', ')}`,
      [JSON.stringify([...changed].map((id) => rows.get(id)))],
    );
    if (erasedWords.size > 0) {
      // After the rows are written: a word still in some customer's name or contacts stays.
      await manager.query(
        `DELETE FROM ${wordsTable} w WHERE w.word = ANY($1::text[])
           AND NOT EXISTS (SELECT 1 FROM ${table(manager)} c WHERE c.search_text LIKE '%' || w.word || '%')`,
        [[...erasedWords].filter((w) => !words.has(w))],
      );
    }
  };
  return {
    name: `${owner}.customer-directory`,
    entities: [CustomerDirectoryEntry, CustomerMerge, CustomerSearchWord],
    // The list's orders; applying reads customers by id and merges by merge id only.
    rebuildDeferredIndexes: { indexes: ['customer_directory_sort_name', 'customer_directory_registered'] },
    handles: DIRECTORY_TYPES,
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}
