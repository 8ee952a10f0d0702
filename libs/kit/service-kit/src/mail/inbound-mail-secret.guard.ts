import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SERVICE_CONFIG } from '../app/tokens';
import type { ServiceConfig } from '../config/service-config';
import { HttpProblem, ProblemTypes } from '../errors/http-problem';

type MailWebhookRequest = { query?: Record<string, unknown>; headers: Record<string, string | string[] | undefined> };

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The secret a request presents: `?key=` in the URL, or the password of HTTP basic auth (any user name). */
export function presentedSecret(request: MailWebhookRequest): string | undefined {
  const key = request.query?.key;
  if (typeof key === 'string') return key;
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * Before the body is read: the inbound-mail provider presents `CRM_INBOUND_MAIL_SECRET` (401
 * otherwise, the mail unread). Without the setting the webhook is off (503).
 */
@Injectable()
export class InboundMailSecretGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const secret = this.config.CRM_INBOUND_MAIL_SECRET;
    if (!secret) throw new HttpProblem(503, 'inbound mail is not configured: set CRM_INBOUND_MAIL_SECRET', { type: ProblemTypes.notReady });
    const given = presentedSecret(context.switchToHttp().getRequest<MailWebhookRequest>());
    if (given === undefined || !same(given, secret))
      throw new HttpProblem(401, 'the inbound-mail secret is missing or wrong (?key= or basic auth)', {
        type: ProblemTypes.unauthorized,
        headers: { 'WWW-Authenticate': 'Basic realm="inbound-mail"' },
      });
    return true;
  }
}
