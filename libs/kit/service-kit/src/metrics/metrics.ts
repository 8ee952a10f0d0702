import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Public } from '../auth/decorators';

/**
 * The service's Prometheus registry: one per service app (the embedded host runs five in one
 * process, each with its own `/metrics`). Modules add their metrics to `registry`.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'crm_' });
  }
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
    return this.metrics.registry.metrics();
  }
}
