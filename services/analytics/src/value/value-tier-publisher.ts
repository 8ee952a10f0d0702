import { Inject, Injectable } from '@nestjs/common';
import { crmRegistry } from '@crm/contracts';
import { valueTierDecider, valueTierStream, type ValueTier } from '@crm/customer-value';
import { CommandHandler } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import { contractCheckedStore, metadataFor, type CommandSettings } from '@crm/relationship-api';
import { CLOCK, PLATFORM, type StaffPrincipal } from '@crm/service-kit';

/** Who records tier changes: analytics itself, as a staff actor of the analytics department. */
export const VALUATION_ACTOR: StaffPrincipal = { kind: 'staff', subject: 'analytics-valuation', department: 'analytics', roles: [] };

/** Tier changes appended concurrently (each is one customer's stream). */
const CONCURRENCY = 8;

export interface TierAssignment {
  customerId: string;
  tier: ValueTier;
  clv: number;
  rank: number;
}

/**
 * Records `CustomerValueTierChanged` for the customers whose tier differs from the one on their
 * stream (`customervalue-<id>`), through the application layer's command handler: the decider
 * (`valueTierDecider`) decides on the stream's state, so recomputing with no change appends nothing,
 * also after a restart; the contract check runs before the append, as for every command. The tiers
 * this process has seen are remembered, so a recomputation reads only the streams of customers whose
 * tier moved (the first one after a start reads each customer's stream once).
 */
@Injectable()
export class ValueTierPublisher {
  private readonly handler: CommandHandler<
    { tier: ValueTier | null },
    Parameters<typeof valueTierDecider.decide>[0],
    ReturnType<typeof valueTierDecider.decide>[number]
  >;
  private readonly known = new Map<string, ValueTier>();

  constructor(
    @Inject(PLATFORM) platform: Platform,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const settings: CommandSettings = { clock, retries: 2 };
    this.handler = new CommandHandler(contractCheckedStore(platform.eventStore, crmRegistry()), valueTierDecider, { retries: settings.retries });
  }

  /** Records the changed tiers of one valuation; answers how many were recorded. */
  async publish(ranked: readonly TierAssignment[], model: { reportingCurrency: string; fittedAt: string }): Promise<number> {
    const pending = ranked.filter((r) => this.known.get(r.customerId) !== r.tier);
    const assignedAt = this.clock.now().toISOString();
    let recorded = 0;
    for (let i = 0; i < pending.length; i += CONCURRENCY) {
      const batch = pending.slice(i, i + CONCURRENCY);
      const results = await Promise.all(
        batch.map((r) =>
          this.handler.handle(
            valueTierStream(r.customerId),
            {
              type: 'AssignValueTier',
              data: {
                customerId: r.customerId,
                tier: r.tier,
                clv: r.clv,
                rank: r.rank,
                customers: ranked.length,
                reportingCurrency: model.reportingCurrency,
                modelFittedAt: model.fittedAt,
                assignedAt,
              },
            },
            // The customer's own events are visible to partners it is shared with; its value tier is the company's.
            metadataFor(VALUATION_ACTOR, this.clock, { departments: '*', partners: [] }),
          ),
        ),
      );
      results.forEach((result, k) => {
        recorded += result.events.length;
        this.known.set(batch[k].customerId, batch[k].tier);
      });
    }
    return recorded;
  }
}
