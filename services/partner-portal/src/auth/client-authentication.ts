import { HttpProblem, ProblemTypes } from '@crm/service-kit';

/** How the client authenticated (RFC 6749 §2.3.1; the names are OAuth's `token_endpoint_auth_method`). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ClientAuthentication {
  clientId: string;
  clientSecret: string;
  method: ClientAuthMethod;
}

/** The longest client id or secret taken (ids are `<partnerId>.<random>`, secrets 43 characters). */
const MAX_CREDENTIAL_LENGTH = 200;

/** An OAuth error answer as problem+json: `error` carries RFC 6749 §5.2's code. */
export function oauthProblem(status: 400, error: 'invalid_request' | 'unsupported_grant_type', detail: string, field: string): HttpProblem {
  return new HttpProblem(status, detail, {
    type: ProblemTypes.validation,
    errors: [{ field, message: detail }],
    extensions: { error },
  });
}

/**
 * The client credentials of a token request, from exactly one place (RFC 6749 §2.3.1: a client MUST
 * NOT use more than one method in a request):
 * - `client_secret_basic`: `Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))`
 *   — the id and secret are form-urlencoded before base64 (Appendix B), so a `:` in either survives;
 * - `client_secret_post`: `client_id` and `client_secret` in the body (or the portal's `clientId`,
 *   `clientSecret`).
 * A malformed header, both methods, or neither is a 400 `invalid_request` naming what is wrong.
 */
export function clientAuthentication(
  authorization: string | undefined,
  body: { clientId?: string; clientSecret?: string; client_id?: string; client_secret?: string },
): ClientAuthentication {
  const postedId = body.clientId ?? body.client_id;
  const postedSecret = body.clientSecret ?? body.client_secret;
  if (authorization !== undefined && authorization.trim() !== '') {
    if (postedSecret !== undefined)
      throw oauthProblem(
        400,
        'invalid_request',
        'use one client authentication method: the Authorization header or client_secret in the body, not both',
        'authorization',
      );
    const basic = basicCredentials(authorization);
    if (postedId !== undefined && postedId !== basic.clientId)
      throw oauthProblem(400, 'invalid_request', 'client_id in the body is not the client of the Authorization header', 'clientId');
    return { ...basic, method: 'client_secret_basic' };
  }
  if (postedId === undefined || postedSecret === undefined) {
    const missing = postedId === undefined ? 'clientId' : 'clientSecret';
    throw new HttpProblem(
      400,
      `the request is invalid: ${[postedId === undefined && 'clientId', postedSecret === undefined && 'clientSecret'].filter(Boolean).join(', ')}`,
      {
        type: ProblemTypes.validation,
        errors: [
          ...(postedId === undefined ? [{ field: 'clientId', message: 'clientId (or client_id, or HTTP Basic authentication) is required' }] : []),
          ...(postedSecret === undefined
            ? [{ field: 'clientSecret', message: 'clientSecret (or client_secret, or HTTP Basic authentication) is required' }]
            : []),
        ],
        extensions: { error: 'invalid_request', missing },
      },
    );
  }
  return { clientId: postedId, clientSecret: postedSecret, method: 'client_secret_post' };
}

function basicCredentials(authorization: string): { clientId: string; clientSecret: string } {
  const malformed = (why: string) =>
    oauthProblem(400, 'invalid_request', `the Authorization header is not HTTP Basic client authentication: ${why}`, 'authorization');
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization);
  if (!match) throw malformed('expected "Basic <base64>"');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw malformed('no ":" between client id and secret');
  const part = (text: string, what: string) => {
    let value: string;
    try {
      value = decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      throw malformed(`the ${what} is not form-urlencoded`);
    }
    if (value === '' || value.length > MAX_CREDENTIAL_LENGTH || /[\u0000-\u001f\u007f]/.test(value) || /\p{Surrogate}/u.test(value))
      throw malformed(`the ${what} is empty, too long or has control characters`);
    return value;
  };
  return { clientId: part(decoded.slice(0, colon), 'client id'), clientSecret: part(decoded.slice(colon + 1), 'client secret') };
}
