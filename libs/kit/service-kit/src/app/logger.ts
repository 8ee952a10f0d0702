import type { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { PlatformConfig } from '@crm/config';
import { isProbePath, logFields, runWithTraceContext, traceContextFromHeaders } from '@crm/telemetry';
import { principalOf } from '../auth/request';
import { routeLabel } from '../metrics/metrics';

export type LogFormat = 'json' | 'pretty';

/** `CRM_LOG_FORMAT`, or its default: JSON lines in distributed mode (for the log collector), one readable line per entry embedded. */
export function logFormat(config: Pick<PlatformConfig, 'CRM_MODE' | 'CRM_LOG_FORMAT'>): LogFormat {
  return config.CRM_LOG_FORMAT ?? (config.CRM_MODE === 'distributed' ? 'json' : 'pretty');
}

/**
 * Header values that must never reach a log line, wherever an object carrying headers is logged
 * (pino's redaction: the value is replaced before the line is written).
 */
const REDACT = [
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'authorization',
  'cookie',
  'password',
  'clientSecret',
  'client_secret',
  'token',
];

export interface ServiceLoggerOptions {
  level: PlatformConfig['CRM_LOG_LEVEL'] | 'silent';
  format: LogFormat;
  /** Where lines go; default stdout. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * The process's structured logger (pino): one JSON object per line with `level` as a word, `time` in
 * ISO-8601, and — inside a request or a handled event — its `correlationId`, `traceId` and `spanId`
 * (from the trace context, `@crm/telemetry`), so every line of one command can be found by either.
 */
export function createServiceLogger(options: ServiceLoggerOptions): Logger {
  const destination = options.destination ?? pino.destination(1); // synchronous: the last lines before a crash are not lost;
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
      mixin: () => logFields(),
    },
    options.format === 'pretty' ? prettyLines(destination) : destination,
  );
}

/**
 * The readable format for `npm start` (no pino-pretty: one dependency less, and a line is enough):
 * `12:00:00.123 INFO  [context] message key=value …`, without pid/hostname.
 */
export function prettyLines(out: DestinationStream): DestinationStream {
  return {
    write(line: string): void {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const { time, level, msg, context, pid: _pid, hostname: _hostname, err, ...rest } = entry;
      const clock = typeof time === 'string' ? time.slice(11, 23) : '';
      const fields = Object.entries(rest)
        .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
        .join(' ');
      const error = err && typeof err === 'object' ? `\n${String((err as { stack?: unknown }).stack ?? JSON.stringify(err))}` : '';
      const head = `${clock} ${String(level).toUpperCase().padEnd(5)}${context ? ` [${String(context)}]` : ''}`;
      out.write(`${head} ${String(msg ?? '')}${fields ? ` ${fields}` : ''}${error}\n`);
    },
  };
}

// Nest's own start-up lines (each module, controller and route): noise at info, there at debug.
const NEST_CHATTER = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Nest's `LoggerService` over pino (nestjs-pino): every existing `new Logger(Context).log/warn/error`
 * becomes a structured line with `context`; Nest's start-up chatter is demoted to debug.
 */
class CrmNestLogger extends NestPinoLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && NEST_CHATTER.has(context)) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/**
 * The Nest logger writing to `logger`. nestjs-pino keeps one root logger per process: the first
 * service app of a process sets it (the embedded host's five apps share one).
 */
export function nestLoggerFor(logger: Logger): LoggerService {
  return new CrmNestLogger(new PinoLogger({ pinoHttp: { logger } }), {});
}

/** What the request middleware reads of an Express request and response. */
interface LoggedRequest {
  method: string;
  url: string;
  baseUrl?: string;
  route?: { path?: unknown };
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}
interface LoggedResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  on(event: 'finish', listener: () => void): unknown;
}

/**
 * Express middleware, first in the chain: takes the request's trace context from its headers
 * (`x-correlation-id`, `traceparent`, `tracestate`; missing or malformed ones are replaced, never
 * refused), echoes it in the response headers, runs the rest of the request inside it, and writes one
 * line when the answer is finished: method, route pattern (never the path: ids and query strings stay
 * out), status, duration, principal (id and kind, never a token), correlation id and trace id.
 * 401/403, and a 404 answered to a partner (a refused read outside its scope looks like this), are
 * security events: warn, with the caller's address when there is no principal. 5xx: error.
 */
export function requestContextMiddleware(logger: Logger, service: string) {
  const log = logger.child({ service });
  return (req: LoggedRequest, res: LoggedResponse, next: () => void): void => {
    const context = traceContextFromHeaders(req.headers);
    // Controllers that read `@Headers('x-correlation-id')` get the accepted or generated one.
    req.headers['x-correlation-id'] = context.correlationId;
    res.setHeader('x-correlation-id', context.correlationId);
    if (context.traceparent) res.setHeader('traceparent', context.traceparent);
    if (context.tracestate) res.setHeader('tracestate', context.tracestate);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const status = res.statusCode;
      const principal = principalOf(req);
      const partner = principal?.kind === 'partner';
      const level =
        status >= 500 ? 'error' : status === 401 || status === 403 || (status === 404 && partner) ? 'warn' : isProbePath(req.url) ? 'debug' : 'info'; // probes: at info they would drown the lines that matter
      const line = {
        method: req.method,
        route: routeLabel(req),
        status,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        ...(principal
          ? { principal: { kind: principal.kind, id: principal.subject, ...(principal.kind === 'partner' ? { partnerId: principal.partnerId } : {}) } }
          : level === 'warn'
            ? { remoteAddress: req.socket?.remoteAddress }
            : {}),
      };
      // 'finish' may fire outside the request's async context: log inside it again.
      runWithTraceContext(context, () => log[level](line, level === 'warn' ? 'request refused' : 'request'));
    });
    runWithTraceContext(context, next);
  };
}
