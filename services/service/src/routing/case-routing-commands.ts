import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore, type ExpectedRevision } from '@crm/event-store';
import {
  caseRoutingDecider,
  caseRoutingStream,
  ROUTING_RULES_STREAM,
  routingRulesDecider,
  type CaseRoutingEvent,
  type RoutingDecision,
  type RoutingRule,
  type RoutingRules,
} from '@crm/case-routing';
import { COMPANY_WIDE_VISIBILITY, NotFoundError, uuidV5, type Clock, type CrmEventMetadata } from '@crm/kernel';
import { actorFromPrincipal, HttpProblem, ProblemTypes, type StaffPrincipal } from '@crm/service-kit';
import type { CaseAssignment } from './case-assignment.port';

export interface RoutingCommandOptions {
  expectedRevision?: ExpectedRevision;
  correlationId?: string;
}

/** What the router is recorded as. */
export const CASE_ROUTER_ACTOR = { type: 'system' as const, id: 'case-router' };
const OFFER_NAMESPACE = '5b2e9d1c-7a4f-4e3b-8c6d-2f1a0e9b8c7d';

/** Who may configure routing and set anyone's presence: role team-lead or admin, or the management department. */
export const isTeamLead = (p: StaffPrincipal) => p.department === 'management' || p.roles.includes('team-lead') || p.roles.includes('admin');

export const forbidden = (code: string, detail: string) => new HttpProblem(403, detail, { type: ProblemTypes.forbidden, extensions: { code } });

/** Where an offer is, for the commands that answer it: the read model's `offerById`. */
export type OfferLocator = (offerId: string) => Promise<{ episodeId: string; team?: string | null } | undefined>;

/**
 * The routing aggregates' commands: a case's offers (`caserouting-<episodeId>`) and the routing
 * rules (`case-routing-rules`). Each loads the stream once, checks access on that state, judges
 * If-Match, decides, appends expecting the revision it read. Accepting an offer then gives the case
 * to the agent through the `CaseAssignment` port, with the offer's reason; a retried accept finishes
 * an assignment a crash left out (the assignment is keyed by the offer).
 */
export class CaseRoutingCommands {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly assignment: CaseAssignment,
    private readonly locate: OfferLocator,
  ) {}

  private readonly offers = new CommandHandler(this.store, caseRoutingDecider, { retries: 2 });
  private readonly rules = new CommandHandler(this.store, routingRulesDecider, { retries: 2 });

  private now(): string {
    return this.clock.now().toISOString();
  }

  private metadata(actor: CrmEventMetadata['actor'], correlationId?: string): Omit<CrmEventMetadata, 'causationId'> {
    return { correlationId: correlationId ?? randomUUID(), actor, occurredAt: this.now(), visibility: COMPANY_WIDE_VISIBILITY };
  }

  /** The router's: offers the case as decided, expiring `timeoutMs` from now. Undefined when the case's history refuses it now (a pending offer, a refusal). */
  async offer(decision: RoutingDecision, timeoutMs: number): Promise<{ offerId: string; expiresAt: string } | undefined> {
    const offeredAt = this.now();
    const expiresAt = new Date(Date.parse(offeredAt) + timeoutMs).toISOString();
    const offerId = randomUUID();
    try {
      await this.offers.handle(
        caseRoutingStream(decision.episodeId),
        {
          type: 'OfferCase',
          data: {
            offerId,
            episodeId: decision.episodeId,
            customerId: decision.customerId,
            agentId: decision.agentId,
            priority: decision.priority.priority,
            reason: decision.reason,
            offeredAt,
            expiresAt,
          },
        },
        this.metadata(CASE_ROUTER_ACTOR),
      );
    } catch (error) {
      // A read model behind the case's history (an offer made or refused a moment ago): the next tick looks again.
      if ((error as { rule?: string }).rule === 'offer-pending' || (error as { rule?: string }).rule === 'agent-refused-case') return undefined;
      throw error;
    }
    return { offerId, expiresAt };
  }

  /** The timer's: records that the offer expired (at its `expiresAt`) if it is still pending and its time has come. Once, under an id derived from the offer. */
  async expire(episodeId: string, offerId: string): Promise<{ events: CaseRoutingEvent[]; appended: boolean }> {
    const r = await this.offers.handle(
      caseRoutingStream(episodeId),
      { type: 'ExpireCaseOffer', data: { offerId, now: this.now() } },
      this.metadata(CASE_ROUTER_ACTOR),
      {
        eventId: () => uuidV5(`offer/${offerId}/expired`, OFFER_NAMESPACE),
      },
    );
    return { events: r.events, appended: r.appended };
  }

  private async episodeOf(offerId: string) {
    const found = await this.locate(offerId);
    if (!found) throw new NotFoundError(`offer ${offerId} not found`);
    return found;
  }

  /** The offered agent takes the case: `CaseOfferAccepted`, then the assignment with the offer's reason. */
  async accept(principal: StaffPrincipal, offerId: string, options: RoutingCommandOptions = {}): Promise<{ episodeId: string; revision: bigint | undefined }> {
    const { episodeId, team } = await this.episodeOf(offerId);
    const at = this.now();
    const r = await this.offers.handle(
      caseRoutingStream(episodeId),
      { type: 'AcceptCaseOffer', data: { offerId, agentId: principal.subject, at } },
      this.metadata(actorFromPrincipal(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    const offer = r.state.offers[offerId];
    await this.assignment.assign({
      episodeId,
      agentId: principal.subject,
      ...(team && { team }),
      reason: `offer accepted: ${offer.reason}`.slice(0, 1000),
      at: offer.settledAt ?? at,
      by: principal.subject,
      assignmentId: offerId,
      correlationId: options.correlationId,
    });
    return { episodeId, revision: r.revision };
  }

  async decline(
    principal: StaffPrincipal,
    offerId: string,
    reason: string | undefined,
    options: RoutingCommandOptions = {},
  ): Promise<{ episodeId: string; revision: bigint | undefined }> {
    const { episodeId } = await this.episodeOf(offerId);
    const r = await this.offers.handle(
      caseRoutingStream(episodeId),
      { type: 'DeclineCaseOffer', data: { offerId, agentId: principal.subject, ...(reason !== undefined && { reason }), at: this.now() } },
      this.metadata(actorFromPrincipal(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { episodeId, revision: r.revision };
  }

  async routingRules(): Promise<RoutingRules & { revision: bigint | undefined }> {
    const { state, revision } = await this.rules.load(ROUTING_RULES_STREAM);
    return { ...state, revision };
  }

  /** Team leads only (see `isTeamLead`). */
  async replaceRoutingRules(
    principal: StaffPrincipal,
    rules: RoutingRule[],
    options: RoutingCommandOptions = {},
  ): Promise<RoutingRules & { revision: bigint | undefined }> {
    if (!isTeamLead(principal)) throw forbidden('not-team-lead', 'only team leads (role team-lead or admin, or management) change the routing rules');
    const r = await this.rules.handle(
      ROUTING_RULES_STREAM,
      { type: 'ReplaceCaseRoutingRules', data: { rules, replacedBy: principal.subject, replacedAt: this.now() } },
      this.metadata(actorFromPrincipal(principal), options.correlationId),
      { expectedRevision: options.expectedRevision },
    );
    return { ...r.state, revision: r.revision };
  }
}
