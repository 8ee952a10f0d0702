import { Module, type DynamicModule, type LoggerService, type LogLevel, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import type { ServiceConfig } from '../config/service-config';
import { refuseHostileInput, requireJsonBodies, type StreamRoute } from '../errors/hostile-input';
import { setupOpenApi, type OpenApiOptions } from '../openapi/setup-openapi';
import { hardenHttp } from './http-hardening';
import type { DestinationStream } from 'pino';
import { createServiceLogger, logFormat, nestLoggerFor, requestContextMiddleware } from './logger';
import { closeConnectionsWhileDraining, closeHttpServer, exitGracefullyOnSignals } from './graceful-shutdown';
import { shutdownDelayMs } from '@crm/config';
import { SERVICE_METRICS, type ServiceMetrics } from '../metrics/metrics';
import { ServiceKitModule } from './service-kit.module';

export interface CreateServiceAppOptions {
  /** The service's name, e.g. `sales` (for messages). */
  name: string;
  /** The service's root module. It does NOT import `ServiceKitModule`: createServiceApp does. */
  module: Type<unknown> | DynamicModule;
  config: ServiceConfig;
  platform: Platform;
  /** Where "now" comes from for commands; default `systemClock`. */
  clock?: Clock;
  openApi: OpenApiOptions;
  /** Largest JSON body accepted (413 above). Default `1mb`. */
  bodyLimit?: string;
  /** Paths whose body may also be `application/x-www-form-urlencoded` (16 kB at most); everywhere else a non-JSON body is 415. */
  formRoutes?: string[];
  /**
   * Keep each JSON body's bytes as `request.rawBody` too (a Buffer), for a route that verifies a
   * signature over exactly what was sent (a webhook). Default false.
   */
  rawBody?: boolean;
  /** Paths whose body the handler reads itself as a stream, in the route's media types (e.g. a CSV import); everything else is 415 there. */
  streamRoutes?: StreamRoute[];
  /**
   * On SIGTERM/SIGINT shut down gracefully and exit 0 (see `exitGracefullyOnSignals`). Default true;
   * pass false when several services share one process (the embedded host), whose own handler closes them.
   */
  shutdownHooks?: boolean;
  /** Close the platform when the app closes. Default false (the caller owns it). */
  ownsPlatform?: boolean;
  /**
   * Nest's logger. Default: the structured logger (pino, `CRM_LOG_LEVEL`, `CRM_LOG_FORMAT`, see
   * `createServiceLogger`), which also writes the request lines. Given here, Nest logs through it and
   * no request line is written (the request context and its response headers still are).
   */
  logger?: LoggerService | LogLevel[] | false;
  /** Where the structured logger writes; default stdout. For tests that read the lines back. */
  logDestination?: DestinationStream;
}

export interface ServiceApp {
  readonly name: string;
  readonly app: NestExpressApplication;
  /** Starts listening on `CRM_HTTP_HOST`:`CRM_HTTP_PORT` (or `port`, e.g. 0 in tests); resolves to the base URL. */
  listen(port?: number): Promise<string>;
  /** The service's OpenAPI document (as served at `/openapi.json`), built without listening: for tools and generated clients. */
  openApiDocument(): OpenAPIObject;
  /**
   * Stops accepting connections, lets the requests in flight finish (at most `CRM_SHUTDOWN_TIMEOUT_MS`,
   * then their connections are cut), then closes the app: consumers and pollers stop (their
   * modules' destroy hooks), and the platform closes if `ownsPlatform`. Idempotent. The readiness
   * 503 and the delay before it (`CRM_SHUTDOWN_DELAY_MS`) are the signal handler's part.
   */
  close(): Promise<void>;
}

@Module({})
class ServiceAppModule {}

/**
 * Builds a service's Nest application on the kit: `ServiceKitModule` (tokens, guard, filter,
 * validation pipe, health) + the service's module, a JSON body parser with a limit, OpenAPI at
 * `/openapi.json` and `/docs`, shutdown hooks, and the structured logger with its request context
 * (`requestContextMiddleware`). Not listening yet.
 */
export async function createServiceApp(options: CreateServiceAppOptions): Promise<ServiceApp> {
  const root: DynamicModule = {
    module: ServiceAppModule,
    imports: [
      ServiceKitModule.forRoot({
        config: options.config,
        platform: options.platform,
        ownsPlatform: options.ownsPlatform,
        service: options.name,
        clock: options.clock,
      }),
      options.module,
    ],
  };
  const logger = createServiceLogger({
    level: options.logger !== undefined ? 'silent' : quietUnderTests(options.config.CRM_LOG_LEVEL, options.logDestination),
    format: logFormat(options.config),
    destination: options.logDestination,
  });
  const app = await NestFactory.create<NestExpressApplication>(root, {
    bodyParser: false,
    // With bodyParser off, Nest still reads this in useBodyParser: the JSON parser keeps the bytes it parsed.
    rawBody: options.rawBody ?? false,
    abortOnError: false,
    // Not forceCloseConnections: it destroys every socket on close, requests in flight included.
    // close() below drains them instead (closeHttpServer).
    logger: options.logger,
    // Start-up lines wait for the structured logger instead of going to Nest's console logger.
    bufferLogs: options.logger === undefined,
  });
  if (options.logger === undefined) app.useLogger(nestLoggerFor(logger));
  app.disable('x-powered-by');
  // Only a successful change answers with an ETag (the stream revision, see setEtag): Express's
  // automatic weak ETag on every body — errors included — cannot be sent back as If-Match.
  app.disable('etag');
  // First: the request's correlation id and trace context (headers in, headers out, one log line out).
  app.use(requestContextMiddleware(logger, options.name));
  // Then, once shutting down, every answer closes its connection (graceful shutdown).
  app.use(closeConnectionsWhileDraining);
  // Then: every request is counted and timed, also those the next middlewares refuse (415, 400).
  app.use(app.get<ServiceMetrics>(SERVICE_METRICS).httpMiddleware);
  // Security headers and CORS on every answer, refusals included (issue 15 §5).
  hardenHttp(app, options.config);
  app.use(requireJsonBodies(options.formRoutes ?? [], options.streamRoutes ?? []));
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb' });
  if (options.formRoutes?.length) app.useBodyParser('urlencoded', { extended: false, limit: '16kb' });
  app.use(refuseHostileInput);
  const document = setupOpenApi(app, options.openApi);

  let closing: Promise<void> | undefined;
  let removeSignalHandlers: (() => void) | undefined;
  const serviceApp: ServiceApp = {
    name: options.name,
    app,
    async listen(port?: number): Promise<string> {
      await app.listen(port ?? options.config.CRM_HTTP_PORT, options.config.CRM_HTTP_HOST);
      return app.getUrl();
    },
    openApiDocument(): OpenAPIObject {
      return document;
    },
    close(): Promise<void> {
      removeSignalHandlers?.();
      closing ??= closeHttpServer(app.getHttpServer(), options.config.CRM_SHUTDOWN_TIMEOUT_MS).then(() => app.close());
      return closing;
    },
  };
  if (options.shutdownHooks ?? true) {
    removeSignalHandlers = exitGracefullyOnSignals({
      delayMs: shutdownDelayMs(options.config),
      close: () => serviceApp.close(),
      log: (message) => logger.info({ service: options.name }, message),
    });
  }
  return serviceApp;
}

/**
 * Under Jest (`NODE_ENV=test`), lines bound for stdout stop at warn: hundreds of specs start apps
 * with the default `info`, and a request line per call would bury the test report (the kit's
 * console logger showed warnings and errors only, too). A spec that reads the lines back
 * (`logDestination`) gets the configured level.
 */
function quietUnderTests(level: ServiceConfig['CRM_LOG_LEVEL'], destination: unknown): ServiceConfig['CRM_LOG_LEVEL'] {
  return process.env['NODE_ENV'] === 'test' && destination === undefined && level !== 'error' ? 'warn' : level;
}
