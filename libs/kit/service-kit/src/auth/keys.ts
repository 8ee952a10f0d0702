import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import { DEFAULT_JWKS_FILE, DEFAULT_SIGNING_KEY_FILE } from '../config/service-config';

/** The algorithm of the embedded key pair. */
export const LOCAL_KEY_ALG = 'ES256';

/** A private signing key as the mint uses it. */
export interface SigningKey {
  readonly kid: string;
  /** Private EC P-256 JWK (with `d`, `kid`, `alg: 'ES256'`). */
  readonly privateJwk: JWK;
}

export interface LocalKeys extends SigningKey {
  /** The public half, as published in the JWKS file. */
  readonly publicJwk: JWK;
  readonly signingKeyFile: string;
  readonly jwksFile: string;
  /** True when this call generated the key pair. */
  readonly created: boolean;
}

export interface LocalKeyPaths {
  /** Default `<dataDir>/keys/signing-key.json`. */
  signingKeyFile?: string;
  /** Default `<dataDir>/keys/jwks.json`. */
  jwksFile?: string;
}

/**
 * The embedded key pair: creates an ES256 key pair on first use — the private JWK in
 * `signingKeyFile` (mode 0600), its public JWK in the JWKS file `jwksFile` — and afterwards just
 * reads it. Safe to call concurrently, also from several processes: the private key file is created
 * atomically (exclusive link), and the JWKS file always ends up listing the key's `kid`
 * (other keys in it are kept).
 */
export async function ensureLocalKeys(dataDir: string, paths: LocalKeyPaths = {}): Promise<LocalKeys> {
  const keysDir = path.resolve(dataDir, 'keys');
  const signingKeyFile = path.resolve(paths.signingKeyFile ?? path.join(keysDir, DEFAULT_SIGNING_KEY_FILE));
  const jwksFile = path.resolve(paths.jwksFile ?? path.join(keysDir, DEFAULT_JWKS_FILE));
  await fs.mkdir(path.dirname(signingKeyFile), { recursive: true, mode: 0o700 });
  await fs.mkdir(path.dirname(jwksFile), { recursive: true, mode: 0o700 });

  let created = false;
  let privateJwk = await readJsonIfExists(signingKeyFile);
  if (privateJwk === undefined) {
    created = await createExclusively(signingKeyFile, `${JSON.stringify(await generatePrivateJwk(), null, 2)}\n`, 0o600);
    privateJwk = await readJsonIfExists(signingKeyFile);
  } else {
    const { mode } = await fs.stat(signingKeyFile);
    if ((mode & 0o077) !== 0) await fs.chmod(signingKeyFile, 0o600);
  }
  const key = toSigningKey(privateJwk, signingKeyFile);
  const publicJwk = publicJwkOf(key.privateJwk);

  const jwks = await readJsonIfExists(jwksFile);
  const keys = jwks === undefined ? [] : jwksKeys(jwks, jwksFile);
  if (!keys.some((k) => k.kid === key.kid)) {
    await writeAtomically(jwksFile, `${JSON.stringify({ keys: [...keys, publicJwk] } satisfies JSONWebKeySet, null, 2)}\n`, 0o644);
  }
  return { ...key, publicJwk, signingKeyFile, jwksFile, created };
}

/** Reads a private signing key written by `ensureLocalKeys` (or any private EC/RSA/OKP JWK with a kid). */
export async function readSigningKey(file: string): Promise<SigningKey> {
  const jwk = await readJsonIfExists(file);
  if (jwk === undefined) throw new Error(`signing key file ${file} does not exist`);
  return toSigningKey(jwk, file);
}

/** Reads and checks a JWKS file. */
export async function readJwksFile(file: string): Promise<JSONWebKeySet> {
  const content = await readJsonIfExists(file);
  if (content === undefined) throw new Error(`JWKS file ${file} does not exist`);
  return { keys: jwksKeys(content, file) };
}

/** The public part of a private JWK (drops the private members). */
export function publicJwkOf(privateJwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, k: _k, priv: _priv, key_ops: _ops, ext: _ext, ...pub } = privateJwk;
  return pub;
}

async function generatePrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(LOCAL_KEY_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
  return { ...jwk, kid, alg: LOCAL_KEY_ALG, use: 'sig' };
}

function toSigningKey(content: unknown, file: string): SigningKey {
  if (!isJwk(content) || typeof content.d !== 'string') throw new Error(`${file} does not hold a private JWK`);
  if (typeof content.kid !== 'string' || content.kid === '') throw new Error(`the private JWK in ${file} has no "kid"`);
  return { kid: content.kid, privateJwk: content };
}

function jwksKeys(content: unknown, file: string): JWK[] {
  const keys = typeof content === 'object' && content !== null ? (content as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || !keys.every(isJwk)) throw new Error(`${file} is not a JWKS ({"keys": [...]})`);
  return keys;
}

function isJwk(value: unknown): value is JWK {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { kty?: unknown }).kty === 'string';
}

async function readJsonIfExists(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${file} is not valid JSON`);
  }
}

function tempName(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Writes `file` only if it does not exist yet, never partially. Returns false when another writer won. */
async function createExclusively(file: string, content: string, mode: number): Promise<boolean> {
  const tmp = tempName(file);
  await fs.writeFile(tmp, content, { mode, flag: 'wx' });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const tmp = tempName(file);
  await fs.writeFile(tmp, content, { mode, flag: 'wx' });
  try {
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw error;
  }
}
