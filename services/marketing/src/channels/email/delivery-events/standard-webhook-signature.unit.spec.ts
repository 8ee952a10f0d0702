import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook, WebhookSignatureError } from './standard-webhook-signature';

// The Standard Webhooks scheme as the provider signs it: HMAC-SHA256 over "<id>.<timestamp>.<body>".
describe('Standard Webhooks signature', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const now = new Date('2026-05-02T10:00:00.000Z');
  const ts = String(now.getTime() / 1000);
  const body = Buffer.from('{"events":[]}');
  const headers = (signature: string | undefined, timestamp = ts, id = 'msg_1') => ({ id, timestamp, signature });

  it('signs as the specification says: the base64 of the whsec_ secret is the key', () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    expect(signWebhook(secret, 'msg_1', ts, body)).toBe(`v1,${createHmac('sha256', key).update(`msg_1.${ts}.${body.toString()}`).digest('base64')}`);
    // Any other text is its own bytes.
    const plain = 'a-plain-secret-of-at-least-32-characters';
    expect(signWebhook(plain, 'msg_1', ts, body)).toBe(`v1,${createHmac('sha256', plain).update(`msg_1.${ts}.${body.toString()}`).digest('base64')}`);
  });

  it('accepts a matching signature, also among several (a secret being rotated)', () => {
    expect(verifyWebhook(secret, headers(signWebhook(secret, 'msg_1', ts, body)), body, now)).toEqual({ id: 'msg_1', timestamp: now });
    expect(verifyWebhook(secret, headers(`v1,AAAA ${signWebhook(secret, 'msg_1', ts, body)}`), body, now).id).toBe('msg_1');
  });

  it('refuses another body, another id, a missing header, a malformed timestamp, or another scheme', () => {
    const good = signWebhook(secret, 'msg_1', ts, body);
    expect(() => verifyWebhook(secret, headers(good), Buffer.from('{"events":[{}]}'), now)).toThrow(WebhookSignatureError);
    expect(() => verifyWebhook(secret, headers(good, ts, 'msg_2'), body, now)).toThrow('no webhook-signature matches');
    expect(() => verifyWebhook(secret, headers(undefined), body, now)).toThrow('are required');
    expect(() => verifyWebhook(secret, { ...headers(good), id: undefined }, body, now)).toThrow('are required');
    expect(() => verifyWebhook(secret, headers(good, '1.5e9'), body, now)).toThrow('malformed');
    expect(() => verifyWebhook(secret, headers(good.replace('v1,', 'v1a,')), body, now)).toThrow('no webhook-signature matches');
    expect(() => verifyWebhook('whsec_another-secret-of-enough-length', headers(good), body, now)).toThrow('no webhook-signature matches');
  });

  it('refuses a timestamp more than five minutes from now, either way (the clock is given)', () => {
    for (const offset of [-301, 301]) {
      const t = String(now.getTime() / 1000 + offset);
      expect(() => verifyWebhook(secret, headers(signWebhook(secret, 'msg_1', t, body), t), body, now)).toThrow('more than 5 minutes');
    }
    const edge = String(now.getTime() / 1000 - 300);
    expect(verifyWebhook(secret, headers(signWebhook(secret, 'msg_1', edge, body), edge), body, now).id).toBe('msg_1');
  });
});
