import { ensureLinkSecret, SignedLinks } from '@crm/service-kit';

/** What a survey link stands for: one resolution of one case, for its customer. */
export interface SurveyClaims {
  episodeId: string;
  customerId: string;
  /** The resolution the survey is about (a reopened and re-resolved case has a new one). */
  resolvedAt: string;
  /** resolvedAt + CRM_SURVEY_LINK_DAYS. */
  expiresAt: string;
}

export const SURVEY_PROBLEM = {
  forged: 'urn:crm:problem:survey-link-invalid',
  expired: 'urn:crm:problem:survey-link-expired',
} as const;

const DAY = 86_400_000;

/**
 * Signed survey links (`SignedLinks`): the claims name the case, its customer, the resolution and
 * the expiry. Nothing is stored per link: the link is a function of the case's resolution, so asking
 * twice gives the same link, and it expires a fixed number of days after the resolution. A link that
 * does not verify is 403; a genuine one past its time is 410.
 */
export class SurveyLinks {
  private readonly links: SignedLinks;

  constructor(
    secret: Buffer,
    private readonly days: number,
  ) {
    this.links = new SignedLinks(secret, { ...SURVEY_PROBLEM, what: 'survey link' });
  }

  sign(subject: { episodeId: string; customerId: string; resolvedAt: string }): { token: string; expiresAt: string } {
    const expiresAt = new Date(Date.parse(subject.resolvedAt) + this.days * DAY).toISOString();
    return { token: this.links.sign({ v: 1, e: subject.episodeId, c: subject.customerId, r: subject.resolvedAt, x: expiresAt }), expiresAt };
  }

  /** The claims of a genuine, unexpired link; otherwise the 403 or 410 problem. */
  verify(token: string, now: Date): SurveyClaims {
    return this.links.verify(token, now, (c) =>
      c.v === 1 && typeof c.e === 'string' && typeof c.c === 'string' && typeof c.r === 'string' && typeof c.x === 'string'
        ? { episodeId: c.e, customerId: c.c, resolvedAt: c.r, expiresAt: c.x }
        : undefined,
    );
  }
}

/** The embedded survey secret: `<dataDir>/keys/survey-secret` (see `ensureLinkSecret`). */
export function ensureSurveySecret(dataDir: string): Promise<Buffer> {
  return ensureLinkSecret(dataDir, 'survey-secret');
}
