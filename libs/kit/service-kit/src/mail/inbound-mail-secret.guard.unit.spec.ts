import type { ExecutionContext } from '@nestjs/common';
import type { ServiceConfig } from '../config/service-config';
import { HttpProblem } from '../errors/http-problem';
import { InboundMailSecretGuard, presentedSecret } from './inbound-mail-secret.guard';

const context = (request: { query?: Record<string, unknown>; headers: Record<string, string> }) =>
  ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;
const guard = (secret?: string) => new InboundMailSecretGuard({ CRM_INBOUND_MAIL_SECRET: secret } as ServiceConfig);
const statusOf = (run: () => unknown) => {
  try {
    run();
    return 200;
  } catch (e) {
    return e instanceof HttpProblem ? e.status : 500;
  }
};

// The shared-secret check both inbound-mail routes use (service's /email/inbound, marketing's /channels/email/inbound).
describe('InboundMailSecretGuard', () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('takes the secret from ?key= or as the basic-auth password (any user name)', () => {
    expect(presentedSecret({ query: { key: 's3cret' }, headers: {} })).toBe('s3cret');
    expect(presentedSecret({ headers: { authorization: basic('mailgun', 's3cret') } })).toBe('s3cret');
    expect(presentedSecret({ headers: { authorization: 'Bearer s3cret' } })).toBeUndefined();
    expect(statusOf(() => guard('s3cret').canActivate(context({ query: { key: 's3cret' }, headers: {} })))).toBe(200);
    expect(statusOf(() => guard('s3cret').canActivate(context({ headers: { authorization: basic('api', 's3cret') } })))).toBe(200);
  });

  it('answers 401 for a missing or wrong secret, and 503 when none is configured', () => {
    expect(statusOf(() => guard('s3cret').canActivate(context({ headers: {} })))).toBe(401);
    expect(statusOf(() => guard('s3cret').canActivate(context({ query: { key: 's3cre' }, headers: {} })))).toBe(401);
    expect(statusOf(() => guard('s3cret').canActivate(context({ query: { key: ['s3cret'] }, headers: {} })))).toBe(401);
    expect(statusOf(() => guard(undefined).canActivate(context({ query: { key: 's3cret' }, headers: {} })))).toBe(503);
  });
});
