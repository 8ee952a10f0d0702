import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One step of a relationship, in the store's global order: an episode opening, an interaction, a stage move, a closing. */
@Entity({ name: 'timeline_entries' })
@Index('timeline_entries_customer_order', ['customerId', 'positionCommit', 'positionPrepare'])
@Index('timeline_entries_episode', ['episodeId', 'kind'])
export class TimelineEntry {
  @PrimaryColumn({ type: 'uuid', name: 'event_id' }) eventId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text' }) kind!:
    | 'EpisodeOpened'
    | 'InteractionRecorded'
    | 'OpportunityStageAdvanced'
    | 'EpisodeClosed'
    | 'OpportunityStageChanged'
    | 'CaseReopened'
    // returns and repairs (issue 12 §5)
    | 'ReturnRequested'
    | 'ReturnAuthorised'
    | 'ReturnDenied'
    | 'ReturnShipmentUpdated'
    | 'RepairAssigned'
    | 'RepairStatusChanged';
  /** Global position (commit, prepare): the one order every service shows. */
  @Column({ type: 'bigint', name: 'position_commit' }) positionCommit!: string;
  @Column({ type: 'bigint', name: 'position_prepare' }) positionPrepare!: string;
  /** When the event happened, and when the store recorded it (`asOf` reads by the latter). */
  @Column({ type: 'timestamptz', name: 'occurred_at' }) occurredAt!: Date;
  @Column({ type: 'timestamptz', name: 'recorded_at' }) recordedAt!: Date;
  @Column({ type: 'jsonb' }) actor!: object;
  @Column({ type: 'jsonb' }) data!: object;
  /**
   * The partner owning the entry's episode (null: a department's episode, which every partner the
   * customer is shared with may see). Copied onto every entry so a partner's page is one indexed query.
   */
  @Column({ type: 'text', name: 'owner_partner_id', nullable: true }) ownerPartnerId!: string | null;
}

/**
 * The customers every service knows, as a list shows them and a search finds them: the record, its
 * contacts and identities, journey stage and relationship phase, owner, tags, parent, and when the
 * company last interacted with the customer.
 */
@Entity({ name: 'customer_directory' })
@Index('customer_directory_sort_name', ['sortName', 'customerId'])
@Index('customer_directory_registered', ['registeredAt', 'customerId'])
// The trigram indexes prepareCustomerSearch creates (pg_trgm may be missing): TypeORM leaves them
// alone — the schema check after the migrations must not see them as drift, nor drop them.
@Index('customer_directory_search_trgm', { synchronize: false })
@Index('customer_directory_name_trgm', { synchronize: false })
export class CustomerDirectoryEntry {
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', name: 'journey_stage' }) journeyStage!: string;
  @Column({ type: 'text', name: 'relationship_phase' }) relationshipPhase!: string;
  @Column({ type: 'jsonb' }) contacts!: object[];
  @Column({ type: 'jsonb' }) identities!: object[];
  @Column({ type: 'timestamptz', name: 'registered_at' }) registeredAt!: Date;
  /** The account manager (a staff user id). */
  @Column({ type: 'text', nullable: true }) owner!: string | null;
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" }) tags!: string[];
  @Column({ type: 'text', name: 'parent_id', nullable: true }) parentId!: string | null;
  @Column({ type: 'timestamptz', name: 'last_interaction_at', nullable: true }) lastInteractionAt!: Date | null;
  /** Other customers this one was found to share an identity with (registered with `force`). */
  @Column({ type: 'jsonb', name: 'suspected_duplicates', default: () => "'[]'::jsonb" }) suspectedDuplicates!: string[];
  /** The name, lower-case and without accents: the list's default order. */
  @Column({ type: 'text', name: 'sort_name', default: '' }) sortName!: string;
  /**
   * Name, contact names, e-mails, phones (also as digits only) and external ids, lower-case and
   * without accents: what `q` searches (substring and trigram similarity, pg_trgm).
   */
  @Column({ type: 'text', name: 'search_text', default: '' }) searchText!: string;
  /** While merged: the customer it is read as (its survivor). Merged customers are left out of lists. */
  @Column({ type: 'text', name: 'merged_into', nullable: true }) mergedInto!: string | null;
  /** The customer's own postal address (a person's letters go there); null when none or erased. A merge leaves it with its customer, as it leaves the contacts. */
  @Column({ type: 'jsonb', nullable: true }) address!: object | null;
}

/**
 * The words of the customers' names and contact names (lower-case, without accents, three letters
 * or more): what a search word's typos are matched against (pg_trgm similarity), so a typo costs a
 * lookup in this small table, not a similarity computed over every customer. Words are only added,
 * except on an erasure, which removes the erased customer's words that no other customer has.
 */
@Entity({ name: 'customer_search_words' })
@Index('customer_search_words_trgm', { synchronize: false })
export class CustomerSearchWord {
  @PrimaryColumn({ type: 'text' }) word!: string;
}

/**
 * Every merge, with when it was recorded and (if so) undone: a survivor's history includes the
 * histories of the customers merged into it while the merge was in force — so `asOf` before a merge,
 * or after its undoing, shows each customer on its own.
 */
@Entity({ name: 'customer_merges' })
@Index('customer_merges_survivor', ['survivorId'])
@Index('customer_merges_duplicate', ['duplicateId'])
export class CustomerMerge {
  @PrimaryColumn({ type: 'text', name: 'merge_id' }) mergeId!: string;
  @Column({ type: 'text', name: 'duplicate_id' }) duplicateId!: string;
  @Column({ type: 'text', name: 'survivor_id' }) survivorId!: string;
  @Column({ type: 'timestamptz', name: 'merged_at' }) mergedAt!: Date;
  @Column({ type: 'timestamptz', name: 'unmerged_at', nullable: true }) unmergedAt!: Date | null;
}

/** Which partner may currently read which customer (explicit, revocable grants). */
@Entity({ name: 'partner_access' })
export class PartnerAccess {
  @PrimaryColumn({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @PrimaryColumn({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'boolean' }) granted!: boolean;
  @Column({ type: 'timestamptz', name: 'changed_at' }) changedAt!: Date;
  /** When the grant ends (null: never; issue 14 §2). Readers compare it with their clock: expiry needs no event. */
  @Column({ type: 'timestamptz', name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  /** The episode types the grant shows (null: every type). */
  @Column({ type: 'jsonb', name: 'episode_types', nullable: true }) episodeTypes!: string[] | null;
}
