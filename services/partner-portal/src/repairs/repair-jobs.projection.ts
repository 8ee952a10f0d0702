import type { CrmIntegrationEvent } from '@crm/contracts';
import type { Projection } from '@crm/projections';
import { CustomerDirectoryEntry, cursorParts, decodeCursor, encodeCursor } from '@crm/relationship-read-models';
import { Column, Entity, Index, PrimaryColumn, type EntityManager } from 'typeorm';

/**
 * The repair jobs of the partner portal (issue 12 §5): one row per return (keyed by its episode),
 * with the provider the repair is with NOW, the RMA number, the product, the repair status, where
 * each leg's shipment is, and when the job opened, last changed and closed. It holds nothing
 * personal (no serial number, no fault text: the job view reads those from the return's own stream),
 * so a customer's erasure leaves nothing here to forget; the customer's display name is read from the
 * customer directory the portal already keeps, when a list is asked for — never more of the customer.
 */
@Entity({ name: 'repair_jobs' })
@Index('repair_jobs_partner_opened', ['partnerId', 'openedAt', 'episodeId'])
export class RepairJob {
  @PrimaryColumn({ type: 'text', name: 'episode_id' }) episodeId!: string;
  @Column({ type: 'text', name: 'customer_id' }) customerId!: string;
  /** The provider the repair is assigned to now (null until assigned): the only partner that lists it. */
  @Column({ type: 'text', name: 'partner_id', nullable: true }) partnerId!: string | null;
  @Column({ type: 'text', name: 'rma_number', nullable: true }) rmaNumber!: string | null;
  @Column({ type: 'text', name: 'product_id' }) productId!: string;
  @Column({ type: 'text', name: 'repair_status', nullable: true }) repairStatus!: string | null;
  /** Each leg's shipment state: `{ "to-provider": "delivered", … }`. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" }) legs!: Record<string, string>;
  @Column({ type: 'timestamptz', name: 'opened_at' }) openedAt!: Date;
  @Column({ type: 'timestamptz', name: 'assigned_at', nullable: true }) assignedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
}

export type RepairJobEvent = CrmIntegrationEvent<
  | 'ReturnRequested'
  | 'ReturnAuthorised'
  | 'ReturnDenied'
  | 'ReturnShipmentUpdated'
  | 'RepairAssigned'
  | 'RepairStatusChanged'
  | 'InteractionRecorded'
  | 'EpisodeClosed'
>;

/**
 * Keeps `repair_jobs`. Events of a return arrive in their stream's order (one subject: the customer);
 * a redelivery is absorbed by the runner's dedupe, and each change is idempotent anyway (an insert
 * that ignores a row already there, updates that set values). `updated_at` only moves forward.
 * Interactions and closings of other episodes match no row and change nothing.
 */
export function repairJobsProjection(): Projection<RepairJobEvent> {
  return {
    name: 'partner-portal-repair-jobs',
    entities: [RepairJob],
    handles: [
      'ReturnRequested',
      'ReturnAuthorised',
      'ReturnDenied',
      'ReturnShipmentUpdated',
      'RepairAssigned',
      'RepairStatusChanged',
      'InteractionRecorded',
      'EpisodeClosed',
    ],
    async apply(event, manager: EntityManager) {
      const table = manager.getRepository(RepairJob).metadata.tablePath;
      const update = (set: string, at: string, params: unknown[] = []) =>
        manager.query(`UPDATE ${table} SET ${set}${set ? ', ' : ''}updated_at = GREATEST(updated_at, $2) WHERE episode_id = $1`, [
          event.data.episodeId,
          at,
          ...params,
        ]);
      switch (event.type) {
        case 'ReturnRequested': {
          const d = event.data;
          await manager
            .createQueryBuilder()
            .insert()
            .into(RepairJob)
            .values({
              episodeId: d.episodeId,
              customerId: d.customerId,
              productId: d.item.productId,
              openedAt: new Date(d.requestedAt),
              updatedAt: new Date(d.requestedAt),
            })
            .orIgnore()
            .execute();
          return;
        }
        case 'ReturnAuthorised':
          await update('rma_number = $3', event.data.authorisedAt, [event.data.rmaNumber]);
          return;
        case 'ReturnDenied':
          await update('', event.data.deniedAt);
          return;
        case 'ReturnShipmentUpdated':
          await update(`legs = legs || jsonb_build_object($3::text, $4::text)`, event.data.updatedAt, [event.data.leg, event.data.state]);
          return;
        case 'RepairAssigned':
          // A reassignment moves the job to the new provider: the earlier one no longer lists it.
          await update(`partner_id = $3, repair_status = 'assigned', assigned_at = $2`, event.data.assignedAt, [event.data.partnerId]);
          return;
        case 'RepairStatusChanged':
          await update('repair_status = $3', event.data.changedAt, [event.data.to]);
          return;
        case 'InteractionRecorded':
          await update('', event.data.interaction.occurredAt);
          return;
        case 'EpisodeClosed':
          await update('closed_at = $2, outcome = $3', event.data.closedAt, [event.data.outcome]);
          return;
      }
    },
  };
}

/** A repair job in the provider's list. */
export interface RepairJobListItem {
  episodeId: string;
  customerId: string;
  /** The customer's display name (the customer directory's): the only thing of the customer shown. */
  customerName: string | null;
  rmaNumber: string | null;
  productId: string;
  status: string | null;
  legs: Record<string, string>;
  openedAt: string;
  assignedAt: string | null;
  updatedAt: string;
  closedAt: string | null;
  outcome: string | null;
}

export interface RepairJobPage {
  items: RepairJobListItem[];
  /** Pass as `cursor` for the next page (same filters); absent on the last page. */
  nextCursor?: string;
}

export interface RepairJobSearch {
  partnerId: string;
  statuses?: readonly string[];
  /** true: not closed; false: closed. */
  open?: boolean;
  limit: number;
  cursor?: string;
}

/** `['repairs', openedAt, episodeId]`. */
const CURSOR = [
  cursorParts.list('repairs'),
  cursorParts.text({ max: Number.POSITIVE_INFINITY, valid: (s) => !Number.isNaN(Date.parse(s)) }),
  cursorParts.text({ min: 1, max: 200 }),
] as const;

/** The provider's repair jobs, newest first (ties by id), with the customers' display names. */
export async function listRepairJobs(manager: EntityManager, search: RepairJobSearch): Promise<RepairJobPage> {
  const table = manager.getRepository(RepairJob).metadata.tablePath;
  const directory = manager.getRepository(CustomerDirectoryEntry).metadata.tablePath;
  const after = search.cursor === undefined ? undefined : decodeCursor(search.cursor, CURSOR);
  const where = ['j.partner_id = $1'];
  const params: unknown[] = [search.partnerId];
  if (search.statuses?.length) {
    params.push([...search.statuses]);
    where.push(`j.repair_status = ANY($${params.length}::text[])`);
  }
  if (search.open !== undefined) where.push(search.open ? 'j.closed_at IS NULL' : 'j.closed_at IS NOT NULL');
  if (after) {
    const [, openedAt, episodeId] = after;
    params.push(new Date(openedAt).toISOString(), episodeId);
    where.push(`(j.opened_at, j.episode_id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(search.limit + 1);
  const rows = (await manager.query(
    `SELECT j.episode_id, j.customer_id, d.name AS customer_name, j.rma_number, j.product_id, j.repair_status, j.legs,
            j.opened_at, j.assigned_at, j.updated_at, j.closed_at, j.outcome
       FROM ${table} j LEFT JOIN ${directory} d ON d.customer_id = j.customer_id
      WHERE ${where.join(' AND ')}
      ORDER BY j.opened_at DESC, j.episode_id DESC
      LIMIT $${params.length}`,
    params,
  )) as {
    episode_id: string;
    customer_id: string;
    customer_name: string | null;
    rma_number: string | null;
    product_id: string;
    repair_status: string | null;
    legs: Record<string, string>;
    opened_at: Date;
    assigned_at: Date | null;
    updated_at: Date;
    closed_at: Date | null;
    outcome: string | null;
  }[];
  const page = rows.slice(0, search.limit);
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  const items = page.map((r) => ({
    episodeId: r.episode_id,
    customerId: r.customer_id,
    customerName: r.customer_name,
    rmaNumber: r.rma_number,
    productId: r.product_id,
    status: r.repair_status,
    legs: r.legs,
    openedAt: iso(r.opened_at)!,
    assignedAt: iso(r.assigned_at),
    updatedAt: iso(r.updated_at)!,
    closedAt: iso(r.closed_at),
    outcome: r.outcome,
  }));
  const last = items[items.length - 1];
  return rows.length > search.limit && last ? { items, nextCursor: encodeCursor(['repairs', last.openedAt, last.episodeId]) } : { items };
}

/** The customer's display name for a job view (null when the directory does not know the customer yet). */
export async function customerDisplayName(manager: EntityManager, customerId: string): Promise<string | null> {
  const row = await manager.getRepository(CustomerDirectoryEntry).findOne({ where: { customerId }, select: { name: true } });
  return row?.name ?? null;
}
