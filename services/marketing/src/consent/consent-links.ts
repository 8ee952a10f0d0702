import type { Provider } from '@nestjs/common';
import { CONSENT_CHANNELS, SLUG_ID, type ConsentChannel } from '@crm/kernel';
import { ensureLinkSecret, SERVICE_CONFIG, SignedLinks, type LinkClaims, type ServiceConfig } from '@crm/service-kit';

export const CONSENT_LINK_PROBLEM = {
  forged: 'urn:crm:problem:consent-link-invalid',
  expired: 'urn:crm:problem:consent-link-expired',
} as const;

/** What an unsubscribe link stands for: one customer, one channel, one purpose (or all), from one message. */
export interface UnsubscribeClaims {
  customerId: string;
  channel: ConsentChannel;
  /** Absent: the whole channel. */
  purpose?: string;
  campaignId?: string;
  messageId?: string;
}

const optionalString = (v: unknown) => v === undefined || (typeof v === 'string' && v.length > 0 && v.length <= 998);

/**
 * Signed consent links (`SignedLinks`): an unsubscribe link never expires — a customer can always
 * take a permission back — and is the same link every time it is asked for (nothing is stored).
 */
export class ConsentLinks {
  private readonly links: SignedLinks;
  constructor(secret: Buffer) {
    this.links = new SignedLinks(secret, { ...CONSENT_LINK_PROBLEM, what: 'link' });
  }

  unsubscribeToken(c: UnsubscribeClaims): string {
    return this.links.sign({
      v: 1,
      k: 'unsubscribe',
      c: c.customerId,
      ch: c.channel,
      ...(c.purpose !== undefined && { p: c.purpose }),
      ...(c.campaignId !== undefined && { cm: c.campaignId }),
      ...(c.messageId !== undefined && { m: c.messageId }),
    });
  }

  /** Signs other consent links' claims (the preference centre, double opt-in: `PreferenceLinks`); their `k` keeps each kind apart. */
  signClaims(claims: LinkClaims): string {
    return this.links.sign(claims);
  }

  verifyClaims<C>(token: string, now: Date, accept: (claims: LinkClaims) => C | undefined): C {
    return this.links.verify(token, now, accept);
  }

  readUnsubscribe(token: string, now: Date): UnsubscribeClaims {
    return this.links.verify(token, now, (c) => {
      if (c.v !== 1 || c.k !== 'unsubscribe' || typeof c.c !== 'string' || !(CONSENT_CHANNELS as readonly unknown[]).includes(c.ch)) return undefined;
      if (!(c.p === undefined || (typeof c.p === 'string' && SLUG_ID.test(c.p))) || !optionalString(c.cm) || !optionalString(c.m)) return undefined;
      return {
        customerId: c.c,
        channel: c.ch as ConsentChannel,
        ...(typeof c.p === 'string' && { purpose: c.p }),
        ...(typeof c.cm === 'string' && { campaignId: c.cm }),
        ...(typeof c.m === 'string' && { messageId: c.m }),
      };
    });
  }
}

export const CONSENT_LINKS = Symbol('CONSENT_LINKS');

/** What a double opt-in confirmation link stands for: one request of one customer, until the request expires. */
export interface ConfirmClaims {
  customerId: string;
  requestId: string;
  expiresAt: string;
}

/**
 * The preference centre's and double opt-in's links, beside the unsubscribe link (the same signer):
 * a preference link names only the customer and never expires (like unsubscribing, managing one's
 * permissions is always possible); a confirmation link names the request and expires with it (`x`:
 * a genuine link past it is 410).
 */
export class PreferenceLinks {
  constructor(private readonly links: ConsentLinks) {}

  preferenceToken(customerId: string): string {
    return this.links.signClaims({ v: 1, k: 'preferences', c: customerId });
  }

  readPreference(token: string, now: Date): { customerId: string } {
    return this.links.verifyClaims(token, now, (c) =>
      c.v === 1 && c.k === 'preferences' && typeof c.c === 'string' && c.c.length <= 100 ? { customerId: c.c } : undefined,
    );
  }

  confirmToken(c: ConfirmClaims): string {
    return this.links.signClaims({ v: 1, k: 'confirm', c: c.customerId, r: c.requestId, x: c.expiresAt });
  }

  readConfirm(token: string, now: Date): ConfirmClaims {
    return this.links.verifyClaims(token, now, (c) =>
      c.v === 1 &&
      c.k === 'confirm' &&
      typeof c.c === 'string' &&
      c.c.length <= 100 &&
      typeof c.r === 'string' &&
      c.r.length <= 100 &&
      typeof c.x === 'string' &&
      !Number.isNaN(Date.parse(c.x))
        ? { customerId: c.c, requestId: c.r, expiresAt: c.x }
        : undefined,
    );
  }
}

/** The consent link signer: CRM_CONSENT_LINK_SECRET, or the embedded secret under the data folder. */
export const consentLinksProvider: Provider = {
  provide: CONSENT_LINKS,
  inject: [SERVICE_CONFIG],
  useFactory: async (config: ServiceConfig) =>
    new ConsentLinks(
      config.CRM_CONSENT_LINK_SECRET ? Buffer.from(config.CRM_CONSENT_LINK_SECRET, 'utf8') : await ensureLinkSecret(config.CRM_DATA_DIR, 'consent-link-secret'),
    ),
};

export const PREFERENCE_LINKS = Symbol('PREFERENCE_LINKS');
export const preferenceLinksProvider: Provider = {
  provide: PREFERENCE_LINKS,
  inject: [CONSENT_LINKS],
  useFactory: (links: ConsentLinks) => new PreferenceLinks(links),
};
