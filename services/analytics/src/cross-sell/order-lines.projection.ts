import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { EntityManager } from 'typeorm';
import { CrossSellOrderLine, ORDER_LINES_ENTITIES } from './order-lines.entities';

export type OrderLinesEvent = CrmIntegrationEvent<'OrderPlaced' | 'OrderCancelled'>;

/**
 * `<owner>.order-lines`: the products of every sales order (OrderPlaced carries its lines), for
 * cross-sell. A second delivery of a placement inserts nothing; a cancellation flags the order's lines.
 */
export function orderLinesProjection(owner: string): Projection<OrderLinesEvent> {
  const table = (m: EntityManager) => m.getRepository(CrossSellOrderLine).metadata.tablePath;
  return {
    name: `${owner}.order-lines`,
    entities: ORDER_LINES_ENTITIES,
    handles: ['OrderPlaced', 'OrderCancelled'],
    async apply(event, m) {
      if (event.type === 'OrderCancelled') {
        await m.query(`UPDATE ${table(m)} SET cancelled = true WHERE order_id = $1`, [event.data.orderId]);
        return;
      }
      const d = event.data;
      if (d.lines.length === 0) return;
      const rows = d.lines.map((l) => ({ lineId: l.lineId, productId: l.productId, productName: l.productName ?? null }));
      await m.query(
        `INSERT INTO ${table(m)} (order_id, line_id, customer_id, product_id, product_name, order_date)
         SELECT $1, "lineId", $2, "productId", "productName", $3 FROM jsonb_to_recordset($4::jsonb) AS r("lineId" text, "productId" text, "productName" text)
         ON CONFLICT DO NOTHING`,
        [d.orderId, d.customerId, d.orderDate, JSON.stringify(rows)],
      );
    },
  };
}
