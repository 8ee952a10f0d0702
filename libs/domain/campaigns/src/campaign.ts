import { CONSENT_CHANNELS, DomainRuleViolation, isCurrencyCode, SLUG_ID, type ConsentChannel, type Decider } from '@crm/kernel';
import { inControlGroup, variantFor } from './assignment';
import { mergeFieldsOf } from './template-fields';

/**
 * A marketing campaign (issue 13 §3) on the stream `campaign-<campaignId>`: defined (and revised)
 * as a draft, scheduled, started — its audience frozen as a snapshot, each member in the hold-out
 * control group or with a variant for every step — paused, resumed, closed. The messages themselves
 * are on one stream per recipient (`campaign-message.ts`), so sending to 10,000 customers never
 * contends on this one.
 */

export const CAMPAIGN_CHANNELS = CONSENT_CHANNELS;
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** An explicit list is capped so that its definition stays one reasonable event. */
export const MAX_LISTED_AUDIENCE = 10_000;
/** A frozen audience (a segment's members at the start) is capped so a campaign stays sendable in a day at modest throttles. */
export const MAX_FROZEN_AUDIENCE = 100_000;
/** Members per `CampaignAudienceFrozen` event: 10,000 members are ten events of a few dozen kB each. */
export const AUDIENCE_CHUNK = 1_000;
export const MAX_STEPS = 10;
export const MAX_VARIANTS = 4;
export const MAX_STEP_DELAY_MINUTES = 365 * 24 * 60;

export interface CampaignTemplate {
  /** E-mail only (and required there). */
  subject?: string;
  text: string;
  /** E-mail only. */
  html?: string;
}

export interface CampaignVariant {
  variantId: string;
  /** Relative share of the step's recipients (1–100). */
  weight: number;
  template: CampaignTemplate;
}

export interface CampaignStep {
  stepId: string;
  channel: ConsentChannel;
  /** Minutes after the campaign starts that the step is due. */
  delayMinutes: number;
  variants: CampaignVariant[];
}

/**
 * A segment's members or a list, frozen when the campaign starts; or `triggered` (always-on): no
 * audience at the start, each customer a trigger rule naming the campaign fires for while it runs is
 * admitted then (`campaign-trigger.ts`).
 */
export type CampaignAudience = { kind: 'segment'; segmentId: string } | { kind: 'list'; customerIds: string[] } | { kind: 'triggered' };

export interface CampaignDefinition {
  name: string;
  /** The consent purpose (a slug) every message is sent under. */
  purpose: string;
  audience: CampaignAudience;
  steps: CampaignStep[];
  /** Share of the audience held out as the control group, in basis points (0–5,000). */
  controlBasisPoints: number;
  /** Messages per second at most, across the campaign's steps. */
  throttlePerSecond: number;
  /** Days after a message that an order counts as its conversion. */
  attributionWindowDays: number;
  costPerMessage: { amountMinor: number; currency: string };
}

/** Who started it: the dispatcher writes the episodes and interactions in this person's name (the department owns them). */
export interface CampaignActor {
  subject: string;
  department: string;
}

export interface CampaignMember {
  customerId: string;
  /** In the hold-out control group: recorded as suppressed (`control-group`), never sent. */
  control?: true;
  /** The variant of each step, in step order (absent for the control group). */
  variants?: string[];
  /** A triggered recipient: the firing that admitted it (its messages are keyed by it, not the customer). */
  firingId?: string;
  /** A triggered recipient: the steps it gets and when each is due (a frozen member gets every step at start + delay). */
  steps?: readonly { stepId: string; dueAt: string }[];
  /** A triggered recipient: when its firing admitted it. */
  triggeredAt?: string;
}

export type CampaignDefinedData = CampaignDefinition & { campaignId: string; definedBy: string; definedAt: string };
export type CampaignRevisedData = CampaignDefinition & { campaignId: string; revisedBy: string; revisedAt: string };
export interface CampaignScheduledData {
  campaignId: string;
  startAt: string;
  scheduledBy: CampaignActor;
  scheduledAt: string;
}
export interface CampaignStartedData {
  campaignId: string;
  startedAt: string;
  startedBy: CampaignActor;
  audienceSize: number;
  controlSize: number;
  /** How many `CampaignAudienceFrozen` events follow (in the same append). */
  chunks: number;
}
export interface CampaignAudienceFrozenData {
  campaignId: string;
  chunk: number;
  chunks: number;
  members: CampaignMember[];
}
export interface CampaignPausedData {
  campaignId: string;
  pausedBy: string;
  pausedAt: string;
  reason?: string;
}
export interface CampaignResumedData {
  campaignId: string;
  resumedBy: string;
  resumedAt: string;
}
export interface CampaignClosedData {
  campaignId: string;
  closedBy: string;
  closedAt: string;
  reason?: string;
}

export type CampaignEvent =
  | { type: 'CampaignDefined'; data: CampaignDefinedData }
  | { type: 'CampaignRevised'; data: CampaignRevisedData }
  | { type: 'CampaignScheduled'; data: CampaignScheduledData }
  | { type: 'CampaignStarted'; data: CampaignStartedData }
  | { type: 'CampaignAudienceFrozen'; data: CampaignAudienceFrozenData }
  | { type: 'CampaignPaused'; data: CampaignPausedData }
  | { type: 'CampaignResumed'; data: CampaignResumedData }
  | { type: 'CampaignClosed'; data: CampaignClosedData };

export type CampaignCommand =
  | { type: 'DefineCampaign'; data: CampaignDefinedData }
  | { type: 'ReviseCampaign'; data: CampaignRevisedData }
  | { type: 'ScheduleCampaign'; data: CampaignScheduledData }
  /** `members`: the audience as it is now (the list, or the segment's members), resolved by the application. */
  | { type: 'StartCampaign'; data: { campaignId: string; startedAt: string; startedBy: CampaignActor; members: readonly string[] } }
  | { type: 'PauseCampaign'; data: CampaignPausedData }
  | { type: 'ResumeCampaign'; data: CampaignResumedData }
  | { type: 'CloseCampaign'; data: CampaignClosedData };

export interface CampaignState {
  campaignId?: string;
  status?: CampaignStatus;
  definition?: CampaignDefinition;
  definedAt?: string;
  definedBy?: string;
  startAt?: string;
  scheduledBy?: CampaignActor;
  startedAt?: string;
  startedBy?: CampaignActor;
  audienceSize?: number;
  controlSize?: number;
  /** The frozen audience, in the order it was frozen. */
  members: readonly CampaignMember[];
  pausedAt?: string;
  closedAt?: string;
  /** Events folded so far. */
  version: number;
}

export const campaignStream = (campaignId: string) => `campaign-${campaignId}`;
export const noCampaign: CampaignState = { members: [], version: 0 };

/** Only the fields of its kind: a triggered audience with a stray `customerIds` (junk a client sent along) keeps none of it. */
function audienceOf(a: CampaignAudience): CampaignAudience {
  switch (a.kind) {
    case 'segment':
      return { kind: 'segment', segmentId: a.segmentId };
    case 'list':
      return { kind: 'list', customerIds: a.customerIds };
    default:
      return { kind: 'triggered' };
  }
}

function definitionOf(d: CampaignDefinition): CampaignDefinition {
  const { name, purpose, audience, steps, controlBasisPoints, throttlePerSecond, attributionWindowDays, costPerMessage } = d;
  return { name, purpose, audience: audienceOf(audience), steps, controlBasisPoints, throttlePerSecond, attributionWindowDays, costPerMessage };
}

/** Key order does not matter (a JSONB column hands keys back sorted), optional fields left out equal absent ones. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export function sameDefinition(a: CampaignDefinition | undefined, b: CampaignDefinition): boolean {
  return a !== undefined && canonical(definitionOf(a)) === canonical(definitionOf(b));
}

export function evolveCampaign(state: CampaignState, event: CampaignEvent): CampaignState {
  const next = { ...state, campaignId: event.data.campaignId, version: state.version + 1 };
  switch (event.type) {
    case 'CampaignDefined':
      return { ...next, status: 'draft', definition: definitionOf(event.data), definedAt: event.data.definedAt, definedBy: event.data.definedBy };
    case 'CampaignRevised':
      return { ...next, definition: definitionOf(event.data) };
    case 'CampaignScheduled':
      return { ...next, status: 'scheduled', startAt: event.data.startAt, scheduledBy: event.data.scheduledBy };
    case 'CampaignStarted':
      return {
        ...next,
        status: 'running',
        startedAt: event.data.startedAt,
        startedBy: event.data.startedBy,
        audienceSize: event.data.audienceSize,
        controlSize: event.data.controlSize,
        members: [],
      };
    case 'CampaignAudienceFrozen':
      return { ...next, members: [...state.members, ...event.data.members] };
    case 'CampaignPaused':
      return { ...next, status: 'paused', pausedAt: event.data.pausedAt };
    case 'CampaignResumed':
      return { ...next, status: 'running', pausedAt: undefined };
    case 'CampaignClosed':
      return { ...next, status: 'closed', closedAt: event.data.closedAt };
    default:
      return state;
  }
}

const broken = (rule: string, message: string) => new DomainRuleViolation(rule, message);

/** The definition's own rules: what a draft must satisfy to be recorded at all. */
export function checkDefinition(d: CampaignDefinition): void {
  if (d.name.trim() === '') throw broken('campaign-definition', 'name: the campaign needs a name');
  if (!SLUG_ID.test(d.purpose)) throw broken('campaign-definition', `purpose ${d.purpose}: a consent purpose slug (newsletter, offers…)`);
  if (d.audience.kind === 'list') {
    const ids = d.audience.customerIds;
    if (ids.length === 0 || ids.length > MAX_LISTED_AUDIENCE)
      throw broken('campaign-audience', `audience.customerIds: 1 to ${MAX_LISTED_AUDIENCE} customers (a larger audience is a segment)`);
    if (new Set(ids.map((id) => id.toLowerCase())).size !== ids.length) throw broken('campaign-audience', 'audience.customerIds: each customer once');
  } else if (d.audience.kind === 'segment' && d.audience.segmentId.trim() === '') throw broken('campaign-audience', 'audience.segmentId: the segment');
  if (d.steps.length === 0 || d.steps.length > MAX_STEPS) throw broken('campaign-steps', `steps: 1 to ${MAX_STEPS}`);
  const stepIds = new Set<string>();
  d.steps.forEach((step, i) => {
    const at = `steps[${i}]`;
    if (!SLUG_ID.test(step.stepId)) throw broken('campaign-steps', `${at}.stepId: a slug`);
    if (stepIds.has(step.stepId)) throw broken('campaign-steps', `${at}.stepId ${step.stepId}: used twice`);
    stepIds.add(step.stepId);
    if (!(CAMPAIGN_CHANNELS as readonly string[]).includes(step.channel)) throw broken('campaign-steps', `${at}.channel: ${CAMPAIGN_CHANNELS.join(', ')}`);
    if (!Number.isInteger(step.delayMinutes) || step.delayMinutes < 0 || step.delayMinutes > MAX_STEP_DELAY_MINUTES)
      throw broken('campaign-steps', `${at}.delayMinutes: whole minutes from 0 to ${MAX_STEP_DELAY_MINUTES}`);
    if (step.variants.length === 0 || step.variants.length > MAX_VARIANTS) throw broken('campaign-variants', `${at}.variants: 1 to ${MAX_VARIANTS}`);
    const variantIds = new Set<string>();
    step.variants.forEach((v, j) => {
      const vat = `${at}.variants[${j}]`;
      if (!SLUG_ID.test(v.variantId)) throw broken('campaign-variants', `${vat}.variantId: a slug`);
      if (variantIds.has(v.variantId)) throw broken('campaign-variants', `${vat}.variantId ${v.variantId}: used twice in the step`);
      variantIds.add(v.variantId);
      if (!Number.isInteger(v.weight) || v.weight < 1 || v.weight > 100) throw broken('campaign-variants', `${vat}.weight: a whole number from 1 to 100`);
      const t = v.template;
      if (step.channel === 'email' && (t.subject === undefined || t.subject.trim() === ''))
        throw broken('campaign-template', `${vat}.template.subject: an e-mail needs a subject`);
      if (step.channel !== 'email' && (t.subject !== undefined || t.html !== undefined))
        throw broken('campaign-template', `${vat}.template: subject and html are for e-mail only`);
      if (t.text.trim() === '') throw broken('campaign-template', `${vat}.template.text: the plain-text body`);
      mergeFieldsOf(t.text, `${vat}.template.text`);
      if (t.subject !== undefined) mergeFieldsOf(t.subject, `${vat}.template.subject`);
      if (t.html !== undefined) mergeFieldsOf(t.html, `${vat}.template.html`);
    });
  });
  if (!Number.isInteger(d.controlBasisPoints) || d.controlBasisPoints < 0 || d.controlBasisPoints > 5_000)
    throw broken('campaign-definition', 'controlBasisPoints: 0 to 5,000 (at most half the audience held out)');
  if (!Number.isInteger(d.throttlePerSecond) || d.throttlePerSecond < 1 || d.throttlePerSecond > 1_000)
    throw broken('campaign-definition', 'throttlePerSecond: 1 to 1,000 messages per second');
  if (!Number.isInteger(d.attributionWindowDays) || d.attributionWindowDays < 1 || d.attributionWindowDays > 365)
    throw broken('campaign-definition', 'attributionWindowDays: 1 to 365');
  if (!Number.isSafeInteger(d.costPerMessage.amountMinor) || d.costPerMessage.amountMinor < 0 || !isCurrencyCode(d.costPerMessage.currency))
    throw broken('campaign-definition', 'costPerMessage: whole minor units, not negative, in an ISO 4217 currency');
}

/** The frozen audience: each member once, in the control group or with a variant per step (deterministic from campaign and customer). */
export function freezeAudience(campaignId: string, definition: CampaignDefinition, customerIds: readonly string[]): CampaignMember[] {
  const seen = new Set<string>();
  const members: CampaignMember[] = [];
  for (const customerId of customerIds) {
    const key = customerId.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    if (inControlGroup(campaignId, customerId, definition.controlBasisPoints)) members.push({ customerId, control: true });
    else members.push({ customerId, variants: definition.steps.map((s) => variantFor(campaignId, customerId, s.stepId, s.variants)) });
  }
  return members;
}

/** When a step is due for every member: the start plus the step's delay. */
export function stepDueAt(state: CampaignState, step: CampaignStep): number {
  return Date.parse(state.startedAt ?? '') + step.delayMinutes * 60_000;
}

/** When a step is due for this member (ms), or undefined when the member does not get it (a triggered recipient of one named step). */
export function memberStepDueAt(state: CampaignState, member: CampaignMember, step: CampaignStep): number | undefined {
  if (!member.steps) return stepDueAt(state, step);
  const own = member.steps.find((s) => s.stepId === step.stepId);
  return own ? Date.parse(own.dueAt) : undefined;
}

function assertExists(state: CampaignState, campaignId: string): asserts state is CampaignState & { status: CampaignStatus; definition: CampaignDefinition } {
  if (state.status === undefined || state.definition === undefined) throw broken('campaign-unknown', `campaign ${campaignId} does not exist`);
}

function wrongStatus(state: { status: CampaignStatus }, doing: string, allowed: string): DomainRuleViolation {
  return broken('campaign-status', `a ${state.status} campaign cannot be ${doing} (only ${allowed})`);
}

export function decideCampaign(command: CampaignCommand, state: CampaignState): CampaignEvent[] {
  switch (command.type) {
    case 'DefineCampaign': {
      if (state.status !== undefined) {
        // The same definition again (a client retrying a lost answer) records nothing.
        if (sameDefinition(state.definition, command.data)) return [];
        throw broken('campaign-exists', `campaign ${command.data.campaignId} is defined already`);
      }
      checkDefinition(command.data);
      return [{ type: 'CampaignDefined', data: { ...command.data, audience: audienceOf(command.data.audience) } }];
    }
    case 'ReviseCampaign': {
      assertExists(state, command.data.campaignId);
      if (state.status !== 'draft' && state.status !== 'scheduled') throw wrongStatus(state, 'revised', 'before it starts');
      checkDefinition(command.data);
      if (sameDefinition(state.definition, command.data)) return [];
      return [{ type: 'CampaignRevised', data: { ...command.data, audience: audienceOf(command.data.audience) } }];
    }
    case 'ScheduleCampaign': {
      assertExists(state, command.data.campaignId);
      if (state.status !== 'draft' && state.status !== 'scheduled') throw wrongStatus(state, 'scheduled', 'a draft, or a scheduled one again');
      if (Date.parse(command.data.startAt) <= Date.parse(command.data.scheduledAt))
        throw broken('campaign-schedule', `startAt ${command.data.startAt} is not in the future: start it now instead`);
      if (state.status === 'scheduled' && state.startAt === command.data.startAt) return [];
      return [{ type: 'CampaignScheduled', data: command.data }];
    }
    case 'StartCampaign': {
      const d = command.data;
      assertExists(state, d.campaignId);
      if (state.status === 'running' || state.status === 'paused') return []; // started already (a retry, or the dispatcher and a person at once)
      if (state.status !== 'draft' && state.status !== 'scheduled') throw wrongStatus(state, 'started', 'a draft or a scheduled one');
      if (state.definition.audience.kind === 'triggered') {
        // Always-on: nobody at the start; the trigger firings admit recipients while it runs.
        return [
          {
            type: 'CampaignStarted',
            data: { campaignId: d.campaignId, startedAt: d.startedAt, startedBy: d.startedBy, audienceSize: 0, controlSize: 0, chunks: 0 },
          },
        ];
      }
      const members = freezeAudience(d.campaignId, state.definition, d.members);
      if (members.length === 0) throw broken('campaign-audience-empty', 'the audience has no members: nothing to send');
      if (members.length > MAX_FROZEN_AUDIENCE) throw broken('campaign-audience', `the audience has ${members.length} members; at most ${MAX_FROZEN_AUDIENCE}`);
      const chunks = Math.ceil(members.length / AUDIENCE_CHUNK);
      const controlSize = members.filter((m) => m.control).length;
      return [
        {
          type: 'CampaignStarted',
          data: { campaignId: d.campaignId, startedAt: d.startedAt, startedBy: d.startedBy, audienceSize: members.length, controlSize, chunks },
        },
        ...Array.from({ length: chunks }, (_, chunk): CampaignEvent => ({
          type: 'CampaignAudienceFrozen',
          data: { campaignId: d.campaignId, chunk, chunks, members: members.slice(chunk * AUDIENCE_CHUNK, (chunk + 1) * AUDIENCE_CHUNK) },
        })),
      ];
    }
    case 'PauseCampaign': {
      assertExists(state, command.data.campaignId);
      if (state.status === 'paused') return [];
      if (state.status !== 'running') throw wrongStatus(state, 'paused', 'a running one');
      return [{ type: 'CampaignPaused', data: command.data }];
    }
    case 'ResumeCampaign': {
      assertExists(state, command.data.campaignId);
      if (state.status === 'running') return [];
      if (state.status !== 'paused') throw wrongStatus(state, 'resumed', 'a paused one');
      return [{ type: 'CampaignResumed', data: command.data }];
    }
    case 'CloseCampaign': {
      assertExists(state, command.data.campaignId);
      if (state.status === 'closed') return [];
      return [{ type: 'CampaignClosed', data: command.data }];
    }
  }
}

export const campaignDecider: Decider<CampaignState, CampaignCommand, CampaignEvent> = {
  decide: decideCampaign,
  evolve: evolveCampaign,
  initialState: noCampaign,
};
