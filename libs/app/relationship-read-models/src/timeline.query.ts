import { parsePosition } from '@crm/event-store';
import type { EntityManager } from 'typeorm';
import { CustomerDirectoryEntry, PartnerAccess, TimelineEntry } from './timeline.entities';
import { RETURN_STEP_KINDS } from './timeline.projection';

/** When a return's step happened, as its event says. */
function stepTime(kind: string, d: Record<string, unknown>): string {
  const field =
    { ReturnAuthorised: 'authorisedAt', ReturnDenied: 'deniedAt', ReturnShipmentUpdated: 'updatedAt', RepairAssigned: 'assignedAt' }[kind] ?? 'changedAt';
  return String(d[field]);
}

export interface TimelineInteraction {
  interactionId: string;
  channel: string;
  direction: string;
  actor: unknown;
  action: string;
  response?: string;
  occurredAt: string;
  recordedBy: unknown;
  /** Position in the one order (also a valid cursor). */
  position: string;
}

export interface TimelineEpisode {
  episodeId: string;
  name: string;
  episodeType: string;
  owner: { kind: 'department'; department: string } | { kind: 'partner'; partnerId: string };
  openedAt: string;
  stage?: string;
  /** Every stage move (`backward` and its `reason`: a move back to an earlier stage of the pipeline). */
  stageHistory: { from: string; to: string; advancedAt: string; backward?: boolean; reason?: string }[];
  /** Its closing (absent while open — also after a resolved case was reopened: `reopened` says when). */
  closed?: { outcome: string; closedAt: string; value?: number; currency?: string; reason?: string };
  /** A case reopened after it was resolved: how often, and the last time (as of `asOf`). */
  reopened?: { count: number; lastReopenedAt: string };
  /** A return (issue 12 §5): the case it was requested from — the two are linked episodes. */
  caseEpisodeId?: string;
  /**
   * A partner deal from an approved deal registration (issue 14 §3): the company's opportunity it is
   * part of. Staff only: a partner sees its deal, never the company's opportunity, not even its id.
   */
  opportunityId?: string;
  /** A return's steps (as of `asOf`): authorised, denied, shipments, repair assigned and its progress. */
  returnSteps?: { kind: string; at: string; data: Record<string, unknown> }[];
  /** The episode's interactions that fall in this page (a long episode spans several pages). */
  interactions: TimelineInteraction[];
  /** Position of the opening event. */
  position: string;
  /** When the store recorded the opening (what `asOf` reads by: an `asOf` before it leaves the episode out). */
  recordedAt?: string;
}

export interface TimelinePage {
  customerId: string;
  asOf?: string;
  order: 'oldest-first' | 'newest-first';
  /** The episodes this page's entries belong to, in the page's order, each with its state as of `asOf`. */
  episodes: TimelineEpisode[];
  /** Entries (openings, interactions, stage moves, closings) in this page. */
  entries: number;
  nextCursor?: string;
}

export interface TimelineQuery {
  customerId: string;
  /** Only what the store had recorded at this instant: the history exactly as it stood then. */
  asOf?: Date;
  /** Entries after this cursor (a position "<commit>/<prepare>", from `nextCursor`). */
  cursor?: string;
  /** Entries per page. */
  limit: number;
  /** Newest first (default oldest first). */
  newestFirst?: boolean;
  /** Scope to one partner: another partner's episodes are left out. */
  partnerId?: string;
  /**
   * With `partnerId`: only episodes of these types (a share's scope, issue 14 §2), and always the
   * partner's own episodes. Absent: every type.
   */
  episodeTypes?: readonly string[];
  /**
   * The customers whose entries make this history (default: `customerId` alone): a survivor and the
   * customers merged into it while the merge was in force at `asOf` (see `mergedCustomerIds`).
   */
  customerIds?: readonly string[];
  /**
   * Narrower views of the one history (the console's timeline filters): only the episodes a department
   * owns (`department`), or a partner owns (`ownerPartnerId`), or of one type (`episodeType`); only
   * the interactions on one channel (`channel`, with their episodes). Every filter given must hold.
   */
  filter?: { department?: string; ownerPartnerId?: string; episodeType?: string; channel?: string };
}

interface EntryRow {
  episode_id: string;
  kind: TimelineEntry['kind'];
  position_commit: string;
  position_prepare: string;
  actor: unknown;
  data: Record<string, unknown>;
  recorded_at?: Date | string;
}

/**
 * One page of a customer's relationship history: `limit` entries in the store's global order (one
 * indexed range scan), grouped by the episodes they belong to; each episode carries its name,
 * owner, stage and closing as of `asOf` (a second indexed query over those episodes' few non-
 * interaction entries). Every service reads the same projection, so every service shows the same
 * history in the same order. The cost of a page does not grow with the length of the history.
 */
export async function readTimeline(manager: EntityManager, q: TimelineQuery): Promise<TimelinePage> {
  const table = manager.getRepository(TimelineEntry).metadata.tablePath;
  const params: unknown[] = [q.customerIds ? [...q.customerIds] : [q.customerId]];
  let where = 't.customer_id = ANY($1::text[])';
  if (q.asOf) {
    params.push(q.asOf.toISOString());
    where += ` AND t.recorded_at <= $${params.length}`;
  }
  if (q.partnerId) {
    params.push(q.partnerId);
    where += ` AND (t.owner_partner_id IS NULL OR t.owner_partner_id = $${params.length})`;
    if (q.episodeTypes) {
      // the episode's type is on its opening entry (same table, same episode)
      params.push([...q.episodeTypes]);
      where += ` AND (t.owner_partner_id = $${params.length - 1} OR EXISTS (SELECT 1 FROM ${table} o WHERE o.episode_id = t.episode_id AND o.kind = 'EpisodeOpened' AND o.data->>'episodeType' = ANY($${params.length}::text[])))`;
    }
  }
  const f = q.filter ?? {};
  if (f.ownerPartnerId) {
    params.push(f.ownerPartnerId);
    where += ` AND t.owner_partner_id = $${params.length}`;
  }
  if (f.department) {
    // a department's episodes carry no partner; which department owns it is on its opening entry
    params.push(f.department);
    where += ` AND t.owner_partner_id IS NULL AND EXISTS (SELECT 1 FROM ${table} o WHERE o.episode_id = t.episode_id AND o.kind = 'EpisodeOpened' AND o.data->'owner'->>'department' = $${params.length})`;
  }
  if (f.episodeType) {
    params.push(f.episodeType);
    where += ` AND EXISTS (SELECT 1 FROM ${table} o WHERE o.episode_id = t.episode_id AND o.kind = 'EpisodeOpened' AND o.data->>'episodeType' = $${params.length})`;
  }
  if (f.channel) {
    params.push(f.channel);
    where += ` AND t.kind = 'InteractionRecorded' AND t.data->'interaction'->>'channel' = $${params.length}`;
  }
  if (q.cursor) {
    const p = parsePosition(q.cursor);
    params.push(String(p.commit), String(p.prepare));
    where += ` AND (t.position_commit, t.position_prepare) ${q.newestFirst ? '<' : '>'} ($${params.length - 1}::bigint, $${params.length}::bigint)`;
  }
  params.push(q.limit + 1);
  const dir = q.newestFirst ? 'DESC' : 'ASC';
  // Output names shadow column names in ORDER BY: order by the qualified columns (bigint, indexed),
  // never by the text aliases.
  const found = (await manager.query(
    `SELECT t.episode_id, t.kind, t.position_commit::text AS position_commit, t.position_prepare::text AS position_prepare, t.actor, t.data
     FROM ${table} t WHERE ${where} ORDER BY t.position_commit ${dir}, t.position_prepare ${dir} LIMIT $${params.length}`,
    params,
  )) as EntryRow[];
  const page = found.slice(0, q.limit);

  const episodeIds = [...new Set(page.map((e) => e.episode_id))];
  const headers = await episodeHeaders(manager, table, episodeIds, q.asOf, q.partnerId);
  const episodes = new Map<string, TimelineEpisode>();
  for (const e of page) {
    let episode = episodes.get(e.episode_id);
    if (!episode) {
      episode = headers.get(e.episode_id);
      if (!episode) continue; // opened after asOf: cannot have entries before it; defensive only
      episode = { ...episode, interactions: [] };
      episodes.set(e.episode_id, episode);
    }
    if (e.kind === 'InteractionRecorded') {
      const i = e.data.interaction as Omit<TimelineInteraction, 'recordedBy' | 'position'>;
      const shown = { ...i, recordedBy: e.actor, position: `${e.position_commit}/${e.position_prepare}` };
      episode.interactions.push(q.partnerId ? withoutOtherPartnersPeople(shown, q.partnerId) : shown);
    }
  }
  const last = page[page.length - 1];
  return {
    customerId: q.customerId,
    ...(q.asOf ? { asOf: q.asOf.toISOString() } : {}),
    order: q.newestFirst ? 'newest-first' : 'oldest-first',
    episodes: [...episodes.values()],
    entries: page.length,
    ...(found.length > q.limit && last ? { nextCursor: `${last.position_commit}/${last.position_prepare}` } : {}),
  };
}

/**
 * An interaction as a partner reads it: one that another partner's person recorded (a repair
 * provider's note on a return's episode) is kept — what happened to the customer's item is part of
 * the shared relationship — but who recorded it, and for which partner, is left out, as on the
 * return's steps.
 */
function withoutOtherPartnersPeople(i: TimelineInteraction, reader: string): TimelineInteraction {
  const by = i.recordedBy as { type?: unknown; partnerId?: unknown } | null;
  if (!by || typeof by.partnerId !== 'string' || by.partnerId === reader) return i;
  const actor = i.actor as { kind?: unknown } | null;
  return {
    ...i,
    recordedBy: { type: by.type },
    actor: actor && actor.kind !== 'customer' && actor.kind !== 'system' ? { kind: actor.kind } : i.actor,
  };
}

/**
 * A return step as a partner reads it: which other partner repairs the item (and which of its people
 * acted) is that partner's business with the company, not the reader's — left out, the step kept.
 */
function withoutOtherPartners(data: Record<string, unknown>, reader: string): Record<string, unknown> {
  const out = { ...data };
  const othersStep = typeof out.partnerId === 'string' && out.partnerId !== reader;
  if (othersStep) delete out.partnerId;
  if (typeof out.previousPartnerId === 'string' && out.previousPartnerId !== reader) delete out.previousPartnerId;
  for (const by of ['updatedBy', 'changedBy'] as const) {
    const v = out[by];
    if (typeof v === 'string' && ((v.startsWith('partner:') && v !== `partner:${reader}`) || (othersStep && by === 'changedBy'))) delete out[by];
  }
  return out;
}

/** Each episode's opening, stage moves and closing (as of `asOf`), folded into its header. */
async function episodeHeaders(
  manager: EntityManager,
  table: string,
  episodeIds: string[],
  asOf: Date | undefined,
  partnerId?: string,
): Promise<Map<string, TimelineEpisode>> {
  const headers = new Map<string, TimelineEpisode>();
  if (episodeIds.length === 0) return headers;
  const params: unknown[] = [episodeIds];
  if (asOf) params.push(asOf.toISOString());
  const rows = (await manager.query(
    `SELECT t.episode_id, t.kind, t.position_commit::text AS position_commit, t.position_prepare::text AS position_prepare, t.actor, t.data, t.recorded_at
     FROM ${table} t WHERE t.episode_id = ANY($1::text[]) AND t.kind IN ('EpisodeOpened', 'OpportunityStageAdvanced', 'OpportunityStageChanged', 'EpisodeClosed', 'CaseReopened',
       'ReturnRequested', 'ReturnAuthorised', 'ReturnDenied', 'ReturnShipmentUpdated', 'RepairAssigned', 'RepairStatusChanged')
     ${asOf ? 'AND t.recorded_at <= $2' : ''} ORDER BY t.position_commit, t.position_prepare`,
    params,
  )) as EntryRow[];
  for (const e of rows) {
    const d = e.data;
    if (e.kind === 'EpisodeOpened') {
      headers.set(e.episode_id, {
        episodeId: e.episode_id,
        name: String(d.name),
        episodeType: String(d.episodeType),
        owner: d.owner as TimelineEpisode['owner'],
        openedAt: String(d.openedAt),
        ...(d.stage ? { stage: String(d.stage) } : {}),
        ...(!partnerId && typeof d.opportunityId === 'string' ? { opportunityId: d.opportunityId } : {}),
        stageHistory: [],
        interactions: [],
        position: `${e.position_commit}/${e.position_prepare}`,
        ...(e.recorded_at && { recordedAt: new Date(e.recorded_at).toISOString() }),
      });
      continue;
    }
    const episode = headers.get(e.episode_id);
    if (!episode) continue;
    if (e.kind === 'OpportunityStageAdvanced') {
      episode.stage = String(d.to);
      episode.stageHistory.push({ from: String(d.from), to: String(d.to), advancedAt: String(d.advancedAt) });
    } else if (e.kind === 'OpportunityStageChanged') {
      episode.stage = String(d.to);
      episode.stageHistory.push({
        from: String(d.from),
        to: String(d.to),
        advancedAt: String(d.changedAt),
        ...(d.backward === true && { backward: true }),
        ...(d.reason !== undefined && { reason: String(d.reason) }),
      });
    } else if (e.kind === 'ReturnRequested') {
      episode.caseEpisodeId = String(d.caseEpisodeId);
    } else if ((RETURN_STEP_KINDS as readonly string[]).includes(e.kind)) {
      const { episodeId: _e, customerId: _c, ...rest } = d;
      (episode.returnSteps ??= []).push({ kind: e.kind, at: stepTime(e.kind, d), data: partnerId ? withoutOtherPartners(rest, partnerId) : rest });
    } else if (e.kind === 'CaseReopened') {
      // The case's episode is open again (until its next closing).
      delete episode.closed;
      episode.reopened = { count: (episode.reopened?.count ?? 0) + 1, lastReopenedAt: String(d.reopenedAt) };
    } else {
      episode.closed = {
        outcome: String(d.outcome),
        closedAt: String(d.closedAt),
        ...(d.value !== undefined ? { value: d.value as number } : {}),
        ...(d.currency !== undefined ? { currency: d.currency as string } : {}),
        ...(d.reason !== undefined ? { reason: d.reason as string } : {}),
      };
    }
  }
  return headers;
}

export async function customerExists(manager: EntityManager, customerId: string): Promise<boolean> {
  return (await manager.getRepository(CustomerDirectoryEntry).countBy({ customerId })) > 0;
}

/** A partner reads a customer only while a grant is in force; checked where the data is read. */
/** Whether the read model grants `customerId` to the partner; with `at`, only if the grant has not expired by then. */
export async function partnerMayRead(manager: EntityManager, partnerId: string, customerId: string, at?: Date): Promise<boolean> {
  const row = await manager.getRepository(PartnerAccess).findOneBy({ partnerId, customerId, granted: true });
  if (!row) return false;
  return !(at && row.expiresAt && row.expiresAt.getTime() <= at.getTime());
}

/**
 * Fills `owner_partner_id` on entries written before the column existed (from their episode's
 * opening), so a partner's page never shows another partner's entries of an old database.
 */
export async function backfillTimelineOwners(manager: EntityManager): Promise<void> {
  const table = manager.getRepository(TimelineEntry).metadata.tablePath;
  await manager.query(
    `UPDATE ${table} t SET owner_partner_id = o.data->'owner'->>'partnerId'
     FROM ${table} o
     WHERE t.owner_partner_id IS NULL AND o.episode_id = t.episode_id AND o.kind = 'EpisodeOpened' AND o.data->'owner'->>'kind' = 'partner'`,
  );
}
