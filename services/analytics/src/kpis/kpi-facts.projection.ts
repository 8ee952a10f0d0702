import type { CrmIntegrationEvent } from '@crm/contracts';
import { versionedProjection, versionedTable, type VersionedProjection } from '@crm/projections';

export type KpiFactEvent = CrmIntegrationEvent<
  | 'OrderPlaced'
  | 'OrderCancelled'
  | 'OrderReturned'
  | 'EpisodeOpened'
  | 'EpisodeClosed'
  | 'InteractionRecorded'
  | 'QuoteDrafted'
  | 'ActivityCompleted'
  | 'CaseReopened'
  | 'CaseSatisfactionRated'
>;

export const KPI_FACTS = 'analytics.kpi-facts';
/** The version the code serves; a change to what facts are kept is a new version, built beside this one (docs/analytics.md, Replayable analytics). */
export const KPI_FACTS_VERSION = 2;
/** v2 (issue 12) adds the contact centre's facts: case reopenings and satisfaction answers; v1 did not keep them. */
const CONTACT_CENTRE_SINCE_VERSION = 2;

/** One row per fact the KPIs count, with when it happened and when it was recorded (what `asOf` filters on). */
export type KpiFactKind =
  | 'order-placed'
  | 'order-cancelled'
  | 'order-returned'
  | 'episode-opened'
  | 'episode-closed'
  | 'interaction'
  | 'quote-drafted'
  | 'activity-completed'
  /** v2: a closed case reopened (counts against first-contact resolution). */
  | 'case-reopened'
  /** v2: a CSAT answer, `amount` the score 1–5. */
  | 'satisfaction-rated';

/**
 * `analytics.kpi-facts@v<n>`: the dated facts the KPIs are computed from, one row per event (table
 * `analytics.kpi_facts_v<n>`). Keeping facts rather than running totals is what lets every KPI be
 * answered as of any past instant: `recorded_at` is when the event was recorded (the integration
 * event's time), `occurred_at` when it happened (order date, closing time…). Amounts stay in their
 * currency, integer minor units.
 */
export function kpiFactsProjection(version: number = KPI_FACTS_VERSION): VersionedProjection<KpiFactEvent> {
  const table = versionedTable('analytics', 'kpi_facts', version);
  const insert = async (
    m: Parameters<VersionedProjection['apply']>[1],
    event: KpiFactEvent,
    fact: {
      kind: KpiFactKind;
      occurredAt: string;
      episodeId?: string;
      ref?: string;
      link?: string;
      actor?: string;
      detail?: string;
      currency?: string;
      amount?: number;
    },
  ) =>
    // The event id is the key: a second delivery of the same event changes nothing.
    m.query(
      `INSERT INTO ${table} (event_id, kind, customer_id, episode_id, ref, link, actor, detail, currency, amount, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (event_id) DO NOTHING`,
      [
        event.id,
        fact.kind,
        event.data.customerId,
        fact.episodeId ?? null,
        fact.ref ?? null,
        fact.link ?? null,
        fact.actor ?? null,
        fact.detail ?? null,
        fact.currency ?? null,
        fact.amount ?? null,
        fact.occurredAt,
        event.time,
      ],
    );
  return versionedProjection<KpiFactEvent>({
    readModel: KPI_FACTS,
    version,
    tables: { facts: table },
    ddl: [
      'CREATE SCHEMA IF NOT EXISTS analytics',
      `CREATE TABLE IF NOT EXISTS ${table} (
        event_id uuid PRIMARY KEY,
        kind text NOT NULL,
        customer_id text NOT NULL,
        episode_id text,
        ref text,
        link text,
        actor text,
        detail text,
        currency text,
        amount bigint,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS kpi_facts_v${version}_kind_occurred ON ${table} (kind, occurred_at)`,
      `CREATE INDEX IF NOT EXISTS kpi_facts_v${version}_episode ON ${table} (episode_id)`,
    ],
    handles: [
      'OrderPlaced',
      'OrderCancelled',
      'OrderReturned',
      'EpisodeOpened',
      'EpisodeClosed',
      'InteractionRecorded',
      'QuoteDrafted',
      'ActivityCompleted',
      // v1 is kept byte-for-byte what it was (it may still be serving while v2 builds beside it).
      ...(version >= CONTACT_CENTRE_SINCE_VERSION ? (['CaseReopened', 'CaseSatisfactionRated'] as const) : []),
    ],
    async apply(event, m) {
      switch (event.type) {
        case 'OrderPlaced': {
          const d = event.data;
          return void (await insert(m, event, {
            kind: 'order-placed',
            occurredAt: d.orderDate,
            ref: d.orderId,
            link: d.quoteId,
            episodeId: d.opportunityId,
            currency: d.currency,
            amount: d.total,
          }));
        }
        case 'OrderCancelled':
          return void (await insert(m, event, {
            kind: 'order-cancelled',
            occurredAt: event.data.cancelledAt,
            ref: event.data.orderId,
            currency: event.data.currency,
            amount: event.data.amount,
          }));
        case 'OrderReturned':
          return void (await insert(m, event, {
            kind: 'order-returned',
            occurredAt: event.data.returnedAt,
            ref: event.data.orderId,
            currency: event.data.currency,
            amount: event.data.amount,
          }));
        case 'EpisodeOpened': {
          const d = event.data;
          return void (await insert(m, event, {
            kind: 'episode-opened',
            occurredAt: d.openedAt,
            episodeId: d.episodeId,
            detail: d.episodeType,
            actor: d.owner.kind === 'partner' ? `partner:${d.owner.partnerId}` : d.owner.department,
            link: d.campaignId,
          }));
        }
        case 'EpisodeClosed':
          return void (await insert(m, event, {
            kind: 'episode-closed',
            occurredAt: event.data.closedAt,
            episodeId: event.data.episodeId,
            detail: event.data.outcome,
          }));
        case 'InteractionRecorded': {
          const i = event.data.interaction;
          return void (await insert(m, event, {
            kind: 'interaction',
            occurredAt: i.occurredAt,
            episodeId: event.data.episodeId,
            ref: i.interactionId,
            detail: i.direction,
            actor: `${i.actor.kind}:${i.actor.id}`,
          }));
        }
        case 'QuoteDrafted':
          return void (await insert(m, event, {
            kind: 'quote-drafted',
            occurredAt: event.data.preparedAt,
            ref: event.data.quoteId,
            episodeId: event.data.opportunityId,
          }));
        case 'ActivityCompleted':
          return void (await insert(m, event, {
            kind: 'activity-completed',
            occurredAt: event.data.completedAt,
            ref: event.data.activityId,
            actor: event.data.completedBy,
            episodeId: event.data.episodeId,
          }));
        case 'CaseReopened':
          if (version < CONTACT_CENTRE_SINCE_VERSION) return;
          return void (await insert(m, event, { kind: 'case-reopened', occurredAt: event.data.reopenedAt, episodeId: event.data.episodeId }));
        case 'CaseSatisfactionRated':
          if (version < CONTACT_CENTRE_SINCE_VERSION) return;
          // The comment is personal data and no KPI needs it: only the score is kept.
          return void (await insert(m, event, {
            kind: 'satisfaction-rated',
            occurredAt: event.data.ratedAt,
            episodeId: event.data.episodeId,
            ref: event.data.interactionId,
            amount: event.data.score,
          }));
      }
    },
  });
}
