import { CustomerMerge } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { loadPurchaseOccasions } from '../purchases/purchase-occasions';
import type { CustomerFacts } from './churn-features';
import { PropensityCustomer, PropensityEpisode, PropensityInteraction, PropensityOrder } from './propensity-facts.entities';

/**
 * Survivor of every merged customer id, as the merges stood at `asOf` (now when absent), chains
 * followed (B merged into A, A into D: B is D). A merged customer's facts are its survivor's.
 */
/** Drivers differ: pg parses timestamptz into Date, others may hand back strings. */
const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const maybeDate = (v: Date | string | null): Date | null => (v === null ? null : date(v));

export async function survivorsOf(manager: EntityManager, asOf?: Date): Promise<Map<string, string>> {
  const table = manager.getRepository(CustomerMerge).metadata.tablePath;
  const rows = (await (asOf
    ? manager.query(`SELECT duplicate_id, survivor_id FROM ${table} WHERE merged_at <= $1 AND (unmerged_at IS NULL OR unmerged_at > $1)`, [asOf.toISOString()])
    : manager.query(`SELECT duplicate_id, survivor_id FROM ${table} WHERE unmerged_at IS NULL`))) as { duplicate_id: string; survivor_id: string }[];
  const direct = new Map(rows.map((r) => [r.duplicate_id, r.survivor_id]));
  const resolved = new Map<string, string>();
  for (const id of direct.keys()) {
    let current = id;
    for (let depth = 0; depth < 50 && direct.has(current); depth++) current = direct.get(current)!;
    resolved.set(id, current);
  }
  return resolved;
}

/**
 * The dated facts of customers, grouped by survivor: all customers, or those of `customerIds` (a
 * survivor with the ids merged into it). Only facts dated at or before `until` are read — training
 * as of T reads up to T + window, scoring up to now.
 */
export async function loadCustomerFacts(
  manager: EntityManager,
  options: {
    until: Date;
    /** The instant the money is as of (net of the returns made by then): T when training, now when scoring. Default `until`. */
    moneyAsOf?: Date;
    customerIds?: readonly string[];
    survivors?: ReadonlyMap<string, string>;
    /** false: leave `spend` empty (where the purchase history's tables are not at hand). Default true. */
    money?: boolean;
  },
): Promise<Map<string, CustomerFacts>> {
  const survivors = options.survivors ?? (await survivorsOf(manager));
  const facts = new Map<string, CustomerFacts>();
  const of = (customerId: string): CustomerFacts => {
    const id = survivors.get(customerId) ?? customerId;
    let f = facts.get(id);
    if (!f) facts.set(id, (f = { customerId: id, registeredAt: null, orders: [], episodes: [], interactions: [], spend: [] }));
    return f;
  };
  const ids = options.customerIds ? [...options.customerIds] : undefined;
  const where = (dateColumn: string) => `${dateColumn} <= $1${ids ? ' AND customer_id = ANY($2::text[])' : ''}`;
  const params = ids ? [options.until.toISOString(), ids] : [options.until.toISOString()];
  const table = (entity: Function) => manager.getRepository(entity).metadata.tablePath;

  const customers = (await manager.query(`SELECT customer_id, registered_at FROM ${table(PropensityCustomer)} WHERE ${where('registered_at')}`, params)) as {
    customer_id: string;
    registered_at: Date;
  }[];
  for (const r of customers) {
    const f = of(r.customer_id);
    // A survivor's relationship began with the earliest of the customers merged into it.
    const at = date(r.registered_at);
    if (!f.registeredAt || at < f.registeredAt) f.registeredAt = at;
  }
  const orders = (await manager.query(`SELECT customer_id, order_date, cancelled_at FROM ${table(PropensityOrder)} WHERE ${where('order_date')}`, params)) as {
    customer_id: string;
    order_date: Date;
    cancelled_at: Date | null;
  }[];
  for (const r of orders) of(r.customer_id).orders.push({ orderDate: date(r.order_date), cancelledAt: maybeDate(r.cancelled_at) });
  const episodes = (await manager.query(
    `SELECT customer_id, episode_type, channel, opened_at, closed_at, outcome FROM ${table(PropensityEpisode)} WHERE ${where('opened_at')}`,
    params,
  )) as { customer_id: string; episode_type: string; channel: string | null; opened_at: Date; closed_at: Date | null; outcome: string | null }[];
  for (const r of episodes) {
    // A closing after `until` had not happened yet.
    const closedAt = maybeDate(r.closed_at);
    const closed = closedAt !== null && closedAt <= options.until;
    of(r.customer_id).episodes.push({
      episodeType: r.episode_type,
      channel: r.channel,
      openedAt: date(r.opened_at),
      closedAt: closed ? closedAt : null,
      outcome: closed ? r.outcome : null,
    });
  }
  const interactions = (await manager.query(
    `SELECT customer_id, episode_type, channel, direction, actor_kind, occurred_at FROM ${table(PropensityInteraction)} WHERE ${where('occurred_at')}`,
    params,
  )) as { customer_id: string; episode_type: string; channel: string; direction: string; actor_kind: string; occurred_at: Date }[];
  for (const r of interactions)
    of(r.customer_id).interactions.push({
      episodeType: r.episode_type,
      channel: r.channel,
      direction: r.direction,
      actorKind: r.actor_kind,
      occurredAt: date(r.occurred_at),
    });
  // Money in one reporting currency (purchases/purchase-occasions.ts): never added across currencies.
  if (options.money === false) return facts;
  const money = await loadPurchaseOccasions(manager, { asOf: options.moneyAsOf ?? options.until, ...(ids && { customerIds: ids }) });
  for (const o of money.occasions) of(o.customerId).spend.push({ day: o.day, amount: o.amount });
  return facts;
}
