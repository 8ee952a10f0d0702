import { CASE_PRIORITIES, CASE_SEVERITIES, DomainRuleViolation, SLUG_ID, type CasePriority, type CaseSeverity, type CaseStatus } from '@crm/kernel';

/**
 * What a case (an episode of type `case`) has besides what every episode has: the status it is
 * worked through, its priority and severity, category, product and team (queue), the agent it is
 * assigned to, every status it was in, and how often it was reopened.
 *
 * The status machine (docs/service.md "Cases"):
 *
 *   new ──assign──▶ assigned ──▶ in-progress ◀──▶ waiting-on-customer / waiting-on-partner
 *    │                 │              │                    │
 *    └─────────────────┴──────────────┴─── close the episode (resolved | unresolved) ──▶ resolved ──▶ closed
 *                                                                                           │
 *                                            reopened ◀──────────── reopen (with a reason) ─┘
 *
 * - `assigned` is reached only by an assignment (from `new` or `reopened`; assigning a case in any
 *   other open status keeps its status).
 * - `new` again only by an unassignment (`UnassignCase`: a supervisor's release, an SLA escalation
 *   moving it to another team): an open case an agent holds goes back to its team's queue, without
 *   an agent, from whatever open status it was in (`CaseUnassigned` with its `CaseStatusChanged`).
 * - `in-progress`, `waiting-on-customer`, `waiting-on-partner` from any open status; the waiting
 *   ones say what is awaited (a reason).
 * - `resolved` only by closing the episode (`EpisodeClosed` resolved or unresolved: the outcome
 *   says which), from any open status.
 * - `closed` only from `resolved`: final, nothing happens to the case after it.
 * - `reopened` only from `resolved` (`CaseReopened`, with the customer's reason): the episode is open again.
 *
 * Every move is one event: `EpisodeClosed` is the move to `resolved`, `CaseReopened` the move to
 * `reopened`, and every other move a `CaseStatusChanged` (an assignment's `CaseAssigned` comes with
 * the `CaseStatusChanged` to `assigned` in the same append) — docs/events.md "Cases people work".
 */

export const DEFAULT_CASE_PRIORITY: CasePriority = 'normal';
export const DEFAULT_CASE_SEVERITY: CaseSeverity = 'minor';

/** The working details of a case that `CaseDetailsChanged` changes; `null` clears. */
export interface CaseChanges {
  priority?: CasePriority;
  severity?: CaseSeverity;
  /** A slug (`billing`, `delivery-late`). */
  category?: string | null;
  /** A product of the catalogue the case is about. */
  productId?: string | null;
  /** The team (queue) the case waits in: a slug. */
  team?: string | null;
}

export interface CaseDetailsChangedData extends CaseChanges {
  episodeId: string;
  customerId: string;
  changedAt: string;
  changedBy: string;
}

export interface CaseStatusChangedData {
  episodeId: string;
  customerId: string;
  from: CaseStatus;
  to: CaseStatus;
  reason?: string;
  changedAt: string;
  changedBy: string;
}

export interface CaseAssignedData {
  episodeId: string;
  customerId: string;
  agentId: string;
  team?: string;
  previousAgentId?: string;
  /** Why this agent: the router's reasoning, or the person's. */
  reason: string;
  assignedAt: string;
  assignedBy: string;
}

/** A case taken from its agent: back in its team's queue (see `UnassignCase` in episode.ts). */
export interface CaseUnassignedData {
  episodeId: string;
  customerId: string;
  previousAgentId: string;
  /** The team (queue) it waits in now; absent: none. */
  team?: string;
  reason: string;
  unassignedAt: string;
  unassignedBy: string;
}

export interface CaseReopenedData {
  episodeId: string;
  customerId: string;
  reason: string;
  reopenedAt: string;
  reopenedBy: string;
}

export type CaseEvent =
  | { type: 'CaseDetailsChanged'; data: CaseDetailsChangedData }
  | { type: 'CaseStatusChanged'; data: CaseStatusChangedData }
  | { type: 'CaseAssigned'; data: CaseAssignedData }
  | { type: 'CaseReopened'; data: CaseReopenedData }
  | { type: 'CaseUnassigned'; data: CaseUnassignedData };

/** One stay in a status: when it began, where from, and why (if said). */
export interface CaseStatusVisit {
  readonly status: CaseStatus;
  readonly enteredAt: string;
  readonly from?: CaseStatus;
  readonly reason?: string;
}

export interface CaseFacts {
  readonly status: CaseStatus;
  readonly priority: CasePriority;
  readonly severity: CaseSeverity;
  readonly category?: string;
  readonly productId?: string;
  readonly team?: string;
  readonly assignee?: string;
  /** Every status it was in, in order (the first: `new`, when it opened). */
  readonly statusHistory: readonly CaseStatusVisit[];
  readonly reopenCount: number;
}

/** The statuses a case is open (being worked) in. */
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = ['new', 'assigned', 'in-progress', 'waiting-on-customer', 'waiting-on-partner', 'reopened'];
/** The statuses `ChangeCaseStatus` moves an open case to (the others have their own command). */
const WORKING_STATUSES: readonly CaseStatus[] = ['in-progress', 'waiting-on-customer', 'waiting-on-partner'];
/** Moving to these says what the case waits for. */
const NEEDS_REASON: readonly CaseStatus[] = ['waiting-on-customer', 'waiting-on-partner'];

/** The facts of a case as it opens: new, normal priority, minor severity. */
export function openedCase(openedAt: string): CaseFacts {
  return {
    status: 'new',
    priority: DEFAULT_CASE_PRIORITY,
    severity: DEFAULT_CASE_SEVERITY,
    statusHistory: [{ status: 'new', enteredAt: openedAt }],
    reopenCount: 0,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function evolveCase(c: CaseFacts, event: CaseEvent | { type: 'EpisodeClosed'; data: { closedAt: string; reason?: string } }): CaseFacts {
  switch (event.type) {
    case 'CaseDetailsChanged': {
      const d = event.data;
      const next: Mutable<CaseFacts> = { ...c };
      if (d.priority !== undefined && d.priority !== null) next.priority = d.priority;
      if (d.severity !== undefined && d.severity !== null) next.severity = d.severity;
      for (const key of ['category', 'productId', 'team'] as const) {
        const value = d[key];
        if (value === null) delete next[key];
        else if (value !== undefined) next[key] = value;
      }
      return next;
    }
    case 'CaseStatusChanged': {
      const d = event.data;
      return {
        ...c,
        status: d.to,
        statusHistory: [...c.statusHistory, { status: d.to, enteredAt: d.changedAt, from: d.from, ...(d.reason !== undefined && { reason: d.reason }) }],
      };
    }
    case 'CaseAssigned': {
      const d = event.data;
      return { ...c, assignee: d.agentId, ...(d.team !== undefined && { team: d.team }) };
    }
    case 'CaseUnassigned': {
      // (the status moves with the CaseStatusChanged to `new` that comes with it)
      const { assignee: _assignee, ...rest } = c;
      return { ...rest, ...(event.data.team !== undefined && { team: event.data.team }) };
    }
    case 'CaseReopened': {
      const d = event.data;
      return {
        ...c,
        status: 'reopened',
        reopenCount: c.reopenCount + 1,
        statusHistory: [...c.statusHistory, { status: 'reopened', enteredAt: d.reopenedAt, from: c.status, reason: d.reason }],
      };
    }
    case 'EpisodeClosed': {
      // Closing the episode is the case's move to resolved (the outcome says whether it was solved).
      const d = event.data;
      return {
        ...c,
        status: 'resolved',
        statusHistory: [...c.statusHistory, { status: 'resolved', enteredAt: d.closedAt, from: c.status, ...(d.reason !== undefined && { reason: d.reason }) }],
      };
    }
  }
}

/** The changes that differ from the case as it is (only those are recorded), checked against the rules. */
export function caseChanges(c: CaseFacts | undefined, wanted: CaseChanges): CaseChanges {
  const current: Partial<CaseFacts> = c ?? { priority: DEFAULT_CASE_PRIORITY, severity: DEFAULT_CASE_SEVERITY };
  if (wanted.priority !== undefined && !(CASE_PRIORITIES as readonly string[]).includes(wanted.priority))
    throw new DomainRuleViolation('unknown-priority', `a priority is one of ${CASE_PRIORITIES.join(', ')}`);
  if (wanted.severity !== undefined && !(CASE_SEVERITIES as readonly string[]).includes(wanted.severity))
    throw new DomainRuleViolation('unknown-severity', `a severity is one of ${CASE_SEVERITIES.join(', ')}`);
  for (const key of ['category', 'team'] as const) {
    const value = wanted[key];
    if (value !== undefined && value !== null && !SLUG_ID.test(value))
      throw new DomainRuleViolation(`invalid-${key}`, `a ${key} is 1–63 lower-case letters, digits or dashes`);
  }
  if (wanted.productId !== undefined && wanted.productId !== null && (!wanted.productId.trim() || wanted.productId.length > 200))
    throw new DomainRuleViolation('invalid-product', 'a product is the id of a product of the catalogue');
  const changes: CaseChanges = {};
  if (wanted.priority !== undefined && wanted.priority !== current.priority) changes.priority = wanted.priority;
  if (wanted.severity !== undefined && wanted.severity !== current.severity) changes.severity = wanted.severity;
  for (const key of ['category', 'productId', 'team'] as const) {
    const value = wanted[key];
    if (value !== undefined && (value ?? undefined) !== current[key]) changes[key] = value;
  }
  return changes;
}

/**
 * The move of an open or resolved case to `to` by `ChangeCaseStatus`, checked against the status
 * machine (undefined: it is there already — a retried request).
 */
export function caseStatusMove(c: CaseFacts, to: CaseStatus, reason: string | undefined): { from: CaseStatus; to: CaseStatus; reason?: string } | undefined {
  if (to === c.status) return undefined;
  if (c.status === 'closed') throw new DomainRuleViolation('case-closed', 'the case is closed: nothing more happens to it');
  const why = reason?.trim() ? reason : undefined;
  switch (to) {
    case 'new':
      throw new DomainRuleViolation('invalid-status-move', 'a case is new until it is first worked, or again when it is unassigned');
    case 'assigned':
      throw new DomainRuleViolation('assign-to-assign', 'a case becomes assigned by assigning it to an agent');
    case 'resolved':
      throw new DomainRuleViolation('resolve-by-closing', 'a case is resolved by closing it as resolved or unresolved');
    case 'reopened':
      throw new DomainRuleViolation('reopen-to-reopen', 'a resolved case is reopened by reopening it, with the reason');
    case 'closed':
      if (c.status !== 'resolved') throw new DomainRuleViolation('close-only-resolved', `only a resolved case is closed; this one is ${c.status}`);
      return { from: c.status, to, ...(why !== undefined && { reason: why }) };
    default:
      if (!WORKING_STATUSES.includes(to) || !OPEN_CASE_STATUSES.includes(c.status))
        throw new DomainRuleViolation('invalid-status-move', `a ${c.status} case cannot move to ${to}`);
      if (NEEDS_REASON.includes(to) && !why) throw new DomainRuleViolation('status-needs-reason', `say what the case is ${to.replace(/-/g, ' ')} for`);
      return { from: c.status, to, ...(why !== undefined && { reason: why }) };
  }
}

/** Whether an assignment to `agentId` (in `team`, if said) changes anything. */
export function assignmentChanges(c: CaseFacts, agentId: string, team: string | undefined): boolean {
  return agentId !== c.assignee || (team !== undefined && team !== c.team);
}

/** An assignment moves a new or reopened case to `assigned`; in any other status it keeps its status. */
export const assignmentMovesStatus = (c: CaseFacts): boolean => c.status === 'new' || c.status === 'reopened';
