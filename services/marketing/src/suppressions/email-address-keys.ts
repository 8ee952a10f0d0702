import { createHmac } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { ensureLinkSecret, SERVICE_CONFIG, type ServiceConfig } from '@crm/service-kit';

export const EMAIL_ADDRESS_KEYS = Symbol('EMAIL_ADDRESS_KEYS');

/**
 * The suppression list's key of an e-mail address: HMAC-SHA256 (hex) of the trimmed, lower-cased
 * address. Keyed rather than a plain hash so the events cannot be matched against a list of
 * addresses by whoever reads the bus; lower-cased because mailbox providers treat the local part
 * case-insensitively in practice, and a bounce for `Sari@Example.com` must stop `sari@example.com`.
 */
export class EmailAddressKeys {
  constructor(private readonly secret: Buffer) {}

  keyOf(address: string): string {
    return createHmac('sha256', this.secret).update(address.trim().toLowerCase(), 'utf8').digest('hex');
  }
}

/** CRM_EMAIL_SUPPRESSION_SECRET, or the embedded secret under the data folder (like the link secrets). */
export const emailAddressKeysProvider: Provider = {
  provide: EMAIL_ADDRESS_KEYS,
  inject: [SERVICE_CONFIG],
  useFactory: async (config: ServiceConfig) =>
    new EmailAddressKeys(
      config.CRM_EMAIL_SUPPRESSION_SECRET
        ? Buffer.from(config.CRM_EMAIL_SUPPRESSION_SECRET, 'utf8')
        : await ensureLinkSecret(config.CRM_DATA_DIR, 'email-suppression-secret'),
    ),
};
