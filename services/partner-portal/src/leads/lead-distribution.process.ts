import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { READ_MODELS, TickLoop, type ReadModelRunners } from '@crm/relationship-api';
import type { Clock } from '@crm/kernel';
import { CLOCK, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { LeadDistributionCommands } from './lead-distribution-commands';
import { leadsWithOverdueOffers } from './lead-offers.projection';

export interface LeadDistributionTick {
  expired: number;
  reOffered: number;
  exhausted: number;
}

/**
 * Lead distribution's clock-driven side (issue 14 §4), on the injected clock: each tick expires the
 * offers past their deadline (`CRM_LEAD_OFFER_HOURS` after the offer) and offers each lead to the
 * next partner, until none is left. It keeps no state: what is due is in the `lead_offers` read
 * model, re-judged on the lead's stream (an offer answered meanwhile is left alone), and the offer
 * and event ids derive from the lead and the attempt, so two ticks at once record it once.
 */
@Injectable()
export class LeadDistributionProcess implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LeadDistributionProcess');
  private readonly loop: TickLoop<LeadDistributionTick>;

  constructor(
    private readonly distribution: LeadDistributionCommands,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.loop = new TickLoop('lead distribution', () => this.tickNow(), {
      intervalMs: config.CRM_LEAD_DISTRIBUTION_INTERVAL_MS,
      logger: { warn: (m) => this.logger.warn(m) },
    });
  }

  /** One pass (tests call it on a TestClock). */
  tick(): Promise<LeadDistributionTick> {
    return this.loop.tick();
  }

  private async tickNow(): Promise<LeadDistributionTick> {
    const done: LeadDistributionTick = { expired: 0, reOffered: 0, exhausted: 0 };
    for (const leadId of await leadsWithOverdueOffers(this.readModels.dataSource.manager, this.clock.now())) {
      try {
        for (const e of await this.distribution.expire(leadId)) {
          if (e.type === 'LeadOfferExpired') done.expired++;
          if (e.type === 'LeadOfferedToPartner') done.reOffered++;
          if (e.type === 'LeadDistributionExhausted') done.exhausted++;
        }
      } catch (error) {
        // One lead's failure does not stop the others; the next tick tries it again.
        this.logger.warn(`lead ${leadId}: expiring its offer failed (${(error as Error).message})`);
      }
    }
    return done;
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }
}
