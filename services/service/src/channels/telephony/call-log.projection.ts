import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';

/** Every ended call, as the IVR containment measure counts them (`GET /ivr/containment`). */
@Entity({ name: 'call_log' })
@Index('call_log_ended', ['endedAt'])
export class CallLogEntry {
  @PrimaryColumn({ type: 'text', name: 'call_id' }) callId!: string;
  @Column({ type: 'text', name: 'customer_id', nullable: true }) customerId!: string | null;
  @Column({ type: 'text', name: 'episode_id', nullable: true }) episodeId!: string | null;
  @Column({ type: 'text', nullable: true }) team!: string | null;
  @Column({ type: 'timestamptz', name: 'offered_at' }) offeredAt!: Date;
  @Column({ type: 'timestamptz', name: 'ended_at' }) endedAt!: Date;
  @Column({ type: 'boolean' }) answered!: boolean;
  @Column({ type: 'boolean' }) abandoned!: boolean;
  @Column({ type: 'boolean', name: 'contained_in_ivr' }) containedInIvr!: boolean;
  @Column({ type: 'integer', name: 'handle_seconds' }) handleSeconds!: number;
}

/** The call log: one row per `CallEnded` (a call ends once; a redelivery writes the same row). */
export function callLogProjection(): Projection<CrmIntegrationEvent<'CallEnded'>> {
  return {
    name: 'service-call-log',
    entities: [CallLogEntry],
    handles: ['CallEnded'],
    async apply(event, manager: EntityManager) {
      const d = event.data;
      await manager
        .createQueryBuilder()
        .insert()
        .into(CallLogEntry)
        .values({
          callId: d.callId,
          customerId: d.customerId ?? null,
          episodeId: d.episodeId ?? null,
          team: d.team ?? null,
          offeredAt: new Date(d.offeredAt),
          endedAt: new Date(d.endedAt),
          answered: d.answeredAt !== undefined,
          abandoned: d.abandoned,
          containedInIvr: d.containedInIvr,
          handleSeconds: d.handleSeconds,
        })
        .orIgnore()
        .execute();
    },
  };
}

export interface Containment {
  from: string;
  to: string;
  /** Calls that ended in [from, to). */
  calls: number;
  /** Ended in the IVR's self-service without an agent. */
  contained: number;
  answered: number;
  abandoned: number;
  /** contained / calls (0 without calls). */
  containmentRate: number;
}

export async function containment(manager: EntityManager, from: Date, to: Date): Promise<Containment> {
  const table = manager.getRepository(CallLogEntry).metadata.tablePath;
  const [row] = (await manager.query(
    `SELECT count(*)::int AS calls, count(*) FILTER (WHERE contained_in_ivr)::int AS contained,
            count(*) FILTER (WHERE answered)::int AS answered, count(*) FILTER (WHERE abandoned)::int AS abandoned
       FROM ${table} WHERE ended_at >= $1 AND ended_at < $2`,
    [from.toISOString(), to.toISOString()],
  )) as { calls: number; contained: number; answered: number; abandoned: number }[];
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    ...row,
    containmentRate: row.calls === 0 ? 0 : Math.round((row.contained / row.calls) * 10000) / 10000,
  };
}
