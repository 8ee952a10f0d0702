import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { importJWK, SignJWT } from 'jose';
import type { AuthSettings } from '../config/service-config';
import { parseDuration } from './duration';
import { ensureLocalKeys, readSigningKey, type SigningKey } from './keys';
import { principalToClaims, type Principal } from './principal';

export interface MintTokenOptions {
  /** The private key: a `SigningKey` (e.g. from `ensureLocalKeys`) or the path of a private JWK file. */
  signingKey: SigningKey | string;
  issuer: string;
  audience: string;
  /** Lifetime: seconds, or `90s` / `15m` / `8h` / `7d`. Default `1h`. */
  expiresIn?: string | number;
  /** "Now" for `iat` (and `exp`); tests use it to make expired tokens. Default: the current time. */
  now?: Date;
  /** More claims to add (they cannot replace sub, iss, aud, iat, exp or the principal's claims). */
  extraClaims?: Record<string, unknown>;
}

const importedKeys = new WeakMap<object, ReturnType<typeof importJWK>>();

/**
 * Signs a JWT (ES256) for a principal: `sub`, `crm_kind`, `dept` / `partner_id`, `roles`, `iss`,
 * `aud`, `iat`, `exp`, `jti`, with the key's `kid` in the header — the claims `JwtAuthGuard` reads.
 */
export async function mintToken(principal: Principal, options: MintTokenOptions): Promise<string> {
  const key = typeof options.signingKey === 'string' ? await readSigningKey(options.signingKey) : options.signingKey;
  const alg = typeof key.privateJwk.alg === 'string' ? key.privateJwk.alg : 'ES256';
  let imported = importedKeys.get(key.privateJwk);
  if (!imported) {
    imported = importJWK(key.privateJwk, alg);
    importedKeys.set(key.privateJwk, imported);
  }
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const exp = iat + parseDuration(options.expiresIn ?? '1h');
  return new SignJWT({ ...options.extraClaims, ...principalToClaims(principal) })
    .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(principal.subject)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(await imported);
}

/**
 * Issues tokens with the service's configured signing key, issuer and audience — what the embedded
 * mint and partner-portal's partner token exchange use. Injectable (provided by `ServiceKitModule`).
 * The key is read on first use; the default key file is created (with `ensureLocalKeys`) if missing.
 */
export class TokenMint {
  private key?: Promise<SigningKey>;

  constructor(
    private readonly settings: AuthSettings,
    private readonly dataDir: string,
  ) {}

  async mint(principal: Principal, options: { expiresIn?: string | number; extraClaims?: Record<string, unknown> } = {}): Promise<string> {
    this.key ??= this.loadKey();
    try {
      return await mintToken(principal, {
        signingKey: await this.key,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        expiresIn: options.expiresIn,
        extraClaims: options.extraClaims,
      });
    } catch (error) {
      this.key = undefined;
      throw error;
    }
  }

  private async loadKey(): Promise<SigningKey> {
    const file = this.settings.signingKeyFile;
    if (fs.existsSync(file) || !this.settings.signingKeyFileIsDefault) return readSigningKey(file);
    return ensureLocalKeys(this.dataDir);
  }
}
