import { createHmac } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { ensureLinkSecret, SERVICE_CONFIG, SignedLinks, type ServiceConfig } from '@crm/service-kit';
import type { OutboundMessage } from '../channels/message-sender';

/** What a tracking token stands for: one message of one campaign step (and variant) to one customer. */
export interface TrackedMessage {
  messageId: string;
  campaignId: string;
  customerId: string;
  stepId: string;
  variantId?: string;
}

export interface TrackedClick extends TrackedMessage {
  /** Where the click goes: only this signed URL, never one from the request. */
  url: string;
}

/** The longest URL a tracked link carries: the token (the URL in it, base64url) must stay within a signed link's 1,024 characters. */
export const MAX_TRACKED_URL = 400;

const id = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;

/** An absolute http(s) URL (what a tracked link may redirect to). */
export function isTrackableUrl(url: string): boolean {
  if (url.length > MAX_TRACKED_URL) return false;
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Open and click tracking links (issue 13 §3): signed tokens (`SignedLinks`) naming message,
 * campaign, customer, step and variant — and for a click the target URL, so the redirect goes only
 * where the message said (no open redirect). Nothing is stored per link; the links never expire (a
 * message opened a year later is still an open). The campaign renderer calls `openPixelUrl` and
 * `trackedLink` while filling a template.
 */
export class TrackingLinks {
  private readonly links: SignedLinks;
  private readonly base: string;

  constructor(secret: Buffer, publicBase: string) {
    this.links = new SignedLinks(secret, { forged: 'urn:crm:problem:tracking-link-invalid', expired: 'urn:crm:problem:tracking-link-expired', what: 'link' });
    this.base = publicBase.replace(/\/+$/, '');
  }

  /** The URL of the message's 1×1 open pixel (`<img src="…" width="1" height="1" alt="">`). */
  openPixelUrl(message: TrackedMessage | OutboundMessage): string {
    return `${this.base}/t/o/${this.links.sign({ v: 1, k: 'open', ...claimsOf(message) })}`;
  }

  /** `url` as a tracked link of the message: a click is recorded, then redirected to `url`. A URL that cannot be tracked (not http(s), too long) throws. */
  trackedLink(message: TrackedMessage | OutboundMessage, url: string): string {
    if (!isTrackableUrl(url)) throw new RangeError(`only an absolute http(s) URL of at most ${MAX_TRACKED_URL} characters is tracked`);
    return `${this.base}/t/c/${this.links.sign({ v: 1, k: 'click', ...claimsOf(message), u: url })}`;
  }

  /** The message an open token names; a token that is not ours throws a 403 HttpProblem (the routes answer 404). */
  readOpen(token: string, now: Date): TrackedMessage {
    return this.links.verify(token, now, (c) => (c.v === 1 && c.k === 'open' ? messageOf(c) : undefined));
  }

  readClick(token: string, now: Date): TrackedClick {
    return this.links.verify(token, now, (c) => {
      if (c.v !== 1 || c.k !== 'click' || typeof c.u !== 'string' || !isTrackableUrl(c.u)) return undefined;
      const message = messageOf(c);
      return message && { ...message, url: c.u };
    });
  }
}

function claimsOf(m: TrackedMessage | OutboundMessage) {
  return { m: m.messageId, cm: m.campaignId, c: m.customerId, s: m.stepId, ...(m.variantId !== undefined && { va: m.variantId }) };
}

function messageOf(c: Record<string, unknown>): TrackedMessage | undefined {
  if (!id(c.m) || !id(c.cm) || !id(c.c) || !id(c.s) || !(c.va === undefined || id(c.va))) return undefined;
  return { messageId: c.m, campaignId: c.cm, customerId: c.c, stepId: c.s, ...(typeof c.va === 'string' && { variantId: c.va }) };
}

export const TRACKING_LINKS = Symbol('TRACKING_LINKS');

/** Where customers reach the marketing service: `CRM_MARKETING_PUBLIC_URL`, or this machine. */
export const publicBaseOf = (config: ServiceConfig) => config.CRM_MARKETING_PUBLIC_URL ?? `http://localhost:${config.CRM_HTTP_PORT}`;

/**
 * The tracking link signer. With `CRM_CONSENT_LINK_SECRET` its own key is derived from it (so the
 * processes that accept each other's consent links accept each other's tracking links); otherwise an
 * embedded secret under the data folder.
 */
export const trackingLinksProvider: Provider = {
  provide: TRACKING_LINKS,
  inject: [SERVICE_CONFIG],
  useFactory: async (config: ServiceConfig) =>
    new TrackingLinks(
      config.CRM_CONSENT_LINK_SECRET
        ? createHmac('sha256', config.CRM_CONSENT_LINK_SECRET).update('tracking-links').digest()
        : await ensureLinkSecret(config.CRM_DATA_DIR, 'tracking-link-secret'),
      publicBaseOf(config),
    ),
};
