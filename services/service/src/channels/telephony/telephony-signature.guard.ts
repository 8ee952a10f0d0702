import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpProblem, ProblemTypes, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';
import { validTwilioSignature, type FormParams } from './twilio-signature';

type WebhookRequest = {
  protocol?: string;
  originalUrl?: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
};

/** The URL the provider called, as it signed it: the configured public base and the path and query as they arrived, or the request's own. */
export function webhookUrl(request: WebhookRequest, config: ServiceConfig): string {
  const pathAndQuery = request.originalUrl ?? request.url;
  if (config.CRM_TELEPHONY_WEBHOOK_BASE_URL) return config.CRM_TELEPHONY_WEBHOOK_BASE_URL.replace(/\/+$/, '') + pathAndQuery;
  return `${request.protocol ?? 'http'}://${String(request.headers.host ?? 'localhost')}${pathAndQuery}`;
}

/** The base URL the IVR's `<Gather action>` and `<Redirect>` point back to (the provider resolves them as given). */
export function webhookBase(request: WebhookRequest, config: ServiceConfig): string {
  if (config.CRM_TELEPHONY_WEBHOOK_BASE_URL) return config.CRM_TELEPHONY_WEBHOOK_BASE_URL.replace(/\/+$/, '');
  return `${request.protocol ?? 'http'}://${String(request.headers.host ?? 'localhost')}`;
}

/**
 * Before anything reads the call: the request must be signed with the account's auth token
 * (`X-Twilio-Signature`), or it is a 403 — anyone can POST a form, only the provider knows the
 * token. Without `CRM_TELEPHONY_AUTH_TOKEN` the telephony webhooks are off (503).
 */
@Injectable()
export class TelephonySignatureGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const token = this.config.CRM_TELEPHONY_AUTH_TOKEN;
    if (!token) throw new HttpProblem(503, 'telephony is not configured: set CRM_TELEPHONY_AUTH_TOKEN', { type: ProblemTypes.notReady });
    const header = request.headers['x-twilio-signature'];
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as FormParams;
    if (!validTwilioSignature(token, webhookUrl(request, this.config), body, Array.isArray(header) ? undefined : header))
      throw new HttpProblem(403, 'the request is not signed by the telephony provider (X-Twilio-Signature)', { type: ProblemTypes.forbidden });
    return true;
  }
}
