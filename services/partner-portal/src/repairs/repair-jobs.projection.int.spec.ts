import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import { CustomerDirectoryEntry } from '@crm/relationship-read-models';
import type { EntityManager } from 'typeorm';
import { customerDisplayName, listRepairJobs, RepairJob, repairJobsProjection, type RepairJobEvent } from './repair-jobs.projection';

const customerId = randomUUID();
const providerA = randomUUID();
const providerB = randomUUID();
const at = (minute: number) => `2026-03-02T09:${String(minute).padStart(2, '0')}:00.000Z`;

const requested = (episodeId: string, minute = 0): SpecEvent<RepairJobEvent> => ({
  type: 'ReturnRequested',
  data: {
    episodeId,
    customerId,
    caseEpisodeId: randomUUID(),
    item: { productId: 'phone-x1', serialNumber: 'SN-1' },
    fault: 'does not charge',
    requestedAt: at(minute),
    requestedBy: 'budi',
  },
});
const authorised = (episodeId: string): SpecEvent<RepairJobEvent> => ({
  type: 'ReturnAuthorised',
  data: { episodeId, customerId, rmaNumber: 'RMA-2026-000123', warranty: 'goodwill', authorisedAt: at(1), authorisedBy: 'budi' },
});
const assigned = (episodeId: string, partnerId: string, minute = 2): SpecEvent<RepairJobEvent> => ({
  type: 'RepairAssigned',
  data: { episodeId, customerId, partnerId, assignedAt: at(minute), assignedBy: 'budi' },
});
const status = (episodeId: string, from: string, to: string, minute: number): SpecEvent<RepairJobEvent> => ({
  type: 'RepairStatusChanged',
  data: { episodeId, customerId, partnerId: providerA, from, to, changedAt: at(minute), changedBy: 'tech' },
});
const shipped = (episodeId: string, leg: string, state: string, minute: number): SpecEvent<RepairJobEvent> => ({
  type: 'ReturnShipmentUpdated',
  data: { episodeId, customerId, leg, state, updatedAt: at(minute), updatedBy: `partner:${providerA}` },
});
const closed = (episodeId: string, minute: number): SpecEvent<RepairJobEvent> => ({
  type: 'EpisodeClosed',
  data: { episodeId, customerId, outcome: 'resolved', closedAt: at(minute), reason: 'delivered back' },
});

async function directoryHas(manager: EntityManager, name: string): Promise<void> {
  await manager.getRepository(CustomerDirectoryEntry).insert({
    customerId,
    kind: 'person',
    name,
    journeyStage: 'first-time-customer',
    relationshipPhase: 'exploration',
    contacts: [{ name: 'secret contact', email: 'x@example.com' }],
    identities: [],
    registeredAt: new Date(at(0)),
  });
}

// The repair jobs read model, given / when / then through a real projection runner on PGlite.
describe('repair jobs read model (partner portal)', () => {
  const given = ProjectionSpecification.for({ projection: repairJobsProjection(), registry: crmRegistry(), entities: [CustomerDirectoryEntry] });
  const job = randomUUID();

  it('a requested return is a job without a provider; authorised it has its RMA; assigned it is the provider’s, status assigned', async () => {
    await given([requested(job)])
      .when([authorised(job), assigned(job, providerA)])
      .thenRows(RepairJob, [
        {
          episodeId: job,
          customerId,
          partnerId: providerA,
          rmaNumber: 'RMA-2026-000123',
          productId: 'phone-x1',
          repairStatus: 'assigned',
          legs: {},
          openedAt: new Date(at(0)),
          assignedAt: new Date(at(2)),
          updatedAt: new Date(at(2)),
          closedAt: null,
        },
      ]);
  });

  it('keeps no personal field: no serial number, no fault text', async () => {
    await given([])
      .when([requested(job)])
      .then(async (manager) => {
        const rows = await manager.query(`SELECT * FROM ${manager.getRepository(RepairJob).metadata.tablePath}`);
        expect(JSON.stringify(rows)).not.toMatch(/SN-1|does not charge/);
      });
  });

  it('follows the status and each leg; the item delivered back closes it; updatedAt only moves forward', async () => {
    await given([requested(job), authorised(job), shipped(job, 'to-company', 'delivered', 3), assigned(job, providerA, 4)])
      .when([
        shipped(job, 'to-provider', 'in-transit', 5),
        shipped(job, 'to-provider', 'delivered', 6),
        status(job, 'assigned', 'repaired', 9),
        {
          type: 'InteractionRecorded',
          data: {
            episodeId: job,
            customerId,
            interaction: {
              interactionId: randomUUID(),
              channel: 'phone',
              direction: 'outbound',
              actor: { kind: 'partner-user', id: 'tech' },
              action: 'late note',
              occurredAt: at(7),
            },
          },
        },
        shipped(job, 'to-customer', 'delivered', 12),
        closed(job, 12),
      ])
      .thenRows(RepairJob, [
        {
          episodeId: job,
          repairStatus: 'repaired',
          legs: { 'to-company': 'delivered', 'to-provider': 'delivered', 'to-customer': 'delivered' },
          updatedAt: new Date(at(12)),
          closedAt: new Date(at(12)),
          outcome: 'resolved',
        },
      ]);
  });

  it('a reassignment moves the job: the first provider no longer lists it, the second does', async () => {
    await given([requested(job), authorised(job), assigned(job, providerA)])
      .when([{ ...assigned(job, providerB, 5), data: { ...assigned(job, providerB, 5).data, previousPartnerId: providerA } } as SpecEvent<RepairJobEvent>])
      .then(async (manager) => {
        expect((await listRepairJobs(manager, { partnerId: providerA, limit: 10 })).items).toEqual([]);
        expect((await listRepairJobs(manager, { partnerId: providerB, limit: 10 })).items.map((i) => [i.episodeId, i.status])).toEqual([[job, 'assigned']]);
      });
  });

  it('an interaction or a closing of another episode changes nothing', async () => {
    const other = randomUUID();
    await given([requested(job)])
      .when([closed(other, 3)])
      .thenRows(RepairJob, [{ episodeId: job, closedAt: null, updatedAt: new Date(at(0)) }]);
  });

  it('lists the caller’s jobs newest first with the customer’s display name only, filtered by status and open, paged by cursor', async () => {
    const [j1, j2, j3] = [randomUUID(), randomUUID(), randomUUID()];
    await given([])
      .when([
        requested(j1, 1),
        requested(j2, 2),
        requested(j3, 3),
        assigned(j1, providerA, 4),
        assigned(j2, providerA, 4),
        assigned(j3, providerA, 4),
        status(j2, 'assigned', 'diagnosing', 5),
        closed(j3, 6),
      ])
      .then(async (manager) => {
        await directoryHas(manager, 'Dewi Lestari');
        const first = await listRepairJobs(manager, { partnerId: providerA, limit: 2 });
        expect(first.items.map((i) => i.episodeId)).toEqual([j3, j2]);
        expect(first.items[0]).toEqual({
          episodeId: j3,
          customerId,
          customerName: 'Dewi Lestari',
          rmaNumber: null,
          productId: 'phone-x1',
          status: 'assigned',
          legs: {},
          openedAt: at(3),
          assignedAt: at(4),
          updatedAt: at(6),
          closedAt: at(6),
          outcome: 'resolved',
        });
        expect(JSON.stringify(first)).not.toContain('secret contact');
        const second = await listRepairJobs(manager, { partnerId: providerA, limit: 2, cursor: first.nextCursor });
        expect(second).toEqual({ items: [expect.objectContaining({ episodeId: j1 })] });
        expect((await listRepairJobs(manager, { partnerId: providerA, limit: 10, open: true })).items.map((i) => i.episodeId)).toEqual([j2, j1]);
        expect((await listRepairJobs(manager, { partnerId: providerA, limit: 10, open: false })).items.map((i) => i.episodeId)).toEqual([j3]);
        expect((await listRepairJobs(manager, { partnerId: providerA, limit: 10, statuses: ['diagnosing'] })).items.map((i) => i.episodeId)).toEqual([j2]);
        expect((await listRepairJobs(manager, { partnerId: providerB, limit: 10 })).items).toEqual([]);
        for (const cursor of [
          'garbage',
          Buffer.from('["repairs","x","y"]').toString('base64url'),
          Buffer.from('["cases","2026-01-01T00:00:00Z","y"]').toString('base64url'),
        ])
          await expect(listRepairJobs(manager, { partnerId: providerA, limit: 2, cursor })).rejects.toMatchObject({ name: 'InvalidCursorError' });
        expect(await customerDisplayName(manager, customerId)).toBe('Dewi Lestari');
        expect(await customerDisplayName(manager, randomUUID())).toBeNull();
      });
  });
});
