import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, READ_MODELS, type ReadModelRunners } from '@crm/relationship-api';
import { currentMemberIds } from './segments.queries';
import { SegmentDefinitionRow } from './segments.entities';

/**
 * A segment's audience for a campaign (the campaign helper freezes it when the campaign starts):
 * the segment's current members, ordered by customer id, as marketing's read model shows them.
 */
@Injectable()
export class SegmentAudience {
  constructor(@Inject(READ_MODELS) private readonly readModels: ReadModelRunners) {}

  /** The current members by customer id; an unknown segment is a `NotFoundError`. */
  async membersOf(segmentId: string): Promise<string[]> {
    const manager = this.readModels.dataSource.manager;
    if (!(await manager.getRepository(SegmentDefinitionRow).existsBy({ segmentId }))) throw new NotFoundError(`segment ${segmentId} not found`);
    return currentMemberIds(manager, segmentId);
  }
}
