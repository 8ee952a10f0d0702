import { mergedCustomerIds, TimelineEntry } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { OrderPurchase } from '../purchases/purchase-history.entities';
import { loadPurchaseOccasions } from '../purchases/purchase-occasions';
import { WINDOW_DAYS, type JourneyFacts } from './journey-rules';

const DAY_MS = 86_400_000;

/**
 * What the journey rules read about one customer (a survivor) at `now`: its purchase occasion days
 * (the purchase history, merged customers included, cancelled and fully returned orders left out,
 * whatever the currency — a day counts even without a rate) and its interactions in the last 90
 * days and the 90 before (the shared timeline, any department or partner).
 */
export async function loadJourneyFacts(m: EntityManager, survivorId: string, now: Date): Promise<JourneyFacts> {
  const ids = await mergedCustomerIds(m, survivorId);
  const history = await loadPurchaseOccasions(m, { asOf: now, customerIds: [survivorId] });
  // Unconverted orders still show behaviour: their days are read separately (amounts do not matter here).
  const days = new Set(history.occasions.map((o) => o.day));
  if (history.unconverted.orders > 0) for (const d of await orderDaysOf(m, ids, now)) days.add(d);
  const timeline = m.getRepository(TimelineEntry).metadata.tablePath;
  const [row] = (await m.query(
    `SELECT COUNT(*) FILTER (WHERE occurred_at > $2 AND occurred_at <= $3)::int AS last90,
            COUNT(*) FILTER (WHERE occurred_at > $1 AND occurred_at <= $2)::int AS previous90
     FROM ${timeline} WHERE customer_id = ANY($4::text[]) AND kind = 'InteractionRecorded'`,
    [new Date(now.getTime() - 2 * WINDOW_DAYS * DAY_MS).toISOString(), new Date(now.getTime() - WINDOW_DAYS * DAY_MS).toISOString(), now.toISOString(), ids],
  )) as { last90: number; previous90: number }[];
  return {
    asOfDay: now.toISOString().slice(0, 10),
    occasionDays: [...days].sort(),
    interactions: { last90: row?.last90 ?? 0, previous90: row?.previous90 ?? 0 },
  };
}

/** The UTC days of the customers' orders by `now` that count (not cancelled, not fully returned), in any currency. */
async function orderDaysOf(m: EntityManager, ids: string[], now: Date): Promise<string[]> {
  const orders = m.getRepository(OrderPurchase).metadata.tablePath;
  const rows = (await m.query(
    `SELECT DISTINCT to_char(order_date AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM ${orders}
     WHERE customer_id = ANY($1::text[]) AND order_date <= $2 AND status <> 'cancelled' AND total > refunded`,
    [ids, now.toISOString()],
  )) as { day: string }[];
  return rows.map((r) => r.day);
}
