import type { CrmIntegrationEvent } from '@crm/contracts';
import { versionedProjection, versionedTable, type VersionedProjection } from '@crm/projections';

export type ContactCentreEvent = CrmIntegrationEvent<
  | 'EpisodeOpened'
  | 'InteractionRecorded'
  | 'EpisodeClosed'
  | 'CaseAssigned'
  | 'CaseUnassigned'
  | 'CaseDetailsChanged'
  | 'CaseStatusChanged'
  | 'CaseReopened'
  | 'CallEnded'
  | 'CaseSatisfactionRated'
  | 'AgentProfileSet'
  | 'AgentPresenceChanged'
>;

export const CONTACT_CENTRE_FACTS = 'analytics.contact-centre-facts';
/** The version the code serves; a change to what facts are kept is a new version, built beside this one (docs/analytics.md, Replayable analytics). */
// v2: CaseUnassigned (a case released to a queue: its agent and team change).
export const CONTACT_CENTRE_FACTS_VERSION = 2;

/** One row per event the contact-centre measures are computed from. */
export type ContactCentreFactKind =
  | 'case-opened'
  | 'contact'
  | 'case-closed'
  | 'case-assigned'
  | 'case-unassigned'
  | 'case-details'
  | 'case-status'
  | 'case-reopened'
  | 'call-ended'
  | 'rated'
  | 'agent-profile'
  | 'presence';

const CASE_ONLY: ContactCentreFactKind[] = ['contact', 'case-closed'];

/**
 * `analytics.contact-centre-facts@v<n>` (table `analytics.contact_centre_facts_v<n>`): the dated
 * facts of the contact centre — cases (opening channel, inbound contacts, assignments, team,
 * closings, reopenings), calls, satisfaction answers, agents' profiles and presence — one row per
 * event, keyed by the event id (a second delivery changes nothing). Facts rather than totals so the
 * measures can be asked for any window and as of any instant (`recorded_at`); the definitions are
 * pure code (contact-centre-measures.ts); `seq` keeps the order the facts were applied in (the store's). Interactions and closings are kept only for cases: the
 * case's opening is on the same stream and comes first, so "is this a case" is a lookup here.
 */
export function contactCentreFactsProjection(version: number = CONTACT_CENTRE_FACTS_VERSION): VersionedProjection<ContactCentreEvent> {
  const table = versionedTable('analytics', 'contact_centre_facts', version);
  const insert = async (
    m: Parameters<VersionedProjection['apply']>[1],
    event: ContactCentreEvent,
    fact: { kind: ContactCentreFactKind; occurredAt: string; episodeId?: string; agentId?: string; data?: Record<string, unknown> },
  ) => {
    const values = [event.id, fact.kind, fact.episodeId ?? null, fact.agentId ?? null, JSON.stringify(fact.data ?? {}), fact.occurredAt, event.time];
    if (CASE_ONLY.includes(fact.kind)) {
      await m.query(
        `INSERT INTO ${table} (event_id, kind, episode_id, agent_id, data, occurred_at, recorded_at)
         SELECT $1, $2, $3, $4, $5::jsonb, $6, $7 WHERE EXISTS (SELECT 1 FROM ${table} WHERE kind = 'case-opened' AND episode_id = $3)
         ON CONFLICT (event_id) DO NOTHING`,
        values,
      );
      return;
    }
    await m.query(
      `INSERT INTO ${table} (event_id, kind, episode_id, agent_id, data, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
      values,
    );
  };
  return versionedProjection<ContactCentreEvent>({
    readModel: CONTACT_CENTRE_FACTS,
    version,
    tables: { facts: table },
    ddl: [
      'CREATE SCHEMA IF NOT EXISTS analytics',
      `CREATE TABLE IF NOT EXISTS ${table} (
        event_id uuid PRIMARY KEY,
        seq bigserial NOT NULL,
        kind text NOT NULL,
        episode_id text,
        agent_id text,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS contact_centre_facts_v${version}_occurred ON ${table} (occurred_at)`,
      `CREATE INDEX IF NOT EXISTS contact_centre_facts_v${version}_episode ON ${table} (episode_id, kind)`,
    ],
    handles: [
      'EpisodeOpened',
      'InteractionRecorded',
      'EpisodeClosed',
      'CaseAssigned',
      // v1 was defined without it: its rows stay what they were.
      ...(version >= 2 ? (['CaseUnassigned'] as const) : []),
      'CaseDetailsChanged',
      'CaseStatusChanged',
      'CaseReopened',
      'CallEnded',
      'CaseSatisfactionRated',
      'AgentProfileSet',
      'AgentPresenceChanged',
    ],
    async apply(event, m) {
      switch (event.type) {
        case 'EpisodeOpened': {
          const d = event.data;
          if (d.episodeType !== 'case') return;
          return void (await insert(m, event, { kind: 'case-opened', occurredAt: d.openedAt, episodeId: d.episodeId, data: { channel: d.channel ?? null } }));
        }
        case 'InteractionRecorded': {
          const i = event.data.interaction;
          return void (await insert(m, event, {
            kind: 'contact',
            occurredAt: i.occurredAt,
            episodeId: event.data.episodeId,
            data: { direction: i.direction, actorKind: i.actor.kind, channel: i.channel },
          }));
        }
        case 'EpisodeClosed':
          return void (await insert(m, event, {
            kind: 'case-closed',
            occurredAt: event.data.closedAt,
            episodeId: event.data.episodeId,
            data: { outcome: event.data.outcome },
          }));
        case 'CaseAssigned': {
          const d = event.data;
          return void (await insert(m, event, {
            kind: 'case-assigned',
            occurredAt: d.assignedAt,
            episodeId: d.episodeId,
            agentId: d.agentId,
            data: { team: d.team ?? null },
          }));
        }
        case 'CaseUnassigned': {
          const d = event.data;
          // The case waits in `team`'s queue with no agent (absent team: in no queue); the reason (personal) is not kept.
          return void (await insert(m, event, { kind: 'case-unassigned', occurredAt: d.unassignedAt, episodeId: d.episodeId, data: { team: d.team ?? null } }));
        }
        case 'CaseDetailsChanged': {
          const d = event.data;
          // Only a change of team matters here (absent: unchanged; null: cleared).
          if (d.team === undefined) return;
          return void (await insert(m, event, { kind: 'case-details', occurredAt: d.changedAt, episodeId: d.episodeId, data: { team: d.team } }));
        }
        case 'CaseStatusChanged': {
          const d = event.data;
          return void (await insert(m, event, { kind: 'case-status', occurredAt: d.changedAt, episodeId: d.episodeId, data: { from: d.from, to: d.to } }));
        }
        case 'CaseReopened':
          return void (await insert(m, event, { kind: 'case-reopened', occurredAt: event.data.reopenedAt, episodeId: event.data.episodeId }));
        case 'CallEnded': {
          const d = event.data;
          return void (await insert(m, event, {
            kind: 'call-ended',
            occurredAt: d.endedAt,
            episodeId: d.episodeId,
            agentId: d.agentId,
            // the caller's number (personal) is not kept
            data: {
              team: d.team ?? null,
              answered: d.answeredAt !== undefined,
              abandoned: d.abandoned,
              handleSeconds: d.handleSeconds,
              containedInIvr: d.containedInIvr,
            },
          }));
        }
        case 'CaseSatisfactionRated': {
          const d = event.data;
          // the comment (personal) is not kept
          return void (await insert(m, event, { kind: 'rated', occurredAt: d.ratedAt, episodeId: d.episodeId, data: { score: d.score } }));
        }
        case 'AgentProfileSet': {
          const d = event.data;
          return void (await insert(m, event, {
            kind: 'agent-profile',
            occurredAt: d.setAt,
            agentId: d.agentId,
            data: { teams: d.teams, hourlyCost: d.hourlyCost ?? null, currency: d.currency ?? null, active: d.active },
          }));
        }
        case 'AgentPresenceChanged': {
          const d = event.data;
          return void (await insert(m, event, { kind: 'presence', occurredAt: d.changedAt, agentId: d.agentId, data: { presence: d.presence } }));
        }
      }
    },
  });
}
