import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';

/**
 * The partners' share requests (issue 14 §2), for the staff's list across partners
 * (`GET /share-requests?status=`) and each partner's list of its own. The requests themselves live
 * in each partner's stream (the partner aggregate decides them, and an approval's share is appended
 * in the same write); this table only finds them without reading every partner's stream. It holds a
 * partner's free-text reason and the ids involved — nothing about the customer.
 */
@Entity({ name: 'share_requests' })
@Index('share_requests_status_requested', ['status', 'requestedAt', 'requestId'])
@Index('share_requests_partner_requested', ['partnerId', 'requestedAt', 'requestId'])
export class ShareRequestRow {
  @PrimaryColumn({ type: 'text', name: 'request_id' }) requestId!: string;
  @Column({ type: 'text', name: 'partner_id' }) partnerId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'text' }) status!: 'pending' | 'approved' | 'refused';
  @Column({ type: 'timestamptz', name: 'requested_at' }) requestedAt!: Date;
  @Column({ type: 'text', name: 'requested_by' }) requestedBy!: string;
  @Column({ type: 'timestamptz', name: 'decided_at', nullable: true }) decidedAt!: Date | null;
  @Column({ type: 'text', name: 'decided_by', nullable: true }) decidedBy!: string | null;
  /** A refusal's reason. */
  @Column({ type: 'text', name: 'decision_reason', nullable: true }) decisionReason!: string | null;
  /** An approval's scope (episode types, access, expiry). */
  @Column({ type: 'jsonb', nullable: true }) scope!: Record<string, unknown> | null;
}

export type ShareRequestEvent = CrmIntegrationEvent<'PartnerShareRequested' | 'PartnerShareRequestApproved' | 'PartnerShareRequestRefused'>;

/** Keeps `share_requests`: an insert per request (a redelivery changes nothing), an update per decision. */
export function shareRequestsProjection(): Projection<ShareRequestEvent> {
  return {
    name: 'partner-portal-share-requests',
    entities: [ShareRequestRow],
    handles: ['PartnerShareRequested', 'PartnerShareRequestApproved', 'PartnerShareRequestRefused'],
    async apply(event, manager: EntityManager) {
      const repo = manager.getRepository(ShareRequestRow);
      switch (event.type) {
        case 'PartnerShareRequested': {
          const d = event.data;
          await manager
            .createQueryBuilder()
            .insert()
            .into(ShareRequestRow)
            .values({
              requestId: d.requestId,
              partnerId: d.partnerId,
              customerId: d.customerId,
              reason: d.reason,
              status: 'pending',
              requestedAt: new Date(d.requestedAt),
              requestedBy: d.requestedBy,
            })
            .orIgnore()
            .execute();
          return;
        }
        case 'PartnerShareRequestApproved': {
          const { requestId, approvedAt, approvedBy, episodeTypes, access, expiresAt } = event.data;
          const scope = { ...(episodeTypes ? { episodeTypes } : {}), ...(access ? { access } : {}), ...(expiresAt ? { expiresAt } : {}) };
          await repo.update({ requestId }, { status: 'approved', decidedAt: new Date(approvedAt), decidedBy: approvedBy, scope });
          return;
        }
        case 'PartnerShareRequestRefused': {
          const { requestId, refusedAt, refusedBy, reason } = event.data;
          await repo.update({ requestId }, { status: 'refused', decidedAt: new Date(refusedAt), decidedBy: refusedBy, decisionReason: reason });
          return;
        }
      }
    },
  };
}
