import type { CrmIntegrationEvent, EpisodeOpenedV1 } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { CUSTOMER_METRICS_ENTITIES, CustomerMetrics, CustomerPurchase, EpisodeOwner } from './customer-metrics.entities';

/** The events the customer metrics count. */
export type CustomerMetricsEvent = CrmIntegrationEvent<'CustomerRegistered' | 'EpisodeOpened' | 'InteractionRecorded' | 'EpisodeClosed'>;

/**
 * The department key an owner counts under: `sales`, `service`… or `partner:<id>`. The contract
 * leaves `department` and `partnerId` optional (the domain always sets them); without them the key
 * is what it always was: `undefined` (the opening is then parked: `episode_owners.owner` is NOT
 * NULL) or `partner:undefined`.
 */
export function ownerKey(owner: EpisodeOpenedV1['owner']): string | undefined {
  return owner.kind === 'partner' ? `partner:${owner.partnerId}` : owner.department;
}

/** Who owns an episode and what kind it is: InteractionRecorded and EpisodeClosed do not say. */
export interface EpisodeOwnership {
  owner: string | undefined;
  episodeType: string;
}

/** What a batch of events adds to one customer's metrics. */
export interface MetricsDelta {
  interactions: number;
  byChannel: Record<string, number>;
  byDepartment: Record<string, number>;
  lastInteractionAt: string | null;
  won: number;
  /** Kept as the JSON numbers they were, summed by PostgreSQL as numeric: exact, unlike adding doubles. */
  wonValues: number[];
  lastPurchaseAt: string | null;
}

/** Everything a batch writes: episodes' owners (first opening of each), purchases, and one delta per customer. */
export interface CustomerMetricsChanges {
  newOwners: { episodeId: string; customerId: string; episodeType: string; owner: string | undefined }[];
  purchases: { episodeId: string; customerId: string; closedAt: string; value: string; currency: string | null; episodeType: string }[];
  deltas: Map<string, MetricsDelta>;
}

const later = (a: string | null, b: string): string => (a === null || Date.parse(b) > Date.parse(a) ? b : a);

/** The episodes whose interactions or closings a batch counts without opening them: their owners are looked up. */
export function episodesToLookUp(events: readonly CustomerMetricsEvent[]): string[] {
  const opened = new Set(events.flatMap((e) => (e.type === 'EpisodeOpened' ? [e.data.episodeId] : [])));
  const counted = events.flatMap((e) => (e.type === 'InteractionRecorded' || e.type === 'EpisodeClosed' ? [e.data.episodeId] : []));
  return [...new Set(counted)].filter((id) => !opened.has(id));
}

/**
 * The pure part of the projection: a batch of events folded into what it writes. `storedOwners`
 * holds the owners of the episodes `episodesToLookUp` named, as the table has them; an episode
 * neither opened in the batch nor stored counts under `unknown`.
 */
export function foldCustomerMetrics(events: readonly CustomerMetricsEvent[], storedOwners: ReadonlyMap<string, EpisodeOwnership>): CustomerMetricsChanges {
  const owners = new Map(storedOwners);
  const newOwners: CustomerMetricsChanges['newOwners'] = [];
  const opened = new Set<string>();
  for (const e of events) {
    if (e.type !== 'EpisodeOpened') continue;
    const d = e.data;
    const o = { owner: ownerKey(d.owner), episodeType: d.episodeType };
    if (!opened.has(d.episodeId)) newOwners.push({ episodeId: d.episodeId, customerId: d.customerId, ...o });
    opened.add(d.episodeId);
    owners.set(d.episodeId, o);
  }
  const changes: CustomerMetricsChanges = { newOwners, purchases: [], deltas: new Map() };
  for (const e of events) evolve(changes, e, owners);
  return changes;
}

/** One event's change to a batch's metrics. */
function evolve(changes: CustomerMetricsChanges, e: CustomerMetricsEvent, owners: ReadonlyMap<string, EpisodeOwnership>): void {
  const delta = (customerId: string): MetricsDelta => {
    let d = changes.deltas.get(customerId);
    if (!d)
      changes.deltas.set(
        customerId,
        (d = { interactions: 0, byChannel: {}, byDepartment: {}, lastInteractionAt: null, won: 0, wonValues: [], lastPurchaseAt: null }),
      );
    return d;
  };
  switch (e.type) {
    case 'CustomerRegistered':
    case 'EpisodeOpened':
      delta(e.data.customerId); // the customer has a row (all zeros) from its first event on
      return;
    case 'InteractionRecorded': {
      const d = e.data;
      const m = delta(d.customerId);
      const department = owners.get(d.episodeId)?.owner ?? 'unknown';
      m.interactions++;
      m.byChannel[d.interaction.channel] = (m.byChannel[d.interaction.channel] ?? 0) + 1;
      m.byDepartment[department] = (m.byDepartment[department] ?? 0) + 1;
      m.lastInteractionAt = later(m.lastInteractionAt, d.interaction.occurredAt);
      return;
    }
    case 'EpisodeClosed': {
      const d = e.data;
      if (d.outcome !== 'won') return; // only opportunities and partner deals close as won
      const m = delta(d.customerId);
      m.won++;
      m.wonValues.push(d.value ?? 0);
      m.lastPurchaseAt = later(m.lastPurchaseAt, d.closedAt);
      changes.purchases.push({
        episodeId: d.episodeId,
        customerId: d.customerId,
        closedAt: d.closedAt,
        value: String(d.value ?? 0),
        currency: d.currency ?? null,
        episodeType: owners.get(d.episodeId)?.episodeType ?? 'unknown',
      });
      return;
    }
  }
}

/**
 * Analytical CRM's per-customer metrics, from every service's events: every interaction (by channel,
 * and by the department or partner owning its episode) and every purchase (an opportunity or partner
 * deal closed as won). A batch of events is folded into one delta per customer in memory
 * (`foldCustomerMetrics`), then written with a handful of statements whatever its size: one upsert
 * adding the deltas to the stored counters (jsonb counters merged key by key, GREATEST for the latest
 * times), one insert of the episodes' owners and one of the purchases. Adding is what makes it
 * correct in whatever instance applies it; the runner applies each event once. `episode_owners`
 * remembers each episode's owner and type, since the later events of an episode do not carry them.
 */
export function customerMetricsProjection(owner = 'analytics'): Projection<CustomerMetricsEvent> {
  const applyBatch = async (events: readonly CustomerMetricsEvent[], manager: EntityManager) => {
    const tables = {
      metrics: manager.getRepository(CustomerMetrics).metadata.tablePath,
      owners: manager.getRepository(EpisodeOwner).metadata.tablePath,
      purchases: manager.getRepository(CustomerPurchase).metadata.tablePath,
    };
    // Owners of the episodes this batch touches without opening them: already stored.
    const stored = new Map<string, EpisodeOwnership>();
    const unknown = episodesToLookUp(events);
    if (unknown.length) {
      const found = (await manager.query(`SELECT episode_id, owner, episode_type FROM ${tables.owners} WHERE episode_id = ANY($1::text[])`, [unknown])) as {
        episode_id: string;
        owner: string;
        episode_type: string;
      }[];
      for (const r of found) stored.set(r.episode_id, { owner: r.owner, episodeType: r.episode_type });
    }
    const { newOwners, purchases, deltas } = foldCustomerMetrics(events, stored);

    // Each statement takes its rows as one JSON parameter.
    if (newOwners.length) {
      await manager.query(
        `INSERT INTO ${tables.owners} (episode_id, customer_id, episode_type, owner)
         SELECT "episodeId", "customerId", "episodeType", owner FROM jsonb_to_recordset($1::jsonb) AS r("episodeId" text, "customerId" text, "episodeType" text, owner text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(newOwners)],
      );
    }
    if (purchases.length) {
      await manager.query(
        `INSERT INTO ${tables.purchases} (episode_id, customer_id, closed_at, value, currency, episode_type)
         SELECT "episodeId", "customerId", "closedAt", value, currency, "episodeType"
         FROM jsonb_to_recordset($1::jsonb) AS r("episodeId" text, "customerId" text, "closedAt" timestamptz, value numeric, currency text, "episodeType" text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(purchases)],
      );
    }
    if (deltas.size) {
      const rows = [...deltas].map(([id, d]) => ({
        id,
        n: d.interactions,
        ch: d.byChannel,
        dep: d.byDepartment,
        li: d.lastInteractionAt,
        won: d.won,
        vals: d.wonValues,
        lp: d.lastPurchaseAt,
      }));
      await manager.query(
        `INSERT INTO ${tables.metrics} AS t (customer_id, interactions_total, interactions_by_channel, interactions_by_department, last_interaction_at, won_count, won_value, last_purchase_at)
         SELECT d.id, d.n, d.ch, d.dep, d.li, d.won, (SELECT COALESCE(sum(v::numeric), 0) FROM jsonb_array_elements_text(d.vals) AS v), d.lp
         FROM jsonb_to_recordset($1::jsonb) AS d(id text, n int, ch jsonb, dep jsonb, li timestamptz, won int, vals jsonb, lp timestamptz)
         ON CONFLICT (customer_id) DO UPDATE SET
           interactions_total = t.interactions_total + EXCLUDED.interactions_total,
           interactions_by_channel = ${mergeCounters('t.interactions_by_channel', 'EXCLUDED.interactions_by_channel')},
           interactions_by_department = ${mergeCounters('t.interactions_by_department', 'EXCLUDED.interactions_by_department')},
           last_interaction_at = GREATEST(t.last_interaction_at, EXCLUDED.last_interaction_at),
           won_count = t.won_count + EXCLUDED.won_count,
           won_value = t.won_value + EXCLUDED.won_value,
           last_purchase_at = GREATEST(t.last_purchase_at, EXCLUDED.last_purchase_at)`,
        [JSON.stringify(rows)],
      );
    }
  };
  return {
    name: `${owner}.customer-metrics`,
    entities: CUSTOMER_METRICS_ENTITIES,
    handles: ['CustomerRegistered', 'EpisodeOpened', 'InteractionRecorded', 'EpisodeClosed'],
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}

/** Two jsonb objects of counters added key by key (`{a:1} + {a:2,b:1}` = `{a:3,b:1}`). */
function mergeCounters(a: string, b: string): string {
  return `(SELECT COALESCE(jsonb_object_agg(k, COALESCE((${a} ->> k)::int, 0) + COALESCE((${b} ->> k)::int, 0)), '{}'::jsonb) FROM jsonb_object_keys(${a} || ${b}) AS k)`;
}
