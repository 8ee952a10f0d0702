import { rankPartners, smoothedRate, type PartnerRoutingProfile, type RoutingCandidate } from './lead-routing';

const profile = (p: Partial<PartnerRoutingProfile> = {}): PartnerRoutingProfile => ({
  territories: [{ country: 'ID' }],
  products: [],
  tier: 'silver',
  capacity: 5,
  active: true,
  ...p,
});
const candidate = (partnerId: string, p: Partial<PartnerRoutingProfile> = {}, c: Partial<RoutingCandidate> = {}): RoutingCandidate => ({
  partnerId,
  partnerKind: 'reseller',
  profile: profile(p),
  openLeads: 0,
  history: { decided: 0, accepted: 0, reported: 0, won: 0 },
  ...c,
});
const ids = (r: { partnerId: string }[]) => r.map((x) => x.partnerId);
const lead = { country: 'ID', region: 'java-west', products: ['VAN'] };

describe('rankPartners', () => {
  it("keeps only partners whose territory is the lead's country (and region, when the territory names regions)", () => {
    const r = rankPartners(lead, [
      candidate('id-all'),
      candidate('my', { territories: [{ country: 'MY' }] }),
      candidate('id-west', { territories: [{ country: 'ID', regions: ['java-west'] }] }),
      candidate('id-east', { territories: [{ country: 'ID', regions: ['java-east'] }] }),
    ]);
    expect(ids(r)).toEqual(['id-west', 'id-all']);
    expect(rankPartners({ products: [] }, [candidate('id-all')])).toEqual([]);
  });

  it('keeps partners that sell one of the lead products (or any product), and prefers a named match', () => {
    const r = rankPartners(lead, [candidate('any'), candidate('vans', { products: ['VAN', 'TRUCK'] }), candidate('trucks', { products: ['TRUCK'] })]);
    expect(ids(r)).toEqual(['vans', 'any']);
    expect(r[0].reasons).toContain('+20 sells VAN');
    expect(ids(rankPartners({ ...lead, products: [] }, [candidate('trucks', { products: ['TRUCK'] })]))).toEqual(['trucks']);
  });

  it('only resellers and distributors take sales leads; deactivated and excluded partners are left out', () => {
    const r = rankPartners(
      lead,
      [
        candidate('reseller'),
        candidate('distributor', {}, { partnerKind: 'distributor' }),
        candidate('supplier', {}, { partnerKind: 'supplier' }),
        candidate('repairs', {}, { partnerKind: 'service-provider' }),
        candidate('paused', { active: false }),
        candidate('declined'),
      ],
      new Set(['declined']),
    );
    expect(ids(r)).toEqual(['distributor', 'reseller']);
  });

  it('ranks by tier', () => {
    const r = rankPartners(lead, [candidate('b', { tier: 'bronze' }), candidate('g', { tier: 'gold' }), candidate('s', { tier: 'silver' })]);
    expect(ids(r)).toEqual(['g', 's', 'b']);
  });

  it('skips a partner at capacity; on a tie, more free capacity first, then the partner id', () => {
    const r = rankPartners(lead, [
      candidate('full', { capacity: 2 }, { openLeads: 2 }),
      candidate('busy', { capacity: 5 }, { openLeads: 4 }),
      candidate('b-free', { capacity: 5 }),
      candidate('a-free', { capacity: 5 }),
      candidate('none', { capacity: 0 }),
    ]);
    expect(ids(r)).toEqual(['a-free', 'b-free', 'busy']);
  });

  it('prefers higher acceptance and win rates; a new partner reads a neutral Beta(1,1) prior', () => {
    expect(smoothedRate(0, 0)).toBe(0.5);
    expect(smoothedRate(1, 1)).toBeCloseTo(2 / 3);
    const r = rankPartners(lead, [
      candidate('declines', {}, { history: { decided: 4, accepted: 0, reported: 0, won: 0 } }),
      candidate('new'),
      candidate('winner', {}, { history: { decided: 2, accepted: 2, reported: 2, won: 2 } }),
      candidate('loser', {}, { history: { decided: 2, accepted: 2, reported: 2, won: 0 } }),
    ]);
    expect(ids(r)).toEqual(['winner', 'new', 'loser', 'declines']);
    expect(r.find((x) => x.partnerId === 'new')!.reasons).toEqual(expect.arrayContaining(['+10 acceptance rate 0.5 (0/0)', '+15 win rate 0.5 (0/0)']));
  });

  it('a better tier outweighs a short record; rates decide between equal tiers', () => {
    const r = rankPartners(lead, [
      candidate('silver-winner', { tier: 'silver' }, { history: { decided: 1, accepted: 1, reported: 1, won: 1 } }),
      candidate('gold-new', { tier: 'gold' }),
    ]);
    expect(ids(r)).toEqual(['gold-new', 'silver-winner']);
  });
});
