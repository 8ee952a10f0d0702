import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { IsNull } from 'typeorm';
import { SegmentDefinitionRow, SegmentMembershipRow } from './segments.entities';

export type SegmentsEvent = CrmIntegrationEvent<'SegmentDefined' | 'SegmentRevised' | 'SegmentArchived' | 'SegmentEntered' | 'SegmentLeft'>;

/**
 * `marketing.segments`: the segments' current definitions and their members' stays. A membership
 * stream alternates Entered / Left (its decider), so a Left closes the one open stay.
 */
export function segmentsProjection(): Projection<SegmentsEvent> {
  return {
    name: 'marketing.segments',
    entities: [SegmentDefinitionRow, SegmentMembershipRow],
    handles: ['SegmentDefined', 'SegmentRevised', 'SegmentArchived', 'SegmentEntered', 'SegmentLeft'],
    async apply(event, manager) {
      const definitions = manager.getRepository(SegmentDefinitionRow);
      const memberships = manager.getRepository(SegmentMembershipRow);
      switch (event.type) {
        case 'SegmentDefined': {
          const d = event.data;
          await definitions
            .createQueryBuilder()
            .insert()
            .values({
              segmentId: d.segmentId,
              name: d.name,
              description: d.description ?? null,
              rule: d.rule as never,
              segmentRevision: 1,
              status: 'active',
              definedBy: d.definedBy,
              definedAt: new Date(d.definedAt),
              changedAt: new Date(d.definedAt),
            })
            .orIgnore()
            .execute();
          return;
        }
        case 'SegmentRevised': {
          const d = event.data;
          await definitions.update(
            { segmentId: d.segmentId },
            { name: d.name, description: d.description ?? null, rule: d.rule as never, segmentRevision: d.segmentRevision, changedAt: new Date(d.revisedAt) },
          );
          return;
        }
        case 'SegmentArchived':
          await definitions.update({ segmentId: event.data.segmentId }, { status: 'archived', changedAt: new Date(event.data.archivedAt) });
          return;
        case 'SegmentEntered': {
          const d = event.data;
          await memberships
            .createQueryBuilder()
            .insert()
            .values({
              segmentId: d.segmentId,
              customerId: d.customerId,
              enteredAt: new Date(d.at),
              enteredRevision: d.segmentRevision,
              leftAt: null,
              leftRevision: null,
            })
            .orIgnore()
            .execute();
          return;
        }
        case 'SegmentLeft': {
          const d = event.data;
          await memberships.update(
            { segmentId: d.segmentId, customerId: d.customerId, leftAt: IsNull() },
            { leftAt: new Date(d.at), leftRevision: d.segmentRevision },
          );
          return;
        }
      }
    },
  };
}
