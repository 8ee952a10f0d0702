import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { OrderPurchase, OrderReturn, PURCHASE_HISTORY_ENTITIES } from './purchase-history.entities';

export type PurchaseHistoryEvent = CrmIntegrationEvent<'OrderPlaced' | 'OrderCancelled' | 'OrderReturned'>;

/**
 * `<owner>.purchase-history`: the sales orders of every customer as analytics counts them. A
 * cancellation or return of an order it never saw placed is an error, so the runner parks it (and
 * the later events of that customer) instead of counting a refund of nothing.
 */
export function purchaseHistoryProjection(owner: string): Projection<PurchaseHistoryEvent> {
  const table = (m: EntityManager) => m.getRepository(OrderPurchase).metadata.tablePath;
  const returns = (m: EntityManager) => m.getRepository(OrderReturn).metadata.tablePath;
  const mustExist = async (m: EntityManager, orderId: string) => {
    if (!(await m.getRepository(OrderPurchase).existsBy({ orderId }))) throw new Error(`order ${orderId} was never placed`);
  };
  return {
    name: `${owner}.purchase-history`,
    entities: PURCHASE_HISTORY_ENTITIES,
    handles: ['OrderPlaced', 'OrderCancelled', 'OrderReturned'],
    async apply(event, m) {
      switch (event.type) {
        case 'OrderPlaced': {
          const d = event.data;
          // Version 2 (a partner's reported sale, source sell-through) names the partner; version 1 never does.
          const partnerId = (d as { partnerId?: string }).partnerId ?? null;
          // An order is placed once (its stream starts with it); a second delivery changes nothing.
          // Sell-through orders count like any other (RFM, CLV, occasions read this table): they are the end customer's purchases.
          await m.query(
            `INSERT INTO ${table(m)} (order_id, customer_id, order_date, currency, total, refunded, status, line_count, source, quote_id, opportunity_id, partner_id)
             VALUES ($1, $2, $3, $4, $5, 0, 'placed', $6, $7, $8, $9, $10) ON CONFLICT (order_id) DO NOTHING`,
            [d.orderId, d.customerId, d.orderDate, d.currency, d.total, d.lines.length, d.source, d.quoteId ?? null, d.opportunityId ?? null, partnerId],
          );
          return;
        }
        case 'OrderCancelled': {
          await mustExist(m, event.data.orderId);
          await m.query(`UPDATE ${table(m)} SET status = 'cancelled', refunded = total, cancelled_at = $2 WHERE order_id = $1`, [
            event.data.orderId,
            event.data.cancelledAt,
          ]);
          return;
        }
        case 'OrderReturned': {
          const d = event.data;
          await mustExist(m, d.orderId);
          // Each return once (its id), with its date: the history as of a day counts only the returns made by then.
          await m.query(
            `WITH added AS (
               INSERT INTO ${returns(m)} (return_id, order_id, returned_at, amount) VALUES ($4, $1, $5, $2) ON CONFLICT (return_id) DO NOTHING RETURNING order_id
             )
             UPDATE ${table(m)} SET refunded = refunded + $2, status = CASE WHEN $3::boolean THEN 'returned' ELSE 'partially-returned' END
             WHERE order_id = $1 AND order_id IN (SELECT order_id FROM added)`,
            [d.orderId, d.amount, d.fullyReturned, d.returnId, d.returnedAt],
          );
          return;
        }
      }
    },
  };
}
