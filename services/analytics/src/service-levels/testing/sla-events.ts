import { randomUUID } from 'node:crypto';
import type { SpecEvent } from '@crm/projections/testing';
import type { SlaClocksEvent } from '../sla-clocks.projection';

/** Events of the contact centre's SLA clocks as their producers write them (docs/events.md), `time` = when they happened. */
export type SlaEvent = SpecEvent<SlaClocksEvent>;

export const T0 = '2026-03-02T08:00:00.000Z';
export const plus = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export const policiesSet = (
  at: number,
  policies: { policyId: string; tier?: string; firstResponseMinutes: number; nextResponseMinutes?: number; resolutionMinutes: number; calendarId?: string }[],
): SlaEvent => ({
  type: 'ServiceLevelPoliciesSet',
  time: plus(at),
  data: {
    policySetId: 'default',
    policies: policies.map((p) => ({ calendarId: '24x7', nextResponseMinutes: 30, warningPercent: 80, ...p })),
    escalations: [],
    setAt: plus(at),
    setBy: 'mia',
  },
});
export const tierChanged = (at: number, customerId: string, tier: string): SlaEvent => ({
  type: 'CustomerValueTierChanged',
  time: plus(at),
  data: { customerId, tier, clv: 1, rank: 1, customers: 1, reportingCurrency: 'EUR', modelFittedAt: plus(at), assignedAt: plus(at) },
});
export const opened = (at: number, customerId: string, episodeId: string, o: { episodeType?: string; partner?: boolean; channel?: string } = {}): SlaEvent => ({
  type: 'EpisodeOpened',
  time: plus(at),
  data: {
    episodeId,
    customerId,
    name: 'x',
    episodeType: o.episodeType ?? 'case',
    owner: o.partner ? { kind: 'partner', partnerId: 'p1' } : { kind: 'department', department: 'service' },
    openedAt: plus(at),
    channel: o.channel ?? 'phone',
  },
});
export const interaction = (at: number, customerId: string, episodeId: string, direction: 'inbound' | 'outbound'): SlaEvent => ({
  type: 'InteractionRecorded',
  time: plus(at),
  data: {
    episodeId,
    customerId,
    interaction: {
      interactionId: randomUUID(),
      channel: 'phone',
      direction,
      actor: direction === 'inbound' ? { kind: 'customer', id: customerId } : { kind: 'staff', id: 'dewi' },
      action: direction === 'inbound' ? 'called' : 'called back',
      occurredAt: plus(at),
    },
  },
});
export const assigned = (at: number, customerId: string, episodeId: string, team: string): SlaEvent => ({
  type: 'CaseAssigned',
  time: plus(at),
  data: { episodeId, customerId, agentId: 'dewi', team, reason: 'skills', assignedAt: plus(at), assignedBy: 'router' },
});
export const statusChanged = (at: number, customerId: string, episodeId: string, from: string, to: string): SlaEvent => ({
  type: 'CaseStatusChanged',
  time: plus(at),
  data: { episodeId, customerId, from, to, changedAt: plus(at), changedBy: 'dewi' },
});
export const closed = (at: number, customerId: string, episodeId: string): SlaEvent => ({
  type: 'EpisodeClosed',
  time: plus(at),
  data: { episodeId, customerId, outcome: 'resolved', closedAt: plus(at) },
});
export const reopened = (at: number, customerId: string, episodeId: string): SlaEvent => ({
  type: 'CaseReopened',
  time: plus(at),
  data: { episodeId, customerId, reason: 'again', reopenedAt: plus(at), reopenedBy: 'dewi' },
});
export const breached = (at: number, customerId: string, episodeId: string, metric: string, cycle: number, dueAt: string): SlaEvent => ({
  type: 'CaseSlaBreached',
  time: plus(at),
  data: { episodeId, customerId, metric, cycle, policyId: 'any', tier: 'bronze', targetMinutes: 10, dueAt, at: plus(at) },
});
