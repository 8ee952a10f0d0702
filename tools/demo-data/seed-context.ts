/**
 * What each part of the API seed (`npm run demo-data -- --api <console url>`) gets: the console's
 * address, staff tokens from its local sign-in, a JSON caller of `/api/<service>/…`, the ids the
 * event-level demo data wrote (`<CRM_DATA_DIR>/demo-data.json`), and `out`, where a part records
 * what it made (printed as JSON with `--json`; the browser suite reads it).
 */
export interface StaffLogin {
  department: 'sales' | 'service' | 'marketing' | 'analytics' | 'management';
  subject: string;
  roles?: string[];
}

export interface BulkDemoData {
  customers: string[];
  campaignId: string;
  partners: { distributor: string; repairer: string };
  shares: Record<string, string[]>;
}

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

export interface SeedContext {
  url: string;
  bulk: BulkDemoData;
  out: Record<string, unknown>;
  log(line: string): void;
  /** Current time (ms); the seed dates what it makes relative to it. */
  now(): number;
  staffToken(login: StaffLogin): Promise<string>;
  /** `service` is sales | service | marketing | partner-portal | analytics; throws `SeedError` with the problem on a non-2xx. */
  call<T = unknown>(
    service: string,
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
}

export function createSeedContext(url: string, bulk: BulkDemoData, log: (line: string) => void): SeedContext {
  const tokens = new Map<string, Promise<string>>();
  return {
    url,
    bulk,
    out: {},
    log,
    now: () => Date.now(),
    staffToken(login) {
      const key = JSON.stringify(login);
      let token = tokens.get(key);
      if (!token) {
        token = fetch(`${url}/console/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ roles: ['agent'], ...login }),
        }).then(async (r) => {
          if (!r.ok) throw new SeedError(`sign-in as ${login.subject}: ${r.status} ${await r.text()}`);
          return ((await r.json()) as { access_token: string }).access_token;
        });
        tokens.set(key, token);
      }
      return token;
    },
    async call(service, method, path, token, body, headers = {}) {
      const r = await fetch(`${url}/api/${service}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      const parsed: unknown = text && (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
      if (!r.ok) throw new SeedError(`${method} /api/${service}${path}: ${r.status} ${text.slice(0, 500)}`);
      return { status: r.status, body: parsed as never, headers: r.headers };
    },
  };
}
