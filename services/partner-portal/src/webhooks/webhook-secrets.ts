import { createHmac } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { ensureLinkSecret, HttpProblem, ProblemTypes, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';

export const WEBHOOK_SECRETS = Symbol('WEBHOOK_SECRETS');

/**
 * A subscription's signing secret, derived — never stored, never in an event:
 * `whsec_` + base64(HMAC-SHA256(CRM_PARTNER_WEBHOOK_KEY, "<subscriptionId>:<secretVersion>")).
 * Shown once (subscribe, rotate) and recomputed to sign; a rotation bumps the version, so the old
 * secret stops verifying at once.
 */
export class WebhookSecrets {
  constructor(private readonly key: Buffer) {}

  secretOf(subscriptionId: string, secretVersion: number): string {
    return `whsec_${createHmac('sha256', this.key).update(`${subscriptionId}:${secretVersion}`, 'utf8').digest('base64')}`;
  }
}

/**
 * CRM_PARTNER_WEBHOOK_KEY; in embedded mode, unset, a random key kept under the data folder (like the
 * link secrets). In distributed mode it is required: every portal instance must derive the same secrets.
 */
export const webhookSecretsProvider: Provider = {
  provide: WEBHOOK_SECRETS,
  inject: [SERVICE_CONFIG],
  useFactory: async (config: ServiceConfig) => {
    if (config.CRM_PARTNER_WEBHOOK_KEY) return new WebhookSecrets(Buffer.from(config.CRM_PARTNER_WEBHOOK_KEY, 'utf8'));
    if (config.CRM_MODE === 'distributed')
      throw new Error('CRM_PARTNER_WEBHOOK_KEY must be set in distributed mode (at least 32 characters): every partner-portal instance signs webhooks with it');
    return new WebhookSecrets(await ensureLinkSecret(config.CRM_DATA_DIR, 'partner-webhook-key'));
  },
};

/**
 * A webhook URL a partner may give: absolute https (http only with CRM_PARTNER_WEBHOOK_ALLOW_HTTP=true),
 * no user name or password in it (they would be logged and shown), at most 2,000 characters.
 * A 400 naming `url` otherwise.
 */
export function assertWebhookUrl(url: string, allowHttp: boolean): string {
  const refuse = (message: string): never => {
    throw new HttpProblem(400, message, { type: ProblemTypes.validation, errors: [{ field: 'url', message }] });
  };
  if (url.length > 2000) refuse('url must be at most 2000 characters');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('url must be an absolute URL');
  }
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:'))
    refuse(allowHttp ? 'url must be an https or http URL' : 'url must be an https URL');
  if (parsed.username || parsed.password) refuse('url must not carry credentials (a user name or password)');
  if (!parsed.hostname) refuse('url must name a host');
  return url;
}
