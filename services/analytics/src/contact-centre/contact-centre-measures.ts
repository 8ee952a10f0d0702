import type { DecisionMakingUnit } from '@crm/contact-centre-efficiency';
import type { ContactCentreFactKind } from './contact-centre-facts.projection';

/**
 * The contact-centre measures, as pure functions of the facts (docs/analytics.md, "Contact centre").
 * A window is [start, end); a case belongs to the window it was first resolved in, a call to the one
 * it ended in, a satisfaction answer to the one it was given in.
 */

export interface ContactCentreFact {
  kind: ContactCentreFactKind;
  episodeId: string | null;
  agentId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface MeasureWindow {
  start: Date;
  end: Date;
  /** Presence after this instant has not happened yet (staffed hours stop here). */
  asOf: Date;
}

export type MeasureGrouping = 'team' | 'channel' | 'none';

export const UNASSIGNED = 'unassigned';

export interface CaseHistory {
  episodeId: string;
  channel: string | null;
  openedAt: string;
  /** Inbound interactions recorded before the first resolution. */
  inboundContacts: number;
  resolvedAt?: string;
  /** A CaseReopened after the first resolution. */
  reopened: boolean;
  /** The team at the first resolution (or now, if never resolved): last CaseAssigned/CaseUnassigned/CaseDetailsChanged team. */
  team: string | null;
  agentId: string | null;
}

interface AgentProfile {
  teams: string[];
  hourlyCost: number | null;
  currency: string | null;
}

/** Facts in the order they happened (ties: the order given, which is the order recorded). */
function chronological(facts: readonly ContactCentreFact[]): ContactCentreFact[] {
  return facts
    .map((f, k) => ({ f, k, t: Date.parse(f.occurredAt) }))
    .sort((a, b) => a.t - b.t || a.k - b.k)
    .map((x) => x.f);
}

/** Every case's history from its facts. */
export function caseHistories(facts: readonly ContactCentreFact[]): Map<string, CaseHistory> {
  const cases = new Map<string, CaseHistory>();
  for (const f of chronological(facts)) {
    if (f.kind === 'case-opened' && f.episodeId) {
      cases.set(f.episodeId, {
        episodeId: f.episodeId,
        channel: (f.data.channel as string | null) ?? null,
        openedAt: f.occurredAt,
        inboundContacts: 0,
        reopened: false,
        team: null,
        agentId: null,
      });
      continue;
    }
    const c = f.episodeId ? cases.get(f.episodeId) : undefined;
    if (!c) continue;
    switch (f.kind) {
      case 'contact':
        if (f.data.direction === 'inbound' && !c.resolvedAt) c.inboundContacts += 1;
        break;
      case 'case-assigned':
        if (c.resolvedAt) break;
        c.agentId = f.agentId;
        if (f.data.team) c.team = f.data.team as string;
        break;
      case 'case-unassigned':
        if (c.resolvedAt) break;
        c.agentId = null;
        c.team = (f.data.team as string | null) ?? null;
        break;
      case 'case-details':
        if (!c.resolvedAt) c.team = (f.data.team as string | null) ?? null;
        break;
      case 'case-closed':
        if (!c.resolvedAt && f.data.outcome === 'resolved') c.resolvedAt = f.occurredAt;
        break;
      case 'case-reopened':
        if (c.resolvedAt) c.reopened = true;
        break;
    }
  }
  return cases;
}

/** Each agent's latest profile that took effect before `before`. */
export function agentProfiles(facts: readonly ContactCentreFact[], before: Date): Map<string, AgentProfile> {
  const profiles = new Map<string, AgentProfile>();
  for (const f of chronological(facts)) {
    if (f.kind !== 'agent-profile' || !f.agentId || Date.parse(f.occurredAt) >= before.getTime()) continue;
    profiles.set(f.agentId, {
      teams: (f.data.teams as string[]) ?? [],
      hourlyCost: (f.data.hourlyCost as number | null) ?? null,
      currency: (f.data.currency as string | null) ?? null,
    });
  }
  return profiles;
}

/**
 * Hours each agent was not `offline` within [start, min(end, asOf)): the presence in force at the
 * start is the last change before it (an agent never seen is offline), each interval is cut at the
 * window's bounds.
 */
export function staffedHours(facts: readonly ContactCentreFact[], window: MeasureWindow): Map<string, number> {
  const start = window.start.getTime();
  const stop = Math.min(window.end.getTime(), window.asOf.getTime());
  const byAgent = new Map<string, { at: number; presence: string }[]>();
  for (const f of chronological(facts)) {
    if (f.kind !== 'presence' || !f.agentId) continue;
    const list = byAgent.get(f.agentId) ?? [];
    list.push({ at: Date.parse(f.occurredAt), presence: f.data.presence as string });
    byAgent.set(f.agentId, list);
  }
  const hours = new Map<string, number>();
  for (const [agent, changes] of byAgent) {
    let presence = 'offline';
    let since = start;
    let ms = 0;
    for (const change of changes) {
      if (change.at <= start) {
        presence = change.presence;
        continue;
      }
      if (change.at >= stop) break;
      if (presence !== 'offline') ms += change.at - since;
      presence = change.presence;
      since = change.at;
    }
    if (presence !== 'offline' && stop > since) ms += stop - since;
    if (ms > 0) hours.set(agent, ms / 3_600_000);
  }
  return hours;
}

const within = (at: string, w: MeasureWindow) => {
  const t = Date.parse(at);
  return t >= w.start.getTime() && t < w.end.getTime();
};

export interface ContactCentreMeasures {
  group: string;
  cases: {
    /** Cases first resolved in the window. */
    resolved: number;
    /** Of those: at most one inbound contact before the resolution, and not reopened since. */
    firstContactResolutions: number;
    firstContactResolutionRate: number | null;
    reopened: number;
    reopenRate: number | null;
  };
  calls: {
    /** Calls that ended in the window. */
    offered: number;
    containedInIvr: number;
    containmentRate: number | null;
    abandoned: number;
    /** abandoned / (offered − contained in the IVR): of the callers who wanted an agent, the share who hung up first. */
    abandonmentRate: number | null;
    answered: number;
    /** Σ handle seconds / answered calls (answered → ended). */
    averageHandleSeconds: number | null;
  };
  satisfaction: {
    answers: number;
    /** Answers of 4 or 5. */
    satisfied: number;
    /** satisfied / answers. */
    csat: number | null;
    meanScore: number | null;
  };
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : round(part / whole));
const round = (v: number) => Math.round(v * 10_000) / 10_000;

/** The measures per group (team, the case's channel, or all) over the window, groups in name order. */
export function contactCentreMeasures(facts: readonly ContactCentreFact[], window: MeasureWindow, groupBy: MeasureGrouping): ContactCentreMeasures[] {
  const cases = caseHistories(facts);
  const profiles = agentProfiles(facts, window.end);
  const teamOfAgent = (agentId: string | null) => (agentId ? profiles.get(agentId)?.teams[0] : undefined);
  const caseTeam = (c: CaseHistory) => c.team ?? teamOfAgent(c.agentId) ?? UNASSIGNED;
  const caseGroup = (c: CaseHistory) => (groupBy === 'team' ? caseTeam(c) : groupBy === 'channel' ? (c.channel ?? 'unknown') : 'all');
  const groups = new Map<string, ContactCentreMeasures>();
  const group = (name: string) => {
    let g = groups.get(name);
    if (!g) {
      g = {
        group: name,
        cases: { resolved: 0, firstContactResolutions: 0, firstContactResolutionRate: null, reopened: 0, reopenRate: null },
        calls: { offered: 0, containedInIvr: 0, containmentRate: null, abandoned: 0, abandonmentRate: null, answered: 0, averageHandleSeconds: null },
        satisfaction: { answers: 0, satisfied: 0, csat: null, meanScore: null },
      };
      groups.set(name, g);
    }
    return g;
  };
  for (const c of cases.values()) {
    if (!c.resolvedAt || !within(c.resolvedAt, window)) continue;
    const g = group(caseGroup(c));
    g.cases.resolved += 1;
    if (c.reopened) g.cases.reopened += 1;
    if (isFirstContactResolution(c)) g.cases.firstContactResolutions += 1;
  }
  const handle = new Map<string, number>();
  const scores = new Map<string, number>();
  for (const f of facts) {
    if (!within(f.occurredAt, window)) continue;
    if (f.kind === 'call-ended') {
      const kase = f.episodeId ? cases.get(f.episodeId) : undefined;
      const name =
        groupBy === 'team'
          ? ((f.data.team as string | null) ?? teamOfAgent(f.agentId) ?? (kase ? caseTeam(kase) : UNASSIGNED))
          : groupBy === 'channel'
            ? 'phone'
            : 'all';
      const g = group(name);
      g.calls.offered += 1;
      if (f.data.containedInIvr) g.calls.containedInIvr += 1;
      if (f.data.abandoned) g.calls.abandoned += 1;
      else if (f.data.answered) {
        g.calls.answered += 1;
        handle.set(name, (handle.get(name) ?? 0) + Number(f.data.handleSeconds));
      }
    } else if (f.kind === 'rated') {
      const kase = f.episodeId ? cases.get(f.episodeId) : undefined;
      const name = kase ? caseGroup(kase) : groupBy === 'none' ? 'all' : 'unknown';
      const g = group(name);
      const score = Number(f.data.score);
      g.satisfaction.answers += 1;
      if (score >= 4) g.satisfaction.satisfied += 1;
      scores.set(name, (scores.get(name) ?? 0) + score);
    }
  }
  for (const g of groups.values()) {
    g.cases.firstContactResolutionRate = ratio(g.cases.firstContactResolutions, g.cases.resolved);
    g.cases.reopenRate = ratio(g.cases.reopened, g.cases.resolved);
    g.calls.containmentRate = ratio(g.calls.containedInIvr, g.calls.offered);
    g.calls.abandonmentRate = ratio(g.calls.abandoned, g.calls.offered - g.calls.containedInIvr);
    g.calls.averageHandleSeconds = g.calls.answered === 0 ? null : round((handle.get(g.group) ?? 0) / g.calls.answered);
    g.satisfaction.csat = ratio(g.satisfaction.satisfied, g.satisfaction.answers);
    g.satisfaction.meanScore = g.satisfaction.answers === 0 ? null : round((scores.get(g.group) ?? 0) / g.satisfaction.answers);
  }
  if (groupBy === 'none' && groups.size === 0) group('all');
  return [...groups.values()].sort((a, b) => a.group.localeCompare(b.group));
}

/** Resolved with at most one inbound contact before (the one that opened it) and never reopened. */
export function isFirstContactResolution(c: CaseHistory): boolean {
  return c.resolvedAt !== undefined && c.inboundContacts <= 1 && !c.reopened;
}

export const EFFICIENCY_INPUTS = ['agents', 'staffedHours', 'cost'] as const;
export const EFFICIENCY_OUTPUTS = ['casesResolved', 'firstContactResolutions', 'satisfiedAnswers'] as const;

export interface TeamUnits {
  inputs: string[];
  outputs: readonly string[];
  /** The currency of the cost input (null when cost is left out). */
  currency: string | null;
  units: DecisionMakingUnit[];
  excluded: { name: string; reason: string }[];
  notes: string[];
}

/**
 * Teams as DEA units over the window. Inputs: agents (an agent in k teams counts 1/k in each),
 * staffed hours (not offline, split the same way), cost (staffed hours × hourly cost, minor units,
 * split the same way). Outputs: cases first resolved, first-contact resolutions, satisfaction
 * answers of 4–5. An agent counts only if staffed in the window. Cost is left out (with a note)
 * when an agent has no hourly cost or the costs are in more than one currency: a partial or mixed
 * sum would rank teams by bookkeeping, not by efficiency.
 */
export function teamEfficiencyUnits(facts: readonly ContactCentreFact[], window: MeasureWindow): TeamUnits {
  const profiles = agentProfiles(facts, window.end);
  const hours = staffedHours(facts, window);
  const inputs = new Map<string, { agents: number; hours: number; cost: number }>();
  const currencies = new Set<string>();
  let costMissing = false;
  const notes: string[] = [];
  const teamless: string[] = [];
  for (const [agentId, h] of hours) {
    const p = profiles.get(agentId);
    if (!p || p.teams.length === 0) {
      teamless.push(agentId);
      continue;
    }
    if (p.hourlyCost === null || p.currency === null) costMissing = true;
    else currencies.add(p.currency);
    const share = 1 / p.teams.length;
    for (const team of p.teams) {
      const t = inputs.get(team) ?? { agents: 0, hours: 0, cost: 0 };
      t.agents += share;
      t.hours += h * share;
      t.cost += h * (p.hourlyCost ?? 0) * share;
      inputs.set(team, t);
    }
  }
  if (teamless.length > 0) notes.push(`${teamless.length} staffed agent(s) in no team are not counted: ${teamless.sort().join(', ')}`);
  const withCost = !costMissing && currencies.size === 1;
  if (hours.size === 0) notes.push('no agent was staffed in the period (no AgentPresenceChanged other than offline): no team has inputs');
  else if (costMissing) notes.push('cost left out: an agent staffed in the period has no hourly cost');
  else if (currencies.size > 1) notes.push(`cost left out: hourly costs are in ${[...currencies].sort().join(', ')}`);
  const measures = new Map(contactCentreMeasures(facts, window, 'team').map((m) => [m.group, m]));
  const names = [...new Set([...inputs.keys(), ...measures.keys()])].sort();
  const units: DecisionMakingUnit[] = [];
  const excluded: { name: string; reason: string }[] = [];
  for (const name of names) {
    const i = inputs.get(name);
    const m = measures.get(name);
    if (!i || i.hours === 0) {
      excluded.push({ name, reason: 'no staffed hours in the period (no agent of the team was other than offline): zero inputs' });
      continue;
    }
    units.push({
      name,
      inputs: [round(i.agents), round(i.hours), ...(withCost ? [Math.round(i.cost)] : [])],
      outputs: [m?.cases.resolved ?? 0, m?.cases.firstContactResolutions ?? 0, m?.satisfaction.satisfied ?? 0],
    });
  }
  return {
    inputs: withCost ? [...EFFICIENCY_INPUTS] : EFFICIENCY_INPUTS.filter((x) => x !== 'cost'),
    outputs: EFFICIENCY_OUTPUTS,
    currency: withCost ? [...currencies][0] : null,
    units,
    excluded,
    notes,
  };
}
