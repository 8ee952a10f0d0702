/** The shared vocabulary of ../shared/brief/domain.md, as types. */

/** The seven-stage customer journey. */
export const JOURNEY_STAGES = ['suspect', 'prospect', 'first-time-customer', 'repeat-customer', 'majority-customer', 'loyal-customer', 'advocate'] as const;
export type JourneyStage = (typeof JOURNEY_STAGES)[number];

/** Dwyer's relationship phases. */
export const RELATIONSHIP_PHASES = ['awareness', 'exploration', 'expansion', 'commitment', 'dissolution'] as const;
export type RelationshipPhase = (typeof RELATIONSHIP_PHASES)[number];

export const CHANNELS = ['face-to-face', 'phone', 'email', 'web', 'sms', 'mail', 'portal', 'ivr'] as const;
export type Channel = (typeof CHANNELS)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const EPISODE_TYPES = ['opportunity', 'case', 'campaign', 'partner-deal', 'return-repair'] as const;
export type EpisodeType = (typeof EPISODE_TYPES)[number];

export const DEPARTMENTS = ['sales', 'service', 'marketing', 'analytics', 'management'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export const PARTNER_KINDS = ['supplier', 'distributor', 'reseller', 'service-provider'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** The sales process, in order; closing ends in won or lost. */
export const SALES_STAGES = [
  'lead-generation',
  'lead-qualification',
  'needs-identification',
  'specification-development',
  'proposal-creation',
  'proposal-presentation',
  'handling-objections',
  'closing',
] as const;
export type SalesStage = (typeof SALES_STAGES)[number];
/** A stage of a sales pipeline: Buttle's eight above for the default one, or a manager's own ("renewal-quote"). */
export const STAGE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const EPISODE_OUTCOMES = ['won', 'lost', 'resolved', 'unresolved', 'completed', 'cancelled'] as const;
export type EpisodeOutcome = (typeof EPISODE_OUTCOMES)[number];

/** What a contact person does in an organisation's buying decisions. */
export const CONTACT_ROLES = ['decision-maker', 'buyer', 'influencer', 'user', 'gatekeeper', 'technical-evaluator', 'financial-approver', 'other'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/** A journey stage or relationship phase set by a person (`manual`) or derived from behaviour by analytics (`derived`). */
export const CHANGE_SOURCES = ['manual', 'derived'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

/** Where a lead came from. */
export const LEAD_SOURCES = ['web-form', 'import', 'event', 'referral', 'partner', 'campaign', 'phone', 'other'] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

/** Who acted in an interaction. */
export const ACTOR_KINDS = ['staff', 'partner-user', 'customer', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** An episode belongs to a department or to a partner organisation. */
export type EpisodeOwner = { readonly kind: 'department'; readonly department: Department } | { readonly kind: 'partner'; readonly partnerId: string };

/** A rule of the domain was broken by a command: the caller's request, not the system, is wrong. */
export class DomainRuleViolation extends Error {
  override readonly name = 'DomainRuleViolation';
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }

  /** Machine-readable name of the broken rule (problem responses carry it as `code`). */
  get code(): string {
    return this.rule;
  }
}

/**
 * The request collides with something that exists (another customer holds this identity): the
 * caller may resolve it (use the other record, or force). `details` tell what it collides with.
 */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

/** The thing a command is about does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** What an erased personal value reads as, everywhere (crypto-shredding: docs/customer-data.md "Erasure"). */
export const ERASED = '[erased]';

/**
 * The life of a case (issue 12 §1). `new` on opening; `assigned` when an agent takes it; `resolved`
 * when it closes resolved or unresolved (`EpisodeClosed`); `closed` when it may no longer be
 * reopened; `reopened` when the customer comes back about a resolved case.
 */
export const CASE_STATUSES = ['new', 'assigned', 'in-progress', 'waiting-on-customer', 'waiting-on-partner', 'resolved', 'closed', 'reopened'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** How soon a case must be worked (the agent's or the SLA policy's view); `normal` by default. */
export const CASE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type CasePriority = (typeof CASE_PRIORITIES)[number];

/** How bad the customer's problem is (the customer's view); `minor` by default. */
export const CASE_SEVERITIES = ['minor', 'major', 'critical'] as const;
export type CaseSeverity = (typeof CASE_SEVERITIES)[number];

/**
 * The order sources an order trigger rule may name (`OrderPlaced.source` without `import`: imported
 * orders are history and never start a rule).
 */
export const TRIGGER_ORDER_SOURCES = ['api', 'quote', 'sell-through'] as const;

/** Value tiers by CLV rank, as analytics assigns them (`CustomerValueTierChanged`). */
export const CUSTOMER_VALUE_TIERS = ['platinum', 'gold', 'silver', 'bronze'] as const;
export type CustomerValueTier = (typeof CUSTOMER_VALUE_TIERS)[number];

/** Churn risk bands analytics records (`CustomerChurnRiskChanged`), from the churn model's probability; marketing targets by them. */
export const CHURN_RISK_BANDS = ['low', 'medium', 'high'] as const;
export type ChurnRiskBand = (typeof CHURN_RISK_BANDS)[number];

/** A category, team, queue, skill or calendar id: lower-case words joined by hyphens. */
export const SLUG_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** An agent's presence: only `available` agents are offered cases. */
export const AGENT_PRESENCES = ['available', 'busy', 'away', 'offline'] as const;
export type AgentPresence = (typeof AGENT_PRESENCES)[number];

/**
 * The legs an item of a return travels (issue 12 §5): from the customer to the company, from the
 * company to the repair provider, back from the provider (to the company), and to the customer
 * (from the company or straight from the provider).
 */
export const RETURN_LEGS = ['to-company', 'to-provider', 'from-provider', 'to-customer'] as const;
export type ReturnLeg = (typeof RETURN_LEGS)[number];

/** Where a shipment of a leg is. `delivered` and `lost` end the leg. */
export const SHIPMENT_STATES = ['label-issued', 'in-transit', 'delivered', 'lost'] as const;
export type ShipmentState = (typeof SHIPMENT_STATES)[number];

/**
 * The repair as its service provider reports it. `repaired`, `unrepairable` and `replaced` are its
 * results (the item still has to travel back); any state may follow any other while the job is open.
 */
export const REPAIR_STATUSES = ['assigned', 'received', 'diagnosing', 'awaiting-parts', 'repairing', 'repaired', 'replaced', 'unrepairable'] as const;
export type RepairStatus = (typeof REPAIR_STATUSES)[number];

/** On what grounds a return was authorised: under the warranty of an order, or out of it (paid or goodwill). */
export const WARRANTY_BASES = ['in-warranty', 'out-of-warranty', 'goodwill'] as const;
export type WarrantyBasis = (typeof WARRANTY_BASES)[number];

/** The channels marketing asks consent for (issue 13 §1): a permission is per customer × channel × purpose. */
export const CONSENT_CHANNELS = ['email', 'sms', 'phone', 'mail'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** How a consent was given: the evidence it carries depends on it (see libs/domain/consent). */
export const CONSENT_GRANT_SOURCES = ['double-opt-in', 'form', 'preference-centre', 'staff', 'import'] as const;
export type ConsentGrantSource = (typeof CONSENT_GRANT_SOURCES)[number];

/** How a consent was taken back: an unsubscribe link, RFC 8058 one-click, the preference centre, staff, a complaint… */
export const CONSENT_WITHDRAWAL_SOURCES = ['unsubscribe-link', 'one-click-unsubscribe', 'preference-centre', 'staff', 'reply', 'complaint', 'import'] as const;
export type ConsentWithdrawalSource = (typeof CONSENT_WITHDRAWAL_SOURCES)[number];
