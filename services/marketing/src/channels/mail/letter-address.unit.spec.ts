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

  it('has none without a postal address of a contact or of the customer itself (the step is suppressed: no-address)', () => {
    expect(letterAddress({ kind: 'organisation', name: 'PT Maju Jaya', contacts: [{ name: 'Budi' }] })).toBeUndefined();
    expect(letterAddress({ kind: 'person', name: 'Sari', contacts: [] })).toBeUndefined();
  });

  it('sends a person’s letter to the person’s own address, addressed to the person', () => {
    expect(letterAddress({ kind: 'person', name: 'Sari Wijaya', contacts: [], address })).toEqual([
      'Sari Wijaya',
      'Jl. Merdeka 5',
      'RT 2 / RW 3',
      '10110 Jakarta Pusat',
      'DKI Jakarta',
      'ID',
    ]);
  });

  it('prefers an organisation’s contact with an address; without one, the organisation’s own address, addressed to the organisation', () => {
    const office = { lines: ['Jl. Jend. Sudirman Kav. 52'], postalCode: '12190', locality: 'Jakarta Selatan', country: 'ID' };
    expect(letterAddress({ kind: 'organisation', name: 'PT Maju Jaya', contacts: [{ name: 'Budi' }], address: office })).toEqual([
      'PT Maju Jaya',
      'Jl. Jend. Sudirman Kav. 52',
      '12190 Jakarta Selatan',
      'ID',
    ]);
    expect(letterAddress({ kind: 'organisation', name: 'PT Maju Jaya', contacts: [{ name: 'Sari', address }], address: office })?.slice(0, 3)).toEqual([
      'Sari',
      'PT Maju Jaya',
      'Jl. Merdeka 5',
    ]);
    expect(letterAddress({ kind: 'organisation', name: 'PT Maju Jaya', contacts: [], address: office })?.[0]).toBe('PT Maju Jaya');
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
