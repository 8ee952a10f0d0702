import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HttpProblem } from '@crm/service-kit';

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
/** Longer than any link this code signs (ids of 200 characters included): anything longer is not ours. */
const MAX_TOKEN_LENGTH = 1024;
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/**
 * Signed survey links: `<payload>.<mac>`, both base64url, the payload the claims as JSON, the mac
 * HMAC-SHA256 of the payload's text under the secret. Nothing is stored per link: the link is a
 * function of the case's resolution, so asking twice gives the same link, and it expires a fixed
 * number of days after the resolution. A link that does not verify is 403 (whatever is wrong with
 * it: not telling a forger which part failed); a genuine one past its time is 410.
 */
export class SurveyLinks {
  constructor(
    private readonly secret: Buffer,
    private readonly days: number,
  ) {
    if (secret.length < 32) throw new Error('a survey link secret has at least 32 bytes');
  }

  sign(subject: { episodeId: string; customerId: string; resolvedAt: string }): { token: string; expiresAt: string } {
    const expiresAt = new Date(Date.parse(subject.resolvedAt) + this.days * DAY).toISOString();
    const payload = Buffer.from(JSON.stringify({ v: 1, e: subject.episodeId, c: subject.customerId, r: subject.resolvedAt, x: expiresAt }), 'utf8').toString(
      'base64url',
    );
    return { token: `${payload}.${this.mac(payload)}`, expiresAt };
  }

  /** The claims of a genuine, unexpired link; otherwise the 403 or 410 problem. */
  verify(token: string, now: Date): SurveyClaims {
    const forged = () => new HttpProblem(403, 'this survey link is not valid', { type: SURVEY_PROBLEM.forged });
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) throw forged();
    const [payload, mac] = token.split('.');
    const expected = Buffer.from(this.mac(payload), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw forged();
    let claims: { v?: unknown; e?: unknown; c?: unknown; r?: unknown; x?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw forged(); // signed by us and unreadable: cannot happen, but never a 500
    }
    if (claims.v !== 1 || typeof claims.e !== 'string' || typeof claims.c !== 'string' || typeof claims.r !== 'string' || typeof claims.x !== 'string')
      throw forged();
    if (now.getTime() >= Date.parse(claims.x)) {
      throw new HttpProblem(410, `this survey link expired at ${claims.x}`, { type: SURVEY_PROBLEM.expired, extensions: { expiredAt: claims.x } });
    }
    return { episodeId: claims.e, customerId: claims.c, resolvedAt: claims.r, expiresAt: claims.x };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload, 'utf8').digest('base64url');
  }
}

/**
 * The embedded secret: 32 random bytes in `<dataDir>/keys/survey-secret` (mode 0600), created on
 * first use like the token mint's key (exclusively, so two processes starting together agree), read
 * afterwards.
 */
export async function ensureSurveySecret(dataDir: string): Promise<Buffer> {
  const file = path.resolve(dataDir, 'keys', 'survey-secret');
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written whole to a temporary file, then linked into place: a reader never sees a half-written secret.
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await fs.writeFile(temporary, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    await fs.link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  const text = (await fs.readFile(file, 'utf8')).trim();
  const secret = Buffer.from(text, 'base64url');
  if (secret.length < 32) throw new Error(`${file} does not hold a survey link secret (32 bytes, base64url)`);
  return secret;
}
