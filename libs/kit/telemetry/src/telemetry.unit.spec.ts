import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { carriedBy, endSpan, inConsumedEventContext, startSpan } from './spans';
import { tracingEnabled } from './start-telemetry';
import {
  correlationIdFor,
  currentTraceContext,
  logFields,
  parseTraceparent,
  runWithTraceContext,
  traceContextFromHeaders,
  traceFieldsForEvent,
  validCorrelationId,
} from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

describe('trace context without tracing (the default)', () => {
  it('parses W3C traceparent level 1 and refuses anything else', () => {
    expect(parseTraceparent(PARENT)).toEqual({ traceId: TRACE, spanId: '00f067aa0ba902b7', flags: '01' });
    for (const bad of [
      '',
      'garbage',
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`,
      42,
    ])
      expect(parseTraceparent(bad)).toBeUndefined();
    expect(validCorrelationId('order-7:import_x.1')).toBe('order-7:import_x.1');
    expect(validCorrelationId('dewi@example.com')).toBeUndefined();
    expect(validCorrelationId('with space')).toBeUndefined();
    expect(validCorrelationId('x'.repeat(129))).toBeUndefined();
  });

  it('a request continues the caller’s trace with a parent id of its own, or starts one', () => {
    const continued = traceContextFromHeaders({ 'x-correlation-id': 'c-1', traceparent: PARENT, tracestate: 'v=1' });
    expect(continued.correlationId).toBe('c-1');
    expect(parseTraceparent(continued.traceparent)?.traceId).toBe(TRACE);
    expect(continued.traceparent).not.toBe(PARENT);
    expect(continued.tracestate).toBe('v=1');
    const fresh = traceContextFromHeaders({ traceparent: 'nope', tracestate: 'v=1' });
    expect(parseTraceparent(fresh.traceparent)?.traceId).not.toBe(TRACE);
    expect(fresh.tracestate).toBeUndefined();
  });

  it('what runs inside a context sees it: log fields, event trace fields, the default correlation id', async () => {
    expect(logFields()).toEqual({});
    expect(traceFieldsForEvent()).toEqual({});
    await runWithTraceContext({ correlationId: 'c-2', traceparent: PARENT }, async () => {
      await Promise.resolve();
      expect(currentTraceContext()?.correlationId).toBe('c-2');
      expect(logFields()).toEqual({ correlationId: 'c-2', traceId: TRACE, spanId: '00f067aa0ba902b7' });
      expect(traceFieldsForEvent()).toEqual({ traceparent: PARENT });
      expect(correlationIdFor()).toBe('c-2');
      expect(correlationIdFor('given')).toBe('given');
    });
    expect(correlationIdFor()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('spans are no-ops that carry the parent’s context through (the envelope keeps the request’s trace)', () => {
    const span = startSpan('relay publish X', { kind: 'producer', parent: { traceparent: PARENT, tracestate: 'v=1' } });
    expect(carriedBy(span, { traceparent: PARENT, tracestate: 'v=1' })).toEqual({ traceparent: PARENT, tracestate: 'v=1' });
    endSpan(span);
  });

  it('tracing is on with an OTLP endpoint or CRM_OTEL_ENABLED=true, never with OTEL_SDK_DISABLED or CRM_OTEL_ENABLED=false', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingEnabled({ CRM_OTEL_ENABLED: 'true' })).toBe(true);
    expect(tracingEnabled({ CRM_OTEL_ENABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingEnabled({ OTEL_SDK_DISABLED: 'true', CRM_OTEL_ENABLED: 'true' })).toBe(false);
  });
});

describe('trace context with tracing on (an in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  it('a request inside a server span takes the span’s context; an append stamps the active span', () => {
    const server = provider.getTracer('t').startSpan('POST /customers');
    context.with(trace.setSpan(context.active(), server), () => {
      const request = traceContextFromHeaders({ traceparent: PARENT });
      expect(request.traceparent).toBe(`00-${server.spanContext().traceId}-${server.spanContext().spanId}-01`);
      expect(traceFieldsForEvent().traceparent).toBe(request.traceparent);
      expect(logFields()).toMatchObject({ traceId: server.spanContext().traceId, spanId: server.spanContext().spanId });
    });
    server.end();
  });

  it('the relay’s publish span is a child of the event’s trace, the envelope carries the publish span, the consumer’s span is its child', () => {
    exporter.reset();
    const publish = startSpan('relay publish CustomerRegistered', { kind: 'producer', parent: { traceparent: PARENT } });
    const envelope = { correlationid: 'c-3', ...carriedBy(publish, { traceparent: PARENT }) };
    endSpan(publish);
    expect(envelope.traceparent).toBe(`00-${TRACE}-${publish.spanContext().spanId}-01`);

    const handling = startSpan('process CustomerRegistered', { kind: 'consumer', parent: envelope });
    inConsumedEventContext(
      envelope,
      () => {
        expect(currentTraceContext()).toMatchObject({ correlationId: 'c-3', traceparent: `00-${TRACE}-${handling.spanContext().spanId}-01` });
        expect(trace.getActiveSpan()).toBe(handling);
      },
      handling,
    );
    endSpan(handling, new Error('failed'));

    const [published, handled] = exporter.getFinishedSpans();
    expect(published.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(handled.parentSpanContext?.spanId).toBe(published.spanContext().spanId);
    expect(handled.spanContext().traceId).toBe(TRACE);
    expect(handled.status.code).toBe(2);
  });
});
