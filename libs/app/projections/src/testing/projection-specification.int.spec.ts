import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Projection } from '../projection';
import { CustomerActivity, customerActivityProjection, testRegistry, type CustomerNoted } from './customer-activity.projection';
import { ProjectionSpecification, type SpecEvent } from './projection-specification';

const note = (customerId: string, seq: number, text = `note ${seq}`): SpecEvent<CustomerNoted> => ({
  type: 'CustomerNoted',
  data: { customerId, seq, note: text },
});

/** The test projection, refusing notes that say 'explode'. */
function fragile(name: string): Projection<CustomerNoted> {
  const inner = customerActivityProjection(name);
  return {
    ...inner,
    async apply(event: CustomerNoted, manager: EntityManager) {
      if (event.data.note === 'explode') throw new Error('cannot apply an explosion');
      await inner.apply(event, manager);
    },
  };
}

/** The test projection with a batch path that forgets all but the last event of a batch. */
function lossyBatches(name: string): Projection<CustomerNoted> {
  const inner = customerActivityProjection(name);
  return { ...inner, applyBatch: (events, manager) => inner.apply(events[events.length - 1], manager) };
}

// The projection specification itself, on the test projection: given / when / then through a real
// runner on PGlite, and the check that a batch and the same events one by one agree.
describe('ProjectionSpecification', () => {
  const given = ProjectionSpecification.for({ projection: customerActivityProjection(), registry: testRegistry() });
  const givenFragile = ProjectionSpecification.for({ projection: fragile('fragile'), registry: testRegistry() });
  const givenLossy = ProjectionSpecification.for({ projection: lossyBatches('lossy') });

  it('applies the given events, then the when events, from empty tables each case', async () => {
    const a = randomUUID();
    await given([note(a, 1), note(a, 2)])
      .when([note(a, 3)])
      .thenRows(CustomerActivity, [{ customerId: a, events: 3, seqSum: '6' }]);
    const b = randomUUID();
    await given([])
      .when([note(b, 5), note(b, 6)])
      .then(async (manager, events) => {
        expect(await manager.getRepository(CustomerActivity).find()).toEqual([{ customerId: b, events: 2, seqSum: '11', lastEventId: events.when[1].id }]);
      });
  });

  it('fails a case that parks anything, unless the case expects it; later events of the subject wait behind', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await expect(
      givenFragile([])
        .when([note(a, 1, 'explode')])
        .then(() => undefined),
    ).rejects.toThrow('cannot apply an explosion');
    await givenFragile([note(b, 0)])
      .when([note(a, 1, 'explode'), note(b, 1), note(a, 2)])
      .thenParks(['cannot apply an explosion', 'waiting behind parked event'], async (manager) => {
        expect(await manager.getRepository(CustomerActivity).findOneBy({ customerId: b })).toMatchObject({ events: 2 });
        expect(await manager.getRepository(CustomerActivity).findOneBy({ customerId: a })).toBeNull();
      });
  });

  it('fails a projection whose batches do not have the effect of its events one by one', async () => {
    const a = randomUUID();
    await expect(
      givenLossy([])
        .when([note(a, 1), note(a, 2)])
        .then(() => undefined),
    ).rejects.toThrow('the when events applied one by one left other rows or parked events than applied as one batch');
  });

  it('refuses a case built on an event that breaks its contract', () => {
    expect(() => given([note(randomUUID(), -1)])).toThrow('breaks its contract');
  });
});
