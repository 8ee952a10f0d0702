/**
 * Staff sign-in through the company's identity provider: OpenID Connect authorisation code flow
 * with PKCE (oidc-client-ts), the console being a public client. The access token it returns is the
 * bearer token the services verify against CRM_JWKS_URL.
 */
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { ConsoleSettings } from './console-settings';

export const OIDC_CALLBACK_PATH = '/auth/callback';

export function oidcManager(oidc: NonNullable<ConsoleSettings['oidc']>): UserManager {
  return new UserManager({
    authority: oidc.issuer,
    client_id: oidc.clientId,
    redirect_uri: `${window.location.origin}${OIDC_CALLBACK_PATH}`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: 'code',
    scope: oidc.scope,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}
