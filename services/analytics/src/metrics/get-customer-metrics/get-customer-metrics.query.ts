import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK } from '@crm/service-kit';
import { customerExists } from '@crm/relationship-read-models';
import { CustomerMetrics, CustomerPurchase } from '../customer-metrics.entities';

const DAY_MS = 86_400_000;

export interface CustomerMetricsView {
  customerId: string;
  interactions: { total: number; byChannel: Record<string, number>; byDepartment: Record<string, number> };
  lastInteractionAt: string | null;
  lastPurchaseAt: string | null;
  /**
   * RFM inputs. recencyDays: whole days since the last purchase (null: none yet). frequency and
   * monetary: purchases and money spent in the last `periodDays` days, or over the whole relationship
   * when `periodDays` is null.
   */
  rfm: { recencyDays: number | null; frequency: number; monetary: number; periodDays: number | null };
}

/** One customer's interaction counts and RFM inputs, as of the clock's now. */
@Injectable()
export class GetCustomerMetricsHandler {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(customerId: string, periodDays?: number): Promise<CustomerMetricsView> {
    const now = this.clock.now();
    const manager = this.readModels.dataSource.manager;
    const row = await manager.getRepository(CustomerMetrics).findOneBy({ customerId });
    // The directory and the metrics are separate projections: either may be a moment ahead.
    if (!row && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);

    let frequency = row?.wonCount ?? 0;
    let monetary = Number(row?.wonValue ?? 0);
    if (periodDays !== undefined) {
      const since = new Date(now.getTime() - periodDays * DAY_MS);
      const r = await manager
        .getRepository(CustomerPurchase)
        .createQueryBuilder('p')
        .select('COUNT(*)::int', 'count')
        .addSelect('COALESCE(SUM(p.value), 0)::text', 'total')
        .where('p.customer_id = :customerId', { customerId })
        .andWhere('p.closed_at > :since AND p.closed_at <= :now', { since, now })
        .getRawOne<{ count: number; total: string }>();
      frequency = Number(r?.count ?? 0);
      monetary = Number(r?.total ?? 0);
    }
    const lastPurchaseAt = row?.lastPurchaseAt ?? null;
    return {
      customerId,
      interactions: { total: row?.interactionsTotal ?? 0, byChannel: row?.interactionsByChannel ?? {}, byDepartment: row?.interactionsByDepartment ?? {} },
      lastInteractionAt: row?.lastInteractionAt?.toISOString() ?? null,
      lastPurchaseAt: lastPurchaseAt?.toISOString() ?? null,
      rfm: {
        recencyDays: lastPurchaseAt ? Math.max(0, Math.floor((now.getTime() - lastPurchaseAt.getTime()) / DAY_MS)) : null,
        frequency,
        monetary,
        periodDays: periodDays ?? null,
      },
    };
  }
}
