import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboundMessage } from '../message-sender';
import { HttpSmsSender, retryAfter } from './http-sms-sender';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

const message = (to: string): OutboundMessage => ({
  messageId: '5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a',
  campaignId: 'c-spring',
  stepId: 'step-2',
  customerId: 'customer-1',
  channel: 'sms',
  to,
  text: 'Spring offer: 20% off until Sunday. STOP to 1234',
});

// The SMS adapter against a provider started in the test (node:http): the request it makes, and how answers map to outcomes.
describe('HttpSmsSender', () => {
  const received: Received[] = [];
  // What the receiver answers, by the number messaged.
  const answers: Record<string, { status: number; body?: string; headers?: Record<string, string>; hang?: true }> = {
    '+6281234567890': { status: 202, body: JSON.stringify({ id: 'prov-77' }) },
    '+6281234567891': { status: 400, body: JSON.stringify({ error: 'invalid number' }) },
    '+6281234567892': { status: 429, headers: { 'retry-after': '30' } },
    '+6281234567893': { status: 503, headers: { 'retry-after': 'Fri, 01 May 2026 10:02:00 GMT' } },
    // Never answered (until the server closes): a sender with a short timeout gives up on it.
    '+6281234567894': { status: 200, hang: true },
    '+6281234567895': { status: 500 },
  };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data) as { to: string };
      received.push({ headers: req.headers, body });
      const a = answers[body.to];
      // A hanging answer holds no timer: closeAllConnections ends it when the suite is done.
      if (a.hang) return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  let url: string;
  let sender: HttpSmsSender;
  let impatient: HttpSmsSender;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
    // A generous timeout for the answers the tests wait for (a loaded CI machine's first request can take a while);
    // a short one only where the test is the timeout, against a provider that never answers.
    sender = new HttpSmsSender(url, 'sms-token-1', { timeoutMs: 30_000, now: () => new Date('2026-05-01T10:00:00Z') });
    impatient = new HttpSmsSender(url, 'sms-token-1', { timeoutMs: 200 });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('posts JSON with the bearer token and the message id as idempotency key; 2xx is accepted with the provider’s id', async () => {
    expect(await sender.send(message('+6281234567890'))).toEqual({ status: 'accepted', providerId: 'prov-77' });
    const r = received.at(-1)!;
    expect(r.body).toEqual({
      to: '+6281234567890',
      text: 'Spring offer: 20% off until Sunday. STOP to 1234',
      messageId: '5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a',
    });
    expect(r.headers.authorization).toBe('Bearer sms-token-1');
    expect(r.headers['idempotency-key']).toBe('5a1d7c3e-2b4f-4e6a-8c9d-0f1e2d3c4b5a');
    expect(r.headers['content-type']).toBe('application/json');
  });

  it('4xx (not 429) is a hard bounce', async () => {
    expect(await sender.send(message('+6281234567891'))).toEqual({ status: 'bounced', kind: 'hard', reason: expect.stringContaining('400') });
  });

  it('429 and 5xx are deferred with Retry-After in seconds or as a date', async () => {
    expect(await sender.send(message('+6281234567892'))).toEqual({ status: 'deferred', reason: expect.stringContaining('429'), retryAfterMs: 30_000 });
    expect(await sender.send(message('+6281234567893'))).toEqual({ status: 'deferred', reason: expect.stringContaining('503'), retryAfterMs: 120_000 });
    expect(await sender.send(message('+6281234567895'))).toEqual({ status: 'deferred', reason: expect.stringContaining('500') });
  });

  it('a provider that does not answer in time, or is not there, is deferred', async () => {
    expect(await impatient.send(message('+6281234567894'))).toEqual({ status: 'deferred', reason: 'the SMS provider did not answer in time' });
    const nowhere = new HttpSmsSender('http://127.0.0.1:1/messages', undefined, { timeoutMs: 200 });
    expect(await nowhere.send(message('+6281234567890'))).toMatchObject({ status: 'deferred' });
  });

  it('a number that is not E.164 bounces without a request', async () => {
    const before = received.length;
    expect(await sender.send(message('0812 3456 7890'))).toEqual({ status: 'bounced', kind: 'hard', reason: 'not an E.164 phone number' });
    expect(received.length).toBe(before);
  });

  it('reads Retry-After as seconds or an HTTP date, ignoring garbage', () => {
    const now = new Date('2026-05-01T10:00:00Z');
    expect(retryAfter('120', now)).toBe(120_000);
    expect(retryAfter('Fri, 01 May 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfter('Fri, 01 May 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter(null, now)).toBeUndefined();
  });
});
