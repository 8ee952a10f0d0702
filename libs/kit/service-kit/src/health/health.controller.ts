import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Platform } from '@crm/platform';
import { Public } from '../auth/decorators';
import { PLATFORM } from '../app/tokens';
import { HttpProblem, ProblemTypes } from '../errors/http-problem';
import { HealthIndicators, type IndicatorResult } from './health-indicators';
import { processDraining } from '../app/graceful-shutdown';
import { LivenessDto, READINESS_EXAMPLE, ReadinessReportDto } from './health.responses';

export type CheckStatus = 'up' | 'down';

export interface HealthCheckResult {
  status: CheckStatus;
  durationMs: number;
  /** Why it is down: `timeout` or `error` (the error itself is logged, not published). */
  reason?: 'timeout' | 'error';
}

export interface ReadinessReport {
  /** `degraded`: ready, but an indicator reports a problem (e.g. parked events in a read model). */
  status: 'ok' | 'degraded';
  checks: Record<'eventStore' | 'bus' | 'database', HealthCheckResult>;
  /** The service's own indicators (read models...), by name. */
  indicators?: Record<string, IndicatorResult>;
}

const CHECK_TIMEOUT_MS = 3000;

/**
 * `GET /health` — liveness: 200 `{status:'ok'}` while the process runs.
 * `GET /health/ready` — readiness: pings the event store, the bus and the database; 200 with each
 * check, or 503 problem+json with the same `checks` when one is down, and 503 `shutting down` (no
 * checks) from the moment the process received SIGTERM, so it leaves the rotation before its server
 * stops accepting (docs/operations.md "Shutdown"). Both public.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    @Inject(PLATFORM) private readonly platform: Platform,
    private readonly indicators: HealthIndicators,
  ) {}

  @Get()
  @ApiOkResponse({ type: LivenessDto, description: 'The process is alive.', example: { status: 'ok' } })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({
    type: ReadinessReportDto,
    description: 'The event store, the bus and the database answer; `degraded` when a read model has parked events.',
    example: READINESS_EXAMPLE,
  })
  @ApiServiceUnavailableResponse({
    description: 'A dependency does not answer, or a read model stopped (problem+json with `checks`), or the process is shutting down.',
  })
  async readiness(): Promise<ReadinessReport> {
    if (processDraining.draining)
      throw new HttpProblem(503, 'not ready: shutting down', { type: ProblemTypes.notReady, extensions: { state: 'shutting-down' } });
    const [eventStore, bus, database, indicators] = await Promise.all([
      this.check('eventStore', () => this.platform.eventStore.ping()),
      this.check('bus', () => this.platform.bus.ping()),
      this.check('database', async () => void (await this.platform.sql.query('select 1'))),
      this.runIndicators(),
    ]);
    const checks = { eventStore, bus, database };
    const down = [
      ...Object.entries(checks)
        .filter(([, c]) => c.status === 'down')
        .map(([name]) => name),
      ...Object.entries(indicators)
        .filter(([, c]) => c.status === 'down')
        .map(([name]) => name),
    ];
    const extra = Object.keys(indicators).length ? { indicators } : {};
    if (down.length) {
      throw new HttpProblem(503, `not ready: ${down.join(', ')} down`, { type: ProblemTypes.notReady, extensions: { checks, ...extra } });
    }
    const degraded = Object.values(indicators).some((i) => i.status === 'degraded');
    return { status: degraded ? 'degraded' : 'ok', checks, ...extra };
  }

  private async runIndicators(): Promise<Record<string, IndicatorResult>> {
    const results = await Promise.all(
      this.indicators.entries().map(async ([name, indicator]): Promise<[string, IndicatorResult]> => {
        try {
          return [name, await indicator()];
        } catch (error) {
          this.logger.warn(`readiness: indicator ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
          return [name, { status: 'down', reason: 'error' }];
        }
      }),
    );
    return Object.fromEntries(results);
  }

  private async check(name: string, ping: () => Promise<void>): Promise<HealthCheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([ping().then(() => 'up' as const), timeout]);
      const durationMs = Math.round(performance.now() - started);
      if (outcome === 'timeout') {
        this.logger.warn(`readiness: ${name} did not answer within ${CHECK_TIMEOUT_MS} ms`);
        return { status: 'down', durationMs, reason: 'timeout' };
      }
      return { status: 'up', durationMs };
    } catch (error) {
      this.logger.warn(`readiness: ${name} is down: ${error instanceof Error ? error.message : String(error)}`);
      return { status: 'down', durationMs: Math.round(performance.now() - started), reason: 'error' };
    } finally {
      clearTimeout(timer);
    }
  }
}
