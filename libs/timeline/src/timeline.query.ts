import type { EntityManager } from 'typeorm';
import { CustomerDirectoryEntry, PartnerAccess, TimelineEntry } from './timeline.entities';

export interface TimelineInteraction {
  interactionId: string;
  channel: string;
  direction: string;
  actor: unknown;
  action: string;
  response?: string;
  occurredAt: string;
  recordedBy: unknown;
}

export interface TimelineEpisode {
  episodeId: string;
  name: string;
  episodeType: string;
  owner: { kind: 'department'; department: string } | { kind: 'partner'; partnerId: string };
  openedAt: string;
  stage?: string;
  stageHistory: { from: string; to: string; advancedAt: string }[];
  closed?: { outcome: string; closedAt: string; value?: number; currency?: string };
  interactions: TimelineInteraction[];
  /** Position of the opening event: the page cursor. */
  position: string;
}

export interface TimelinePage {
  customerId: string;
  asOf?: string;
  episodes: TimelineEpisode[];
  nextCursor?: string;
}

export interface TimelineQuery {
  customerId: string;
  /** Only what the store had recorded at this instant: the history exactly as it stood then. */
  asOf?: Date;
  /** Episodes after this cursor (opaque, from `nextCursor`). */
  cursor?: string;
  limit: number;
  /** Scope to one partner: another partner's episodes are left out. */
  partnerId?: string;
}

/**
 * One customer's relationship history: episodes in the order they opened (the store's global order),
 * each with its interactions in that same order. Every service reads the same projection, so every
 * service shows the same history in the same order.
 */
export async function readTimeline(manager: EntityManager, q: TimelineQuery): Promise<TimelinePage> {
  const qb = manager
    .getRepository(TimelineEntry)
    .createQueryBuilder('t')
    .where('t.customer_id = :customerId', { customerId: q.customerId })
    .orderBy('t.position_commit', 'ASC')
    .addOrderBy('t.position_prepare', 'ASC');
  if (q.asOf) qb.andWhere('t.recorded_at <= :asOf', { asOf: q.asOf });
  const entries = await qb.getMany();

  const episodes = new Map<string, TimelineEpisode>();
  for (const e of entries) {
    const d = e.data as Record<string, unknown>;
    if (e.kind === 'EpisodeOpened') {
      episodes.set(e.episodeId, {
        episodeId: e.episodeId,
        name: String(d.name),
        episodeType: String(d.episodeType),
        owner: d.owner as TimelineEpisode['owner'],
        openedAt: String(d.openedAt),
        stage: d.stage as string | undefined,
        stageHistory: [],
        interactions: [],
        position: `${e.positionCommit}/${e.positionPrepare}`,
      });
      continue;
    }
    const episode = episodes.get(e.episodeId);
    if (!episode) continue; // opened after asOf cannot have later children; defensive only
    if (e.kind === 'InteractionRecorded') {
      const i = d.interaction as Omit<TimelineInteraction, 'recordedBy'>;
      episode.interactions.push({ ...i, recordedBy: e.actor });
    } else if (e.kind === 'OpportunityStageAdvanced') {
      episode.stage = String(d.to);
      episode.stageHistory.push({ from: String(d.from), to: String(d.to), advancedAt: String(d.advancedAt) });
    } else if (e.kind === 'EpisodeClosed') {
      episode.closed = { outcome: String(d.outcome), closedAt: String(d.closedAt), value: d.value as number | undefined, currency: d.currency as string | undefined };
    }
  }

  let list = [...episodes.values()];
  if (q.partnerId) list = list.filter((ep) => ep.owner.kind === 'department' || ep.owner.partnerId === q.partnerId);
  if (q.cursor) {
    const at = list.findIndex((ep) => ep.position === q.cursor);
    list = at >= 0 ? list.slice(at + 1) : list.filter((ep) => comparePosition(ep.position, q.cursor as string) > 0);
  }
  const page = list.slice(0, q.limit);
  return {
    customerId: q.customerId,
    asOf: q.asOf?.toISOString(),
    episodes: page,
    nextCursor: list.length > q.limit ? page[page.length - 1].position : undefined,
  };
}

function comparePosition(a: string, b: string): number {
  const [ac, ap] = a.split('/').map(BigInt);
  const [bc, bp] = b.split('/').map(BigInt);
  if (ac !== bc) return ac < bc ? -1 : 1;
  return ap === bp ? 0 : ap < bp ? -1 : 1;
}

export async function customerExists(manager: EntityManager, customerId: string): Promise<boolean> {
  return (await manager.getRepository(CustomerDirectoryEntry).countBy({ customerId })) > 0;
}

/** A partner reads a customer only while a grant is in force; checked where the data is read. */
export async function partnerMayRead(manager: EntityManager, partnerId: string, customerId: string): Promise<boolean> {
  return (await manager.getRepository(PartnerAccess).countBy({ partnerId, customerId, granted: true })) > 0;
}
