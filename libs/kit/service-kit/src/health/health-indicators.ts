/**
 * What a part of a service reports about itself for `GET /health/ready`, besides the platform's own
 * checks: `down` makes the service unready (503); `degraded` keeps it ready (200) but says what is
 * wrong — e.g. a read model with parked events serves every other customer correctly, and taking
 * the whole service out of rotation for it would help nobody.
 */
export interface IndicatorResult {
  status: 'up' | 'degraded' | 'down';
  [detail: string]: unknown;
}

/** The service's extra readiness indicators, registered by the modules that own what they check. */
export class HealthIndicators {
  private readonly indicators = new Map<string, () => Promise<IndicatorResult>>();

  register(name: string, indicator: () => Promise<IndicatorResult>): void {
    this.indicators.set(name, indicator);
  }

  entries(): [string, () => Promise<IndicatorResult>][] {
    return [...this.indicators.entries()];
  }
}
