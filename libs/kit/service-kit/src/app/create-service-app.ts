import { Module, type DynamicModule, type LoggerService, type LogLevel, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Clock } from '@crm/kernel';
import type { Platform } from '@crm/platform';
import type { ServiceConfig } from '../config/service-config';
import { refuseHostileInput, requireJsonBodies, type StreamRoute } from '../errors/hostile-input';
import { setupOpenApi, type OpenApiOptions } from '../openapi/setup-openapi';
import { nestLogLevels } from './logger';
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
  /** Nest's logger. Default: Nest's console logger at the levels of `CRM_LOG_LEVEL` (see `nestLogLevels`). */
  logger?: LoggerService | LogLevel[] | false;
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
 * `/openapi.json` and `/docs`, shutdown hooks, and a quiet logger. Not listening yet.
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
  const app = await NestFactory.create<NestExpressApplication>(root, {
    bodyParser: false,
    // With bodyParser off, Nest still reads this in useBodyParser: the JSON parser keeps the bytes it parsed.
    rawBody: options.rawBody ?? false,
    abortOnError: false,
    // Not forceCloseConnections: it destroys every socket on close, requests in flight included.
    // close() below drains them instead (closeHttpServer).
    logger: options.logger ?? nestLogLevels(options.config.CRM_LOG_LEVEL),
  });
  app.disable('x-powered-by');
  // Only a successful change answers with an ETag (the stream revision, see setEtag): Express's
  // automatic weak ETag on every body — errors included — cannot be sent back as If-Match.
  app.disable('etag');
  app.use(closeConnectionsWhileDraining);
  // Then: every request is counted and timed, also those the next middlewares refuse (415, 400).
  app.use(app.get<ServiceMetrics>(SERVICE_METRICS).httpMiddleware);
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
      log: (message) => console.log(`${options.name}: ${message}`),
    });
  }
  return serviceApp;
}
