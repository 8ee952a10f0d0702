import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerExists, mergedCustomerIds, resolveCustomerId } from '@crm/relationship-read-models';
import { SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { In } from 'typeorm';
import { OrderPurchase } from '../purchase-history.entities';
import { loadPurchaseOccasions } from '../purchase-occasions';

export interface PurchaseView {
  orderId: string;
  orderDate: string;
  currency: string;
  /** Minor units. */
  total: number;
  refunded: number;
  status: string;
  lineCount: number;
  source: string;
  quoteId?: string;
  opportunityId?: string;
  /** Sell-through: the partner that sold it (issue 14 §6). */
  partnerId?: string;
}

export interface CustomerPurchasesView {
  customerId: string;
  /** Newest first. */
  orders: PurchaseView[];
  /** Per currency (never added across currencies): orders not cancelled, and what they came to net of refunds, in minor units. */
  byCurrency: Record<string, { orders: number; net: number }>;
  /** Days with at least one order not cancelled: several orders on one day are one purchase occasion (as the CLV models count them). */
  purchaseOccasions: number;
  lastOrderDate: string | null;
  /**
   * The same orders in the reporting currency (CRM_REPORTING_CURRENCY), each converted with the rate in
   * force on its day (docs/analytics.md): net total, purchase occasions, and what could not be converted.
   */
  inReportingCurrency: { currency: string; net: number; purchaseOccasions: number; unconverted: { orders: number; currencies: string[] } };
}

/** A customer's purchase history from analytics' own read model (fed by the order events). */
@Injectable()
export class GetCustomerPurchasesHandler {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async handle(customerId: string): Promise<CustomerPurchasesView> {
    const manager = this.readModels.dataSource.manager;
    // A merged customer's history is its survivor's, which includes what was merged into it.
    const survivor = await resolveCustomerId(manager, customerId);
    const ids = await mergedCustomerIds(manager, survivor);
    const rows = await manager.getRepository(OrderPurchase).find({ where: { customerId: In(ids) }, order: { orderDate: 'DESC', orderId: 'ASC' } });
    if (rows.length === 0 && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
    const orders = rows.map((r): PurchaseView => ({
      orderId: r.orderId,
      orderDate: r.orderDate.toISOString(),
      currency: r.currency,
      total: Number(r.total),
      refunded: Number(r.refunded),
      status: r.status,
      lineCount: r.lineCount,
      source: r.source,
      ...(r.quoteId && { quoteId: r.quoteId }),
      ...(r.opportunityId && { opportunityId: r.opportunityId }),
      ...(r.partnerId && { partnerId: r.partnerId }),
    }));
    const kept = orders.filter((o) => o.status !== 'cancelled');
    const byCurrency: CustomerPurchasesView['byCurrency'] = {};
    for (const o of kept) {
      const c = (byCurrency[o.currency] ??= { orders: 0, net: 0 });
      c.orders += 1;
      c.net += o.total - o.refunded;
    }
    const converted = await loadPurchaseOccasions(manager, { customerIds: [survivor], reportingCurrency: this.config.CRM_REPORTING_CURRENCY });
    return {
      customerId: survivor,
      orders,
      byCurrency,
      purchaseOccasions: new Set(kept.map((o) => o.orderDate.slice(0, 10))).size,
      lastOrderDate: kept[0]?.orderDate ?? null,
      inReportingCurrency: {
        currency: converted.reportingCurrency,
        net: converted.occasions.reduce((sum, o) => sum + o.amount, 0),
        purchaseOccasions: converted.occasions.length,
        unconverted: converted.unconverted,
      },
    };
  }
}
