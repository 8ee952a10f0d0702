/**
 * OpenTelemetry tracing for a CRM process (issue 15 §1), off by default. Import this module FIRST in
 * an entry point and call `startTelemetry` before anything else is loaded: the http, express, pg and
 * kafkajs instrumentations patch those modules when they are required, so a module loaded earlier
 * is not traced (no `--require` preload: a plain `node main.js` starts the same way).
 *
 * The only module of the CRM that loads the SDK; the libs use `@opentelemetry/api` alone, a no-op
 * until this registers a tracer provider.
 */
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { beforeGracefulExit } from './exit-hooks';
import { isProbePath } from './probe-paths';

type SpanProcessors = NonNullable<ConstructorParameters<typeof NodeSDK>[0]>['spanProcessors'];

export interface TelemetryOptions {
  /** `service.name` of the spans, e.g. `crm-sales` (`OTEL_SERVICE_NAME` wins when set). */
  serviceName: string;
  env?: Record<string, string | undefined>;
  /** Instead of the OTLP exporter (tests: a `SimpleSpanProcessor` over an `InMemorySpanExporter`). */
  spanProcessors?: SpanProcessors;
}

/**
 * Tracing is on when an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, the standard variables) or `CRM_OTEL_ENABLED=true` (then the
 * exporter's default, http://localhost:4318); never with `OTEL_SDK_DISABLED=true` or `CRM_OTEL_ENABLED=false`.
 */
export function tracingEnabled(env: Record<string, string | undefined> = process.env): boolean {
  if (env['OTEL_SDK_DISABLED'] === 'true' || env['CRM_OTEL_ENABLED'] === 'false') return false;
  return env['CRM_OTEL_ENABLED'] === 'true' || Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

let sdk: NodeSDK | undefined;

/**
 * Starts the SDK (OTLP over HTTP, sampling by the standard `OTEL_TRACES_SAMPLER`/`_ARG`, default
 * parent-based always-on) when tracing is enabled; returns whether it did. Idempotent per process.
 */
export function startTelemetry(options: TelemetryOptions): boolean {
  const env = options.env ?? process.env;
  if (sdk) return true;
  if (!options.spanProcessors && !tracingEnabled(env)) return false;
  sdk = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME'] || options.serviceName,
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : { traceExporter: new OTLPTraceExporter() }),
    // Traces only: metrics are Prometheus (`GET /metrics`), logs are stdout lines carrying the trace id.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes every few seconds would be most of the traces.
        ignoreIncomingRequestHook: (request) => isProbePath(request.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  // A graceful shutdown flushes the spans still buffered (those of the requests it drained).
  beforeGracefulExit(shutdownTelemetry);
  return true;
}

/** Flushes and stops the SDK (the last spans are exported); for a graceful shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
