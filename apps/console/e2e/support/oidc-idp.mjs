// A real OpenID Connect provider (panva's oidc-provider, certified) for the browser suite's OIDC
// sign-in test: authorisation code with PKCE for the public client `crm-console`, and JWT access
// tokens for the CRM (audience `crm`, ES256, with the `dept` and `roles` claims the services read).
// Its development login form accepts any login; the login `<department>.<name>` gives that department.
//
//   node oidc-idp.mjs <port> <console origin>      prints "issuer <url>" when it listens
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const [port, consoleOrigin] = [Number(process.argv[2]), process.argv[3]];
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'idp-test-key' };

const departmentOf = (accountId) => {
  const dept = accountId.split('.')[0];
  return ['sales', 'service', 'marketing', 'analytics', 'management'].includes(dept) ? dept : 'sales';
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'crm-console',
      token_endpoint_auth_method: 'none',
      redirect_uris: [`${consoleOrigin}/auth/callback`],
      post_logout_redirect_uris: [`${consoleOrigin}/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  clientBasedCORS: () => true,
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:crm',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'crm', audience: 'crm', accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'ES256' } } }),
    },
  },
  scopes: ['openid', 'profile', 'crm'],
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, name: id }) }),
  extraTokenClaims: (_ctx, token) => ({ dept: departmentOf(token.accountId), roles: ['agent'] }),
  // Consent is given by the company for its own console: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile crm');
    grant.addResourceScope('urn:crm', 'crm');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log(`issuer ${issuer}`));
