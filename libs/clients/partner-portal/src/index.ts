/**
 * `@crm/partner-portal-client`: a typed client of the partner portal's API for a partner's
 * software (and this repository's tests and tools). Paths, parameters, bodies and answers come from
 * `schema.d.ts`, generated from the portal's OpenAPI document (`npm run generate:partner-client`);
 * requests go through openapi-fetch. The client gets its bearer token by OAuth 2.0 client
 * credentials (`POST /auth/token`, `client_secret_basic`), keeps it until shortly before it expires,
 * and gets a new one then — or after a 401 (a token the portal no longer accepts).
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
/** A schema of the portal's document by name: `PartnerSchema<'PartnerTimelinePageDto'>`. */
export type PartnerSchema<Name extends keyof components['schemas']> = components['schemas'][Name];
/** The problem+json body of every error answer (RFC 9457; `errors` names each invalid field). */
export type Problem = components['schemas']['Problem'];

export interface PartnerPortalClientOptions {
  /** Where the portal answers, e.g. `https://crm.example.com/partner` (its routes are under it). */
  baseUrl: string;
  /** The client id the company's channel manager gave you (`<partnerId>.<random>`). */
  clientId: string;
  /** Its secret (keep it like a password). */
  clientSecret: string;
  /** Default: the global `fetch`. */
  fetch?: (input: Request) => Promise<Response>;
  /** Get a new token this many seconds before the current one expires. Default 60. */
  refreshMarginSeconds?: number;
  /** Milliseconds since the epoch (tests). Default `Date.now`. */
  now?: () => number;
}

export interface PartnerPortalClient extends Client<paths> {
  /** The bearer token the next request will carry (got or refreshed as needed). */
  accessToken(): Promise<string>;
  /** Forget the token: the next request gets a new one. */
  forgetToken(): void;
}

/** Raised when the token exchange refuses the credentials (or answers something else than a token). */
export class PartnerTokenError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> & { error?: string },
  ) {
    super(`token exchange answered ${status}${problem.error ? ` ${problem.error}` : ''}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'PartnerTokenError';
  }
}

const TOKEN_PATH = '/auth/token';

/**
 * A client of the partner portal: `client.GET('/customers/{id}/timeline', { params: { path: { id } } })`
 * answers `{ data, error, response }` with `data` typed as the portal documents it.
 */
export function createPartnerPortalClient(options: PartnerPortalClientOptions): PartnerPortalClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchRequest = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const now = options.now ?? Date.now;
  const margin = (options.refreshMarginSeconds ?? 60) * 1000;
  let current: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const tokenClient = createClient<paths>({ baseUrl, fetch: fetchRequest });
  const exchange = async (): Promise<string> => {
    // client_secret_basic (RFC 6749 §2.3.1): both parts form-urlencoded, then Base64.
    const basic = btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`);
    const { data, error, response } = await tokenClient.POST(TOKEN_PATH, {
      body: { grant_type: 'client_credentials' },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    if (!data) throw new PartnerTokenError(response.status, (error ?? {}) as Partial<Problem>);
    current = { token: data.access_token, refreshAt: now() + data.expires_in * 1000 - margin };
    return data.access_token;
  };
  const accessToken = (): Promise<string> => {
    if (current && now() < current.refreshAt) return Promise.resolve(current.token);
    // One exchange at a time: requests made meanwhile wait for it.
    pending ??= exchange().finally(() => (pending = undefined));
    return pending;
  };

  const bearer: Middleware = {
    async onRequest({ request, schemaPath }) {
      if (schemaPath === TOKEN_PATH) return request;
      request.headers.set('authorization', `Bearer ${await accessToken()}`);
      return request;
    },
    onResponse({ response, schemaPath }) {
      // Revoked or expired early: the next request exchanges the credentials again.
      if (response.status === 401 && schemaPath !== TOKEN_PATH) current = undefined;
      return response;
    },
  };
  const clientOptions: ClientOptions = { baseUrl, fetch: fetchRequest };
  const client = createClient<paths>(clientOptions);
  client.use(bearer);
  return Object.assign(client, {
    accessToken,
    forgetToken: () => {
      current = undefined;
    },
  });
}

/** application/x-www-form-urlencoded, as RFC 6749 Appendix B asks for client ids and secrets. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
