import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthSettings } from '../config/service-config';
import { ensureLocalKeys, readJwksFile } from './keys';
import { InvalidPrincipalClaimsError, principalFromClaims, type Principal } from './principal';

/** The bearer token is missing, malformed, not signed by a trusted key, expired, or for someone else. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** The keys to check tokens against could not be fetched (the identity provider's JWKS endpoint). */
export class KeySourceUnavailableError extends Error {
  override readonly name = 'KeySourceUnavailableError';
}

const CLOCK_TOLERANCE_SECONDS = 5;
/** A token with an unknown kid re-reads the JWKS file at most this often (a key was added or rotated). */
const LOCAL_RELOAD_INTERVAL_MS = 1000;

/**
 * Verifies bearer tokens: signature against the identity provider's JWKS (`CRM_JWKS_URL`) or the
 * local JWKS file, then `iss`, `aud`, `exp`/`nbf`, then the CRM claims (see `principalFromClaims`).
 */
export class TokenVerifier {
  private constructor(
    private readonly settings: AuthSettings,
    private getKey: JWTVerifyGetKey,
    private readonly reload?: () => Promise<JWTVerifyGetKey>,
  ) {}

  /**
   * With `CRM_JWKS_URL`: a remote key set (fetched on first use, cached, refreshed on unknown kid).
   * Without: the JWKS file — created with the embedded key pair when it is the default file.
   */
  static async create(settings: AuthSettings, dataDir: string): Promise<TokenVerifier> {
    if (settings.jwksUrl) return new TokenVerifier(settings, createRemoteJWKSet(settings.jwksUrl));
    if (settings.jwksFileIsDefault) await ensureLocalKeys(dataDir, { jwksFile: settings.jwksFile, signingKeyFile: settings.signingKeyFile });
    const load = async (): Promise<JWTVerifyGetKey> => createLocalJWKSet(await readJwksFile(settings.jwksFile));
    return new TokenVerifier(settings, await load(), load);
  }

  private lastReload = 0;

  async verify(token: string): Promise<Principal> {
    let claims: Record<string, unknown>;
    try {
      claims = await this.verifySignatureAndClaims(token);
    } catch (error) {
      throw translate(error, this.reload === undefined);
    }
    try {
      return principalFromClaims(claims);
    } catch (error) {
      if (error instanceof InvalidPrincipalClaimsError) throw new InvalidTokenError(error.message);
      throw error;
    }
  }

  private async verifySignatureAndClaims(token: string): Promise<Record<string, unknown>> {
    const options = {
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    };
    try {
      return (await jwtVerify(token, this.getKey, options)).payload;
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey) || !this.reload || Date.now() - this.lastReload < LOCAL_RELOAD_INTERVAL_MS) throw error;
      this.lastReload = Date.now();
      this.getKey = await this.reload();
      return (await jwtVerify(token, this.getKey, options)).payload;
    }
  }
}

function translate(error: unknown, remote: boolean): Error {
  if (error instanceof joseErrors.JWTExpired) return new InvalidTokenError('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return new InvalidTokenError(`the token's "${error.claim}" claim is not accepted: ${error.message}`);
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new InvalidTokenError('the token is not signed by a trusted key');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new InvalidTokenError('the token signature is invalid');
  if (error instanceof joseErrors.JWKSTimeout) return new KeySourceUnavailableError('the identity provider did not answer in time');
  if (error instanceof joseErrors.JWKSInvalid) return new KeySourceUnavailableError('the identity provider returned an invalid key set');
  // The plain JOSEError (ERR_JOSE_GENERIC) is only thrown for a key set response that is not 200 / not JSON.
  if (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
    return new KeySourceUnavailableError(`the identity provider's key set could not be fetched: ${error.message}`);
  if (error instanceof joseErrors.JOSEError) return new InvalidTokenError('the token is malformed or uses an unsupported algorithm');
  if (!remote) return new InvalidTokenError('the token could not be verified');
  // Anything else comes from fetching the remote key set (network, HTTP status).
  return new KeySourceUnavailableError(`the identity provider's key set could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
}
