import { Inject, Injectable } from '@nestjs/common';
import { fitBetaPrior, responsePropensity, type ResponseHistory } from '@crm/customer-propensity';
import type { Clock } from '@crm/kernel';
import { NotFoundError } from '@crm/relationship';
import { READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { customerExists, mergedCustomerIds, resolveCustomerId } from '@crm/relationship-read-models';
import { CLOCK } from '@crm/service-kit';
import { survivorsOf } from '../customer-facts';
import { PropensityEpisode, PropensityInteraction } from '../propensity-facts.entities';

export interface OfferPropensityView {
  customerId: string;
  asOf: string;
  /** Every campaign type any customer was reached by, likeliest response first. */
  byCampaignType: {
    /** The campaign's channel (email, sms, mail, phone…). */
    campaignType: string;
    /** Campaigns of this type that reached the customer, and those it responded to. */
    touches: number;
    responses: number;
    /** Posterior mean response probability (the type's rate shrunk by the customer's own history). */
    propensity: number;
    /** The type's overall response rate (the prior mean) and the prior's weight in touches. */
    typeRate: number;
    priorStrength: number;
    /** Customers of the type the prior was estimated from. */
    customers: number;
  }[];
}

/**
 * Offer-response propensity per campaign type. A touch is one campaign episode (a campaign reaches a
 * customer once); a response is a campaign episode with at least one inbound interaction (the
 * response marketing records). Each type's Beta prior is estimated from all customers it reached.
 */
@Injectable()
export class OfferPropensityQuery {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(customerId: string): Promise<OfferPropensityView> {
    const manager = this.readModels.dataSource.manager;
    const survivor = await resolveCustomerId(manager, customerId);
    if (!(await customerExists(manager, survivor)) && !(await customerExists(manager, customerId))) throw new NotFoundError(`customer ${customerId} not found`);
    const mine = new Set(await mergedCustomerIds(manager, survivor));
    const now = this.clock.now();
    const episodes = manager.getRepository(PropensityEpisode).metadata.tablePath;
    const interactions = manager.getRepository(PropensityInteraction).metadata.tablePath;
    const rows = (await manager.query(
      `SELECT e.customer_id, COALESCE(e.channel, 'unknown') AS campaign_type,
              EXISTS (SELECT 1 FROM ${interactions} i WHERE i.episode_id = e.episode_id AND i.direction = 'inbound' AND i.occurred_at <= $1) AS responded
       FROM ${episodes} e WHERE e.episode_type = 'campaign' AND e.opened_at <= $1`,
      [now.toISOString()],
    )) as { customer_id: string; campaign_type: string; responded: boolean }[];
    const survivors = await survivorsOf(manager);
    // type → customer → history
    const byType = new Map<string, Map<string, ResponseHistory>>();
    for (const r of rows) {
      const id = survivors.get(r.customer_id) ?? r.customer_id;
      let customers = byType.get(r.campaign_type);
      if (!customers) byType.set(r.campaign_type, (customers = new Map()));
      const h = customers.get(id) ?? { touches: 0, responses: 0 };
      customers.set(id, { touches: h.touches + 1, responses: h.responses + (r.responded ? 1 : 0) });
    }
    const byCampaignType: OfferPropensityView['byCampaignType'] = [];
    for (const [campaignType, customers] of byType) {
      const prior = fitBetaPrior([...customers.values()]);
      const own = [...customers]
        .filter(([id]) => mine.has(id))
        .reduce((s, [, h]) => ({ touches: s.touches + h.touches, responses: s.responses + h.responses }), {
          touches: 0,
          responses: 0,
        });
      byCampaignType.push({
        campaignType,
        touches: own.touches,
        responses: own.responses,
        propensity: responsePropensity(own, prior),
        typeRate: prior.mean,
        priorStrength: prior.strength,
        customers: prior.customers,
      });
    }
    byCampaignType.sort((a, b) => b.propensity - a.propensity || a.campaignType.localeCompare(b.campaignType));
    return { customerId: survivor, asOf: now.toISOString(), byCampaignType };
  }
}
