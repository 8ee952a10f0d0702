import { letterAddress } from './letter-address';

// Where a letter goes: the first contact with a postal address, written as the envelope is printed.
describe('letter address', () => {
  const address = { lines: ['Jl. Merdeka 5', 'RT 2 / RW 3'], postalCode: '10110', locality: 'Jakarta Pusat', region: 'DKI Jakarta', country: 'ID' };

  it('names the contact and the organisation, then the street lines, postal code and locality, region and country', () => {
    expect(
      letterAddress({
        kind: 'organisation',
        name: 'PT Maju Jaya',
        contacts: [
          { name: 'Budi' },
          { name: 'Sari Wijaya', address },
          { name: 'Ayu', address: { lines: ['Elsewhere 1'], locality: 'Bandung', country: 'ID' } },
        ],
      }),
    ).toEqual(['Sari Wijaya', 'PT Maju Jaya', 'Jl. Merdeka 5', 'RT 2 / RW 3', '10110 Jakarta Pusat', 'DKI Jakarta', 'ID']);
  });

  it('leaves out what the address does not have, and the organisation when the contact bears its name', () => {
    expect(
      letterAddress({
        kind: 'organisation',
        name: 'Toko Ayu',
        contacts: [{ name: 'Toko Ayu', address: { lines: ['Jl. Braga 3'], locality: 'Bandung', country: 'ID' } }],
      }),
    ).toEqual(['Toko Ayu', 'Jl. Braga 3', 'Bandung', 'ID']);
  });

  it('has none without a contact that has a postal address (the step is suppressed: no-address)', () => {
    expect(letterAddress({ kind: 'organisation', name: 'PT Maju Jaya', contacts: [{ name: 'Budi' }] })).toBeUndefined();
    expect(letterAddress({ kind: 'person', name: 'Sari', contacts: [] })).toBeUndefined();
  });

  it('fits the print list: at most eight lines beside the name', () => {
    const full = letterAddress({
      kind: 'organisation',
      name: 'PT Maju Jaya',
      contacts: [{ name: 'Sari', address: { ...address, lines: ['1', '2', '3', '4'] } }],
    });
    expect(full).toHaveLength(1 + 8);
  });
});
