import { Injectable, type ExecutionContext, type OnApplicationShutdown } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ThrottlerGuard, ThrottlerStorageService, type ThrottlerLimitDetail } from '@nestjs/throttler';
import helmet from 'helmet';
import { isProbePath } from '@crm/telemetry';
import { requestPath, type HttpRequestLike } from '../auth/request';
import type { ServiceConfig } from '../config/service-config';
import { HttpProblem, ProblemTypes } from '../errors/http-problem';

/** Headers a browser page of an allowed origin may send and read (the API's own, see api-headers.ts). */
const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'idempotency-key', 'x-correlation-id', 'traceparent', 'tracestate'];
const CORS_EXPOSED_HEADERS = ['ETag', 'Location', 'Retry-After', 'X-Correlation-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

/**
 * Security headers (helmet), CORS by `CRM_CORS_ORIGINS` and the client address behind proxies
 * (`CRM_TRUST_PROXY_HOPS`). The rate limit itself is `RateLimitGuard` (a global guard, so its 429 is
 * rendered by the problem-details filter like every other error).
 */
export function hardenHttp(app: NestExpressApplication, config: ServiceConfig): void {
  if (config.CRM_TRUST_PROXY_HOPS > 0) app.set('trust proxy', config.CRM_TRUST_PROXY_HOPS);
  app.use(
    helmet({
      contentSecurityPolicy: {
        // Not upgrade-insecure-requests: the embedded CRM serves /docs over plain http on localhost,
        // and an upgraded fetch of /openapi.json would leave Swagger UI blank. TLS ends at the gateway.
        directives: { upgradeInsecureRequests: null },
      },
      // Tracking pixels, tracked links and the iCalendar feed are loaded by mail clients and
      // calendars of other origins; CORS, not CORP, decides what a page may read.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  const allowed = new Set(config.CRM_CORS_ORIGINS ?? []);
  app.enableCors({
    // A refused origin gets no Access-Control-Allow-* header (the browser then blocks the read);
    // same-origin and server-to-server requests carry no Origin worth judging and pass as before.
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Bearer tokens, no cookies: credentials stay off, so a wildcard can never leak a session.
    credentials: false,
    maxAge: 600,
  });
}

/**
 * `@nestjs/throttler`'s guard with the CRM's rules: one budget per client address across every
 * route of the process (not per handler), `/health*` and `/metrics` exempt, and a 429
 * `application/problem+json` (`urn:crm:problem:too-many-requests`) with `Retry-After`. Registered
 * before the JWT guard, so floods without a valid token are limited too.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard implements OnApplicationShutdown {
  private readonly store: ThrottlerStorageService;
  private readonly limitPerMinute: number;

  constructor(limitPerMinute: number, reflector: Reflector) {
    // Its own in-memory store per process: the limit is per instance (documented), no shared server needed.
    const store = new ThrottlerStorageService();
    super([{ name: 'default', ttl: 60_000, limit: limitPerMinute }], store, reflector);
    this.store = store;
    this.limitPerMinute = limitPerMinute;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (this.limitPerMinute === 0 || context.getType() !== 'http') return true;
    // Probes and scrapes come from the kubelet and Prometheus, many per minute from one address.
    return isProbePath(requestPath(context.switchToHttp().getRequest<HttpRequestLike>()));
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new HttpProblem(429, `more than ${detail.limit} requests a minute from this address; retry in ${retryAfter} s`, {
      type: ProblemTypes.tooManyRequests,
      headers: { 'Retry-After': String(retryAfter) },
    });
  }

  onApplicationShutdown(): void {
    this.store.onApplicationShutdown();
  }
}
