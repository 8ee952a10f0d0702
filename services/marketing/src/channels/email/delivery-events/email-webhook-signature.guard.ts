import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Clock } from '@crm/kernel';
import { CLOCK, HttpProblem, ProblemTypes, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { verifyWebhook, WebhookSignatureError } from './standard-webhook-signature';

type WebhookRequest = { headers: Record<string, string | string[] | undefined>; rawBody?: Buffer };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? undefined : v);

/**
 * Before the body is validated: the call is signed with `CRM_EMAIL_WEBHOOK_SECRET` (Standard
 * Webhooks) over the bytes received, dated within five minutes of the injected clock — 401
 * otherwise, nothing read. Without the setting the route is not there (404): an unconfigured CRM
 * does not tell a prober that it would take delivery events.
 */
@Injectable()
export class EmailWebhookSignatureGuard implements CanActivate {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const secret = this.config.CRM_EMAIL_WEBHOOK_SECRET;
    if (!secret) throw new HttpProblem(404, 'not found', { type: ProblemTypes.notFound });
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const h = request.headers;
    try {
      verifyWebhook(
        secret,
        { id: one(h['webhook-id']), timestamp: one(h['webhook-timestamp']), signature: one(h['webhook-signature']) },
        request.rawBody ?? Buffer.alloc(0),
        this.clock.now(),
      );
    } catch (error) {
      if (!(error instanceof WebhookSignatureError)) throw error;
      throw new HttpProblem(401, `the webhook signature does not verify: ${error.message}`, { type: ProblemTypes.unauthorized });
    }
    return true;
  }
}
