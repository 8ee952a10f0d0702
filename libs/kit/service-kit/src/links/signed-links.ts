import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HttpProblem } from '../errors/http-problem';

/** Longer than any link this code signs: anything longer is not ours. */
const MAX_TOKEN_LENGTH = 1024;
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/** What a signed link's claims look like once verified: the caller checks their shape. */
export type LinkClaims = Record<string, unknown> & { x?: unknown };

/**
 * Links that are their own credential (a survey, a preference centre, an unsubscribe): the token is
 * `<payload>.<mac>`, both base64url, the payload the claims as JSON, the mac HMAC-SHA256 of the
 * payload's text under a secret. Nothing is stored per link. A token that does not verify is 403
 * whatever is wrong with it (not telling a forger which part failed); a genuine one past its `x`
 * (an ISO instant, when the claims have one) is 410.
 */
export class SignedLinks {
  constructor(
    private readonly secret: Buffer,
    private readonly problems: { forged: string; expired: string; what: string },
  ) {
    if (secret.length < 32) throw new Error(`a ${problems.what} secret has at least 32 bytes`);
  }

  sign(claims: LinkClaims): string {
    const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of a genuine, unexpired token, as `accept` reads them (undefined: not ours → 403). */
  verify<C>(token: string, now: Date, accept: (claims: LinkClaims) => C | undefined): C {
    const forged = () => new HttpProblem(403, `this ${this.problems.what} is not valid`, { type: this.problems.forged });
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) throw forged();
    const [payload, mac] = token.split('.');
    const expected = Buffer.from(this.mac(payload), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw forged();
    let claims: LinkClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as LinkClaims;
    } catch {
      throw forged(); // signed by us and unreadable: cannot happen, but never a 500
    }
    if (!claims || typeof claims !== 'object') throw forged();
    const read = accept(claims);
    if (read === undefined) throw forged();
    if (typeof claims.x === 'string' && now.getTime() >= Date.parse(claims.x)) {
      throw new HttpProblem(410, `this ${this.problems.what} expired at ${claims.x}`, { type: this.problems.expired, extensions: { expiredAt: claims.x } });
    }
    return read;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload, 'utf8').digest('base64url');
  }
}

/**
 * An embedded link secret: 32 random bytes in `<dataDir>/keys/<name>` (mode 0600), created on first
 * use like the token mint's key (exclusively, so two processes starting together agree), read
 * afterwards.
 */
export async function ensureLinkSecret(dataDir: string, name: string): Promise<Buffer> {
  const file = path.resolve(dataDir, 'keys', name);
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
  if (secret.length < 32) throw new Error(`${file} does not hold a link secret (32 bytes, base64url)`);
  return secret;
}
