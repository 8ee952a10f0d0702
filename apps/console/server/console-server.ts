/**
 * The web console's server: serves the built web app (`dist/console`) and forwards `/api/<service>/…`
 * to that service, so the browser talks to one origin and every API keeps its own authorisation
 * (the console adds none and removes none: the bearer token goes through unchanged). In embedded
 * mode it also offers the local sign-in (a token for a chosen department, signed with the embedded
 * key as `npm run token` does). It holds no data.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { DEPARTMENTS, ensureLocalKeys, isDepartment, mintToken, type StaffPrincipal } from '@crm/service-kit';
import { CONSOLE_SERVICES, localSignInEnabled, type ConsoleConfig, type ConsoleService } from './console-config';

/** Roles a local sign-in may carry: the ones the services check (README "Roles"). */
export const LOCAL_ROLES = ['agent', 'manager', 'team-lead', 'supervisor', 'channel-manager', 'data-protection', 'admin'] as const;
const LOCAL_TOKEN_TTL = '8h';
const SUBJECT = /^[a-z0-9][a-z0-9._-]{0,63}$/i;

export interface ConsoleServerOptions {
  config: ConsoleConfig;
  /** Base URL of each service (no trailing slash). */
  upstreams: Record<ConsoleService, string>;
  /** Folder of the built web app. */
  staticDir: string;
}

/** What the web app reads first: how people sign in here, and the services it may call. */
export interface ConsoleSettings {
  mode: 'embedded' | 'distributed';
  localSignIn: { departments: readonly string[]; roles: readonly string[] } | null;
  oidc: { issuer: string; clientId: string; scope: string } | null;
  services: readonly ConsoleService[];
}

export function consoleSettings(config: ConsoleConfig): ConsoleSettings {
  return {
    mode: config.CRM_MODE,
    localSignIn: localSignInEnabled(config) ? { departments: DEPARTMENTS, roles: LOCAL_ROLES } : null,
    oidc:
      config.CRM_OIDC_ISSUER && config.CRM_OIDC_CLIENT_ID
        ? { issuer: config.CRM_OIDC_ISSUER, clientId: config.CRM_OIDC_CLIENT_ID, scope: config.CRM_OIDC_SCOPE }
        : null,
    services: CONSOLE_SERVICES,
  };
}

function problem(res: Response, status: number, title: string, detail: string, errors?: { field: string; message: string }[]): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, detail, ...(errors && { errors }) }));
}

export function createConsoleServer(options: ConsoleServerOptions): express.Express {
  const { config, upstreams, staticDir } = options;
  const settings = consoleSettings(config);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const oidcOrigin = settings.oidc ? new URL(settings.oidc.issuer).origin : undefined;
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          upgradeInsecureRequests: null,
          // Mantine writes its CSS variables in a <style> element; the identity provider answers the token request.
          'style-src': ["'self'", "'unsafe-inline'"],
          'connect-src': ["'self'", ...(oidcOrigin ? [oidcOrigin] : [])],
          'img-src': ["'self'", 'data:', 'blob:'],
          'frame-src': ["'self'", 'blob:'],
          'object-src': ["'self'", 'blob:'],
        },
      },
    }),
  );

  // Probes (Kubernetes; /health as the services answer it, for the image's HEALTHCHECK): alive while it answers; ready when the built web app is there to serve.
  app.get(['/health', '/health/live'], (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/health/ready', (_req, res) => {
    const built = fs.existsSync(path.join(staticDir, 'index.html'));
    res
      .status(built ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(built ? { status: 'ok' } : { status: 'not-ready', reason: 'the web app is not built (npm run build:console)' });
  });

  app.get('/console/settings.json', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(settings);
  });

  app.post('/console/sign-in', express.json({ limit: '4kb', strict: true }), (req: Request, res: Response, next: NextFunction) => {
    if (!settings.localSignIn) return problem(res, 404, 'Not Found', 'the local sign-in is off here: sign in through the identity provider');
    // It can mint any department's token: only for a person at this machine, never over the network.
    if (!isLoopback(req.socket.remoteAddress)) return problem(res, 403, 'Forbidden', 'the local sign-in answers only on this machine (localhost)');
    if (!req.is('application/json')) return problem(res, 415, 'Unsupported Media Type', 'send application/json');
    const body: unknown = req.body;
    const errors: { field: string; message: string }[] = [];
    const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    if (!isDepartment(b['department'])) errors.push({ field: 'department', message: `one of ${DEPARTMENTS.join(', ')}` });
    if (typeof b['subject'] !== 'string' || !SUBJECT.test(b['subject']))
      errors.push({ field: 'subject', message: 'letters, digits, dot, dash or underscore, at most 64' });
    const roles = b['roles'] ?? [];
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || !(LOCAL_ROLES as readonly string[]).includes(r)))
      errors.push({ field: 'roles', message: `an array of ${LOCAL_ROLES.join(', ')}` });
    if (errors.length) return problem(res, 400, 'Bad Request', 'the sign-in request is not valid', errors);
    const principal: StaffPrincipal = {
      kind: 'staff',
      subject: b['subject'] as string,
      department: b['department'] as StaffPrincipal['department'],
      roles: [...new Set(roles as string[])],
    };
    ensureLocalKeys(config.CRM_DATA_DIR)
      .then((key) => mintToken(principal, { signingKey: key, issuer: config.CRM_JWT_ISSUER, audience: config.CRM_JWT_AUDIENCE, expiresIn: LOCAL_TOKEN_TTL }))
      .then((token) => res.set('Cache-Control', 'no-store').json({ access_token: token, token_type: 'Bearer', expires_in: 8 * 3600 }))
      .catch(next);
  });

  app.use('/api', (req, res) => forward(req, res, upstreams));

  // The web app's files compressed (gzip, or deflate; ~4× smaller JS): after /api, whose answers —
  // server-sent events among them — pass through as the services sent them, never buffered here.
  app.use(compression());
  const index = path.join(staticDir, 'index.html');
  const assets = path.join(staticDir, 'assets') + path.sep;
  app.use(
    express.static(staticDir, {
      index: false,
      maxAge: '1h',
      setHeaders: (res, file) => {
        // index.html is asked for again each time (it names the build's files); those files have the
        // hash of their content in their name, so they never change under it.
        if (file === index) res.set('Cache-Control', 'no-cache');
        else if (file.startsWith(assets)) res.set('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  // Any other GET is a page of the web app (client-side routes): its index.html.
  app.get('/{*path}', (_req, res) => {
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build:console` (npm start builds it when needed).');
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });

  // Malformed JSON and other body errors are 4xx; anything else is logged and a 500 without detail.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.status && err.status >= 400 && err.status < 500)
      return problem(res, err.status, 'Bad Request', err.type === 'entity.parse.failed' ? 'the body is not JSON' : err.message);
    console.error('console:', err);
    problem(res, 500, 'Internal Server Error', 'the console could not answer');
  });
  return app;
}

export function isLoopback(address: string | undefined): boolean {
  return address === '::1' || /^(::ffff:)?127\./.test(address ?? '');
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** `/api/<service>/<path>` → `<upstream>/<path>`: method, headers (but hop-by-hop), body and answer streamed as they are. */
function forward(req: Request, res: Response, upstreams: Record<ConsoleService, string>): void {
  const match = /^\/([a-z-]+)(\/.*)?$/.exec(req.url);
  const service = match?.[1] as ConsoleService | undefined;
  if (!service || !(CONSOLE_SERVICES as readonly string[]).includes(service))
    return problem(res, 404, 'Not Found', `no such service; one of ${CONSOLE_SERVICES.join(', ')}`);
  const target = new URL(upstreams[service] + (match?.[2] ?? '/'));
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
  headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  headers['x-forwarded-host'] = req.headers.host ?? '';
  const upstream = http.request(target, { method: req.method, headers }, (answer) => {
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value as http.OutgoingHttpHeader;
    // A Basic challenge (the partner token's 401) makes the browser open its own password dialog and
    // hold the request; the console shows the CRM's problem in its page instead.
    if (/^\s*basic/i.test(String(out['www-authenticate'] ?? ''))) delete out['www-authenticate'];
    res.writeHead(answer.statusCode ?? 502, out);
    // Server-sent events: every chunk goes out as it arrives.
    res.flushHeaders();
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) problem(res, 502, 'Bad Gateway', `the ${service} service did not answer`);
    else res.destroy();
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}
