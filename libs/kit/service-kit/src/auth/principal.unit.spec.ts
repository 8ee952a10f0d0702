import { actorFromPrincipal, InvalidPrincipalClaimsError, principalFromClaims, principalToClaims, type Principal } from './principal';

describe('principal claims', () => {
  const staff: Principal = { kind: 'staff', subject: 'alice', department: 'marketing', roles: ['agent'] };
  const partner: Principal = { kind: 'partner', subject: 'pat', partnerId: 'acme', roles: [] };

  it('round-trips staff and partner principals', () => {
    expect(principalToClaims(staff)).toEqual({ sub: 'alice', crm_kind: 'staff', dept: 'marketing', roles: ['agent'] });
    expect(principalToClaims(partner)).toEqual({ sub: 'pat', crm_kind: 'partner', partner_id: 'acme', roles: [] });
    expect(principalFromClaims({ ...principalToClaims(staff) })).toEqual(staff);
    expect(principalFromClaims({ ...principalToClaims(partner) })).toEqual(partner);
  });

  it('reads identity-provider style claims: no crm_kind means staff, roles as a space-separated string or absent', () => {
    expect(principalFromClaims({ sub: 'u1', dept: 'service', roles: 'agent  lead' })).toEqual({
      kind: 'staff',
      subject: 'u1',
      department: 'service',
      roles: ['agent', 'lead'],
    });
    expect(principalFromClaims({ sub: 'u2', dept: 'analytics' })).toEqual({ kind: 'staff', subject: 'u2', department: 'analytics', roles: [] });
  });

  it.each([
    [{ dept: 'sales' }, /sub/],
    [{ sub: '', dept: 'sales' }, /sub/],
    [{ sub: 'a' }, /dept/],
    [{ sub: 'a', dept: 'legal' }, /dept/],
    [{ sub: 'a', crm_kind: 'partner' }, /partner_id/],
    [{ sub: 'a', crm_kind: 'robot', dept: 'sales' }, /crm_kind/],
    [{ sub: 'a', dept: 'sales', roles: [1] }, /roles/],
  ])('refuses %j', (claims, message) => {
    expect(() => principalFromClaims(claims)).toThrow(InvalidPrincipalClaimsError);
    expect(() => principalFromClaims(claims)).toThrow(message);
  });

  it("round-trips a partner user's token (issue 14 §1): the user in `partner_user`, the client id stays the subject", () => {
    const user: Principal = { kind: 'partner', subject: 'acme.key', partnerId: 'acme', roles: ['partner', 'partner-sales'], userId: 'u1' };
    expect(principalToClaims(user)).toEqual({
      sub: 'acme.key',
      crm_kind: 'partner',
      partner_id: 'acme',
      partner_user: 'u1',
      roles: ['partner', 'partner-sales'],
    });
    expect(principalFromClaims({ ...principalToClaims(user) })).toEqual(user);
    expect(() => principalFromClaims({ sub: 'a', crm_kind: 'partner', partner_id: 'acme', partner_user: 7 })).toThrow(/partner_user/);
    // what the user writes records the user, not the organisation's client id
    expect(actorFromPrincipal(user)).toEqual({ type: 'partner-user', id: 'u1', partnerId: 'acme' });
  });

  it('gives the event-store actor', () => {
    expect(actorFromPrincipal(staff)).toEqual({ type: 'staff', id: 'alice', department: 'marketing' });
    expect(actorFromPrincipal(partner)).toEqual({ type: 'partner-user', id: 'pat', partnerId: 'acme' });
  });
});
