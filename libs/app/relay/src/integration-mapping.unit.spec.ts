import { parsePosition, type RecordedEvent } from '@crm/event-store';
import { toIntegrationEvent } from './integration-mapping';

describe('stored event → integration event', () => {
  const stored = (metadata: Record<string, unknown>): RecordedEvent => ({
    id: '0b9f2c1e-4a57-4d1b-9a55-1b1f6f1c2d3e',
    type: 'EpisodeOpened',
    streamId: 'opportunity-42',
    revision: 0n,
    position: parsePosition('12/11'),
    recordedAt: '2026-03-01T09:00:01.000Z',
    schemaVersion: 1,
    data: { customerId: 'c-1', episodeId: '42' },
    metadata: { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-03-01T09:00:00.000Z', ...metadata },
  });

  it('carries the CRM metadata as the envelope extensions, as written', () => {
    const actor = { type: 'partner-user', id: 'p-7', partnerId: 'partner-a' };
    const visibility = { departments: '*', partners: ['partner-a'] };
    expect(toIntegrationEvent(stored({ actor, visibility }))).toEqual({
      specversion: '1.0',
      id: '0b9f2c1e-4a57-4d1b-9a55-1b1f6f1c2d3e',
      source: '/crm/opportunity',
      type: 'EpisodeOpened',
      time: '2026-03-01T09:00:00.000Z',
      subject: 'c-1',
      datacontenttype: 'application/json',
      schemaversion: 1,
      correlationid: 'corr',
      causationid: 'cause',
      actor: JSON.stringify(actor),
      visibility: JSON.stringify(visibility),
      position: '12/11',
      streamid: 'opportunity-42',
      recordedat: '2026-03-01T09:00:01.000Z',
      data: { customerId: 'c-1', episodeId: '42' },
    });
  });

  it('publishes an event that states no visibility as visible company-wide (the envelope always has the attribute)', () => {
    const event = toIntegrationEvent(stored({ actor: { type: 'staff', id: 'u-1', department: 'sales' } }));
    expect(event?.visibility).toBe('{"departments":"*","partners":"shared"}');
  });

  it('carries the trace context the event was appended in as the CloudEvents distributed-tracing extension', () => {
    const actor = { type: 'staff', id: 'u-1', department: 'sales' };
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(toIntegrationEvent(stored({ actor, traceparent, tracestate: 'vendor=abc' }))).toMatchObject({ traceparent, tracestate: 'vendor=abc' });
    const untraced = toIntegrationEvent(stored({ actor }))!;
    expect('traceparent' in untraced || 'tracestate' in untraced).toBe(false);
  });

  it('publishes nothing for an event about no customer', () => {
    expect(toIntegrationEvent({ ...stored({}), data: { partnerId: 'p' } })).toBeUndefined();
  });

  it("publishes a lead's events under the lead (LeadConverted too), and nothing of the lead forms or assignment rules", () => {
    const lead = (type: string, data: Record<string, unknown>, streamId = 'lead-l-1') => toIntegrationEvent({ ...stored({}), type, streamId, data });
    expect(lead('LeadCaptured', { leadId: 'l-1', name: 'Rina' })).toMatchObject({ subject: 'l-1', source: '/crm/lead', type: 'LeadCaptured' });
    expect(lead('LeadConverted', { leadId: 'l-1', customerId: 'c-1', opportunityId: 'o-1' })?.subject).toBe('l-1');
    expect(lead('LeadAssignmentRulesReplaced', { rules: [] }, 'lead-assignment-rules')).toBeUndefined();
    expect(lead('LeadFormCreated', { formId: 'f-1' }, 'leadform-f-1')).toBeUndefined();
    // a leadId on a stream that is not a lead's is not a lead event
    expect(toIntegrationEvent({ ...stored({}), data: { leadId: 'l-1' } })).toBeUndefined();
  });
});
