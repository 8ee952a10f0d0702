import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { uuidV5, type Clock } from '@crm/kernel';
import {
  leadOfferDecider,
  leadStream,
  NotFoundError,
  offerOf,
  partnerDecider,
  partnerMaySeeLead,
  partnerStream,
  rankPartners,
  type Lead,
  type LeadEvent,
  type LeadOfferCommand,
  type LeadOutcome,
  type LeadState,
  type NextOffer,
  type PartnerCommand,
  type PartnerEvent,
  type PartnerRoutingProfile,
  type PartnerState,
} from '@crm/relationship';
import { LeadCommands, READ_MODELS, WRITE_STORE, type CommandResult, type ReadModelRunners } from '@crm/relationship-api';
import { actorFromPrincipal, CLOCK, partnerActorId, SERVICE_CONFIG, type PartnerPrincipal, type ServiceConfig, type StaffPrincipal } from '@crm/service-kit';
import { PartnerScope } from '../portal/partner-scope';
import { routingCandidates } from './lead-offers.projection';

const HOUR_MS = 3_600_000;

/** Fixed for good: offer ids and event ids derive from it (a retried start or tick finds its offer recorded). */
const LEAD_OFFER_NAMESPACE = '2d8c6a4e-5b1f-4c7e-9a3d-7e6f0b1c2d3e';

/** Who expires offers and re-routes them: the portal's tick, not a person. */
export const LEAD_DISTRIBUTION_ACTOR = { type: 'system' as const, id: 'lead-distribution' };

/**
 * Lead distribution's commands (issue 14 §4). Each loads the lead's stream once (`leadOfferDecider`
 * over the lead's own state), checks access on that state (a partner only a lead offered to it or
 * accepted by it: anything else answers 404, as an unknown lead), decides, appends to the lead's
 * stream — and nothing else. The routing input (partners' profiles, open leads and past offers) is
 * read from the `lead_offers` read models before the load and ranked by the decider against the
 * lead it loaded (`NextOffer.rank`).
 *
 * The events carry visibility `partners: []`: the lead is the company's; a partner reads its offer
 * through these routes only.
 */
@Injectable()
export class LeadDistributionCommands {
  private readonly handler: CommandHandler<LeadState, LeadOfferCommand, LeadEvent>;
  private readonly partnerHandler: CommandHandler<PartnerState, PartnerCommand, PartnerEvent>;

  constructor(
    @Inject(WRITE_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly scope: PartnerScope,
    private readonly leads: LeadCommands,
  ) {
    this.handler = new CommandHandler(this.store, leadOfferDecider, { retries: 2 });
    this.partnerHandler = new CommandHandler(this.store, partnerDecider, { retries: 2 });
  }

  /** Replaces the partner's routing profile (a channel manager's). 404 for an unknown partner. */
  async setRoutingProfile(principal: StaffPrincipal, partnerId: string, profile: PartnerRoutingProfile): Promise<CommandResult> {
    const r = await this.partnerHandler.handle(
      partnerStream(partnerId),
      { type: 'SetPartnerRoutingProfile', data: { partnerId, profile, setAt: this.now(), setBy: principal.subject } },
      this.metadata(actorFromPrincipal(principal)),
      {
        check: (state) => {
          if (!state) throw new NotFoundError(`partner ${partnerId} not found`);
        },
      },
    );
    return { id: partnerId, revision: r.revision };
  }

  /** Starts the lead's distribution: offers it to the best-ranked partner (or records that none is eligible). */
  async start(principal: StaffPrincipal, leadId: string, products: string[]): Promise<{ result: CommandResult; lead: Lead }> {
    const next = await this.nextOffer(leadId);
    const r = await this.handler.handle(
      leadStream(leadId),
      { type: 'StartLeadDistribution', data: { leadId, products: [...new Set(products)], startedBy: principal.subject, startedAt: this.now() }, next },
      this.metadata(actorFromPrincipal(principal)),
      { check: (state) => this.assertLead(leadId, state), eventId: this.eventId },
    );
    return { result: { id: leadId, revision: r.revision }, lead: r.state! };
  }

  /** The lead as the partner may see it: while offered to it (not past the deadline) or accepted by it; else 404, as unknown. */
  async getForPartner(principal: PartnerPrincipal, leadId: string): Promise<Lead> {
    await this.scope.partnerOf(principal); // 401 for a revoked credential, before anything else
    // The same load and unsealing as sales' GET /leads/{id}: an erased lead has no personal data left.
    const lead = await this.leads.get(leadId).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw this.notFound(leadId);
      throw error;
    });
    if (!partnerMaySeeLead(lead, principal.partnerId, this.clock.now())) throw this.notFound(leadId);
    return lead;
  }

  async accept(principal: PartnerPrincipal, leadId: string): Promise<{ result: CommandResult; lead: Lead }> {
    await this.scope.partnerOf(principal);
    const r = await this.handler.handle(
      leadStream(leadId),
      { type: 'AcceptLeadOffer', data: { leadId, partnerId: principal.partnerId, acceptedBy: partnerActorId(principal), acceptedAt: this.now() } },
      this.metadata(actorFromPrincipal(principal)),
      { check: (state) => this.assertOffered(principal, leadId, state), eventId: this.eventId },
    );
    return { result: { id: leadId, revision: r.revision }, lead: r.state! };
  }

  async decline(principal: PartnerPrincipal, leadId: string, reason: string): Promise<CommandResult> {
    await this.scope.partnerOf(principal);
    const next = await this.nextOffer(leadId);
    const r = await this.handler.handle(
      leadStream(leadId),
      {
        type: 'DeclineLeadOffer',
        data: { leadId, partnerId: principal.partnerId, reason, declinedBy: partnerActorId(principal), declinedAt: this.now() },
        next,
      },
      this.metadata(actorFromPrincipal(principal)),
      { check: (state) => this.assertOffered(principal, leadId, state), eventId: this.eventId },
    );
    return { id: leadId, revision: r.revision };
  }

  async reportOutcome(principal: PartnerPrincipal, leadId: string, outcome: LeadOutcome, note?: string): Promise<CommandResult> {
    await this.scope.partnerOf(principal);
    const r = await this.handler.handle(
      leadStream(leadId),
      {
        type: 'ReportLeadOfferOutcome',
        data: {
          leadId,
          partnerId: principal.partnerId,
          outcome,
          ...(note !== undefined && { note }),
          reportedBy: partnerActorId(principal),
          reportedAt: this.now(),
        },
      },
      this.metadata(actorFromPrincipal(principal)),
      {
        check: (state) => {
          // Its own offer, open or accepted (an unaccepted one is refused by the rule: 422 names it, revealing nothing new).
          if (!offerOf(state, principal.partnerId)) throw this.notFound(leadId);
        },
        eventId: this.eventId,
      },
    );
    return { id: leadId, revision: r.revision };
  }

  /** Expires the lead's open offer if it is overdue now, and re-routes it (the tick calls it; not due: nothing happens). */
  async expire(leadId: string): Promise<LeadEvent[]> {
    const next = await this.nextOffer(leadId);
    const r = await this.handler.handle(
      leadStream(leadId),
      { type: 'ExpireLeadOffer', data: { leadId, now: this.now() }, next },
      this.metadata(LEAD_DISTRIBUTION_ACTOR),
      { check: (state) => this.assertLead(leadId, state), eventId: this.eventId },
    );
    return r.events;
  }

  /** The ranking over every partner's profile and record now, the next offer's id (lead + attempt) and deadline. */
  private async nextOffer(leadId: string): Promise<NextOffer> {
    const candidates = await routingCandidates(this.readModels.dataSource.manager);
    return {
      rank: (lead, excluded) => rankPartners(lead, candidates, excluded),
      offerIdFor: (attempt) => uuidV5(`lead/${leadId}/offer/${attempt}`, LEAD_OFFER_NAMESPACE),
      expiresAt: new Date(this.clock.now().getTime() + this.config.CRM_LEAD_OFFER_HOURS * HOUR_MS).toISOString(),
    };
  }

  /**
   * An event's id derived from what it is (the offer or the lead's attempt, and the type): the same
   * decision appended twice — a retried request, two ticks at once — is stored once.
   */
  private readonly eventId = (event: LeadEvent): string => {
    const d = event.data as { leadId: string; offerId?: string; owner?: string; startedAt?: string; exhaustedAt?: string };
    // A lead's distribution may start again after it was exhausted: a start and an exhaustion are keyed by when.
    const key = d.offerId ?? d.owner ?? d.startedAt ?? d.exhaustedAt ?? '';
    return uuidV5(`lead/${d.leadId}/${key}/${event.type}`, LEAD_OFFER_NAMESPACE);
  };

  private assertLead(leadId: string, state: LeadState): void {
    if (!state) throw new NotFoundError(`lead ${leadId} not found`);
  }

  private assertOffered(principal: PartnerPrincipal, leadId: string, state: LeadState): void {
    const offer = offerOf(state, principal.partnerId);
    // Accepted already: the decider answers a repeat with nothing new (and a decline with its rule).
    if (offer?.status === 'accepted') return;
    if (!partnerMaySeeLead(state, principal.partnerId, this.clock.now())) throw this.notFound(leadId);
  }

  private notFound(leadId: string): NotFoundError {
    return new NotFoundError(`lead ${leadId} not found`);
  }

  private metadata(actor: ReturnType<typeof actorFromPrincipal> | typeof LEAD_DISTRIBUTION_ACTOR) {
    return {
      correlationId: randomUUID(),
      actor,
      occurredAt: this.now(),
      // The company's departments; no partner (the offer's routing and other partners' answers are staff-only).
      visibility: { departments: '*' as const, partners: [] as string[] },
    };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
