import { ValidateIf } from 'class-validator';

/**
 * Personal data in the CRM's events (issue 9 §4, docs/customer-data.md "Erasure"). Events are never
 * rewritten, so the personal fields listed here are stored sealed — encrypted with a key of their
 * data subject (the customer, or the lead) — in the event store and on the bus alike. Destroying
 * the subject's keys erases them everywhere at once: every later read, replay or rebuild finds the
 * marker `ERASED` where the value was.
 */

/** A sealed value: `pii:v1:<key id>:<base64url of iv | ciphertext | tag>` (AES-256-GCM). */
export const SEALED_PATTERN = /^pii:v1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[A-Za-z0-9_-]{22,}$/;
export const isSealed = (value: unknown): value is string => typeof value === 'string' && SEALED_PATTERN.test(value);

/** What an erased personal value reads as (defined in the kernel, for the deciders too). */
export { ERASED } from '@crm/kernel';

/** Every part of a postal address under `at` (a contact's `address`, or the customer's own). */
function addressFields(at: string): string[] {
  return ['lines[]', 'postalCode', 'locality', 'region', 'country'].map((f) => `${at}.${f}`);
}

/** A contact's personal fields under `at` (`contact`, `contacts[]`): name, e-mail, phone and every part of its postal address. */
function contactFields(at: string): string[] {
  return [...['name', 'email', 'phone'].map((f) => `${at}.${f}`), ...addressFields(`${at}.address`)];
}

/**
 * The personal fields of each event type, as paths into its data: `a.b` a nested field, `a[].b` a
 * field of every item of array `a`. Only string values are sealed. The subject whose key seals them
 * is the event's `customerId`, or `leadId` for lead events, or `userId` for a partner's user (`personalDataSubject`).
 */
export const PERSONAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  CustomerRegistered: ['name', ...contactFields('contacts[]'), 'identities[].value', ...addressFields('address')],
  CustomerDetailsChanged: ['name', ...addressFields('address')],
  CustomerContactAdded: contactFields('contact'),
  CustomerContactChanged: contactFields('contact'),
  CustomerIdentityAdded: ['identity.value'],
  CustomerIdentityRemoved: ['identity.value'],
  CustomerJourneyStageChanged: ['reason'],
  CustomerRelationshipPhaseChanged: ['reason'],
  InteractionRecorded: ['interaction.response'],
  LeadCaptured: ['name', 'company', 'email', 'phone', 'qualification.need'],
  LeadQualified: ['qualification.need'],
  LeadDisqualified: ['reason'],
  LeadOfferDeclined: ['reason'],
  LeadOfferOutcomeReported: ['note'],
  QuoteDiscountApproved: ['note'],
  QuoteDiscountRejected: ['reason'],
  QuoteDeclined: ['reason'],
  ActivityPlanned: ['subject', 'notes'],
  ActivityCancelled: ['reason'],
  ActivityCompleted: ['interaction.response'],
  OpportunityUpdated: ['nextStep'],
  OpportunityStageChanged: ['reason'],
  OrderCancelled: ['reason'],
  OrderReturned: ['reason'],
  CaseStatusChanged: ['reason'],
  CaseReopened: ['reason'],
  CaseUnassigned: ['reason'],
  CallEnded: ['from'],
  CaseSatisfactionRated: ['comment'],
  ReturnRequested: ['item.serialNumber', 'fault'],
  ReturnAuthorised: ['note'],
  ReturnDenied: ['reason'],
  RepairStatusChanged: ['note'],
  ConsentRequested: ['evidence.ipAddress', 'evidence.userAgent', 'evidence.note'],
  ConsentGranted: ['evidence.ipAddress', 'evidence.userAgent', 'evidence.note'],
  ConsentWithdrawn: ['evidence.ipAddress', 'evidence.userAgent', 'evidence.note'],
  // a prospect's company and contact, sealed with the key of the lead it is recorded as (issue 14 §3)
  DealRegistered: ['prospect.company', 'prospect.contactName', 'prospect.contactEmail'],
  // a partner's employee (issue 14 §1): sealed with the user's own key (subject `userId`); the event is never published
  PartnerUserAdded: ['name', 'email'],
};

/** Events whose data subject is a partner's user (`userId`), not a customer or a lead. */
const USER_SUBJECT_EVENTS: ReadonlySet<string> = new Set(['PartnerUserAdded']);

/** The data subject whose key seals an event's personal fields, if the event has any. */
export function personalDataSubject(type: string, data: unknown): string | undefined {
  if (!PERSONAL_FIELDS[type] || !data || typeof data !== 'object') return undefined;
  const d = data as { customerId?: unknown; leadId?: unknown; userId?: unknown };
  if (USER_SUBJECT_EVENTS.has(type)) return typeof d.userId === 'string' && d.userId ? d.userId : undefined;
  if (typeof d.customerId === 'string' && d.customerId) return d.customerId;
  if (typeof d.leadId === 'string' && d.leadId) return d.leadId;
  return undefined;
}

/**
 * Calls `replace` on every string at the event's personal paths and returns a copy of `data` with
 * what it returned (the input is not changed). Non-string values are left as they are.
 */
export function mapPersonalFields(type: string, data: unknown, replace: (value: string) => string): unknown {
  const paths = PERSONAL_FIELDS[type];
  if (!paths || !data || typeof data !== 'object') return data;
  let copy: unknown = data;
  for (const path of paths) copy = mapPath(copy, path.split('.'), replace);
  return copy;
}

/** Every string at the event's personal paths. */
export function personalValues(type: string, data: unknown): string[] {
  const found: string[] = [];
  mapPersonalFields(type, data, (v) => {
    found.push(v);
    return v;
  });
  return found;
}

function mapPath(node: unknown, path: readonly string[], replace: (value: string) => string): unknown {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return node;
  const [head, ...rest] = path;
  const isArray = head.endsWith('[]');
  const key = isArray ? head.slice(0, -2) : head;
  const record = node as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(record, key)) return node;
  const value = record[key];
  let next: unknown;
  if (isArray) {
    if (!Array.isArray(value)) return node;
    next = rest.length === 0 ? value.map((v) => (typeof v === 'string' ? replace(v) : v)) : value.map((item) => mapPath(item, rest, replace));
  } else if (rest.length === 0) {
    if (typeof value !== 'string') return node;
    next = replace(value);
  } else {
    next = mapPath(value, rest, replace);
  }
  return next === value ? node : { ...record, [key]: next };
}

/**
 * On a personal field of a contract: a sealed value is valid as it is (its plain value was checked
 * before it was sealed, on the write side); a plain one must pass the field's other validators.
 */
export const Personal = (): PropertyDecorator => ValidateIf((_o, v) => !isSealed(v));
