/** What the portal's e2e specs read of an answer. */
export type Json = Record<string, unknown>;
export interface PortalReply {
  status: number;
  type: string;
  etag: string | null;
  location: string | null;
  cacheControl: string | null;
  body: Json;
  text: string;
}

/**
 * The HTTP helpers the portal's e2e specs share: `raw` sends a body as given (a bad one too), `call`
 * sends JSON, `problem` checks a problem+json answer and the field it names (or an item or member of
 * it: `products.0`), `exchange` trades a client credential for a token. `base` is read per request:
 * specs learn it in `beforeAll`.
 */
export function portalHttp(base: () => string) {
  const raw = async (method: string, url: string, token: string | undefined, body?: string, headers: Record<string, string> = {}): Promise<PortalReply> => {
    const r = await fetch(`${base()}${url}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers, ...(token && { authorization: `Bearer ${token}` }) },
      body,
    });
    const text = await r.text();
    return {
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      etag: r.headers.get('etag'),
      location: r.headers.get('location'),
      cacheControl: r.headers.get('cache-control'),
      body: (text ? JSON.parse(text) : {}) as Json,
      text,
    };
  };
  const call = (method: string, url: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) =>
    raw(method, url, token, body === undefined ? undefined : JSON.stringify(body), headers);
  const fields = (r: PortalReply) => ((r.body.errors ?? []) as { field: string }[]).map((e) => e.field);
  const problem = (r: PortalReply, status: number, field?: string) => {
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/problem+json');
    if (field) expect(fields(r).some((f) => f === field || f.startsWith(`${field}.`))).toBe(true);
  };
  const exchange = async (credential: { clientId: string; clientSecret: string }) => {
    const r = await call('POST', '/auth/token', undefined, credential);
    expect(r.status).toBe(200);
    return String(r.body.access_token);
  };
  return { raw, call, fields, problem, exchange };
}
