import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, type EventStore } from '@crm/event-store';
import type { Clock } from '@crm/kernel';
import {
  dealRegistrationDecider,
  dealRegistrationStream,
  NotFoundError,
  type DealConflict,
  type DealProspect,
  type DealRegistration,
  type DealRegistrationCommand,
} from '@crm/relationship';
import { READ_MODELS, WRITE_STORE, type CommandOptions, type CommandResult, type ReadModelRunners } from '@crm/relationship-api';
import { searchCustomers } from '@crm/relationship-read-models';
import { actorFromPrincipal, CLOCK, partnerActorId, SERVICE_CONFIG, type PartnerPrincipal, type ServiceConfig, type StaffPrincipal } from '@crm/service-kit';
import type { EntityManager } from 'typeorm';
import { PartnerScope } from '../portal/partner-scope';
import { activeRegistrationsOn, openOpportunitiesOf, opportunityOf } from './deal-registrations.projection';
import { correlationIdFor } from '@crm/telemetry';

const DAY_MS = 86_400_000;

/** Who expires registrations: the portal's tick, not a person. */
export const DEAL_REGISTRATION_EXPIRY_ACTOR = { type: 'system' as const, id: 'deal-registration-expiry' };

export interface RegisterDealInput {
  registrationId?: string;
  customerId?: string;
  prospect?: DealProspect;
  products: string[];
  estimatedValue: number;
  currency: string;
  expectedCloseDate: string;
}

/**
 * Deal registration's commands (issue 14 §3). Each loads the registration once, checks access on
 * that state (a partner only its own: another partner's id answers 404 like an unknown one), judges
 * If-Match (412 before any rule), decides (`dealRegistrationDecider`), appends to the registration's
 * stream — and nothing else. What the approval starts elsewhere (the partner-deal episode) is done by
 * `DealRegistrationProcess` from the recorded approval, not in the request.
 *
 * The events carry visibility `partners: []`: what a registration conflicts with is the company's
 * to know; the partner reads its registration through the portal's partner view.
 */
@Injectable()
export class DealRegistrationCommands {
  private readonly handler: CommandHandler<DealRegistration | undefined, DealRegistrationCommand, never>;

  constructor(
    @Inject(WRITE_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(READ_MODELS) private readonly readModels: ReadModelRunners,
    private readonly scope: PartnerScope,
  ) {
    this.handler = new CommandHandler(this.store, dealRegistrationDecider, { retries: 2 }) as never;
  }

  private get manager(): EntityManager {
    return this.readModels.dataSource.manager;
  }

  /**
   * Registers a deal on a customer shared with the caller (404 otherwise, as for an unknown one) or on
   * a prospect (recorded under a new lead id, which seals its contact). Flags it for staff: conflicts
   * (an open opportunity on the customer, another partner's active registration) and, for a prospect,
   * existing customers its company or e-mail matches in the directory's search.
   */
  async register(principal: PartnerPrincipal, input: RegisterDealInput, options: CommandOptions = {}): Promise<CommandResult> {
    const registrationId = input.registrationId ?? randomUUID();
    const conflicts: DealConflict[] = [];
    let possibleExistingCustomerIds: string[] = [];
    if (input.customerId !== undefined) {
      await this.scope.assertMayRead(principal, input.customerId);
      for (const id of await openOpportunitiesOf(this.manager, input.customerId)) conflicts.push({ kind: 'opportunity', id });
      for (const r of await activeRegistrationsOn(this.manager, input.customerId, principal.partnerId))
        conflicts.push({ kind: 'deal-registration', id: r.id, partnerId: r.partnerId });
    } else if (input.prospect) {
      possibleExistingCustomerIds = await this.matchingCustomers(input.prospect);
    }
    const now = this.clock.now();
    const r = await this.handler.handle(
      dealRegistrationStream(registrationId),
      {
        type: 'RegisterDeal',
        data: {
          registrationId,
          partnerId: principal.partnerId,
          registeredBy: partnerActorId(principal),
          ...(input.customerId !== undefined ? { customerId: input.customerId } : { leadId: randomUUID(), prospect: input.prospect }),
          products: input.products,
          estimatedValue: input.estimatedValue,
          currency: input.currency,
          expectedCloseDate: input.expectedCloseDate,
          registeredAt: now.toISOString(),
          approvalDueAt: new Date(now.getTime() + this.config.CRM_DEAL_APPROVAL_DAYS * DAY_MS).toISOString(),
          conflicts,
          possibleExistingCustomerIds,
        },
      },
      this.metadata(actorFromPrincipal(principal), options),
      {
        expectedRevision: options.expectedRevision,
        // A reused id of another partner's registration: as if it did not exist (never a 409 that says it does).
        check: (state) => {
          if (state && state.partnerId !== principal.partnerId) throw new NotFoundError(`deal registration ${registrationId} not found`);
        },
      },
    );
    return { id: registrationId, revision: r.revision };
  }

  /** The registration for the caller: a partner its own (on a customer still shared with it), staff any. 404 otherwise. */
  async get(principal: PartnerPrincipal | StaffPrincipal, registrationId: string): Promise<{ state: DealRegistration; revision: bigint }> {
    const { state, revision } = await this.handler.load(dealRegistrationStream(registrationId));
    if (!state || revision === undefined) throw new NotFoundError(`deal registration ${registrationId} not found`);
    if (principal.kind === 'partner') await this.assertOwn(principal, state);
    return { state, revision };
  }

  /**
   * `opportunityId`: the company's open opportunity the deal is part of (any department's, on the
   * registration's customer); the partner-deal episode opens linked to it. Looked up on the shared
   * timeline before the append; the decider judges it after the If-Match check, like every rule.
   */
  async approve(
    principal: StaffPrincipal,
    registrationId: string,
    link: { opportunityId?: string } = {},
    options: CommandOptions = {},
  ): Promise<CommandResult> {
    const opportunity = link.opportunityId && { opportunityId: link.opportunityId, open: false, ...(await opportunityOf(this.manager, link.opportunityId)) };
    return this.decide(
      principal,
      registrationId,
      (state) => ({
        type: 'ApproveDealRegistration',
        // The episode's id is chosen now, so the process that opens it opens it once.
        data: { approvedBy: principal.subject, protectionDays: this.config.CRM_DEAL_PROTECTION_DAYS, ...(state?.customerId && { episodeId: randomUUID() }) },
        ...(opportunity && { opportunity }),
        now: this.clock.now().toISOString(),
      }),
      options,
    );
  }

  async reject(principal: StaffPrincipal, registrationId: string, reason: string, options: CommandOptions = {}): Promise<CommandResult> {
    return this.decide(
      principal,
      registrationId,
      () => ({ type: 'RejectDealRegistration', data: { rejectedBy: principal.subject, reason }, now: this.clock.now().toISOString() }),
      options,
    );
  }

  /** Expires the registration if it is due now (the tick calls it; not due: nothing happens). */
  async expire(registrationId: string): Promise<CommandResult> {
    const r = await this.handler.handle(
      dealRegistrationStream(registrationId),
      { type: 'ExpireDealRegistration', now: this.clock.now().toISOString() },
      this.metadata(DEAL_REGISTRATION_EXPIRY_ACTOR, {}),
      { check: (state) => this.assertExists(registrationId, state) },
    );
    return { id: registrationId, revision: r.revision };
  }

  private async decide(
    principal: StaffPrincipal,
    registrationId: string,
    command: (state: DealRegistration | undefined) => DealRegistrationCommand,
    options: CommandOptions,
  ): Promise<CommandResult> {
    const r = await this.handler.handle(dealRegistrationStream(registrationId), command, this.metadata(actorFromPrincipal(principal), options), {
      expectedRevision: options.expectedRevision,
      check: (state) => this.assertExists(registrationId, state),
    });
    return { id: registrationId, revision: r.revision };
  }

  /** A partner's own registration, and (on a customer) only while that customer is still shared with it. */
  private async assertOwn(principal: PartnerPrincipal, state: DealRegistration): Promise<void> {
    const partner = await this.scope.partnerOf(principal); // 401 for a revoked credential, before anything else
    if (state.partnerId !== principal.partnerId) throw new NotFoundError(`deal registration ${state.registrationId} not found`);
    if (state.customerId !== undefined && !(await this.scope.mayRead(principal, state.customerId, partner)))
      throw new NotFoundError(`deal registration ${state.registrationId} not found`);
  }

  private assertExists(registrationId: string, state: DealRegistration | undefined): void {
    if (!state) throw new NotFoundError(`deal registration ${registrationId} not found`);
  }

  /** Customers the directory's search finds by the prospect's company name or e-mail (for staff only). */
  private async matchingCustomers(prospect: DealProspect): Promise<string[]> {
    const found = new Set<string>();
    for (const q of [prospect.company, prospect.contactEmail]) {
      if (!q) continue;
      const page = await searchCustomers(this.manager, { q, limit: 5 });
      for (const item of page.items) found.add(item.customerId);
    }
    return [...found];
  }

  private metadata(actor: ReturnType<typeof actorFromPrincipal> | typeof DEAL_REGISTRATION_EXPIRY_ACTOR, options: CommandOptions) {
    return {
      correlationId: correlationIdFor(options.correlationId),
      actor,
      occurredAt: this.clock.now().toISOString(),
      // The company's departments; no partner (a registration's conflicts are staff-only).
      visibility: { departments: '*' as const, partners: [] as string[] },
    };
  }
}
