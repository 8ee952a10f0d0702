import {
  context as otelContext,
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
export type { Span } from '@opentelemetry/api';
import { headersOf, parseTraceparent, runWithTraceContext, validCorrelationId, validTracestate, type TraceContext } from './trace-context';

/**
 * Spans of the CRM's own asynchronous hops (the relay's publish, a consumer's handling) on the
 * OpenTelemetry API only: without a registered SDK (tracing off, the default) they are no-ops that
 * carry the parent's context through, so the W3C trace context still travels in the envelopes.
 */
const TRACER = '@crm/telemetry';

/** The carried trace context of a message or an event (its `traceparent`/`tracestate`). */
export interface CarriedTrace {
  readonly traceparent?: unknown;
  readonly tracestate?: unknown;
}

/** An OpenTelemetry context whose parent is the carried trace context (a remote span), or the root one for none or a malformed one. */
export function parentContextOf(carried: CarriedTrace | undefined): Context {
  const parsed = parseTraceparent(carried?.traceparent);
  if (!parsed) return ROOT_CONTEXT;
  const state = validTracestate(carried?.tracestate);
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parseInt(parsed.flags, 16) & 1,
    isRemote: true,
    ...(state ? { traceState: createTraceState(state) } : {}),
  });
}

/** A span link to a carried trace context, for a span that handles several (a page, a batch). */
export function linkTo(carried: CarriedTrace | undefined): Link | undefined {
  const parent = trace.getSpanContext(parentContextOf(carried));
  return parent ? { context: parent } : undefined;
}

export interface SpanStart {
  readonly kind: 'producer' | 'consumer' | 'internal';
  /** The carried trace context this span continues; none: the current context's span, if any. */
  readonly parent?: CarriedTrace;
  readonly attributes?: Attributes;
  readonly links?: readonly (Link | undefined)[];
}

const KINDS = { producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER, internal: SpanKind.INTERNAL } as const;

/** Starts a span (ended by the caller). */
export function startSpan(name: string, start: SpanStart): Span {
  const parent = start.parent ? parentContextOf(start.parent) : otelContext.active();
  return trace
    .getTracer(TRACER)
    .startSpan(name, { kind: KINDS[start.kind], attributes: start.attributes, links: start.links?.filter((l): l is Link => l !== undefined) }, parent);
}

/** Ends a span, recording the error when the work failed. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** Runs `fn` in a new span (active while it runs), ended when `fn` settles. */
export async function inSpan<T>(name: string, start: SpanStart, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, start);
  try {
    const result = await otelContext.with(trace.setSpan(otelContext.active(), span), () => fn(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/** The `traceparent`/`tracestate` a message published in `span` carries: the span's own when it is valid, else the carried ones unchanged. */
export function carriedBy(span: Span, fallback: CarriedTrace | undefined): { traceparent?: string; tracestate?: string } {
  const own = span.spanContext();
  return trace.isSpanContextValid(own) ? headersOf(own) : validCarried(fallback);
}

/** The carried `traceparent` (and `tracestate`) when valid; nothing otherwise. */
export function validCarried(carried: CarriedTrace | undefined): { traceparent?: string; tracestate?: string } {
  if (typeof carried?.traceparent !== 'string' || !parseTraceparent(carried.traceparent)) return {};
  const state = validTracestate(carried.tracestate);
  return { traceparent: carried.traceparent, ...(state ? { tracestate: state } : {}) };
}

/** What a consumed event carries: its correlation id and trace context (CloudEvents attributes). */
export interface ConsumedEvent extends CarriedTrace {
  readonly correlationid?: unknown;
}

/**
 * Runs the handling of one consumed event inside its context: log lines written meanwhile carry its
 * correlation id and trace id, events appended meanwhile its trace context, and `span` (when given:
 * the event's handling span) is the active span.
 */
export function inConsumedEventContext<T>(event: ConsumedEvent, fn: () => T, span?: Span): T {
  const traced = span ? carriedBy(span, event) : validCarried(event);
  const context: TraceContext = { correlationId: validCorrelationId(event.correlationid) ?? 'unknown', ...traced };
  const run = () => runWithTraceContext(context, fn);
  return span ? otelContext.with(trace.setSpan(otelContext.active(), span), run) : run();
}
