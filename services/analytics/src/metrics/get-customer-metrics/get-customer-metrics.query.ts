import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK } from '@crm/service-kit';
import { customerExists, mergedCustomerIds, resolveCustomerId } from '@crm/relationship-read-models';
import { In } from 'typeorm';
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
    // A merged customer is measured as its survivor, and a survivor together with what was merged into it.
    const survivor = await resolveCustomerId(manager, customerId);
    const ids = await mergedCustomerIds(manager, survivor);
    const row = combine(await manager.getRepository(CustomerMetrics).findBy({ customerId: In(ids) }));
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
        .where('p.customer_id IN (:...ids)', { ids })
        .andWhere('p.closed_at > :since AND p.closed_at <= :now', { since, now })
        .getRawOne<{ count: number; total: string }>();
      frequency = Number(r?.count ?? 0);
      monetary = Number(r?.total ?? 0);
    }
    const lastPurchaseAt = row?.lastPurchaseAt ?? null;
    return {
      customerId: survivor,
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

/** The metrics of several customers (a survivor and those merged into it) as one. */
function combine(rows: CustomerMetrics[]): CustomerMetrics | undefined {
  if (rows.length <= 1) return rows[0];
  const sum = (a: Record<string, number>, b: Record<string, number>) => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const latest = (a: Date | null, b: Date | null) => (a === null ? b : b === null ? a : a > b ? a : b);
  return rows.reduce((a, b) => ({
    customerId: a.customerId,
    interactionsTotal: a.interactionsTotal + b.interactionsTotal,
    interactionsByChannel: sum(a.interactionsByChannel, b.interactionsByChannel),
    interactionsByDepartment: sum(a.interactionsByDepartment, b.interactionsByDepartment),
    lastInteractionAt: latest(a.lastInteractionAt, b.lastInteractionAt),
    wonCount: a.wonCount + b.wonCount,
    // numeric as text; the view reports it as a number anyway
    wonValue: String(Number(a.wonValue) + Number(b.wonValue)),
    lastPurchaseAt: latest(a.lastPurchaseAt, b.lastPurchaseAt),
  }));
}
