import { randomBytes, randomUUID } from 'node:crypto';
import { ERASED, INTEGRATION_EVENTS, isSealed, mapPersonalFields, personalDataSubject, personalValues, PERSONAL_FIELDS } from '@crm/contracts';
import { keyIdOf, open, seal } from './cipher';
import { PersonalData } from './personal-data';
import type { PersonalDataKeys } from './personal-data-keys';

const key = randomBytes(32);
const keyId = randomUUID();

describe('sealing one value (AES-256-GCM)', () => {
  it('opens with its key, and names the key it needs', () => {
    const sealed = seal('Quentin Qwertzuiop', keyId, key);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('Quentin');
    expect(keyIdOf(sealed)).toBe(keyId);
    expect(open(sealed, new Map([[keyId, key]]))).toBe('Quentin Qwertzuiop');
  });
  it('seals the same value differently each time (a fresh IV), so equal values cannot be linked', () => {
    expect(seal('same', keyId, key)).not.toBe(seal('same', keyId, key));
  });
  it('reads as erased without its key, under another key, or tampered with', () => {
    const sealed = seal('secret', keyId, key);
    expect(open(sealed, new Map())).toBe(ERASED);
    expect(open(sealed, new Map([[keyId, randomBytes(32)]]))).toBe(ERASED);
    const tampered = sealed.slice(0, -3) + (sealed.endsWith('AAA') ? 'BBB' : 'AAA');
    expect(open(tampered, new Map([[keyId, key]]))).toBe(ERASED);
  });
  it('leaves a plain value (an event stored before sealing existed) as it is', () => {
    expect(open('plain', new Map())).toBe('plain');
  });
  it('keeps unicode intact', () => {
    expect(open(seal('Ánh Nguyễn 🚚', keyId, key), new Map([[keyId, key]]))).toBe('Ánh Nguyễn 🚚');
  });
});

describe('personal fields of the events', () => {
  const registered = {
    customerId: 'c1',
    kind: 'organisation',
    name: 'PT Maju',
    contacts: [
      { contactId: 'k1', name: 'Sari', email: 'sari@maju.co.id', role: 'buyer' },
      { contactId: 'k2', name: 'Budi' },
    ],
    identities: [{ kind: 'email', value: 'info@maju.co.id' }],
  };
  it('finds every personal value, and only those', () => {
    expect(personalValues('CustomerRegistered', registered).sort()).toEqual(['Budi', 'PT Maju', 'Sari', 'info@maju.co.id', 'sari@maju.co.id']);
    expect(personalValues('EpisodeOpened', { customerId: 'c1', name: 'Fleet renewal' })).toEqual([]);
  });
  it('maps them into a copy, leaving the input and the other fields alone', () => {
    const mapped = mapPersonalFields('CustomerRegistered', registered, () => ERASED) as typeof registered;
    expect(mapped).toEqual({
      ...registered,
      name: ERASED,
      contacts: [
        { contactId: 'k1', name: ERASED, email: ERASED, role: 'buyer' },
        { contactId: 'k2', name: ERASED },
      ],
      identities: [{ kind: 'email', value: ERASED }],
    });
    expect(registered.name).toBe('PT Maju');
  });
  it('ignores shapes that are not what the path says (they are the contract check’s business)', () => {
    expect(mapPersonalFields('CustomerRegistered', { name: 3, contacts: 'x', identities: [null, [1]] }, () => ERASED)).toEqual({
      name: 3,
      contacts: 'x',
      identities: [null, [1]],
    });
  });
  it('seals with the customer’s key, or the lead’s for lead events', () => {
    expect(personalDataSubject('CustomerRegistered', registered)).toBe('c1');
    expect(personalDataSubject('LeadCaptured', { leadId: 'l1', name: 'x' })).toBe('l1');
    expect(personalDataSubject('EpisodeClosed', { customerId: 'c1' })).toBeUndefined();
  });
  it('takes every part of a contact’s postal address for personal, its lines one by one', () => {
    const address = { lines: ['Jl. Merdeka 5', 'RT 2'], postalCode: '10110', locality: 'Jakarta', region: 'DKI Jakarta', country: 'ID' };
    const contact = { contactId: 'k1', name: 'Sari', address };
    const erasedAddress = { lines: [ERASED, ERASED], postalCode: ERASED, locality: ERASED, region: ERASED, country: ERASED };
    for (const type of ['CustomerContactAdded', 'CustomerContactChanged']) {
      expect(personalValues(type, { customerId: 'c1', contact }).sort()).toEqual(['10110', 'DKI Jakarta', 'ID', 'Jakarta', 'Jl. Merdeka 5', 'RT 2', 'Sari']);
      expect(mapPersonalFields(type, { customerId: 'c1', contact }, () => ERASED)).toEqual({
        customerId: 'c1',
        contact: { contactId: 'k1', name: ERASED, address: erasedAddress },
      });
    }
    expect(mapPersonalFields('CustomerRegistered', { ...registered, contacts: [contact] }, () => ERASED)).toMatchObject({
      contacts: [{ address: erasedAddress }],
    });
  });
  it('takes every part of the customer’s own postal address for personal, on registration and on a change of details', () => {
    const address = { lines: ['Jl. Braga 3'], postalCode: '40111', locality: 'Bandung', country: 'ID' };
    const erasedAddress = { lines: [ERASED], postalCode: ERASED, locality: ERASED, country: ERASED };
    expect(mapPersonalFields('CustomerRegistered', { ...registered, address }, () => ERASED)).toMatchObject({ address: erasedAddress });
    expect(personalValues('CustomerDetailsChanged', { customerId: 'c1', address }).sort()).toEqual(['40111', 'Bandung', 'ID', 'Jl. Braga 3']);
    // Removing the address (null) has nothing to seal.
    expect(mapPersonalFields('CustomerDetailsChanged', { customerId: 'c1', address: null }, () => ERASED)).toEqual({ customerId: 'c1', address: null });
  });
  it('names only event types of the contracts', () => {
    expect(Object.keys(PERSONAL_FIELDS).filter((t) => !(t in INTEGRATION_EVENTS))).toEqual([]);
  });
});

describe('PersonalData over a key table', () => {
  // An in-memory stand-in for the table: the SQL itself runs in the e2e and infra specs.
  const table = new Map<string, { subject: string; key: Buffer }>();
  const keys = {
    async forSealing(_db: unknown, subjects: readonly string[]) {
      const found = new Map<string, { keyId: string; key: Buffer }>();
      for (const subject of subjects) {
        const existing = [...table].find(([, v]) => v.subject === subject);
        if (existing) found.set(subject, { keyId: existing[0], key: existing[1].key });
        else {
          const k = { keyId: randomUUID(), key: randomBytes(32) };
          table.set(k.keyId, { subject, key: k.key });
          found.set(subject, k);
        }
      }
      return found;
    },
    async byId(_db: unknown, ids: readonly string[]) {
      return new Map(ids.flatMap((id) => (table.has(id) ? [[id, table.get(id)!.key] as const] : [])));
    },
    async destroy(_db: unknown, subjects: readonly string[]) {
      let n = 0;
      for (const [id, v] of table) if (subjects.includes(v.subject) && table.delete(id)) n++;
      return n;
    },
  } as unknown as PersonalDataKeys;
  const pd = new PersonalData(keys);
  const db = { query: async () => [] };

  it('seals, reveals, and after erasure reveals as erased — other subjects untouched', async () => {
    const events = [
      { type: 'CustomerRegistered', data: { customerId: 'c1', name: 'Alpha', contacts: [], identities: [] } },
      { type: 'CustomerRegistered', data: { customerId: 'c2', name: 'Beta', contacts: [], identities: [] } },
      { type: 'EpisodeOpened', data: { customerId: 'c1', name: 'Not personal' } },
    ];
    const sealed = await pd.seal(db, events);
    expect(JSON.stringify(sealed)).not.toMatch(/Alpha|Beta/);
    expect(sealed[2]).toBe(events[2]);
    expect((await pd.reveal(db, sealed)).map((e) => (e.data as { name: string }).name)).toEqual(['Alpha', 'Beta', 'Not personal']);
    // Sealing what is sealed already changes nothing.
    expect(await pd.seal(db, sealed)).toEqual(sealed);
    expect(await pd.erase(db, ['c1'])).toBe(1);
    expect((await pd.reveal(db, sealed)).map((e) => (e.data as { name: string }).name)).toEqual([ERASED, 'Beta', 'Not personal']);
  });
});
