import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { Public } from '../auth/decorators';

/**
 * The service's Prometheus registry: one per service app (the embedded host runs five in one
 * process, each with its own `/metrics`). Modules add their metrics to `registry`.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** Every answered request (issue 15 §1): rates and error ratios by route pattern and status. */
  readonly httpRequests = new Counter({
    name: 'crm_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern (`unmatched`: no route, or refused before routing) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  /** How long each answer took, from the first byte read to the last byte written. */
  readonly httpDuration = new Histogram({
    name: 'crm_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /**
   * `shared`: registries of the process rather than of this app (the platform's metrics), appended
   * to this app's scrape. Each is registered once per process, so the five apps of the embedded host
   * never register one name twice; they carry no `service` label (they are not any one app's).
   */
  constructor(
    service: string,
    private readonly shared: readonly Registry[] = [],
  ) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'crm_' });
  }

  /** The Prometheus text of this app's registry followed by the shared ones'. */
  async scrape(): Promise<string> {
    const texts = await Promise.all([this.registry, ...this.shared].map((r) => r.metrics()));
    return texts.join('');
  }

  /**
   * Express middleware, first in the chain, that counts and times every request when its answer is
   * finished. The route label is the matched pattern (`/customers/:id`), never the path itself, so ids
   * never become label values (bounded cardinality, and no personal data in a public endpoint).
   */
  readonly httpMiddleware = (req: HttpMetricsRequest, res: HttpMetricsResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const labels = {
        method: req.method,
        route: routeLabel(req),
        status: String(res.statusCode),
      };
      this.httpRequests.inc(labels);
      this.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

/**
 * The matched route pattern of an answered request (`/customers/:id`), `unmatched` when no route
 * answered (or a middleware refused it first): the metrics' and the request log's `route`, never the
 * path itself, so ids and query strings stay out of both.
 */
export function routeLabel(req: { baseUrl?: string; route?: { path?: unknown } }): string {
  const pattern = req.route?.path;
  return typeof pattern === 'string' ? `${req.baseUrl ?? ''}${pattern}` : 'unmatched';
}

/** What the middleware reads of an Express request and response. */
interface HttpMetricsRequest {
  method: string;
  baseUrl?: string;
  route?: { path?: unknown };
}
interface HttpMetricsResponse {
  statusCode: number;
  on(event: 'finish', listener: () => void): unknown;
}

export const SERVICE_METRICS = Symbol('SERVICE_METRICS');

/** `GET /metrics` in the Prometheus text format, for the scraper (public: no personal data in it). */
@ApiTags('health')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(SERVICE_METRICS) private readonly metrics: ServiceMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    schema: { type: 'string', example: 'crm_read_model_parked_events{service="sales",projection="sales.timeline"} 0' },
  })
  async scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
