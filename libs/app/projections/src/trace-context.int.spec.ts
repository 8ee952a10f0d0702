import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { currentTraceContext, logFields, type TraceContext } from '@crm/telemetry';
import type { Projection } from './projection';
import { customerActivityProjection, testRegistry, type CustomerNoted } from './testing/customer-activity.projection';
import { ProjectionSpecification } from './testing/projection-specification';

/** The test projection, recording the trace context and the log fields each event is applied in. */
const seen = new Map<string, { context?: TraceContext; log: ReturnType<typeof logFields> }>();
function recording(name: string): Projection<CustomerNoted> {
  const inner = customerActivityProjection(name);
  return {
    ...inner,
    applyBatch: undefined,
    async apply(event: CustomerNoted, manager: EntityManager) {
      seen.set(event.id, { context: currentTraceContext(), log: logFields() });
      await inner.apply(event, manager);
    },
  };
}

// Issue 15 §1: a consumer handles each event inside the context its envelope carries, so the log
// lines it writes and the events it appends carry the request's correlation id and trace.
describe('the projection runner applies each event in its envelope’s trace context', () => {
  const given = ProjectionSpecification.for({ projection: recording('traced'), registry: testRegistry() });

  it('correlation id and traceparent of the envelope; a malformed traceparent is ignored, not a failure', async () => {
    const customerId = randomUUID();
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await given([])
      .when([
        { type: 'CustomerNoted', data: { customerId, seq: 1, note: 'a' }, correlationid: 'corr-a', traceparent, tracestate: 'v=1' },
        { type: 'CustomerNoted', data: { customerId, seq: 2, note: 'b' }, correlationid: 'corr-b', traceparent: 'garbage' },
      ])
      .then((_manager, events) => {
        const [traced, malformed] = events.when.map((e) => seen.get(e.id)!);
        expect(traced.context).toEqual({ correlationId: 'corr-a', traceparent, tracestate: 'v=1' });
        expect(traced.log).toEqual({ correlationId: 'corr-a', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
        expect(malformed.context).toEqual({ correlationId: 'corr-b' });
        expect(malformed.log).toEqual({ correlationId: 'corr-b' });
      });
  });
});
