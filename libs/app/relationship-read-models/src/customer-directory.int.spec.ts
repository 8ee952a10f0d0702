import { randomUUID } from 'node:crypto';
import { crmRegistry } from '@crm/contracts';
import { ProjectionSpecification, type SpecEvent } from '@crm/projections/testing';
import type { EntityManager } from 'typeorm';
import { CustomerDirectoryEntry, PartnerAccess } from './timeline.entities';
import { customerDirectoryProjection, type CustomerDirectoryEvent } from './customer-directory.projection';
import { partnerAccessProjection, type PartnerAccessEvent } from './timeline.projection';
import { customerExists, partnerMayRead } from './timeline.query';

// Opened together, so both share one PGlite database (opening one takes seconds).
const directory = ProjectionSpecification.for({ projection: customerDirectoryProjection('d'), registry: crmRegistry() });
const access = ProjectionSpecification.for({ projection: partnerAccessProjection('d'), registry: crmRegistry() });

const registered = (customerId: string, name = 'PT Maju'): SpecEvent<CustomerDirectoryEvent> => ({
  type: 'CustomerRegistered',
  data: {
    customerId,
    kind: 'organisation',
    name,
    contacts: [],
    identities: [],
    journeyStage: 'prospect',
    relationshipPhase: 'awareness',
    registeredBy: 'sales',
  },
  time: '2026-03-01T10:00:00.000Z',
});

// The customer directory every service keeps, over PGlite.
describe('customer directory read model (PGlite)', () => {
  const given = directory;

  it('keeps each customer with its contacts, identities, journey stage and relationship phase', async () => {
    const customerId = randomUUID();
    const contact = { contactId: 'c1', name: 'Ani', email: 'ani@maju.example' };
    const identity = { kind: 'email', value: 'info@maju.example' };
    await given([registered(customerId)])
      .when([
        { type: 'CustomerContactAdded', data: { customerId, contact } },
        { type: 'CustomerIdentityAdded', data: { customerId, identity } },
        { type: 'CustomerJourneyStageChanged', data: { customerId, from: 'prospect', to: 'first-time-customer' } },
        { type: 'CustomerRelationshipPhaseChanged', data: { customerId, from: 'awareness', to: 'exploration' } },
        { type: 'CustomerJourneyStageChanged', data: { customerId, from: 'first-time-customer', to: 'repeat-customer' } },
      ])
      .thenRows(CustomerDirectoryEntry, [
        {
          customerId,
          kind: 'organisation',
          name: 'PT Maju',
          journeyStage: 'repeat-customer',
          relationshipPhase: 'exploration',
          contacts: [contact],
          identities: [identity],
          registeredAt: new Date('2026-03-01T10:00:00.000Z'),
        },
      ]);
  });

  it('keeps a customer’s own postal address: registered, changed, removed; a merge leaves each its own; an erasure drops it', async () => {
    const [person, duplicate] = [randomUUID(), randomUUID()];
    const home = { lines: ['Jl. Braga 3'], locality: 'Bandung', country: 'ID' };
    const moved = { lines: ['Jl. Asia Afrika 8'], postalCode: '40111', locality: 'Bandung', country: 'ID' };
    const withHome = (id: string): SpecEvent<CustomerDirectoryEvent> => {
      const r = registered(id, 'Sari');
      return { ...r, data: { ...(r.data as object), kind: 'person', address: home } } as SpecEvent<CustomerDirectoryEvent>;
    };
    const addressOf = async (manager: EntityManager, id: string) =>
      (await manager.getRepository(CustomerDirectoryEntry).findOneByOrFail({ customerId: id })).address;
    await given([withHome(person), registered(duplicate, 'Sari W.')])
      .when([
        { type: 'CustomerDetailsChanged', data: { customerId: person, address: moved } },
        { type: 'CustomerDetailsChanged', data: { customerId: duplicate, address: home } },
        // The survivor keeps its own address, as it keeps its own contacts: a merge rewrites no record.
        { type: 'CustomerMerged', data: { customerId: duplicate, survivorId: person, mergeId: randomUUID() } },
      ])
      .then(async (manager) => {
        expect(await addressOf(manager, person)).toEqual(moved);
        expect(await addressOf(manager, duplicate)).toEqual(home);
      });
    const other = randomUUID();
    await given([withHome(other)])
      .when([{ type: 'CustomerDetailsChanged', data: { customerId: other, address: null } }])
      .then(async (manager) => expect(await addressOf(manager, other)).toBeNull());
    const erased = randomUUID();
    await given([withHome(erased)])
      .when([{ type: 'CustomerPersonalDataErased', data: { customerId: erased, erasedAt: '2026-03-02T10:00:00.000Z' } }])
      .then(async (manager) => expect(await addressOf(manager, erased)).toBeNull());
  });

  it('registers and changes customers in one batch, the registration first', async () => {
    const [a, b] = [randomUUID(), randomUUID()].sort();
    await given([])
      .when([registered(a, 'A'), registered(b, 'B'), { type: 'CustomerJourneyStageChanged', data: { customerId: b, from: 'prospect', to: 'advocate' } }])
      .then(async (manager) => {
        expect(await customerExists(manager, a)).toBe(true);
        expect(await manager.getRepository(CustomerDirectoryEntry).find({ order: { customerId: 'ASC' } })).toEqual([
          expect.objectContaining({ customerId: a, name: 'A', journeyStage: 'prospect' }),
          expect.objectContaining({ customerId: b, name: 'B', journeyStage: 'advocate' }),
        ]);
      });
  });

  it('parks a change to a customer it does not have, and what comes after it for that customer', async () => {
    const ghost = randomUUID();
    await given([])
      .when([
        { type: 'CustomerJourneyStageChanged', data: { customerId: ghost, from: 'prospect', to: 'advocate' } },
        { type: 'CustomerContactAdded', data: { customerId: ghost, contact: { contactId: 'c1', name: 'Ani' } } },
      ])
      .thenParks([`customer ${ghost} is not in the directory`, 'waiting behind parked event'], async (manager) => {
        expect(await customerExists(manager, ghost)).toBe(false);
      });
  });
});

const share = (partnerId: string, customerId: string, minute: number): SpecEvent<PartnerAccessEvent> => ({
  type: 'CustomerSharedWithPartner',
  data: { partnerId, customerId, sharedAt: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(), sharedBy: 'admin' },
});
const revoke = (partnerId: string, customerId: string, minute: number): SpecEvent<PartnerAccessEvent> => ({
  type: 'CustomerShareRevoked',
  data: { partnerId, customerId, revokedAt: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(), revokedBy: 'admin' },
});

// Which partner may read which customer: each grant is its latest event, within a batch or across.
describe('partner access read model (PGlite)', () => {
  const given = access;
  const customerId = randomUUID();
  const [partnerA, partnerB] = [randomUUID(), randomUUID()].sort();

  it('grants, revokes and grants again; the latest event of each grant wins', async () => {
    await given([share(partnerA, customerId, 1)])
      .when([share(partnerB, customerId, 2), revoke(partnerA, customerId, 3), revoke(partnerB, customerId, 4), share(partnerB, customerId, 5)])
      .then(async (manager) => {
        expect(await partnerMayRead(manager, partnerA, customerId)).toBe(false);
        expect(await partnerMayRead(manager, partnerB, customerId)).toBe(true);
        expect(await manager.getRepository(PartnerAccess).find({ order: { partnerId: 'ASC' } })).toEqual([
          { partnerId: partnerA, customerId, granted: false, changedAt: new Date(Date.UTC(2026, 2, 1, 10, 3)), expiresAt: null, episodeTypes: null },
          { partnerId: partnerB, customerId, granted: true, changedAt: new Date(Date.UTC(2026, 2, 1, 10, 5)), expiresAt: null, episodeTypes: null },
        ]);
      });
  });
});
