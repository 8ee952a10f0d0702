import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import type { ReturnRepair } from '@crm/relationship';
import { returnStatus } from '@crm/relationship-api';
import type { EntityManager } from 'typeorm';
import { ReturnCaseFollowUp, ReturnListEntry } from './return-list.entities';

const RETURN_LIST_TYPES = [
  'ReturnRequested',
  'ReturnAuthorised',
  'ReturnDenied',
  'ReturnShipmentUpdated',
  'RepairAssigned',
  'RepairStatusChanged',
  'InteractionRecorded',
  'EpisodeClosed',
] as const;

/** The events the returns list keeps up with. */
export type ReturnListEvent = CrmIntegrationEvent<(typeof RETURN_LIST_TYPES)[number]>;

/** The version of the returns list's shape: in the projection's name and its table's (`returns_v1`). */
export const RETURN_LIST_VERSION = 1;

/** A row of the returns list (times as ISO strings). */
export interface ReturnRow {
  returnId: string;
  customerId: string;
  caseId: string;
  productId: string;
  status: string;
  rmaNumber: string | null;
  warranty: string | null;
  denied: boolean;
  legs: Record<string, string>;
  partnerId: string | null;
  repairStatus: string | null;
  requestedAt: string;
  lastActivityAt: string;
  outcome: string | null;
  closedAt: string | null;
}

/** A to-do of the case following its return (see `CaseFollowsReturn`). */
export interface FollowUp {
  key: string;
  returnId: string;
  caseId: string;
  kind: 'repair-assigned' | 'closed';
  partnerId: string | null;
  outcome: string | null;
  dueAt: string;
}

const iso = (value: string | Date) => new Date(value).toISOString();
const latest = (a: string, b: string) => (Date.parse(b) > Date.parse(a) ? iso(b) : a);

/** The row's status, derived exactly as `GET /returns/{id}` derives it from the history. */
function withStatus(row: ReturnRow): ReturnRow {
  const r = {
    ...(row.denied && { denied: {} }),
    ...(row.outcome !== null && { closed: { outcome: row.outcome } }),
    ...(row.rmaNumber !== null && { authorisation: { rmaNumber: row.rmaNumber } }),
    legs: Object.fromEntries(Object.entries(row.legs).map(([leg, state]) => [leg, { state }])),
    ...(row.partnerId !== null && { repair: { partnerId: row.partnerId, status: row.repairStatus } }),
  } as unknown as ReturnRepair;
  return { ...row, status: returnStatus(r) };
}

/**
 * One event applied to a return's row, and the to-do it leaves for the case (if any). Pure. Events
 * of other episodes (a case's interactions and closing) leave no row; a return change of a return
 * the list never saw requested throws (the runner parks it).
 */
export function foldReturn(row: ReturnRow | undefined, event: ReturnListEvent): { row: ReturnRow | undefined; followUp?: FollowUp } {
  if (event.type === 'ReturnRequested') {
    const d = event.data;
    if (row) return { row }; // delivered again
    const requestedAt = iso(d.requestedAt);
    return {
      row: withStatus({
        returnId: d.episodeId,
        customerId: d.customerId,
        caseId: d.caseEpisodeId,
        productId: d.item.productId,
        status: 'requested',
        rmaNumber: null,
        warranty: null,
        denied: false,
        legs: {},
        partnerId: null,
        repairStatus: null,
        requestedAt,
        lastActivityAt: requestedAt,
        outcome: null,
        closedAt: null,
      }),
    };
  }
  if (!row) {
    if (event.type === 'InteractionRecorded' || event.type === 'EpisodeClosed') return { row }; // another kind of episode
    throw new Error(`return ${event.data.episodeId} is not in the returns list`);
  }
  switch (event.type) {
    case 'ReturnAuthorised':
      return {
        row: withStatus({
          ...row,
          rmaNumber: event.data.rmaNumber,
          warranty: event.data.warranty,
          lastActivityAt: latest(row.lastActivityAt, event.data.authorisedAt),
        }),
      };
    case 'ReturnDenied':
      return { row: withStatus({ ...row, denied: true, lastActivityAt: latest(row.lastActivityAt, event.data.deniedAt) }) };
    case 'ReturnShipmentUpdated': {
      const d = event.data;
      return { row: withStatus({ ...row, legs: { ...row.legs, [d.leg]: d.state }, lastActivityAt: latest(row.lastActivityAt, d.updatedAt) }) };
    }
    case 'RepairAssigned': {
      const d = event.data;
      return {
        row: withStatus({ ...row, partnerId: d.partnerId, repairStatus: 'assigned', lastActivityAt: latest(row.lastActivityAt, d.assignedAt) }),
        followUp: {
          key: `${row.returnId}/repair-assigned/${d.partnerId}`,
          returnId: row.returnId,
          caseId: row.caseId,
          kind: 'repair-assigned',
          partnerId: d.partnerId,
          outcome: null,
          dueAt: iso(d.assignedAt),
        },
      };
    }
    case 'RepairStatusChanged':
      return { row: withStatus({ ...row, repairStatus: event.data.to, lastActivityAt: latest(row.lastActivityAt, event.data.changedAt) }) };
    case 'InteractionRecorded':
      return { row: { ...row, lastActivityAt: latest(row.lastActivityAt, event.data.interaction.occurredAt) } };
    case 'EpisodeClosed': {
      const d = event.data;
      const closed = withStatus({ ...row, outcome: d.outcome, closedAt: iso(d.closedAt), lastActivityAt: latest(row.lastActivityAt, d.closedAt) });
      return {
        row: closed,
        followUp: {
          key: `${row.returnId}/closed`,
          returnId: row.returnId,
          caseId: row.caseId,
          kind: 'closed',
          partnerId: null,
          outcome: d.outcome,
          dueAt: iso(d.closedAt),
        },
      };
    }
  }
}

const toRow = (e: ReturnListEntry): ReturnRow => ({
  ...e,
  requestedAt: iso(e.requestedAt),
  lastActivityAt: iso(e.lastActivityAt),
  closedAt: e.closedAt === null ? null : iso(e.closedAt),
});
const toEntry = (r: ReturnRow) => ({
  ...r,
  requestedAt: new Date(r.requestedAt),
  lastActivityAt: new Date(r.lastActivityAt),
  closedAt: r.closedAt === null ? null : new Date(r.closedAt),
});

/**
 * `<owner>.returns` (`service.returns@v1`): the returns list, fed like every read model through the
 * `ProjectionRunner`, its checkpoint and dedupe records in the same transaction as its rows — and as
 * the case's to-dos, so a to-do is written exactly when its event is applied.
 */
export function returnListProjection(owner: string): Projection<ReturnListEvent> {
  const applyBatch = async (events: readonly ReturnListEvent[], manager: EntityManager) => {
    const repo = manager.getRepository(ReturnListEntry);
    const rows = new Map<string, ReturnRow | undefined>();
    const followUps: FollowUp[] = [];
    for (const event of events) {
      const id = event.data.episodeId;
      if (!rows.has(id)) {
        const stored = await repo.findOneBy({ returnId: id });
        rows.set(id, stored ? toRow(stored) : undefined);
      }
      const before = rows.get(id);
      const { row, followUp } = foldReturn(before, event);
      rows.set(id, row);
      if (followUp) followUps.push(followUp);
    }
    const changed = [...rows.values()].filter((r): r is ReturnRow => r !== undefined);
    if (changed.length > 0) await repo.save(changed.map(toEntry));
    if (followUps.length > 0)
      await manager
        .createQueryBuilder()
        .insert()
        .into(ReturnCaseFollowUp)
        .values(followUps.map((f) => ({ ...f, dueAt: new Date(f.dueAt) })))
        .orIgnore()
        .execute();
  };
  return {
    name: `${owner}.returns@v${RETURN_LIST_VERSION}`,
    entities: [ReturnListEntry, ReturnCaseFollowUp],
    workEntities: [ReturnCaseFollowUp],
    handles: [...RETURN_LIST_TYPES],
    apply: (event, manager) => applyBatch([event], manager),
    applyBatch,
  };
}
