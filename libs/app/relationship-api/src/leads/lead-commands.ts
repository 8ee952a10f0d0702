import { randomUUID } from 'node:crypto';
import { assertExpectedRevision, CommandHandler, type EventStore } from '@crm/event-store';
import { COMPANY_WIDE_VISIBILITY, uuidV5, type LeadSource } from '@crm/kernel';
import {
  applicableRule,
  assigneeOf,
  LEAD_ASSIGNMENT_RULES_STREAM,
  leadAssignmentRulesDecider,
  leadDecider,
  leadStream,
  NotFoundError,
  scoreLead,
  type Lead,
  type LeadAssignmentRule,
  type LeadQualification,
  type LeadScore,
} from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import { RoundRobinTurns } from './round-robin-turns';
import type { CustomerCommands } from '../customers/customer-commands';
import type { EpisodeCommands } from '../episodes/episode-commands';
import { correlationIdFor } from '@crm/telemetry';

/** Fixed for good: the ids a lead's conversion derives (so a retried conversion finds its work). */
const LEAD_NAMESPACE = '6b1f3c52-8f4e-4d3a-9a57-0c2e7d9b41a6';

export interface CaptureLeadInput {
  leadId?: string;
  source: LeadSource;
  name: string;
  company?: string;
  email?: string;
  phone?: string;
  externalId?: string;
  qualification?: LeadQualification;
  country?: string;
  region?: string;
}

/** Who captures: a staff member, or a web form posting with its API key (recorded as a system actor). */
export type LeadCapturer = StaffPrincipal | { form: string };

export interface CapturedLead extends CommandResult {
  matchingCustomerId?: string;
  /** Set when the assignment rules assigned the new lead (not on a capture that was already done). */
  owner?: string;
  assignedByRule?: string;
  /** False when the same capture had been done before (nothing new recorded). */
  created: boolean;
}

export interface AssignmentRulesView {
  rules: readonly LeadAssignmentRule[];
  replacedBy?: string;
  replacedAt?: string;
  revision?: bigint;
}

export interface ConvertedLead {
  leadId: string;
  customerId: string;
  contactId?: string;
  opportunityId: string;
}

/**
 * The lead aggregate's commands. Capturing finds a live customer that already holds the lead's
 * e-mail or phone and records it, so the lead is offered for attachment rather than converted into a
 * second record. Converting is one idempotent command: the customer (or the one attached to), its
 * contact and the opportunity get ids derived from the lead, so a retry completes what is missing.
 */
export class LeadCommands {
  constructor(
    private readonly store: EventStore,
    private readonly customers: CustomerCommands,
    private readonly episodes: EpisodeCommands,
    private readonly settings: CommandSettings,
    private readonly turns: RoundRobinTurns = new RoundRobinTurns(),
  ) {}

  private readonly handler = new CommandHandler(this.store, leadDecider, { retries: this.settings.retries });
  private readonly rulesHandler = new CommandHandler(this.store, leadAssignmentRulesDecider, { retries: this.settings.retries });

  /**
   * Captures a lead and, when it is new, assigns it by the assignment rules in the same command (one
   * append: `LeadCaptured` then `LeadAssigned` naming the rule). A round robin's turn is taken only
   * by a capture that recorded an assignment, one capture per rule at a time in this process.
   */
  async capture(who: LeadCapturer, input: CaptureLeadInput, options: CommandOptions = {}): Promise<CapturedLead> {
    // An import or a form sends the same external id again: the same lead, not a second one.
    const leadId = input.leadId ?? (input.externalId ? uuidV5(`lead/${input.source}/${input.externalId}`, LEAD_NAMESPACE) : randomUUID());
    const matchingCustomerId =
      (input.email ? await this.customers.holderOf({ kind: 'email', value: input.email }) : undefined) ??
      (input.phone ? await this.customers.holderOf({ kind: 'phone', value: input.phone }) : undefined);
    const data = {
      leadId,
      source: input.source,
      name: input.name,
      ...(input.company !== undefined && { company: input.company }),
      ...(input.email !== undefined && { email: input.email }),
      ...(input.phone !== undefined && { phone: input.phone }),
      ...(input.externalId !== undefined && { externalId: input.externalId }),
      qualification: input.qualification ?? {},
      capturedAt: this.now(),
      ...(matchingCustomerId && { matchingCustomerId }),
      ...(input.country !== undefined && { country: input.country.toUpperCase() }),
      ...(input.region !== undefined && { region: input.region }),
    };
    const metadata = this.captureMetadata(who, options);
    const append = (assignment?: { owner: string; rule: string }) =>
      this.handler.handle(leadStream(leadId), { type: 'CaptureLead', data, ...(assignment && { assignment }) }, metadata, {
        expectedRevision: options.expectedRevision,
      });
    const rule = applicableRule((await this.assignmentRules()).rules, data);
    let r: Awaited<ReturnType<typeof append>>;
    if (!rule) r = await append();
    else if (rule.owner !== undefined) r = await append({ owner: rule.owner, rule: rule.ruleId });
    else {
      const team = rule.ruleId;
      r = await this.turns.withTurn(team, async (turn) => {
        const result = await append({ owner: assigneeOf(rule, turn), rule: rule.ruleId });
        return { result, taken: result.events.some((e) => e.type === 'LeadAssigned') };
      });
    }
    const assigned = r.events.find((e) => e.type === 'LeadAssigned');
    return {
      id: leadId,
      revision: r.revision,
      created: r.events.length > 0,
      ...(matchingCustomerId && { matchingCustomerId }),
      ...(assigned?.type === 'LeadAssigned' && { owner: assigned.data.owner, ...(assigned.data.rule && { assignedByRule: assigned.data.rule }) }),
    };
  }

  /** The assignment rules in force, with the revision to send as If-Match when replacing them. */
  async assignmentRules(): Promise<AssignmentRulesView> {
    const { state, revision } = await this.rulesHandler.load(LEAD_ASSIGNMENT_RULES_STREAM);
    return { ...state, revision };
  }

  /** Replaces the assignment rules as a whole (an empty list: no automatic assignment). */
  async replaceAssignmentRules(principal: StaffPrincipal, rules: LeadAssignmentRule[], options: CommandOptions = {}): Promise<CommandResult> {
    const r = await this.rulesHandler.handle(
      LEAD_ASSIGNMENT_RULES_STREAM,
      { type: 'ReplaceLeadAssignmentRules', data: { rules, replacedBy: principal.subject, replacedAt: this.now() } },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: LEAD_ASSIGNMENT_RULES_STREAM, revision: r.revision };
  }

  qualify(principal: StaffPrincipal, leadId: string, qualification: LeadQualification, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(principal, leadId, { type: 'QualifyLead', data: { leadId, qualification } }, options);
  }

  assign(principal: StaffPrincipal, leadId: string, owner: string, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(principal, leadId, { type: 'AssignLead', data: { leadId, owner } }, options);
  }

  disqualify(principal: StaffPrincipal, leadId: string, reason: string, options: CommandOptions = {}): Promise<CommandResult> {
    return this.run(principal, leadId, { type: 'DisqualifyLead', data: { leadId, reason, disqualifiedAt: this.now() } }, options);
  }

  /**
   * Erases the lead's personal data (crypto-shredding, as a customer's: docs/customer-data.md): its
   * keys first — the erasure itself — then the record of it. Repeating it is harmless.
   */
  async erasePersonalData(principal: StaffPrincipal, leadId: string, options: CommandOptions = {}): Promise<CommandResult & { keysDestroyed: number }> {
    const erasure = this.settings.erasure;
    if (!erasure) throw new Error('personal data erasure is not configured (CommandSettings.erasure)');
    const { state, revision } = await this.handler.load(leadStream(leadId));
    if (!state) throw new NotFoundError(`lead ${leadId} not found`);
    assertExpectedRevision(leadStream(leadId), options.expectedRevision, revision);
    const keysDestroyed = await erasure.erase([leadId]);
    const r = await this.handler.handle(
      leadStream(leadId),
      { type: 'EraseLeadPersonalData', data: { leadId, erasedAt: this.now() } },
      this.metadata(principal, options),
      {
        expectedRevision: options.expectedRevision,
      },
    );
    return { id: leadId, revision: r.revision, keysDestroyed };
  }

  /**
   * Customer + contact + opportunity from the lead, or only the opportunity on `attachTo` (an
   * existing customer). A new customer that would take an identity another customer holds is a 409
   * naming it: attach to that one instead.
   */
  async convert(
    principal: StaffPrincipal,
    leadId: string,
    input: { attachTo?: string; opportunityName?: string } = {},
    options: CommandOptions = {},
  ): Promise<ConvertedLead> {
    const lead = await this.get(leadId);
    if (lead.converted) return { leadId, ...lead.converted };
    const derived = (what: string) => uuidV5(`lead/${leadId}/${what}`, LEAD_NAMESPACE);
    let customerId = input.attachTo;
    let contactId: string | undefined;
    if (customerId === undefined) {
      customerId = derived('customer');
      const organisation = !!lead.company;
      contactId = organisation ? derived('contact') : undefined;
      const identities = organisation
        ? []
        : [...(lead.email ? [{ kind: 'email' as const, value: lead.email }] : []), ...(lead.phone ? [{ kind: 'phone' as const, value: lead.phone }] : [])];
      if (!(await this.customers.exists(customerId))) {
        await this.customers.register(principal, {
          customerId,
          kind: organisation ? 'organisation' : 'person',
          name: lead.company ?? lead.name,
          contacts: organisation ? [{ contactId, name: lead.name, ...(lead.email && { email: lead.email }), ...(lead.phone && { phone: lead.phone }) }] : [],
          identities,
          journeyStage: 'prospect',
          ...(lead.owner && { owner: lead.owner }),
        });
      }
    } else if (!(await this.customers.resolve(customerId))) {
      throw new NotFoundError(`customer ${customerId} not found`);
    }
    const opportunityId = derived('opportunity');
    try {
      await this.episodes.open(principal, 'opportunity', {
        episodeId: opportunityId,
        customerId,
        name: input.opportunityName ?? `${lead.company ?? lead.name} (from a lead)`,
      });
    } catch (error) {
      // A retried conversion: the opportunity is already open.
      if ((error as { rule?: string }).rule !== 'episode-exists') throw error;
    }
    await this.run(
      principal,
      leadId,
      { type: 'ConvertLead', data: { leadId, customerId, ...(contactId && { contactId }), opportunityId, convertedAt: this.now() } },
      options,
    );
    return { leadId, customerId, ...(contactId && { contactId }), opportunityId };
  }

  /** The lead with its score and why. 404 for one never captured. */
  async get(leadId: string): Promise<Lead & { revision: string; score: LeadScore }> {
    const { state, revision } = await this.handler.load(leadStream(leadId));
    if (!state || revision === undefined) throw new NotFoundError(`lead ${leadId} not found`);
    return { ...state, revision: revision.toString(), score: scoreLead(state, this.settings.clock.now()) };
  }

  private async run(
    principal: StaffPrincipal,
    leadId: string,
    command: Parameters<typeof leadDecider.decide>[0],
    options: CommandOptions,
  ): Promise<CommandResult> {
    const r = await this.handler.handle(leadStream(leadId), command, this.metadata(principal, options), {
      expectedRevision: options.expectedRevision,
      check: (state) => {
        if (!state) throw new NotFoundError(`lead ${leadId} not found`);
      },
    });
    return { id: leadId, revision: r.revision };
  }

  private metadata(principal: StaffPrincipal, options: CommandOptions) {
    return metadataFor(principal, this.settings.clock, visibilityFor(principal), options.correlationId);
  }

  private captureMetadata(who: LeadCapturer, options: CommandOptions) {
    if (!('form' in who)) return this.metadata(who, options);
    return {
      correlationId: correlationIdFor(options.correlationId),
      actor: { type: 'system' as const, id: `lead-form/${who.form}` },
      occurredAt: this.now(),
      visibility: COMPANY_WIDE_VISIBILITY,
    };
  }

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
