import { DomainRuleViolation, type Decider, type LeadSource } from '@crm/kernel';

/**
 * A web form that captures leads on a public web site. It posts with its own API key instead of a
 * staff token; only a hash of the key is ever recorded (the key itself is shown once, when the form
 * is created or its key rotated). Each form has its own rate limit: at most `requests` leads per
 * window of `windowSeconds`. A revoked form captures nothing more, for good.
 */

export interface LeadFormRateLimit {
  requests: number;
  windowSeconds: number;
}

export const DEFAULT_LEAD_FORM_RATE_LIMIT: LeadFormRateLimit = { requests: 30, windowSeconds: 60 };

export type LeadFormEvent =
  | {
      type: 'LeadFormCreated';
      data: { formId: string; name: string; source: LeadSource; keyHash: string; rateLimit: LeadFormRateLimit; createdBy: string; createdAt: string };
    }
  | { type: 'LeadFormKeyRotated'; data: { formId: string; keyHash: string; rotatedBy: string; rotatedAt: string } }
  | { type: 'LeadFormRevoked'; data: { formId: string; revokedBy: string; revokedAt: string } };

export type LeadFormCommand =
  | { type: 'CreateLeadForm'; data: Extract<LeadFormEvent, { type: 'LeadFormCreated' }>['data'] }
  | { type: 'RotateLeadFormKey'; data: Extract<LeadFormEvent, { type: 'LeadFormKeyRotated' }>['data'] }
  | { type: 'RevokeLeadForm'; data: Extract<LeadFormEvent, { type: 'LeadFormRevoked' }>['data'] };

export interface LeadForm {
  readonly formId: string;
  readonly name: string;
  readonly source: LeadSource;
  /** SHA-256 of the current key (hex). */
  readonly keyHash: string;
  readonly rateLimit: LeadFormRateLimit;
  readonly createdAt: string;
  readonly keyRotatedAt?: string;
  readonly revokedAt?: string;
}

export type LeadFormState = LeadForm | undefined;

export const leadFormStream = (formId: string) => `leadform-${formId}`;

export const MAX_LEAD_FORM_REQUESTS = 10_000;
export const MAX_LEAD_FORM_WINDOW_SECONDS = 86_400;

export function evolveLeadForm(state: LeadFormState, event: LeadFormEvent): LeadFormState {
  switch (event.type) {
    case 'LeadFormCreated': {
      const { createdBy: _by, ...d } = event.data;
      return d;
    }
    case 'LeadFormKeyRotated':
      return state && { ...state, keyHash: event.data.keyHash, keyRotatedAt: event.data.rotatedAt };
    case 'LeadFormRevoked':
      return state && { ...state, revokedAt: event.data.revokedAt };
  }
}

export function decideLeadForm(command: LeadFormCommand, state: LeadFormState): LeadFormEvent[] {
  if (command.type === 'CreateLeadForm') {
    if (state) throw new DomainRuleViolation('lead-form-exists', `lead form ${command.data.formId} exists`);
    if (!command.data.name.trim()) throw new DomainRuleViolation('lead-form-needs-name', 'a lead form needs a name');
    const { requests, windowSeconds } = command.data.rateLimit;
    if (!(Number.isInteger(requests) && requests >= 1 && requests <= MAX_LEAD_FORM_REQUESTS))
      throw new DomainRuleViolation('lead-form-rate-limit', `a form may allow 1 to ${MAX_LEAD_FORM_REQUESTS} leads per window`);
    if (!(Number.isInteger(windowSeconds) && windowSeconds >= 1 && windowSeconds <= MAX_LEAD_FORM_WINDOW_SECONDS))
      throw new DomainRuleViolation('lead-form-rate-limit', `a rate-limit window is 1 to ${MAX_LEAD_FORM_WINDOW_SECONDS} seconds`);
    return [{ type: 'LeadFormCreated', data: command.data }];
  }
  if (!state) throw new DomainRuleViolation('unknown-lead-form', `lead form ${command.data.formId} does not exist`);
  if (command.type === 'RevokeLeadForm') return state.revokedAt ? [] : [{ type: 'LeadFormRevoked', data: command.data }];
  if (state.revokedAt) throw new DomainRuleViolation('lead-form-revoked', `lead form ${state.formId} was revoked`);
  return [{ type: 'LeadFormKeyRotated', data: command.data }];
}

export const leadFormDecider: Decider<LeadFormState, LeadFormCommand, LeadFormEvent> = {
  decide: decideLeadForm,
  evolve: evolveLeadForm,
  initialState: undefined,
};

/**
 * Fixed-window rate limiting, pure: the window a request at `now` falls in (windows start at
 * multiples of the window length since the epoch), and whether one more request fits in it.
 */
export function rateLimitWindow(limit: LeadFormRateLimit, now: Date): { start: number; end: number } {
  const length = limit.windowSeconds * 1000;
  const start = Math.floor(now.getTime() / length) * length;
  return { start, end: start + length };
}
