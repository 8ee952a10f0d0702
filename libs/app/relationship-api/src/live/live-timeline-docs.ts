/** The OpenAPI content of a live timeline stream (staff and partner routes alike). */
export const LIVE_TIMELINE_SCHEMA = {
  type: 'string',
  description:
    'Server-sent events: `ready` (data `{customerId}`) once the stream is open; `timeline` (data `{customerId, episodeId, kind, eventId}`) ' +
    'after each new step of the relationship the caller may see; comment lines (`: heartbeat`) to keep it open. A partner stream also gets ' +
    '`closed` (data `{reason}`) before it ends when the customer is no longer shared.',
} as const;

export const LIVE_TIMELINE_EXAMPLE =
  'retry: 3000\n\n' +
  'event: ready\ndata: {"customerId":"6f1c2b9e-3d4a-4e8f-9a7b-1c2d3e4f5a6b"}\n\n' +
  'event: timeline\ndata: {"customerId":"6f1c2b9e-3d4a-4e8f-9a7b-1c2d3e4f5a6b","episodeId":"0b7e4d6a-8c1f-4a2e-9d3b-5f6a7b8c9d0e","kind":"InteractionRecorded","eventId":"3e5f7a9b-1c2d-4e6f-8a0b-2c4d6e8f0a1b"}\n\n' +
  ': heartbeat\n\n';
