import { Inject, Injectable } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { NoServingVersionError, type ReadModelVersions } from '@crm/projections';
import { periodsBetween } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { CLOCK, HttpProblem, ProblemTypes } from '@crm/service-kit';
import { READ_MODEL_VERSIONS } from '../../read-models/read-model-versions.provider';
import { computeKpis, type KpiFact, type KpiPeriod, type KpiResult, type SlaClockFact } from '../kpi-definitions';
import { KPI_FACTS, type KpiFactKind } from '../kpi-facts.projection';
import { SLA_CLOCKS, slaClocksEndingIn } from '../../service-levels/sla-clocks.projection';

export interface KpisView {
  period: 'month' | 'quarter';
  from: string;
  to: string;
  asOf: string;
  /** The version of the facts these were computed from (see GET /read-models). */
  source: { readModel: string; version: number };
  /** Every read model version these were computed from: the facts and, for sla-attainment, the SLA clocks. */
  sources: { readModel: string; version: number }[];
  kpis: KpiResult[];
}

/** Facts whose date does not bound them to the periods asked for: a later cancellation, a later response, an earlier quote or case. */
const UNBOUNDED_BEFORE: KpiFactKind[] = ['order-cancelled', 'interaction', 'quote-drafted', 'episode-opened'];
const UNBOUNDED_AFTER: KpiFactKind[] = ['order-cancelled', 'interaction'];

/** `GET /kpis`: the facts recorded by `asOf` from the serving version of analytics.kpi-facts, through the pure definitions. */
@Injectable()
export class GetKpisHandler {
  constructor(
    @Inject(READ_MODEL_VERSIONS) private readonly versions: ReadModelVersions,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(q: { period: 'month' | 'quarter'; from: string; to: string; asOf?: Date }): Promise<KpisView> {
    const asOf = q.asOf ?? this.clock.now();
    const periods = periodsBetween(q.from, q.to, q.period);
    const context = previousPeriods(periods[0], q.period);
    const servingOf = (readModel: string) =>
      this.versions.serving(readModel).catch((error: unknown) => {
        // Older code than the version the pointer names: say so rather than answer from the wrong tables.
        if (error instanceof NoServingVersionError) throw new HttpProblem(503, error.message, { type: ProblemTypes.notReady });
        throw error;
      });
    const serving = await servingOf(KPI_FACTS);
    const sla = await servingOf(SLA_CLOCKS);
    const end = new Date(Date.parse(`${periods[periods.length - 1].end}T00:00:00Z`) + 86_400_000);
    const rows = (await this.dataSourceQuery(serving.tables.facts, asOf, new Date(`${context[0].start}T00:00:00Z`), end)) as FactRow[];
    const facts: KpiFact[] = rows.map((r) => ({
      kind: r.kind,
      customerId: r.customer_id,
      episodeId: r.episode_id,
      ref: r.ref,
      link: r.link,
      actor: r.actor,
      detail: r.detail,
      currency: r.currency,
      amount: r.amount === null ? null : Number(r.amount),
      occurredAt: new Date(r.occurred_at).toISOString(),
    }));
    const clocks = await slaClocksEndingIn(this.readModels.dataSource.manager, sla.tables.clocks, asOf, new Date(`${context[0].start}T00:00:00Z`), end);
    const slaClocks: SlaClockFact[] = clocks.map((c) => ({
      episodeId: c.episode_id,
      metric: c.metric,
      cycle: c.cycle,
      tier: c.tier,
      team: c.team,
      dueAt: c.due_at === null ? null : new Date(c.due_at).toISOString(),
      stoppedAt: c.stopped_at === null ? null : new Date(c.stopped_at).toISOString(),
      met: c.met,
    }));
    return {
      period: q.period,
      from: q.from,
      to: q.to,
      asOf: asOf.toISOString(),
      source: { readModel: serving.readModel, version: serving.version },
      sources: [
        { readModel: serving.readModel, version: serving.version },
        { readModel: sla.readModel, version: sla.version },
      ],
      kpis: computeKpis(facts, periods, context, { slaClocks, asOf: asOf.toISOString() }),
    };
  }

  private dataSourceQuery(table: string, asOf: Date, start: Date, end: Date): Promise<unknown> {
    return this.readModels.dataSource.query(
      `SELECT kind, customer_id, episode_id, ref, link, actor, detail, currency, amount::text AS amount, occurred_at FROM ${table}
        WHERE recorded_at <= $1
          AND (occurred_at >= $2 OR kind = ANY($4::text[]))
          AND (occurred_at < $3 OR kind = ANY($5::text[]))`,
      [asOf, start, end, UNBOUNDED_BEFORE, UNBOUNDED_AFTER],
    );
  }
}

interface FactRow {
  kind: KpiFactKind;
  customer_id: string;
  episode_id: string | null;
  ref: string | null;
  link: string | null;
  actor: string | null;
  detail: string | null;
  currency: string | null;
  amount: string | null;
  occurred_at: Date | string;
}

/** The two periods before `first` (the trend's base and, for retention, its base's base). */
export function previousPeriods(first: KpiPeriod, period: 'month' | 'quarter'): [KpiPeriod, KpiPeriod] {
  const step = period === 'month' ? 1 : 3;
  const start = new Date(`${first.start}T00:00:00Z`);
  const back = (n: number) => new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - n * step, 1)).toISOString().slice(0, 10);
  const [twoBack] = periodsBetween(back(2), back(2), period);
  const [oneBack] = periodsBetween(back(1), back(1), period);
  return [twoBack, oneBack];
}
