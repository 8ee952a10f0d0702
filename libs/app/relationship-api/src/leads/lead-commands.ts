import { randomUUID } from 'node:crypto';
import { CommandHandler, type EventStore } from '@crm/event-store';
import { uuidV5, type LeadSource } from '@crm/kernel';
import { leadDecider, leadStream, NotFoundError, scoreLead, type Lead, type LeadQualification, type LeadScore } from '@crm/relationship';
import type { StaffPrincipal } from '@crm/service-kit';
import { metadataFor, visibilityFor, type CommandOptions, type CommandResult, type CommandSettings } from '../application/command-options';
import type { CustomerCommands } from '../customers/customer-commands';
import type { EpisodeCommands } from '../episodes/episode-commands';

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
  ) {}

  private readonly handler = new CommandHandler(this.store, leadDecider, { retries: this.settings.retries });

  async capture(principal: StaffPrincipal, input: CaptureLeadInput, options: CommandOptions = {}): Promise<CommandResult & { matchingCustomerId?: string }> {
    // An import or a form sends the same external id again: the same lead, not a second one.
    const leadId = input.leadId ?? (input.externalId ? uuidV5(`lead/${input.source}/${input.externalId}`, LEAD_NAMESPACE) : randomUUID());
    const matchingCustomerId =
      (input.email ? await this.customers.holderOf({ kind: 'email', value: input.email }) : undefined) ??
      (input.phone ? await this.customers.holderOf({ kind: 'phone', value: input.phone }) : undefined);
    const r = await this.handler.handle(
      leadStream(leadId),
      {
        type: 'CaptureLead',
        data: {
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
        },
      },
      this.metadata(principal, options),
      { expectedRevision: options.expectedRevision },
    );
    return { id: leadId, revision: r.revision, ...(matchingCustomerId && { matchingCustomerId }) };
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

  private now(): string {
    return this.settings.clock.now().toISOString();
  }
}
