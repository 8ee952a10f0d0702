import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, Reflector } from '@nestjs/core';
import type { Platform } from '@crm/platform';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { TokenMint } from '../auth/mint-token';
import { TokenVerifier } from '../auth/token-verifier';
import { authSettings, type ServiceConfig } from '../config/service-config';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { createValidationPipe } from '../errors/validation';
import { HealthController } from '../health/health.controller';
import { HealthIndicators } from '../health/health-indicators';
import { RateLimitGuard } from './http-hardening';
import { MetricsController, SERVICE_METRICS, ServiceMetrics } from '../metrics/metrics';
import { systemClock, type Clock } from '@crm/kernel';
import { BUS, CLOCK, EVENT_STORE, PLATFORM, SERVICE_CONFIG } from './tokens';

export interface ServiceKitModuleOptions {
  config: ServiceConfig;
  /** The service's name: the `service` label of its metrics. */
  service?: string;
  platform: Platform;
  /** Where "now" comes from; default `systemClock`. Tests pass a `TestClock`. */
  clock?: Clock;
  /** Close the platform when the application shuts down (a service running alone). Default false. */
  ownsPlatform?: boolean;
}

const OWNS_PLATFORM = Symbol('OWNS_PLATFORM');

/**
 * The HTTP plumbing every service shares, as one global module: `PLATFORM`, `SERVICE_CONFIG`,
 * `EVENT_STORE`, `BUS`, `TokenVerifier` and `TokenMint` for injection anywhere; the global
 * `JwtAuthGuard`, `ProblemDetailsFilter` and validation pipe; `HealthController`.
 * `createServiceApp` imports it for you; import it yourself only when you build a Nest app without
 * `createServiceApp` (then do not also use `createServiceApp`, or the guard and filter run twice).
 */
@Module({})
export class ServiceKitModule implements OnApplicationShutdown {
  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    @Inject(OWNS_PLATFORM) private readonly ownsPlatform: boolean,
  ) {}

  static forRoot(options: ServiceKitModuleOptions): DynamicModule {
    const settings = authSettings(options.config);
    return {
      module: ServiceKitModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: PLATFORM, useValue: options.platform },
        { provide: EVENT_STORE, useValue: options.platform.eventStore },
        { provide: BUS, useValue: options.platform.bus },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: OWNS_PLATFORM, useValue: options.ownsPlatform ?? false },
        HealthIndicators,
        { provide: SERVICE_METRICS, useFactory: () => new ServiceMetrics(options.service ?? 'crm', [options.platform.metrics.registry]) },
        { provide: TokenVerifier, useFactory: () => TokenVerifier.create(settings, options.config.CRM_DATA_DIR) },
        { provide: TokenMint, useFactory: () => new TokenMint(settings, options.config.CRM_DATA_DIR) },
        // Before the JWT guard: a flood is refused before any token is verified.
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector) => new RateLimitGuard(options.config.CRM_RATE_LIMIT_PER_MINUTE, reflector),
          inject: [Reflector],
        },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [SERVICE_CONFIG, PLATFORM, EVENT_STORE, BUS, CLOCK, TokenVerifier, TokenMint, HealthIndicators, SERVICE_METRICS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.ownsPlatform) await this.platform.close();
  }
}
