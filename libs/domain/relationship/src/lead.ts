import { DomainRuleViolation, ERASED, type Decider, type LeadSource } from '@crm/kernel';
import { decideLeadOffer, evolveDistribution, isLeadOfferEvent, type LeadDistribution, type LeadOfferCommand, type LeadOfferEvent } from './lead-offer';

/**
 * Lead aggregate: someone who may become a customer, captured from a source (a web form, a fair, a
 * partner, an import), qualified on budget, authority, need and timeline (BANT), assigned to an
 * owner, and then either converted — into a customer, a contact and an opportunity — or
 * disqualified with a reason. Lead generation and qualification are the first two stages of the
 * sales process.
 */

export interface LeadQualification {
  /** What the prospect can spend, in minor units of `currency`. */
  budget?: number;
  currency?: string;
  /** Whether the person can decide the purchase. */
  authority?: boolean;
  /** The need, in the prospect's words. */
  need?: string;
  /** When they mean to buy (ISO date). */
  timeline?: string;
}

export interface LeadCapturedData {
  leadId: string;
  source: LeadSource;
  name: string;
  company?: string;
  email?: string;
  phone?: string;
  /** The id in the system it came from (a form submission, a CSV row): imports are idempotent by it. */
  externalId?: string;
  qualification: LeadQualification;
  capturedAt: string;
  /** A live customer already holding the lead's e-mail or phone: offered for attachment on conversion. */
  matchingCustomerId?: string;
  /** ISO 3166-1 alpha-2 country code, upper case (territory rules match on it). */
  country?: string;
  /** A region within the company's territories ("java-west", "emea"): territory rules match on it. */
  region?: string;
}

/** Who a lead is assigned to, and the assignment rule that chose them (absent: assigned by hand). */
export interface LeadAssignment {
  leadId: string;
  owner: string;
  rule?: string;
}

export type LeadEvent =
  | { type: 'LeadCaptured'; data: LeadCapturedData }
  | { type: 'LeadQualified'; data: { leadId: string; qualification: LeadQualification } }
  | { type: 'LeadAssigned'; data: LeadAssignment }
  | { type: 'LeadDisqualified'; data: { leadId: string; reason: string; disqualifiedAt: string } }
  | { type: 'LeadConverted'; data: { leadId: string; customerId: string; contactId?: string; opportunityId: string; convertedAt: string } }
  /** The lead's keys are destroyed: its personal data reads as erased from now on. */
  | { type: 'LeadPersonalDataErased'; data: { leadId: string; erasedAt: string } }
  /** Its distribution to partners (lead-offer.ts): on the lead's own stream, so the lead keeps one history. */
  | LeadOfferEvent;

export type LeadStatus = 'new' | 'qualified' | 'disqualified' | 'converted';

export interface Lead {
  readonly leadId: string;
  readonly status: LeadStatus;
  readonly source: LeadSource;
  readonly name: string;
  readonly company?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly qualification: LeadQualification;
  readonly owner?: string;
  /** The assignment rule that chose the owner (absent: assigned by hand, or not assigned). */
  readonly assignedByRule?: string;
  readonly country?: string;
  readonly region?: string;
  readonly matchingCustomerId?: string;
  readonly converted?: { customerId: string; contactId?: string; opportunityId: string };
  /** Its personal data was erased (nothing left to reach or convert). */
  readonly erased?: boolean;
  /** Its distribution to partners, when it was started: every offer, who accepted, the outcome (lead-offer.ts). */
  readonly distribution?: LeadDistribution;
}

export type LeadState = Lead | undefined;

export type LeadCommand =
  /** `assignment`: the owner the assignment rules chose for the new lead (recorded with the capture). */
  | { type: 'CaptureLead'; data: LeadCapturedData; assignment?: { owner: string; rule: string } }
  | { type: 'QualifyLead'; data: { leadId: string; qualification: LeadQualification } }
  | { type: 'AssignLead'; data: { leadId: string; owner: string } }
  | { type: 'DisqualifyLead'; data: { leadId: string; reason: string; disqualifiedAt: string } }
  | { type: 'ConvertLead'; data: { leadId: string; customerId: string; contactId?: string; opportunityId: string; convertedAt: string } }
  | { type: 'EraseLeadPersonalData'; data: { leadId: string; erasedAt: string } };

export const leadStream = (leadId: string) => `lead-${leadId}`;

/** Qualified: every BANT answer known, and the person can decide. */
export const isQualified = (q: LeadQualification) => q.budget !== undefined && q.authority === true && !!q.need?.trim() && !!q.timeline;

export function evolveLead(state: LeadState, event: LeadEvent): LeadState {
  if (isLeadOfferEvent(event)) {
    if (!state) return state;
    const distribution = evolveDistribution(state.distribution, event);
    return distribution ? { ...state, distribution } : state;
  }
  switch (event.type) {
    case 'LeadCaptured': {
      const { capturedAt: _at, externalId: _ext, ...d } = event.data;
      return { ...d, status: isQualified(d.qualification) ? 'qualified' : 'new' };
    }
    case 'LeadQualified':
      return state && { ...state, qualification: event.data.qualification, status: isQualified(event.data.qualification) ? 'qualified' : 'new' };
    case 'LeadAssigned': {
      if (!state) return state;
      const { assignedByRule: _rule, ...rest } = state;
      return { ...rest, owner: event.data.owner, ...(event.data.rule !== undefined && { assignedByRule: event.data.rule }) };
    }
    case 'LeadDisqualified':
      return state && { ...state, status: 'disqualified' };
    case 'LeadPersonalDataErased': {
      if (!state) return state;
      const { company: _c, email: _e, phone: _p, ...rest } = state;
      const { need: _need, ...qualification } = state.qualification;
      return { ...rest, name: ERASED, qualification, erased: true };
    }
    case 'LeadConverted': {
      if (!state) return state;
      const { customerId, contactId, opportunityId } = event.data;
      return { ...state, status: 'converted', converted: { customerId, contactId, opportunityId } };
    }
  }
}

export function decideLead(command: LeadCommand, state: LeadState): LeadEvent[] {
  if (command.type === 'CaptureLead') {
    const d = command.data;
    if (state) {
      // The same capture again (a retried form post, a re-run import): nothing new.
      if (state.name === d.name && state.email === d.email && state.phone === d.phone) return [];
      throw new DomainRuleViolation('lead-exists', `lead ${d.leadId} was already captured`);
    }
    if (!d.name.trim()) throw new DomainRuleViolation('lead-needs-name', 'a lead needs a name');
    if (!d.email && !d.phone) throw new DomainRuleViolation('lead-needs-contact', 'a lead needs an e-mail address or a phone number to be reached');
    const captured: LeadEvent = { type: 'LeadCaptured', data: d };
    // Assigned by the rules in the same command: one append, the rule that chose the owner recorded.
    if (!command.assignment) return [captured];
    return [captured, { type: 'LeadAssigned', data: { leadId: d.leadId, owner: command.assignment.owner, rule: command.assignment.rule } }];
  }
  if (!state) throw new DomainRuleViolation('unknown-lead', `lead ${command.data.leadId} does not exist`);
  if (command.type === 'EraseLeadPersonalData') return state.erased ? [] : [{ type: 'LeadPersonalDataErased', data: command.data }];
  if (command.type === 'ConvertLead') {
    const d = command.data;
    if (state.converted) {
      // A retried conversion finds its work done; another conversion is refused.
      if (state.converted.customerId === d.customerId && state.converted.opportunityId === d.opportunityId) return [];
      throw new DomainRuleViolation('lead-converted', `lead ${state.leadId} was already converted`);
    }
    if (state.status === 'disqualified') throw new DomainRuleViolation('lead-closed', `lead ${state.leadId} was disqualified`);
    if (state.erased) throw new DomainRuleViolation('lead-erased', `lead ${state.leadId} was erased: nothing is left to convert`);
    return [{ type: 'LeadConverted', data: d }];
  }
  if (state.status === 'disqualified' || state.status === 'converted') throw new DomainRuleViolation('lead-closed', `lead ${state.leadId} is ${state.status}`);
  switch (command.type) {
    case 'QualifyLead':
      return [{ type: 'LeadQualified', data: command.data }];
    case 'AssignLead':
      if (state.owner === command.data.owner) return [];
      return [{ type: 'LeadAssigned', data: command.data }];
    case 'DisqualifyLead':
      if (!command.data.reason.trim()) throw new DomainRuleViolation('disqualify-needs-reason', 'say why the lead is disqualified');
      return [{ type: 'LeadDisqualified', data: command.data }];
  }
}

/** The lead's distribution to partners: the same stream and state, its own commands (lead-offer.ts). */
export const leadOfferDecider: Decider<LeadState, LeadOfferCommand, LeadEvent> = { decide: decideLeadOffer, evolve: evolveLead, initialState: undefined };

/** The lead aggregate, as the application layer runs it. */
export const leadDecider: Decider<LeadState, LeadCommand, LeadEvent> = { decide: decideLead, evolve: evolveLead, initialState: undefined };

export interface LeadScore {
  /** 0–100. */
  score: number;
  /** Why, one line per rule that counted. */
  reasons: string[];
}

const DAY_MS = 86_400_000;

/**
 * A rule-based score that says why: BANT answers (budget 25, authority 25, need 20, a purchase
 * within 90 days 20) and reachability (both e-mail and phone 10). `now` comes from the caller's clock.
 */
export function scoreLead(lead: Pick<Lead, 'qualification' | 'email' | 'phone'>, now: Date): LeadScore {
  const q = lead.qualification;
  const reasons: string[] = [];
  let score = 0;
  const add = (points: number, reason: string) => {
    score += points;
    reasons.push(`+${points} ${reason}`);
  };
  if (q.budget !== undefined && q.budget > 0) add(25, 'has a budget');
  if (q.authority) add(25, 'can decide the purchase');
  if (q.need?.trim()) add(20, 'has a stated need');
  if (q.timeline) {
    const days = (Date.parse(q.timeline) - now.getTime()) / DAY_MS;
    if (days >= 0 && days <= 90) add(20, 'means to buy within 90 days');
  }
  if (lead.email && lead.phone) add(10, 'reachable by e-mail and phone');
  return { score, reasons };
}
