import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';

/**
 * What ties the work done for one request (or one consumed event) together: the correlation id the
 * CRM records on every event, and the W3C trace context (`traceparent`, `tracestate`) it carries to
 * the bus, the projections and the logs.
 */
export interface TraceContext {
  readonly correlationId: string;
  /** W3C `traceparent` (`00-<trace id>-<parent id>-<flags>`). */
  readonly traceparent?: string;
  /** W3C `tracestate`, only with a `traceparent`. */
  readonly tracestate?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

/** Runs `fn` with `context` as the current trace context (for the request or the event it handles). */
export function runWithTraceContext<T>(context: TraceContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The trace context of the work in progress, if any (undefined outside a request or a handled event). */
export function currentTraceContext(): TraceContext | undefined {
  return storage.getStore();
}

// W3C Trace Context level 1: version 00, 32 hex trace id, 16 hex parent id, 2 hex flags; all-zero ids are invalid.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// A correlation id travels into logs, event metadata and headers: printable, no spaces, bounded, and
// no '@' (an e-mail address sent as one would otherwise be written into every log line).
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// tracestate: list members key=value, at most 512 characters in all (the spec's limit for propagation).
const TRACESTATE = /^[\x20-\x2b\x2d-\x7e]+(,[\x20-\x2b\x2d-\x7e]+)*$/;

export interface ParsedTraceparent {
  readonly traceId: string;
  readonly spanId: string;
  readonly flags: string;
}

/** The parts of a valid `traceparent`, or undefined for anything else (which is then ignored, never refused). */
export function parseTraceparent(value: unknown): ParsedTraceparent | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (!match || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return { traceId: match[1], spanId: match[2], flags: match[3] };
}

/** The trace id of a `traceparent`, for log lines. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}

/** `value` when it is an acceptable correlation id, else undefined. */
export function validCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && CORRELATION_ID.test(value) ? value : undefined;
}

/** `value` when it is an acceptable `tracestate`, else undefined. */
export function validTracestate(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 512 && TRACESTATE.test(value) ? value : undefined;
}

/** A `traceparent` for a span of ours: in the caller's trace when it sent one, in a new trace otherwise. */
export function childTraceparent(parent?: ParsedTraceparent): string {
  const traceId = parent?.traceId ?? randomBytes(16).toString('hex');
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${parent?.flags ?? '00'}`;
}

/**
 * The context of an incoming request from its headers: a valid `x-correlation-id` is kept, a missing
 * or bad one replaced by a new UUID; a valid `traceparent` continues the caller's trace (with
 * `tracestate`), a missing or bad one starts a new trace. Never throws: bad input is only ignored.
 * When OpenTelemetry traces this request, its server span is the parent (`activeSpanHeaders`).
 */
export function traceContextFromHeaders(headers: { readonly [name: string]: string | string[] | undefined }): TraceContext {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const correlationId = validCorrelationId(first('x-correlation-id')) ?? randomUUID();
  const active = activeSpanHeaders();
  if (active) return { correlationId, ...active };
  const parent = parseTraceparent(first('traceparent'));
  const tracestate = parent ? validTracestate(first('tracestate')) : undefined;
  return { correlationId, traceparent: childTraceparent(parent), ...(tracestate ? { tracestate } : {}) };
}

/** `traceparent`/`tracestate` of the active OpenTelemetry span, when tracing is on and a span is active. */
export function activeSpanHeaders(): { traceparent: string; tracestate?: string } | undefined {
  const span = trace.getActiveSpan();
  const context = span?.spanContext();
  if (!context || !isSpanContextValid(context)) return undefined;
  return headersOf(context);
}

/** `traceparent`/`tracestate` of a span context. */
export function headersOf(context: SpanContext): { traceparent: string; tracestate?: string } {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  const tracestate = context.traceState?.serialize();
  return { traceparent: `00-${context.traceId}-${context.spanId}-${flags}`, ...(tracestate ? { tracestate } : {}) };
}

/**
 * The trace fields to stamp on an event being appended now: the active span's (so the trace
 * continues from the HTTP server span when tracing is on), else the current context's; none
 * outside a request or a handled event.
 */
export function traceFieldsForEvent(): { traceparent?: string; tracestate?: string } {
  const active = activeSpanHeaders();
  if (active) return active;
  const context = currentTraceContext();
  if (!context?.traceparent) return {};
  return { traceparent: context.traceparent, ...(context.tracestate ? { tracestate: context.tracestate } : {}) };
}

/** The fields a log line written now carries: correlation id and trace id of the current context. */
export function logFields(): { correlationId?: string; traceId?: string; spanId?: string } {
  const context = currentTraceContext();
  const active = trace.getActiveSpan()?.spanContext();
  if (active && isSpanContextValid(active)) return { correlationId: context?.correlationId, traceId: active.traceId, spanId: active.spanId };
  if (!context) return {};
  const parsed = parseTraceparent(context.traceparent);
  return { correlationId: context.correlationId, ...(parsed ? { traceId: parsed.traceId, spanId: parsed.spanId } : {}) };
}

/**
 * The correlation id to record on an event: the one given (a command's option), else the current
 * request's or handled event's, else a new UUID (work outside any request: timers, tools).
 */
export function correlationIdFor(given?: string): string {
  return given ?? currentTraceContext()?.correlationId ?? randomUUID();
}
